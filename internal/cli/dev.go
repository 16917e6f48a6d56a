package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dslearn/dslearn/internal/audit"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/render"
	"github.com/spf13/cobra"
)

// NewCmdDev builds `dslearn dev`, the instructor's commands.
func NewCmdDev(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Commands for course authors: scaffold, prove and break exercises",
		Long: `Commands for instructors and course authors. They work on the course in
--course DIR (or DSLEARN_COURSE); without it, on the course checkout that
contains the current directory. See docs/authoring.md.`,
	}
	cmd.AddCommand(NewCmdDevCheck(f), NewCmdDevNew(f), NewCmdDevWrong(f, nil), NewCmdDevMutate(f))
	return cmd
}

// authorCourse is the course an author works on: --course, or the checkout
// around the current directory. Authors never edit the built-in copy.
func authorCourse(f *Factory) (*course.Course, string, error) {
	dir := f.CourseDir
	if dir == "" {
		wd, err := f.Getwd()
		if err != nil {
			return nil, "", &EnvError{Err: err}
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, filepath.FromSlash(course.ManifestPath))); err == nil {
				dir = d
				break
			}
			if filepath.Dir(d) == d {
				return nil, "", &EnvError{Err: errors.New("no course here: run inside a course directory (one with " + course.ManifestPath + "), or pass --course DIR")}
			}
		}
	}
	c, err := course.Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, dir, &EnvError{Err: err}
	}
	return c, dir, nil
}

// DevCheckOptions are the inputs of `dslearn dev check`.
type DevCheckOptions struct {
	F      *Factory
	Refs   []string
	Jobs   int
	Static bool
	// SeedReport prints, instead of the audit, how many seeds catch each
	// known-wrong implementation.
	SeedReport bool
}

// NewCmdDevCheck builds `dslearn dev check [slug...]`.
func NewCmdDevCheck(f *Factory) *cobra.Command {
	opts := &DevCheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check [number|slug...]",
		Short: "Prove a course sound: manifest, files, and every exercise",
		Long: `Validate a course: the manifest and every lesson's front matter (errors
with file and line), every referenced file present, unique slugs and
numbers. Then, for each exercise: the stub builds and fails every check with
"not implemented yet", the reference solution passes on 50 seeds, and every
known-wrong implementation, content/wrong/<slug>/<name>.diff, applies to the
solution and is rejected by at least one check. Exits 1 on any problem.`,
		Example: `  dslearn dev check
  dslearn dev check --course ./my-course raft-log`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			return devCheckRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Jobs, "jobs", "j", 2, "how many suites to run at once")
	cmd.Flags().BoolVar(&opts.Static, "static", false, "check the manifest, lessons and files only; run no suite")
	cmd.Flags().BoolVar(&opts.SeedReport, "seed-report", false, "instead: on how many of seeds 1-30 the suite catches each known-wrong implementation")
	return cmd
}

func devCheckRun(ctx context.Context, o *DevCheckOptions) error {
	out := o.F.IO.Out
	c, dir, err := authorCourse(o.F)
	if err != nil {
		return err
	}
	lessons, err := selectLessons(c, o.Refs, len(o.Refs) == 0, 0)
	if err != nil {
		return err
	}
	if o.SeedReport {
		return seedReportRun(ctx, o, c, lessons)
	}
	if !o.Static {
		if err := needGo(c); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "course %s: manifest valid, %d lessons\n", dir, len(c.Lessons))
	problems := 0
	bad := func(format string, args ...any) {
		problems++
		fmt.Fprintf(out, "  FAIL "+format+"\n", args...)
	}
	for _, l := range lessons {
		src, err := fs.ReadFile(c.FS, l.File)
		if err != nil {
			bad("lesson %d (%s): %s is missing", l.Number, l.Slug, l.File)
			continue
		}
		meta, _, err := render.SplitFrontMatter(src)
		switch {
		case err != nil:
			bad("%s: %v", l.File, err)
		case meta.Slug != l.Slug || meta.Number != l.Number:
			bad("%s: front matter says lesson %d %q; the manifest says %d %q", l.File, meta.Number, meta.Slug, l.Number, l.Slug)
		}
		if len(l.Hints) != 3 {
			bad("lesson %d (%s): has %d hints; give three", l.Number, l.Slug, len(l.Hints))
		}
		if !c.HasExercise(l) {
			bad("lesson %d (%s): no exercise (%s/ and %s/)", l.Number, l.Slug, l.StubDir(), l.SuiteDir())
		}
	}
	for _, d := range append(append([]string{}, c.WorkspaceFiles...), c.GradingFiles...) {
		if _, err := fs.Stat(c.FS, d); err != nil {
			bad("%s (listed in the manifest) is missing", d)
		}
	}
	if o.Static {
		for _, l := range lessons {
			if c.HasExercise(l) {
				targets, _ := audit.Targets(c, l)
				for _, err := range audit.Files(c, l, targets) {
					bad("%s: %v", l.Slug, err)
				}
			}
		}
		if problems > 0 {
			fmt.Fprintf(out, "\n%d problem(s)\n", problems)
			return errChecksFailed
		}
		fmt.Fprintln(out, "\nManifest, lessons and files are in order (no suite was run).")
		return nil
	}
	race := raceOn(o.F, true)
	type job struct {
		l *course.Lesson
		t audit.Target
	}
	var jobs []job
	for _, l := range lessons {
		if !c.HasExercise(l) {
			continue
		}
		targets, _ := audit.Targets(c, l)
		for _, err := range audit.Files(c, l, targets) {
			bad("%s: %v", l.Slug, err)
		}
		for _, t := range targets {
			jobs = append(jobs, job{l, t})
		}
	}
	type result struct {
		line string
		ok   bool
	}
	results := make([]result, len(jobs))
	sem := make(chan struct{}, max(o.Jobs, 1))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := string(j.t.Kind)
			if j.t.Kind == audit.Wrong {
				name = "wrong/" + j.t.Name
			}
			g, err := audit.Run(ctx, c, j.l, j.t, race)
			if err == nil {
				err = audit.Verdict(j.t, g)
			}
			switch {
			case err != nil:
				results[i] = result{fmt.Sprintf("%s %s: %v", j.l.Slug, name, err), false}
			case j.t.Kind == audit.Wrong:
				results[i] = result{fmt.Sprintf("%s %s: rejected by %s", j.l.Slug, name, strings.Join(audit.Rejected(g), ", ")), true}
			default:
				p, t := g.Counts()
				results[i] = result{fmt.Sprintf("%s %s: %d/%d checks pass, as a %s must", j.l.Slug, name, p, t, name), true}
			}
		}()
	}
	wg.Wait()
	if errors.Is(ctx.Err(), context.Canceled) {
		return grader.ErrInterrupted
	}
	for _, r := range results {
		if r.ok {
			fmt.Fprintf(out, "  ok   %s\n", r.line)
		} else {
			bad("%s", r.line)
		}
	}
	if problems > 0 {
		fmt.Fprintf(out, "\n%d problem(s)\n", problems)
		return errChecksFailed
	}
	fmt.Fprintf(out, "\nThe course is sound: %d runs, no problems.\n", len(jobs))
	return nil
}
