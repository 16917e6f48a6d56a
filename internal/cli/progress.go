package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dslearn/dslearn/internal/grader"
	"github.com/spf13/cobra"
)

// ProgressOptions are the inputs of `dslearn progress`.
type ProgressOptions struct {
	F    *Factory
	JSON bool
}

// NewCmdProgress builds `dslearn progress`.
func NewCmdProgress(f *Factory, runF func(*ProgressOptions) error) *cobra.Command {
	opts := &ProgressOptions{F: f}
	cmd := &cobra.Command{
		Use:   "progress",
		Short: "Show where you stand, per chapter",
		Long:  "Show each chapter's progress and each exercise's state, as of its last check.",
		Example: `  dslearn progress
  dslearn progress --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return progressRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print progress as JSON")
	return cmd
}

// ProgressJSON is the output of `dslearn progress --json`; its field names are fixed by a test.
type ProgressJSON struct {
	Percent  int                   `json:"percent"`
	Passed   int                   `json:"passed"`
	Total    int                   `json:"total"`
	Next     string                `json:"next,omitempty"`
	Chapters []ProgressChapterJSON `json:"chapters"`
}

// ProgressChapterJSON is one chapter.
type ProgressChapterJSON struct {
	Number    int                    `json:"number"`
	Title     string                 `json:"title"`
	Passed    int                    `json:"passed"`
	Total     int                    `json:"total"`
	Exercises []ProgressExerciseJSON `json:"exercises"`
}

// ProgressExerciseJSON is one exercise.
type ProgressExerciseJSON struct {
	Lesson       int        `json:"lesson"`
	Slug         string     `json:"slug"`
	State        string     `json:"state"`
	Attempts     int        `json:"attempts"`
	ChecksPassed int        `json:"checks_passed"`
	ChecksTotal  int        `json:"checks_total"`
	LastChecked  *time.Time `json:"last_checked,omitempty"`
	PassedAt     *time.Time `json:"passed_at,omitempty"`
	HintsUsed    int        `json:"hints_used"`
	// SuiteChanged is set when the result was given by another version of
	// the exercise's hidden suite than the course's now (an update of
	// dslearn, or another course directory): check again to confirm it.
	SuiteChanged bool `json:"suite_changed,omitempty"`
}

func progressRun(o *ProgressOptions) error {
	f := o.F
	c, _, p, err := f.Learner()
	if err != nil {
		return err
	}
	fps, _ := grader.SuiteFingerprints(c) // none: no pass is marked
	doc := ProgressJSON{Chapters: []ProgressChapterJSON{}}
	for _, ch := range c.Chapters {
		cj := ProgressChapterJSON{Number: ch.Number, Title: ch.Title, Exercises: []ProgressExerciseJSON{}}
		for _, l := range c.LessonsIn(ch.Number) {
			e := p.Get(l.Slug)
			ej := ProgressExerciseJSON{Lesson: l.Number, Slug: l.Slug, State: stateOf(c, l, p), Attempts: e.Attempts,
				ChecksPassed: e.ChecksPassed, ChecksTotal: e.ChecksTotal, PassedAt: e.PassedAt, HintsUsed: e.HintsUsed}
			if !e.LastChecked.IsZero() {
				t := e.LastChecked
				ej.LastChecked = &t
			}
			if fp, ok := fps[l.Slug]; ok && e.Suite != "" {
				ej.SuiteChanged = fp != e.Suite
			}
			if e.PassedAt != nil {
				cj.Passed++
			}
			cj.Total++
			cj.Exercises = append(cj.Exercises, ej)
		}
		doc.Passed += cj.Passed
		doc.Total += cj.Total
		doc.Chapters = append(doc.Chapters, cj)
	}
	if doc.Total > 0 {
		doc.Percent = doc.Passed * 100 / doc.Total
	}
	if l := nextLesson(c, p); l != nil {
		doc.Next = l.Slug
	}
	out := f.IO.Out
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	st := newStyles(f.IO)
	titleWidth := 0
	for _, ch := range doc.Chapters {
		titleWidth = max(titleWidth, utf8.RuneCountInString(fmt.Sprintf("Chapter %d: %s", ch.Number, ch.Title)))
	}
	for _, ch := range doc.Chapters {
		// Pad the title before styling it: escape codes have no width.
		title := fmt.Sprintf("%-*s", titleWidth, fmt.Sprintf("Chapter %d: %s", ch.Number, ch.Title))
		fmt.Fprintf(out, "%s %s %d/%d\n", st.bold.Render(title), bar(ch.Passed, ch.Total, 12, st.color), ch.Passed, ch.Total)
		for _, e := range ch.Exercises {
			fmt.Fprintf(out, "  %s %2d %-20s %s\n", stateMark(e.State, st), e.Lesson, e.Slug, describe(e))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Overall: %d%% (%d of %d exercises passed)\n", doc.Percent, doc.Passed, doc.Total)
	writeNext(out, c, p)
	return nil
}

func stateMark(state string, st styles) string {
	switch {
	case state == string(grader.Passed):
		if st.color {
			return st.pass.Render("✓")
		}
		return "PASS"
	case state == string(grader.NotStarted), state == "not available yet":
		if st.color {
			return st.faint.Render("·")
		}
		return "TODO"
	}
	if st.color {
		return st.fail.Render("✗")
	}
	return "FAIL"
}

func describe(e ProgressExerciseJSON) string {
	var parts []string
	switch {
	case e.PassedAt != nil:
		parts = append(parts, "passed "+e.PassedAt.Local().Format("2006-01-02"))
		if e.State != string(grader.Passed) {
			parts = append(parts, fmt.Sprintf("failing now, %d/%d checks", e.ChecksPassed, e.ChecksTotal))
		}
	case e.State == string(grader.Failing):
		parts = append(parts, fmt.Sprintf("failing, %d/%d checks", e.ChecksPassed, e.ChecksTotal))
	default:
		parts = append(parts, e.State)
	}
	if e.SuiteChanged {
		parts = append(parts, "by another version of the suite (check again: dslearn check "+e.Slug+")")
	}
	if e.Attempts > 0 {
		parts = append(parts, plural(e.Attempts, "attempt"))
	}
	if e.HintsUsed > 0 {
		parts = append(parts, plural(e.HintsUsed, "hint"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// bar draws a progress bar of width cells; plain output uses # and -.
func bar(done, total, width int, color bool) string {
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	on, off := "#", "-"
	if color {
		on, off = "█", "░"
	}
	return "[" + strings.Repeat(on, filled) + strings.Repeat(off, width-filled) + "]"
}
