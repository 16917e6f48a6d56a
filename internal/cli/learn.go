package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/progress"
	"github.com/dslearn/dslearn/internal/render"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// This file holds the commands of the learner's loop that need no grading:
// hint, next, reset, solution and open.

// HintOptions are the inputs of `dslearn hint`.
type HintOptions struct {
	F   *Factory
	Ref string
	All bool

	fromMap bool // shown from the course map, where h is the key
}

// NewCmdHint builds `dslearn hint <slug>`.
func NewCmdHint(f *Factory, runF func(*HintOptions) error) *cobra.Command {
	opts := &HintOptions{F: f}
	cmd := &cobra.Command{
		Use:   "hint [number|slug]",
		Short: "Reveal the next hint for an exercise",
		Long: `Reveal hints one level at a time: a nudge, then the key idea, then nearly
the answer. Hints already seen are shown again above the new one; progress
records how many you used. Without an exercise named, it uses the exercise
of the current directory, else the first one you have not passed.`,
		Example: `  dslearn hint consistent-hashing
  dslearn hint 3 --all`,
		Args:              atMostOne("name one exercise, such as: dslearn hint lamport-clocks"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = argOrEmpty(args)
			if runF != nil {
				return runF(opts)
			}
			return hintRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "show every hint")
	return cmd
}

var hintNames = []string{"a nudge", "the key idea", "nearly the answer"}

func hintRun(o *HintOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	w := o.F.OptionalWorkspace()
	l, err := lessonOrInferred(o.F, c, w, o.Ref, "hint")
	if err != nil {
		return err
	}
	if len(l.Hints) == 0 {
		return &EnvError{fmt.Errorf("lesson %d, %s, has no hints yet", l.Number, l.Title)}
	}
	next := func(used int) int { return min(len(l.Hints), max(used+1, btoi(o.All)*len(l.Hints))) }
	shown := next(0)
	var notRecorded error
	if w != nil {
		err := o.F.Progress(w).Update(func(p *progress.Progress) error {
			e := p.Entry(l.Slug)
			if e.PassedAt != nil {
				// Hints read after passing are review: they do not count.
				shown = next(e.HintsUsed)
				return nil
			}
			e.HintsUsed = next(e.HintsUsed)
			shown = e.HintsUsed
			return nil
		})
		if err != nil {
			// A hint is read, not written: show it from what can be read
			// (a read-only workspace, a locked file), and say it was not kept.
			notRecorded = err
			if p, lerr := o.F.Progress(w).Load(); lerr == nil {
				shown = next(p.Get(l.Slug).HintsUsed)
			}
		}
	}
	out := o.F.IO.Out
	st := newStyles(o.F.IO)
	for i := 0; i < shown; i++ {
		fmt.Fprintf(out, "%s\n%s\n\n", st.bold.Render(fmt.Sprintf("Hint %d of %d: %s", i+1, len(l.Hints), hintNames[min(i, 2)])), wrap(l.Hints[i], min(o.F.IO.Width, 100)))
	}
	if shown < len(l.Hints) {
		if o.fromMap {
			fmt.Fprintln(out, "Stuck still? Press h on this lesson again for the next one.")
		} else {
			fmt.Fprintf(out, "Stuck still? Run dslearn hint %s again for the next one.\n", l.Slug)
		}
	} else {
		fmt.Fprintf(out, "That was the last hint. Re-read the lesson's exercise section with: dslearn lesson %d\n", l.Number)
	}
	switch {
	case w == nil:
		fmt.Fprintln(o.F.IO.ErrOut, "dslearn: not in a workspace, so hints seen are not recorded")
	case notRecorded != nil:
		fmt.Fprintf(o.F.IO.ErrOut, "dslearn: warning: this hint was not recorded in your progress: %v\n", notRecorded)
	}
	return nil
}

// wrap folds text at width columns on spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(s) {
		if col > 0 && col+1+len(word) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// NewCmdNext builds `dslearn next`.
func NewCmdNext(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "next",
		Short:   "Show the first exercise you have not passed yet",
		Example: "  dslearn next\n  dslearn next --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _, p, err := f.Learner()
			if err != nil {
				return err
			}
			l := nextLesson(c, p)
			if asJSON {
				// Every exercise passed: an empty object.
				doc := NextJSON{}
				if l != nil {
					doc = NextJSON{Lesson: l.Number, Slug: l.Slug, Title: l.Title, Chapter: l.Chapter, Dir: l.StubDir(), State: stateOf(c, l, p)}
				}
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(doc)
			}
			if l != nil {
				fmt.Fprintf(f.IO.Out, "Chapter %d: %s\n", l.Chapter, c.ChapterTitle(l.Chapter))
				fmt.Fprintf(f.IO.Out, "Your exercise: %s/ (%s)\n\n", l.StubDir(), stateOf(c, l, p))
			}
			writeNext(f.IO.Out, c, p)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the next exercise as JSON (an empty object when every exercise is passed)")
	return cmd
}

// NextJSON is `dslearn next --json`: the first exercise not passed yet.
type NextJSON struct {
	Lesson  int    `json:"lesson,omitempty"`
	Slug    string `json:"slug,omitempty"`
	Title   string `json:"title,omitempty"`
	Chapter int    `json:"chapter,omitempty"`
	Dir     string `json:"dir,omitempty"`
	State   string `json:"state,omitempty"`
}

// ResetOptions are the inputs of `dslearn reset`.
type ResetOptions struct {
	F   *Factory
	Ref string
}

// NewCmdReset builds `dslearn reset <slug>`.
func NewCmdReset(f *Factory, runF func(*ResetOptions) error) *cobra.Command {
	opts := &ResetOptions{F: f}
	cmd := &cobra.Command{
		Use:   "reset [number|slug]",
		Short: "Restore an exercise's starting files, keeping yours as a backup",
		Long: `Restore the starting files of an exercise. Everything in the exercise's
directory is first copied to .dslearn/backups/<slug>-<time>/, so nothing is
lost; your own *_test.go files stay where they are. Without an exercise
named, it uses the exercise of the current directory, else the first one
you have not passed, and says which.`,
		Example:           "  dslearn reset gossip",
		Args:              atMostOne("name one exercise, such as: dslearn reset gossip"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = argOrEmpty(args)
			if runF != nil {
				return runF(opts)
			}
			return resetRun(opts)
		},
	}
	return cmd
}

func resetRun(o *ResetOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	w, err := o.F.Workspace()
	if err != nil {
		return err
	}
	l, err := lessonOrInferred(o.F, c, w, o.Ref, "reset")
	if err != nil {
		return err
	}
	if !c.HasExercise(l) {
		return &EnvError{fmt.Errorf("lesson %d has no exercise yet", l.Number)}
	}
	dir := w.ExerciseDir(l)
	var backup string
	if _, err := os.Stat(dir); err == nil {
		if backup, err = backupExercise(o.F, w, l, dir); err != nil {
			return err
		}
		if err := removeCode(dir); err != nil {
			return &EnvError{err}
		}
	}
	if err := writeStub(c, l, dir); err != nil {
		return &EnvError{fmt.Errorf("restoring the starting files: %w (your files are in %s)", err, workspace.Rel(backup))}
	}
	if backup != "" {
		fmt.Fprintf(o.F.IO.Out, "Restored the starting files of %s/.\nYour version is kept in %s\n", l.StubDir(), workspace.Rel(backup))
	} else {
		fmt.Fprintf(o.F.IO.Out, "Restored the starting files of %s/.\n", l.StubDir())
	}
	return nil
}

// backupExercise copies the exercise directory dir of l to a new
// .dslearn/backups/<slug>-<time>/ and returns its path; on failure nothing
// is left behind and the error says that nothing was changed.
func backupExercise(f *Factory, w *workspace.Workspace, l *course.Lesson, dir string) (string, error) {
	backup, err := newBackupDir(filepath.Join(w.StateDir(), "backups"), l.Slug+"-"+f.Now().Format("20060102-150405"))
	if err == nil {
		err = os.CopyFS(backup, os.DirFS(dir))
	}
	if err != nil {
		if backup != "" {
			os.RemoveAll(backup)
		}
		return "", &EnvError{fmt.Errorf("backing up %s: %w; nothing was changed", workspace.Rel(dir), err)}
	}
	return backup, nil
}

// removeCode removes the code files of dir: every .go file (or link) but
// the learner's own tests.
func removeCode(dir string) error {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// newBackupDir creates a new directory in parent named name, or name-2,
// name-3… when a backup of the same second exists, and returns its path.
func newBackupDir(parent, name string) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	for i := 1; ; i++ {
		p := filepath.Join(parent, name)
		if i > 1 {
			p += "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(p, 0o755)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrExist) || i >= 1000 {
			return "", err
		}
	}
}

func writeStub(c *course.Course, l *course.Lesson, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := fs.ReadDir(c.FS, l.StubDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(c.FS, path.Join(l.StubDir(), e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// SolutionOptions are the inputs of `dslearn solution`.
type SolutionOptions struct {
	F     *Factory
	Ref   string
	Force bool
}

// NewCmdSolution builds `dslearn solution <slug>`.
func NewCmdSolution(f *Factory, runF func(*SolutionOptions) error) *cobra.Command {
	opts := &SolutionOptions{F: f}
	cmd := &cobra.Command{
		Use:   "solution [number|slug]",
		Short: "Show the reference solution of an exercise you have passed",
		Long: `Show the reference solution, to compare with your own once your exercise
has passed. Before that it asks for --force: reading it first takes away the
part of the exercise where you learn the most. Without an exercise named,
it uses the exercise of the current directory, else the first one you have
not passed.`,
		Example:           "  dslearn solution lru-cache",
		Args:              atMostOne("name one exercise, such as: dslearn solution lru-cache"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = argOrEmpty(args)
			if runF != nil {
				return runF(opts)
			}
			return solutionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "show it even though you have not passed the exercise")
	return cmd
}

func solutionRun(o *SolutionOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	l, err := lessonOrInferred(o.F, c, o.F.OptionalWorkspace(), o.Ref, "solution")
	if err != nil {
		return err
	}
	if !o.Force {
		w := o.F.OptionalWorkspace()
		p, err := o.F.LoadProgress(w)
		if err != nil {
			return err
		}
		if !p.Passed(l.Slug) {
			return &UsageError{Err: fmt.Errorf("you have not passed %s yet; the solution is shown after your exercise passes (dslearn check %s).\nTo read it anyway: dslearn solution %s --force", l.Slug, l.Slug, l.Slug)}
		}
	}
	entries, err := fs.ReadDir(c.FS, l.SolutionDir())
	if err != nil {
		return &EnvError{fmt.Errorf("lesson %d has no reference solution", l.Number)}
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# Reference solution: %s\n\n", l.Title)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, err := fs.ReadFile(c.FS, path.Join(l.SolutionDir(), e.Name()))
		if err != nil {
			return err
		}
		fmt.Fprintf(&md, "## %s/%s\n\n```go\n%s```\n\n", l.StubDir(), e.Name(), data)
	}
	io := o.F.IO
	if !io.Color {
		// Piped: the code itself, untouched, so it can be saved or diffed.
		_, err := fmt.Fprint(io.Out, plainSolution(md.String()))
		return err
	}
	out, err := render.Markdown(md.String(), render.Options{Width: io.Width, Styled: true, Dark: lipgloss.HasDarkBackground(), Profile: lipgloss.ColorProfile()})
	if err != nil {
		return err
	}
	return io.Page(out, 24)
}

// plainSolution turns the solution markdown into plain text: headings as
// "// file" lines, code as is.
func plainSolution(md string) string {
	var b strings.Builder
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
		case strings.HasPrefix(line, "## "):
			b.WriteString("// ==> " + strings.TrimPrefix(line, "## ") + "\n")
		case strings.HasPrefix(line, "# "):
			b.WriteString("// " + strings.TrimPrefix(line, "# ") + "\n")
		default:
			b.WriteString(line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// NewCmdOpen builds `dslearn open <slug>`.
func NewCmdOpen(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "open [number|slug]",
		Short:             "Open an exercise's files in your editor ($VISUAL or $EDITOR)",
		Example:           "  EDITOR=vim dslearn open 1",
		Args:              atMostOne("name one exercise, such as: dslearn open lamport-clocks"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Course()
			if err != nil {
				return err
			}
			w, err := f.Workspace()
			if err != nil {
				return err
			}
			l, err := lessonOrInferred(f, c, w, argOrEmpty(args), "open")
			if err != nil {
				return err
			}
			editor := os.Getenv("VISUAL")
			if editor == "" {
				editor = os.Getenv("EDITOR")
			}
			if editor == "" {
				return &EnvError{errors.New("no editor is set: set $EDITOR (for example: export EDITOR=vim), or open " + workspace.Rel(w.ExerciseDir(l)) + " yourself")}
			}
			files, _ := filepath.Glob(filepath.Join(w.ExerciseDir(l), "*.go"))
			var targets []string
			for _, p := range files {
				if !strings.HasSuffix(p, "_test.go") {
					targets = append(targets, p)
				}
			}
			if len(targets) == 0 {
				targets = []string{w.ExerciseDir(l)}
			}
			parts := strings.Fields(editor)
			ed := exec.Command(parts[0], append(parts[1:], targets...)...)
			ed.Stdin, ed.Stdout, ed.Stderr = os.Stdin, f.IO.Out, f.IO.ErrOut
			if err := ed.Run(); err != nil {
				return &EnvError{fmt.Errorf("running %s: %w", editor, err)}
			}
			return nil
		},
	}
}
