package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/progress"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of `dslearn check`.
type CheckOptions struct {
	F       *Factory
	Refs    []string
	All     bool
	Chapter int
	JSON    bool
	Seed    uint64
	Runs    int
	Run     string
	Race    bool
	raceSet bool
	// Sandbox is the --sandbox mode: auto, require or off.
	Sandbox string
}

// NewCmdCheck builds `dslearn check`.
func NewCmdCheck(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check [<number|slug>...]",
		Short: "Grade your exercise against its hidden suite",
		Long: `Grade exercises/<slug>/ of your workspace against the exercise's hidden suite:
one line per check, and for each failure the property, what was expected and
what happened, and for randomized checks the seed and the command that
replays it. Your own *_test.go files are ignored.

Without an exercise named, it checks the exercise of the current directory
(inside exercises/<slug>/), else the first one you have not passed, and
says which on its first line (on stderr).

The suite runs under the race detector where the machine supports it (cgo
and a C compiler); --race=false turns it off.`,
		Example: `  dslearn check
  dslearn check consistent-hashing
  dslearn check 3 --runs 200              # try 200 seeds per randomized check
  dslearn check 3 --seed 17 --run '^TestAddMovesOnlyKeysThatGoToTheNewNode$'
  dslearn check --chapter 2
  dslearn check --all --json`,
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			opts.raceSet = cmd.Flags().Changed("race")
			switch n := btoi(len(args) > 0) + btoi(opts.All) + btoi(opts.Chapter != 0); {
			case n > 1:
				return &UsageError{Err: errors.New("name exercises, or use --chapter N, or --all: only one of these")}
			}
			if cmd.Flags().Changed("runs") && opts.Runs < 1 {
				return &UsageError{Err: errors.New("--runs must be at least 1")}
			}
			if err := validRunPattern(opts.Run); err != nil {
				return &UsageError{Err: err}
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "check every exercise")
	cmd.Flags().IntVar(&opts.Chapter, "chapter", 0, "check every exercise of chapter `N`")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print results as JSON")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 0, "replay randomized checks with this one `seed`")
	cmd.Flags().IntVar(&opts.Runs, "runs", 0, "try `N` seeds in every randomized check (default: the suite's own)")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only the checks matching `regexp` (as go test -run)")
	cmd.Flags().BoolVar(&opts.Race, "race", true, "run under the race detector where supported")
	cmd.Flags().StringVar(&opts.Sandbox, "sandbox", sandboxAuto, "run the checks in bubblewrap: `auto` (where it works), require, or off")
	return cmd
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkRun(ctx context.Context, o *CheckOptions) error {
	f := o.F
	c, err := f.Course()
	if err != nil {
		return err
	}
	var lessons []*course.Lesson
	if len(o.Refs) == 0 && !o.All && o.Chapter == 0 {
		_, w, p, err := f.Learner()
		if err != nil {
			return err
		}
		l, err := inferLesson(f, c, w, p, "check", true)
		if err != nil {
			return err
		}
		lessons = []*course.Lesson{l}
	} else if lessons, err = selectLessons(c, o.Refs, o.All, o.Chapter); err != nil {
		return err
	}
	w, err := f.Workspace()
	if err != nil {
		return err
	}
	if err := needGo(c); err != nil {
		return err
	}
	sb, err := pickSandbox(ctx, o.Sandbox, f.IO.ErrOut, false)
	if err != nil {
		return err
	}
	opts := runner.Options{Seed: o.Seed, Runs: o.Runs, Run: o.Run, Race: raceOn(f, o.Race), Sandbox: sb}
	opts.Artifacts, opts.ArtifactsShown = artifactsOf(f.IO.ErrOut, w.StateDir())
	var items []runner.Item
	for _, l := range lessons {
		if !c.HasExercise(l) {
			if len(lessons) == 1 {
				return &EnvError{fmt.Errorf("lesson %d, %s, has no exercise yet", l.Number, l.Title)}
			}
			continue
		}
		dir := w.ExerciseDir(l)
		if err := exerciseFilesPresent(dir); err != nil {
			err := fmt.Errorf("%s: %v; restore the starting files with: dslearn init --force %s (existing files are kept)", workspace.Rel(dir), err, workspace.Rel(w.Root))
			if len(lessons) == 1 {
				return &EnvError{err}
			}
			fmt.Fprintf(f.IO.ErrOut, "dslearn: skipping %s\n", err)
			continue
		}
		items = append(items, runner.Item{Lesson: l, Impl: os.DirFS(dir)})
	}
	if len(items) == 0 {
		return &EnvError{errors.New("no exercise to check")}
	}
	what := items[0].Lesson.Slug
	if len(items) > 1 {
		what = strconv.Itoa(len(items)) + " exercises"
	}
	if err := awaitWarm(ctx, f, w, !o.JSON); err != nil {
		return err
	}
	st := newStatus(f, !o.JSON, "checking "+what+"…")
	opts.Phase = st.phase
	gs, err := grader.GradeAll(ctx, c, items, opts)
	st.clear()
	if err != nil {
		if errors.Is(err, grader.ErrInterrupted) {
			return err
		}
		return &EnvError{fmt.Errorf("could not run the check: %w", err)}
	}
	if o.Run == "" && o.Seed == 0 {
		recordProgress(f, w, gs)
	}
	if err := writeCheck(o, c, gs); err != nil {
		return err
	}
	for _, g := range gs {
		if g.State() != grader.Passed {
			return errChecksFailed
		}
	}
	return nil
}

// showStatus writes a status line on a terminal's stderr and returns the
// function that erases it, so that the result replaces it instead of
// appearing below it.
func showStatus(f *Factory, show bool, line string) (clear func()) {
	return newStatus(f, show, line).clear
}

// slowCompile is how long compiling may take before the status line says
// why: only a first check (an empty build cache) takes longer.
const slowCompile = 4 * time.Second

// status is the one line a check shows on a terminal while it works: what
// it checks, and whether it is compiling or running. It is erased before
// the result is printed.
type status struct {
	f     *Factory
	on    bool
	base  string
	mu    sync.Mutex
	timer *time.Timer
	shown bool
	done  bool
}

func newStatus(f *Factory, show bool, line string) *status {
	s := &status{f: f, on: f.IO.ErrTTY && show, base: line}
	s.set(line)
	return s
}

func (s *status) set(line string) {
	if !s.on {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	if s.shown {
		line = "\r\x1b[K" + line
	}
	s.shown = true
	fmt.Fprint(s.f.IO.ErrOut, line)
}

// phase follows the grader: compiling (with a note when it is slow, as on a
// first check), then running.
func (s *status) phase(p string) {
	if s.timer != nil {
		s.timer.Stop()
	}
	switch p {
	case runner.PhaseCompiling:
		s.set(s.base + " compiling")
		s.timer = time.AfterFunc(slowCompile, func() {
			s.set(s.base + " compiling (a first check also compiles Go's race runtime: about 20 s)")
		})
	case runner.PhaseRunning:
		s.set(s.base + " running the checks")
	}
}

func (s *status) clear() {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.set("")
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
}

// validRunPattern checks a --run pattern the way go test reads it: one
// regular expression per slash-separated level of test names.
func validRunPattern(p string) error {
	if p == "" {
		return nil
	}
	for _, part := range strings.Split(p, "/") {
		if _, err := regexp.Compile(part); err != nil {
			return fmt.Errorf("--run %q is not a valid regular expression: %v", p, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
	return nil
}

func exerciseFilesPresent(dir string) error {
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return errors.New("the exercise's directory is a symbolic link; exercises must be plain directories in the workspace (replace the link with a copy)")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return errors.New("the exercise's directory is missing")
	}
	for _, e := range entries {
		if !e.IsDir() && len(e.Name()) > 3 && e.Name()[len(e.Name())-3:] == ".go" {
			return nil
		}
	}
	return errors.New("the exercise's directory has no .go files")
}

func recordProgress(f *Factory, w *workspace.Workspace, gs []*grader.Graded) {
	var fps map[string]string
	if c, err := f.Course(); err == nil {
		fps, _ = grader.SuiteFingerprints(c) // none: results are kept without
	}
	err := f.Progress(w).Update(func(p *progress.Progress) error {
		for _, g := range gs {
			passed, total := g.Counts()
			progress.Record(p, g.Lesson.Slug, string(g.State()), passed, total, f.Now())
			p.Entry(g.Lesson.Slug).Suite = fps[g.Lesson.Slug]
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "dslearn: warning: progress was not saved: %v\n", err)
	}
}

func writeCheck(o *CheckOptions, c *course.Course, gs []*grader.Graded) error {
	out := o.F.IO.Out
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(grader.JSON(gs))
	}
	st := newStyles(o.F.IO)
	gst := st.grader()
	if len(gs) == 1 {
		g := gs[0]
		grader.WriteReport(out, g, gst)
		if g.State() == grader.Passed {
			p, err := o.F.LoadProgress(o.F.OptionalWorkspace())
			if err == nil {
				writeNext(out, c, p)
			}
		}
		return nil
	}
	grader.WriteChapterTable(out, c, gs, gst)
	return nil
}

// needGo reports a missing Go toolchain as a problem of the environment.
func needGo(c *course.Course) error {
	if _, err := exec.LookPath("go"); err != nil {
		return &EnvError{errors.New("the Go toolchain was not found in PATH: install Go " + c.GoVersion + " or newer (https://go.dev/dl/), then try again")}
	}
	return nil
}

// selectLessons resolves what to check.
func selectLessons(c *course.Course, refs []string, all bool, chapter int) ([]*course.Lesson, error) {
	switch {
	case all:
		return c.Lessons, nil
	case chapter != 0:
		ls := c.LessonsIn(chapter)
		if len(ls) == 0 {
			return nil, &UsageError{Err: fmt.Errorf("there is no chapter %d; chapters are numbered 1 to %d", chapter, len(c.Chapters))}
		}
		return ls, nil
	}
	var out []*course.Lesson
	seen := map[string]bool{}
	for _, r := range refs {
		l, err := findLesson(c, r)
		if err != nil {
			return nil, err
		}
		if !seen[l.Slug] {
			seen[l.Slug] = true
			out = append(out, l)
		}
	}
	return out, nil
}

// artifactsOf is where suites leave files for the learner of the workspace
// whose state directory is stateDir (one subdirectory per exercise), and how
// that directory is shown.
func artifactsOf(errOut io.Writer, stateDir string) (dir, shown string) {
	dir = filepath.Join(stateDir, "artifacts")
	// A workspace that cannot be written (read-only, or owned by another
	// user) still gets its checks run; only the files a check leaves for
	// the learner are lost, and the learner is told so before the build.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(errOut, "dslearn: warning: %s cannot be written (%v): the checks run, but files they leave for you (such as a visualization of a failure) are not kept, and the result may not be recorded\n", workspace.Rel(stateDir), errors.Unwrap(err))
		return "", ""
	}
	return dir, workspace.Rel(dir)
}
