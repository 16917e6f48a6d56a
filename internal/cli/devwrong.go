package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/patch"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// DevWrongOptions are the inputs of `dslearn dev wrong`.
type DevWrongOptions struct {
	F      *Factory
	Slug   string
	Name   string
	From   string
	Bug    string
	Breaks string
}

// NewCmdDevWrong builds `dslearn dev wrong <slug> <name>`.
func NewCmdDevWrong(f *Factory, runF func(*DevWrongOptions) error) *cobra.Command {
	opts := &DevWrongOptions{F: f}
	cmd := &cobra.Command{
		Use:   "wrong <slug> <name> --bug \"…\" --breaks \"…\"",
		Short: "Record an edited copy of a solution as a known-wrong implementation",
		Long: `Turn an edited copy of an exercise's reference solution into a known-wrong
implementation: content/wrong/<slug>/<name>.diff in the course, a unified
diff against the solution under a header that says the bug (--bug) and the
lesson rule it breaks (--breaks), one sentence each.

The copy is the directory --from DIR, or, inside a workspace, the
workspace's exercises/<slug>/. It must have the solution's .go files, file
for file (its own _test.go files are ignored). The course is the one in
--course DIR or DSLEARN_COURSE, or the checkout around the current
directory: the built-in course is read-only. An existing name is never
overwritten. Then prove that the suite rejects it: dslearn dev check <slug>.`,
		Example: `  dslearn dev wrong lamport-clocks receive-forgets-plus-one --course ~/src/dslearn \
    --bug "Receive sets the clock to max(time, msg) without adding one." \
    --breaks "Receive(msg) sets the time to max(time, msg) + 1."
  dslearn dev wrong two-phase-commit send-before-log --from ./2pc-edited --bug "…" --breaks "…"`,
		Args: exactArgs(2, "name the exercise and the bug, such as: dslearn dev wrong lamport-clocks receive-forgets-plus-one --bug \"…\" --breaks \"…\""),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Slug, opts.Name = args[0], args[1]
			if !slugRE.MatchString(opts.Name) {
				return &UsageError{Err: fmt.Errorf("name %q: name it after the bug, in lower-case words joined by hyphens, such as send-before-log", opts.Name)}
			}
			for _, f := range []struct{ flag, value, what string }{
				{"--bug", opts.Bug, "the bug, in one sentence"},
				{"--breaks", opts.Breaks, "the lesson rule the bug breaks, in one sentence"},
			} {
				if strings.TrimSpace(f.value) == "" {
					return &UsageError{Err: fmt.Errorf("%s \"…\" is required: %s", f.flag, f.what)}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return devWrongRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "the `DIR` holding the edited copy of the solution (default: exercises/<slug>/ of the workspace you are in)")
	cmd.Flags().StringVar(&opts.Bug, "bug", "", "the bug in one sentence: what the changed code does wrong")
	cmd.Flags().StringVar(&opts.Breaks, "breaks", "", "the lesson rule the bug breaks, in one sentence")
	return cmd
}

func devWrongRun(o *DevWrongOptions) error {
	h := patch.Header{Bug: o.Bug, Breaks: o.Breaks}
	if err := h.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	c, dir, err := authorCourse(o.F)
	if err != nil {
		var ee *EnvError
		if o.F.CourseDir == "" && errors.As(err, &ee) && strings.HasPrefix(ee.Err.Error(), "no course here") {
			return &EnvError{Err: errors.New("dslearn dev wrong writes into a course directory on disk, and the built-in course is read-only: pass --course DIR (or set " + EnvCourse + "), or run inside a course checkout")}
		}
		return err
	}
	l, err := c.Find(o.Slug)
	if err != nil {
		return &UsageError{Err: err}
	}
	if !c.HasExercise(l) {
		return &UsageError{Err: fmt.Errorf("lesson %s has no exercise yet (%s/ and %s/)", l.Slug, l.StubDir(), l.SuiteDir())}
	}
	from := o.From
	if from == "" {
		wd, err := o.F.Getwd()
		if err != nil {
			return &EnvError{Err: err}
		}
		w, err := workspace.Find(wd)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("name the edited copy of the solution with --from DIR, or run inside a workspace, whose %s/ is the default", l.StubDir())}
		}
		from = w.ExerciseDir(l)
	}
	rel := l.WrongDir() + "/" + o.Name + ".diff"
	target := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(target); err == nil {
		return &UsageError{Err: fmt.Errorf("%s already exists; choose another name, or delete it first", rel)}
	}

	solution, err := sourceFiles(c.FS, l.SolutionDir())
	if err != nil {
		return &EnvError{Err: err}
	}
	edited, err := sourceFiles(os.DirFS(from), ".")
	if err != nil {
		return &EnvError{Err: err}
	}
	if names, want := slices.Sorted(maps.Keys(edited)), slices.Sorted(maps.Keys(solution)); !slices.Equal(names, want) {
		return &UsageError{Err: fmt.Errorf("%s has the files %v; a known-wrong implementation has the solution's files %v, file for file", from, names, want)}
	}
	var diff strings.Builder
	for _, name := range slices.Sorted(maps.Keys(solution)) {
		diff.WriteString(patch.Create(name, solution[name], edited[name]))
	}
	if diff.Len() == 0 {
		return &UsageError{Err: fmt.Errorf("%s does not differ from %s: there is no bug to record", from, l.SolutionDir())}
	}
	var file bytes.Buffer
	if err := patch.Write(&file, h, diff.String()); err != nil {
		return &UsageError{Err: err}
	}
	// What is written must read back as the copy; the audit relies on it.
	p, err := patch.Parse(file.Bytes())
	if err != nil {
		return fmt.Errorf("the diff made from %s does not read back: %w", from, err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return &EnvError{Err: err}
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return &EnvError{Err: err}
	}
	if _, err := f.Write(file.Bytes()); err != nil {
		f.Close()
		return &EnvError{Err: err}
	}
	if err := f.Close(); err != nil {
		return &EnvError{Err: err}
	}
	out := o.F.IO.Out
	fmt.Fprintf(out, "Wrote %s: %s changed against %s.\n", rel, strings.Join(p.Files(), ", "), l.SolutionDir())
	fmt.Fprintf(out, "Prove that the suite rejects it:\n  dslearn dev check %s\n", l.Slug)
	return nil
}

// sourceFiles reads the top-level non-test .go files of dir: what the grader
// takes from an implementation.
func sourceFiles(fsys fs.FS, dir string) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = data
	}
	return files, nil
}
