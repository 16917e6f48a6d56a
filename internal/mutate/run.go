package mutate

import (
	"context"
	"errors"
	"fmt"
	"github.com/dslearn/dslearn/internal/patch"
	"io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"gopkg.in/yaml.v3"
)

// Outcome is what the suite did to a mutant.
type Outcome string

// The outcomes of a mutant's run.
const (
	// Killed: a check failed, the run crashed or it timed out.
	Killed Outcome = "killed"
	// Survived: every check passed.
	Survived Outcome = "survived"
	// NotBuilding: go test could not build it (vet, for instance, rejects
	// what the type checker accepts).
	NotBuilding Outcome = "not building"
)

// Result is one mutant's run.
type Result struct {
	Mutant
	Outcome Outcome
	// By names what killed it: the failing checks, or the problem.
	By      string
	Elapsed time.Duration
}

// Options control a mutation run.
type Options struct {
	// Jobs is how many mutants are graded at once.
	Jobs int
	// Race turns the race detector on (for lessons that use it).
	Race bool
	// LockRace turns it on for the lock operator's mutants only: a removed
	// lock pair is a data race, which the race detector sees on most runs
	// and a check sees only when the race happens to lose an update.
	LockRace bool
	// Timeout bounds one mutant's run; zero means the lesson's own limit.
	Timeout time.Duration
	// RaceTimeout bounds the run of a mutant raced only because of
	// LockRace (the solution's time was measured without the race
	// detector); zero means the lesson's own limit.
	RaceTimeout time.Duration
}

// races reports whether mutant m runs under the race detector.
func (o Options) races(l *course.Lesson, m Mutant) bool {
	return l.UsesRace() && (o.Race || (o.LockRace && m.Operator == "lock"))
}

// Run grades every mutant of ms against lesson l's hidden suite, Jobs at a
// time, and returns the results in the order of ms. done, when not nil, is
// called after each mutant (from one goroutine at a time).
func Run(ctx context.Context, c *course.Course, l *course.Lesson, set *Set, ms []Mutant, o Options, done func(Result)) ([]Result, error) {
	results := make([]Result, len(ms))
	errs := make([]error, len(ms))
	sem := make(chan struct{}, max(o.Jobs, 1))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			impl := fstest.MapFS{}
			for name, src := range set.Files {
				impl[name] = &fstest.MapFile{Data: src}
			}
			impl[m.File] = &fstest.MapFile{Data: m.Source}
			ro := runner.Options{Race: o.races(l, m), Timeout: o.Timeout}
			if ro.Race && !o.Race {
				ro.Timeout = o.RaceTimeout
			}
			g, err := grader.Grade(ctx, c, l, impl, ro)
			if err != nil {
				errs[i] = err
				return
			}
			results[i] = Judge(m, g)
			if done != nil {
				mu.Lock()
				done(results[i])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, grader.ErrInterrupted
	}
	return results, errors.Join(errs...)
}

// Judge turns a graded run of mutant m into its result.
func Judge(m Mutant, g *grader.Graded) Result {
	r := Result{Mutant: m, Elapsed: g.Elapsed}
	switch {
	case g.BuildFailed:
		r.Outcome, r.By = NotBuilding, firstLine(g.BuildOutput)
	case g.State() == grader.Passed:
		r.Outcome = Survived
	default:
		r.Outcome = Killed
		var by []string
		for _, c := range g.Checks {
			if c.Status == grader.Fail {
				by = append(by, c.Name)
			}
		}
		if g.Problem != "" {
			by = append(by, firstLine(g.Problem))
		}
		r.By = strings.Join(by, ", ")
	}
	return r
}

// EquivalentFile is the file, beside a lesson's hidden suite, that records
// the mutants of its solution that behave exactly like it.
const EquivalentFile = "equivalent-mutants.yaml"

// Equivalent is a recorded equivalent mutant.
type Equivalent struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

// Equivalents reads lesson l's equivalent mutants; none when the file is absent.
func Equivalents(fsys fs.FS, l *course.Lesson) ([]Equivalent, error) {
	p := path.Join(l.SuiteDir(), EquivalentFile)
	data, err := fs.ReadFile(fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var eqs []Equivalent
	if err := yaml.Unmarshal(data, &eqs); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	seen := map[string]bool{}
	for _, e := range eqs {
		switch {
		case e.ID == "":
			return nil, fmt.Errorf("%s: an entry has no id", p)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("%s: mutant %s has no reason: say in one line why it behaves like the solution", p, e.ID)
		case seen[e.ID]:
			return nil, fmt.Errorf("%s: mutant %s is listed twice", p, e.ID)
		}
		seen[e.ID] = true
	}
	return eqs, nil
}

// SplitEquivalent separates the recorded equivalent mutants from the rest,
// and returns the entries that match no mutant (stale: the solution or an
// operator changed since they were recorded).
func SplitEquivalent(ms []Mutant, eqs []Equivalent) (rest, equivalent []Mutant, stale []Equivalent) {
	byID := map[string]bool{}
	for _, e := range eqs {
		byID[e.ID] = true
	}
	found := map[string]bool{}
	for _, m := range ms {
		if byID[m.ID] {
			equivalent = append(equivalent, m)
			found[m.ID] = true
		} else {
			rest = append(rest, m)
		}
	}
	for _, e := range eqs {
		if !found[e.ID] {
			stale = append(stale, e)
		}
	}
	return rest, equivalent, stale
}

// Filter keeps the mutants of the named operators (all when names is empty).
func Filter(ms []Mutant, names []string) []Mutant {
	if len(names) == 0 {
		return ms
	}
	var out []Mutant
	for _, m := range ms {
		if slices.Contains(names, m.Operator) {
			out = append(out, m)
		}
	}
	return out
}

// Sample returns n of ms chosen with seed, in their original order: the same
// n, seed and mutants always give the same sample. n <= 0 or n >= len(ms)
// keeps them all.
func Sample(ms []Mutant, n int, seed uint64) []Mutant {
	if n <= 0 || n >= len(ms) {
		return ms
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	idx := r.Perm(len(ms))[:n]
	slices.Sort(idx)
	out := make([]Mutant, n)
	for i, j := range idx {
		out[i] = ms[j]
	}
	return out
}

// Score is killed / (killed + survived): the share of the mutants that
// changed behaviour (equivalent ones excluded) that the suite rejects.
func Score(rs []Result) (killed, survived int) {
	for _, r := range rs {
		switch r.Outcome {
		case Killed:
			killed++
		case Survived:
			survived++
		}
	}
	return killed, survived
}

// SurvivorPatch is a survivor as a patch file in the format of the
// known-wrong implementations: a header naming the bug and the rule it
// breaks (for the author to fill in), then the unified diff.
func SurvivorPatch(r Result) string {
	var b strings.Builder
	if err := patch.Write(&b, patch.Header{Bug: fmt.Sprintf("mutant %s at %s", r.Operator, r.Where()), Breaks: "(fill in)"}, r.Diff); err != nil {
		return ""
	}
	return b.String()
}

// Baseline grades the unchanged solution with the options the mutants get.
// It must pass: a suite that rejects the solution kills every mutant and
// measures nothing. It returns the run's time, which bounds the mutants'.
func Baseline(ctx context.Context, c *course.Course, l *course.Lesson, set *Set, o Options) (time.Duration, error) {
	impl := fstest.MapFS{}
	for name, src := range set.Files {
		impl[name] = &fstest.MapFile{Data: src}
	}
	g, err := grader.Grade(ctx, c, l, impl, runner.Options{Race: o.Race && l.UsesRace(), Timeout: o.Timeout})
	if err != nil {
		return 0, err
	}
	if g.State() != grader.Passed {
		r := Judge(Mutant{}, g)
		return 0, fmt.Errorf("the solution of %s does not pass its own suite (%s %s): fix that first", l.Slug, r.Outcome, r.By)
	}
	return g.Elapsed, nil
}

// MutantTimeout is the time limit of a mutant's run: five times the
// solution's time, at least MinTimeout, at most the lesson's own limit. A
// mutant that loops or deadlocks is killed at it without waiting the
// lesson's full limit.
func MutantTimeout(solution, lessonLimit time.Duration) time.Duration {
	return min(lessonLimit, max(MinTimeout, 5*solution))
}

// MinTimeout is the least time limit a mutant gets.
const MinTimeout = 30 * time.Second
