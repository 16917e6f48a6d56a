package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/spf13/cobra"
)

// GradeOptions are the inputs of `dslearn grade`.
type GradeOptions struct {
	F     *Factory
	Dirs  []string
	Jobs  int
	JSON  bool
	JUnit string
	Race  bool
	// Sandbox is the --sandbox mode: auto, require or off.
	Sandbox string
}

// NewCmdGrade builds `dslearn grade <dir>...`.
func NewCmdGrade(f *Factory) *cobra.Command {
	opts := &GradeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "grade <workspace>...",
		Short: "Grade many learner workspaces (a class) at once",
		Long: `Grade every exercise of each learner workspace given (say, one directory
per student), a few workspaces at a time, and print a CSV table: one row
per student with the state of each exercise and the wall time. A workspace
that cannot be graded gets an error in its row and does not stop the rest.
Rows are written as students finish (so Ctrl-C keeps what was graded; JSON
is closed properly), with a progress bar on a terminal. Progress files are
not touched. See docs/authoring.md for grading a class on every push.`,
		Example: `  dslearn grade students/* > grades.csv
  dslearn grade --jobs 4 --junit report.xml students/*
  dslearn grade --json alice bob`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			return gradeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "how many workspaces to grade at once")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print results as JSON instead of CSV")
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "also write JUnit XML to `file`")
	cmd.Flags().BoolVar(&opts.Race, "race", true, "run under the race detector where supported")
	cmd.Flags().StringVar(&opts.Sandbox, "sandbox", sandboxAuto, "run students' code in bubblewrap: `auto` (where it works, with a warning where not), require, or off")
	return cmd
}

func gradeRun(ctx context.Context, o *GradeOptions) error {
	f := o.F
	c, err := f.Course()
	if err != nil {
		return err
	}
	if err := needGo(c); err != nil {
		return err
	}
	var junit *os.File
	if o.JUnit != "" {
		if junit, err = os.Create(o.JUnit); err != nil {
			return &EnvError{Err: err}
		}
		defer junit.Close()
	}
	race := raceOn(f, o.Race)
	sb, err := pickSandbox(ctx, o.Sandbox, f.IO.ErrOut, true)
	if err != nil {
		return err
	}
	out := newClassWriter(f.IO.Out, c, o.JSON)
	var bar *progressBar
	if f.IO.ErrTTY {
		bar = newProgressBar(f.IO.ErrOut, len(o.Dirs), f.IO.Width)
	}
	students := make([]grader.Student, len(o.Dirs))
	graded := make([]bool, len(o.Dirs))
	gradeOne := func(i int) {
		dir := o.Dirs[i]
		if ctx.Err() != nil {
			return
		}
		start := f.Now()
		s := gradeWorkspace(ctx, f, dir, runner.Options{Race: race, Sandbox: sb})
		s.Elapsed = f.Now().Sub(start)
		if errors.Is(s.Err, grader.ErrInterrupted) {
			return // not graded: nothing is written for it
		}
		students[i], graded[i] = s, true
		if bar != nil {
			bar.Done(dir, s.Elapsed, func() { out.Add(s) })
		} else {
			out.Add(s)
		}
	}
	// Workers take students in command-line order.
	next := make(chan int, len(o.Dirs))
	for i := range o.Dirs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(max(o.Jobs, 1), len(o.Dirs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				gradeOne(i)
			}
		}()
	}
	wg.Wait()
	if bar != nil {
		bar.Finish()
	}
	werr := out.Close()
	if junit != nil {
		var done []grader.Student
		for i, s := range students {
			if graded[i] {
				done = append(done, s)
			}
		}
		jerr := grader.WriteJUnit(junit, done)
		if err := errors.Join(jerr, junit.Close()); err != nil {
			return &EnvError{Err: fmt.Errorf("writing %s: %w", o.JUnit, err)}
		}
	}
	if ctx.Err() != nil {
		return grader.ErrInterrupted
	}
	if werr != nil {
		return werr
	}
	return ungraded(students)
}

// ungraded fails the run when a workspace could not be graded, so that a
// CI job does not go green on a class nobody was graded in. Its row, already
// written, says why.
func ungraded(students []grader.Student) error {
	n := 0
	for _, s := range students {
		if s.Err != nil {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &EnvError{fmt.Errorf("%d of %d workspaces could not be graded; their rows say why", n, len(students))}
}

// gradeWorkspace grades every exercise a workspace holds, in one run.
func gradeWorkspace(ctx context.Context, f *Factory, dir string, opts runner.Options) grader.Student {
	s := grader.Student{Name: dir}
	c, _ := f.Course()
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		s.Err = errors.New("does not exist")
		return s
	}
	if _, err := os.Stat(filepath.Join(dir, ".dslearn", "workspace.json")); err != nil {
		s.Err = fmt.Errorf("not a dslearn workspace (no .dslearn/workspace.json)")
		return s
	}
	var items []runner.Item
	for _, l := range c.Lessons {
		if !c.HasExercise(l) {
			continue
		}
		exdir := filepath.Join(dir, filepath.FromSlash(l.StubDir()))
		if exerciseFilesPresent(exdir) != nil {
			continue // reported as "missing"
		}
		items = append(items, runner.Item{Lesson: l, Impl: os.DirFS(exdir)})
	}
	if len(items) == 0 {
		s.Err = errors.New("no exercises found")
		return s
	}
	opts.Artifacts, opts.ArtifactsShown = artifactsOf(io.Discard, filepath.Join(dir, ".dslearn"))
	gs, err := grader.GradeAll(ctx, c, items, opts)
	if err != nil {
		s.Err = err
		return s
	}
	s.Graded = gs
	return s
}
