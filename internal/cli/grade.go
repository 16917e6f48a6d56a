package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
per student with the state of each exercise. A workspace that cannot be
graded gets an error in its row and does not stop the rest. Progress files
are not touched. See docs/authoring.md for grading a class on every push.`,
		Example: `  dslearn grade students/* > grades.csv
  dslearn grade --jobs 4 --junit report.xml students/*
  dslearn grade --json alice bob`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			return gradeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Jobs, "jobs", "j", 2, "how many workspaces to grade at once")
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
	race := o.Race
	if race {
		if ok, why := runner.RaceSupport(""); !ok {
			race = false
			fmt.Fprintf(f.IO.ErrOut, "dslearn: race detector off: %s\n", why)
		}
	}
	sb, err := pickSandbox(ctx, o.Sandbox, f.IO.ErrOut, true)
	if err != nil {
		return err
	}
	students := make([]grader.Student, len(o.Dirs))
	sem := make(chan struct{}, max(o.Jobs, 1))
	var wg sync.WaitGroup
	for i, dir := range o.Dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			students[i] = gradeWorkspace(ctx, f, dir, runner.Options{Race: race, Sandbox: sb})
			if f.IO.ErrTTY {
				fmt.Fprintf(f.IO.ErrOut, "graded %s\n", dir)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return grader.ErrInterrupted
	}
	if junit != nil {
		werr := grader.WriteJUnit(junit, students)
		if err := errors.Join(werr, junit.Close()); err != nil {
			return &EnvError{Err: fmt.Errorf("writing %s: %w", o.JUnit, err)}
		}
	}
	if o.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(grader.Class(c, students))
	}
	return grader.WriteCSV(f.IO.Out, c, students)
}

// gradeWorkspace grades every exercise a workspace holds, in one run.
func gradeWorkspace(ctx context.Context, f *Factory, dir string, opts runner.Options) grader.Student {
	s := grader.Student{Name: dir}
	c, _ := f.Course()
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
	gs, err := grader.GradeAll(ctx, c, items, opts)
	if err != nil {
		s.Err = err
		return s
	}
	s.Graded = gs
	return s
}
