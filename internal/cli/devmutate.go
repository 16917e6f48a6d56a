package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/mutate"
	"github.com/spf13/cobra"
)

// DevMutateOptions are the inputs of `dslearn dev mutate`.
type DevMutateOptions struct {
	F         *Factory
	Refs      []string
	Jobs      int
	Race      bool
	LockRace  bool
	Max       int
	Sample    int
	Seed      uint64
	Operators []string
	JSON      bool
	Out       string
	List      bool
	Timeout   time.Duration
}

// NewCmdDevMutate builds `dslearn dev mutate <slug>...`.
func NewCmdDevMutate(f *Factory) *cobra.Command {
	opts := &DevMutateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "mutate <number|slug>...",
		Short: "Measure a hidden suite: how many mutants of the solution it rejects",
		Long: `Make mutants of the reference solution, each a small change in one place
(a flipped comparison, a removed statement, a lock pair taken out, a copy
turned into an alias, ...), run the hidden suite against each, and report the
score: killed / (mutants - given - equivalent - not compiling), where given are
the mutants of code the stub gives complete (not run). Every survivor is
printed as a unified diff with its operator and position; --out DIR writes
each as DIR/<id>.diff in the format of the known-wrong implementations.

Mutants recorded in content/suites/<slug>/equivalent-mutants.yaml are skipped
and counted apart; an entry that matches no mutant any more is an error.
Only the lock operator's mutants run under the race detector, unless --race
(all) or --race=false (none). See docs/authoring.md.`,
		Example: `  dslearn dev mutate lamport-clocks
  dslearn dev mutate --sample 20 --seed 1 lru-cache gossip
  dslearn dev mutate --operators lock,alias --out survivors g-counter`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			opts.LockRace = !cmd.Flags().Changed("race")
			return devMutateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "how many mutants to run at once")
	fl.BoolVar(&opts.Race, "race", false, "run every mutant under the race detector (default: only the lock operator's; --race=false: none)")
	fl.IntVar(&opts.Max, "max", 0, "run at most the first `N` mutants of each exercise")
	fl.IntVar(&opts.Sample, "sample", 0, "run `N` mutants of each exercise chosen with --seed")
	fl.Uint64Var(&opts.Seed, "seed", 1, "the seed that chooses the --sample")
	fl.StringSliceVar(&opts.Operators, "operators", nil, "only these operators (comma-separated): "+strings.Join(mutate.OperatorNames(), ", "))
	fl.BoolVar(&opts.JSON, "json", false, "print the results as JSON")
	fl.StringVar(&opts.Out, "out", "", "write each survivor to `DIR`/<id>.diff")
	fl.BoolVar(&opts.List, "list", false, "list the mutants (id, operator, position, change) without running them")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "time limit of one mutant's run (default: the lesson's)")
	return cmd
}

// mutateReport is one exercise's mutation run, as --json prints it.
type mutateReport struct {
	Slug         string `json:"slug"`
	Mutants      int    `json:"mutants"`
	NotCompiling int    `json:"not_compiling"`
	// Given counts the mutants of code the stub gives complete, not run.
	Given int `json:"given"`
	// Carried counts the mutants of code a continuing lesson carries
	// unchanged from the earlier lesson's solution, not run.
	Carried     int             `json:"carried"`
	Equivalent  []string        `json:"equivalent"`
	Ran         int             `json:"ran"`
	Killed      int             `json:"killed"`
	Survived    int             `json:"survived"`
	NotBuilding int             `json:"not_building"`
	Score       float64         `json:"score"`
	Seconds     float64         `json:"seconds"`
	Survivors   []mutateJSONRes `json:"survivors"`
}

type mutateJSONRes struct {
	ID       string `json:"id"`
	Operator string `json:"operator"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Change   string `json:"change"`
	Diff     string `json:"diff"`
}

func devMutateRun(ctx context.Context, o *DevMutateOptions) error {
	out := o.F.IO.Out
	c, _, err := authorCourse(o.F)
	if err != nil {
		return err
	}
	if _, err := mutate.OperatorsNamed(o.Operators); err != nil {
		return &UsageError{Err: err}
	}
	if o.Max < 0 || o.Sample < 0 {
		return &UsageError{Err: errors.New("--max and --sample take a positive number")}
	}
	lessons, err := selectLessons(c, o.Refs, false, 0)
	if err != nil {
		return err
	}
	// Even --list needs Go: the mutants are type-checked against the
	// standard library's export data, which the go command provides.
	if err := needGo(c); err != nil {
		return err
	}
	if o.Out != "" {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return &EnvError{Err: err}
		}
	}
	var reports []mutateReport
	start := time.Now()
	for _, l := range lessons {
		if !c.HasExercise(l) {
			return &UsageError{Err: fmt.Errorf("lesson %d (%s) has no exercise to mutate", l.Number, l.Slug)}
		}
		set, err := mutate.Generate(c.FS, l.SolutionDir(), c.Module, nil)
		if err != nil {
			return &EnvError{Err: err}
		}
		given, err := set.DropGiven(c.FS, l.StubDir())
		if err != nil {
			return &EnvError{Err: err}
		}
		// A lesson that continues another is measured on the code it adds:
		// what it carries unchanged from the earlier lesson's solution is
		// measured, and graded, by that lesson's suite.
		var carried []mutate.Mutant
		if prev := c.ContinuesFrom(l); prev != nil {
			if carried, err = set.DropGiven(c.FS, prev.SolutionDir()); err != nil {
				return &EnvError{Err: err}
			}
			given = append(given, carried...)
		}
		eqs, err := mutate.Equivalents(c.FS, l)
		if err != nil {
			return &EnvError{Err: err}
		}
		rest, equivalent, staleEqs := mutate.SplitEquivalent(set.Mutants, eqs)
		if len(staleEqs) > 0 {
			_, inGiven, _ := mutate.SplitEquivalent(given, staleEqs)
			var ids, givenIDs []string
			for _, e := range staleEqs {
				if slices.ContainsFunc(inGiven, func(m mutate.Mutant) bool { return m.ID == e.ID }) {
					givenIDs = append(givenIDs, e.ID)
				} else {
					ids = append(ids, e.ID)
				}
			}
			if len(givenIDs) > 0 {
				return &EnvError{Err: fmt.Errorf("%s/%s: entries %s are mutants of code the stub gives complete or the lesson carries from the one it continues, which dev mutate does not run: remove them",
					l.SuiteDir(), mutate.EquivalentFile, strings.Join(givenIDs, ", "))}
			}
			return &EnvError{Err: fmt.Errorf("%s/%s: stale entries %s match no mutant of the solution any more (the solution or an operator changed): remove them, or record the new ids (dslearn dev mutate --list %s)",
				l.SuiteDir(), mutate.EquivalentFile, strings.Join(ids, ", "), l.Slug)}
		}
		// The sample is drawn from every mutant, equivalent or not, so
		// that recording an equivalent mutant does not change which others
		// a --sample run chooses.
		chosen := mutate.Filter(set.Mutants, o.Operators)
		chosen = mutate.Sample(chosen, o.Sample, o.Seed)
		if o.Max > 0 && len(chosen) > o.Max {
			chosen = chosen[:o.Max]
		}
		run, _, _ := mutate.SplitEquivalent(chosen, eqs)
		rep := mutateReport{Slug: l.Slug, Mutants: len(set.Mutants) + len(given) + set.NotCompiling, NotCompiling: set.NotCompiling, Given: len(given) - len(carried), Carried: len(carried), Ran: len(run)}
		for _, m := range equivalent {
			rep.Equivalent = append(rep.Equivalent, m.ID)
		}
		if o.List {
			if !o.JSON {
				fmt.Fprintf(out, "%s: %d mutants (%d not compiling, %d in code the stub gives%s, %d equivalent)\n", l.Slug, rep.Mutants, rep.NotCompiling, rep.Given, carriedNote(rep.Carried), len(equivalent))
				isEq := map[string]bool{}
				for _, m := range equivalent {
					isEq[m.ID] = true
				}
				for _, m := range chosen {
					mark := ""
					if isEq[m.ID] {
						mark = " (equivalent)"
					}
					fmt.Fprintf(out, "  %s %-10s %s %s%s\n", m.ID, m.Operator, m.Where(), m.Change, mark)
				}
			}
			reports = append(reports, rep)
			continue
		}
		if !o.JSON {
			what := fmt.Sprintf("%d", len(run))
			if len(run) < len(rest) {
				what = fmt.Sprintf("%d of %d", len(run), len(rest))
			}
			fmt.Fprintf(out, "%s: %d mutants (%d not compiling, %d in code the stub gives%s, %d equivalent); running %s\n", l.Slug, rep.Mutants, rep.NotCompiling, rep.Given, carriedNote(rep.Carried), len(equivalent), what)
		}
		t0 := time.Now()
		mo := mutate.Options{Jobs: o.Jobs, Race: o.Race, LockRace: o.LockRace, Timeout: o.Timeout}
		took, err := mutate.Baseline(ctx, c, l, set, mo)
		if errors.Is(err, grader.ErrInterrupted) || ctx.Err() != nil {
			return grader.ErrInterrupted
		}
		if err != nil {
			return &EnvError{Err: err}
		}
		mo.RaceTimeout = o.Timeout
		if mo.Timeout == 0 {
			mo.Timeout = mutate.MutantTimeout(took, l.RunTimeout())
		}
		results, err := mutate.Run(ctx, c, l, set, run, mo, nil)
		if errors.Is(err, grader.ErrInterrupted) || ctx.Err() != nil {
			return grader.ErrInterrupted
		}
		if err != nil {
			return &EnvError{Err: err}
		}
		rep.Seconds = time.Since(t0).Seconds()
		rep.Killed, rep.Survived = mutate.Score(results)
		if rep.Killed+rep.Survived > 0 {
			rep.Score = float64(rep.Killed) / float64(rep.Killed+rep.Survived)
		}
		for _, r := range results {
			switch r.Outcome {
			case mutate.NotBuilding:
				rep.NotBuilding++
			case mutate.Survived:
				rep.Survivors = append(rep.Survivors, mutateJSONRes{r.ID, r.Operator, r.File, r.Line, r.Change, r.Diff})
				if !o.JSON {
					fmt.Fprintf(out, "  survived %s %s at %s: %s\n", r.ID, r.Operator, r.Where(), r.Change)
					for _, line := range strings.Split(strings.TrimRight(r.Diff, "\n"), "\n") {
						fmt.Fprintf(out, "    %s\n", line)
					}
				}
				if o.Out != "" {
					if err := os.WriteFile(filepath.Join(o.Out, r.ID+".diff"), []byte(mutate.SurvivorPatch(r)), 0o644); err != nil {
						return &EnvError{Err: err}
					}
				}
			}
		}
		if !o.JSON {
			fmt.Fprintf(out, "%s: score %d/%d killed (%s), %d survived, %d not building, %s\n",
				l.Slug, rep.Killed, rep.Killed+rep.Survived, percent(rep.Killed, rep.Killed+rep.Survived), rep.Survived, rep.NotBuilding, time.Duration(rep.Seconds*float64(time.Second)).Round(time.Second))
		}
		reports = append(reports, rep)
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else if !o.List && len(reports) > 1 {
		fmt.Fprintf(out, "\n%-20s %8s %8s %8s %8s %8s\n", "exercise", "mutants", "ran", "killed", "score", "time")
		for _, r := range reports {
			fmt.Fprintf(out, "%-20s %8d %8d %8d %8s %7.0fs\n", r.Slug, r.Mutants, r.Ran, r.Killed, percent(r.Killed, r.Killed+r.Survived), r.Seconds)
		}
		fmt.Fprintf(out, "total time %s\n", time.Since(start).Round(time.Second))
	}
	return nil
}

// percent is killed out of total as a percentage, or "-" when nothing counted.
func percent(killed, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(killed)/float64(total))
}

func carriedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d carried from the lesson it continues", n)
}
