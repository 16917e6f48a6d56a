package grader

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dslearn/dslearn/internal/course"
)

// Style decorates report text; the zero Style leaves text plain.
type Style struct {
	Pass, Fail, Faint, Bold func(string) string
	// Symbols selects ✓ ✗ · marks instead of PASS FAIL TODO words.
	Symbols bool
	// Width, when positive, is the terminal's width: prose is wrapped at
	// word boundaries to it (a word longer than a line is kept whole), so
	// that the terminal does not cut words ("check a / gain").
	Width int
}

func (s Style) apply(f func(string) string, text string) string {
	if f == nil {
		return text
	}
	return f(text)
}

func (s Style) mark(c *Check) string {
	switch {
	case c.Status == Pass && s.Symbols:
		return s.apply(s.Pass, "✓")
	case c.Status == Pass:
		return "PASS"
	case c.Status == Skip && s.Symbols:
		return s.apply(s.Faint, "-")
	case c.Status == Skip:
		return "SKIP"
	case c.NotImplemented && s.Symbols:
		return s.apply(s.Faint, "·")
	case c.NotImplemented:
		return "TODO"
	case s.Symbols:
		return s.apply(s.Fail, "✗")
	}
	return "FAIL"
}

// Printable makes learner-originated text safe to write to a terminal:
// control characters (escape sequences, bells, carriage returns that
// overwrite a line) become visible \x.. escapes; newlines and tabs stay.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError)
}

// Replay is the command that reruns one check of an exercise on one seed.
func Replay(slug, check string, seed uint64) string {
	return fmt.Sprintf("dslearn check %s --seed %d --run '^%s$'", slug, seed, check)
}

// maxMessageLines bounds what the report shows of one failure.
const maxMessageLines = 40

// WriteReport writes the report of one graded exercise: a line per check,
// each failure's reason, and a summary.
func WriteReport(w io.Writer, g *Graded, st Style) {
	l := g.Lesson
	fmt.Fprintf(w, "%s  %s\n", st.apply(st.Bold, l.Slug), st.apply(st.Faint, fmt.Sprintf("lesson %d: %s", l.Number, l.Title)))
	if g.Refused {
		imports := strings.Contains(g.BuildOutput, "does not allow")
		why := "its files break a rule for code that runs inside the hidden suite"
		if imports {
			why = "its files use what this exercise does not allow"
		}
		fmt.Fprintf(w, "\n%s exercises/%s was not built: %s.\n\n", st.apply(st.Fail, "✗"), l.Slug, why)
		fmt.Fprintln(w, indent(limitLines(g.BuildOutput, maxMessageLines), "    "))
		fmt.Fprintln(w)
		if imports {
			fmt.Fprintf(w, "Change the files above, then check again. Your code runs inside the hidden suite, so it may import only what the exercise needs; the list is in the lesson's exercise section (dslearn lesson %d).\n", l.Number)
		} else {
			fmt.Fprintln(w, "Change the files above, then check again.")
		}
		return
	}
	if g.BuildFailed {
		fmt.Fprintf(w, "\n%s exercises/%s does not compile:\n\n", st.apply(st.Fail, "✗"), l.Slug)
		fmt.Fprintln(w, indent(limitLines(Printable(g.BuildOutput), maxMessageLines), "    "))
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Fix the errors above (go build ./"+l.StubDir()+"/ shows them too), then check again.")
		return
	}
	state := g.State()
	fmt.Fprintln(w)
	for _, c := range g.Checks {
		fmt.Fprintf(w, "  %s %s\n", st.mark(c), c.Title)
		if c.Status != Fail || state == NotStarted {
			continue
		}
		msg := Printable(dropEchoedLabels(c.Message))
		if c.NotImplemented {
			msg = firstLine(msg)
		}
		if msg != "" {
			fmt.Fprintln(w, wrapText(indent(limitLines(msg, maxMessageLines), "      "), st.Width))
		}
		if c.Seed != 0 && !c.NotImplemented {
			fmt.Fprintln(w, st.apply(st.Faint, fmt.Sprintf("      seed %d · replay: %s", c.Seed, Replay(l.Slug, c.Name, c.Seed))))
		}
	}
	if g.Problem != "" {
		fmt.Fprintf(w, "\n%s %s\n", st.apply(st.Fail, "!"), strings.TrimPrefix(wrapText("! "+Printable(g.Problem), st.Width), "! "))
	}
	passed, total := g.Counts()
	fmt.Fprintln(w)
	// The summary is wrapped as plain text; its first word is styled after.
	summary := func(word, styled, rest string) {
		fmt.Fprintln(w, styled+strings.TrimPrefix(wrapText(word+rest, st.Width), word))
	}
	switch state {
	case Passed:
		summary("Passed:", st.apply(st.Pass, "Passed:"), fmt.Sprintf(" all %d checks pass (%s). Compare with the reference: dslearn solution %s", total, round(g.Elapsed), l.Slug))
	case NotStarted:
		next := fmt.Sprintf("Implement the functions in %s/, then check again.", l.StubDir())
		if l.Continues != "" {
			next = fmt.Sprintf("This lesson continues %s: start from your code of it with dslearn carry %s, then check again.", l.Continues, l.Slug)
		}
		summary("Not", "Not", fmt.Sprintf(" started: all %d checks say \"not implemented yet\". %s", total, next))
	default:
		summary("Failing:", st.apply(st.Fail, "Failing:"), fmt.Sprintf(" %d of %d checks passed (%s)", passed, total, round(g.Elapsed)))
	}
}

// wrapText wraps each line of s longer than width at spaces, continuing at
// the line's own indentation. A word longer than a line (a value, a path) is
// kept whole. Width 0 leaves s as it is.
func wrapText(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	var out []string
	for _, line := range lines {
		if utf8.RuneCountInString(line) <= width {
			out = append(out, line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		cur, n := indent, utf8.RuneCountInString(indent)
		empty := true
		for _, word := range strings.Split(strings.TrimLeft(line, " "), " ") {
			wn := utf8.RuneCountInString(word)
			if !empty && n+1+wn > width {
				out = append(out, cur)
				cur, n, empty = indent, utf8.RuneCountInString(indent), true
			}
			if !empty {
				cur += " "
				n++
			}
			cur += word
			n += wn
			empty = false
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// dropEchoedLabels removes a subtest's label line ("message beyond 32
// bits:") when the line after it already starts with the same words, so
// that a failure does not say its label twice.
func dropEchoedLabels(msg string) string {
	lines := strings.Split(msg, "\n")
	out := lines[:0:0]
	for i, line := range lines {
		label := strings.TrimSpace(line)
		if strings.HasSuffix(label, ":") && i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), label+" ") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// WriteChapterTable writes the per-chapter summary of many graded exercises.
func WriteChapterTable(w io.Writer, c *course.Course, gs []*Graded, st Style) {
	byChapter := map[int][]*Graded{}
	for _, g := range gs {
		byChapter[g.Lesson.Chapter] = append(byChapter[g.Lesson.Chapter], g)
	}
	allPassed, all := 0, 0
	for _, ch := range c.Chapters {
		list := byChapter[ch.Number]
		if len(list) == 0 {
			continue
		}
		passed := 0
		for _, g := range list {
			if g.State() == Passed {
				passed++
			}
		}
		allPassed += passed
		all += len(list)
		fmt.Fprintf(w, "%s  %d/%d passed\n", st.apply(st.Bold, fmt.Sprintf("Chapter %d: %s", ch.Number, ch.Title)), passed, len(list))
		for _, g := range list {
			p, t := g.Counts()
			detail := fmt.Sprintf("%d/%d checks", p, t)
			mark := st.apply(st.Fail, "✗")
			if !st.Symbols {
				mark = "FAIL"
			}
			switch s := g.State(); {
			case g.Refused:
				detail = "refused: breaks a rule for graded code"
			case g.BuildFailed:
				detail = "does not compile"
			case s == Passed:
				mark = st.apply(st.Pass, "✓")
				if !st.Symbols {
					mark = "PASS"
				}
			case s == NotStarted:
				mark = st.apply(st.Faint, "·")
				if !st.Symbols {
					mark = "TODO"
				}
				detail = "not started"
			case g.Problem != "":
				detail += ", " + firstLine(g.Problem)
			}
			fmt.Fprintf(w, "  %s %2d %-20s %s\n", mark, g.Lesson.Number, g.Lesson.Slug, detail)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d of %d exercises passed\n", allPassed, all)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func limitLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// ReportJSON is the machine-readable result of `dslearn check --json`.
// Its field names are part of dslearn's interface and fixed by a test.
type ReportJSON struct {
	Exercises []ExerciseJSON `json:"exercises"`
	Passed    int            `json:"passed"`
	Total     int            `json:"total"`
}

// ExerciseJSON is one graded exercise.
type ExerciseJSON struct {
	Slug         string      `json:"slug"`
	Lesson       int         `json:"lesson"`
	Chapter      int         `json:"chapter"`
	State        State       `json:"state"`
	ChecksPassed int         `json:"checks_passed"`
	ChecksTotal  int         `json:"checks_total"`
	BuildFailed  bool        `json:"build_failed"`
	BuildOutput  string      `json:"build_output,omitempty"`
	Problem      string      `json:"problem,omitempty"`
	DurationMS   int64       `json:"duration_ms"`
	Checks       []CheckJSON `json:"checks"`
}

// CheckJSON is one check.
type CheckJSON struct {
	Name           string `json:"name"`
	Title          string `json:"title"`
	Status         Status `json:"status"`
	Message        string `json:"message,omitempty"`
	Seed           uint64 `json:"seed,omitempty"`
	Replay         string `json:"replay,omitempty"`
	NotImplemented bool   `json:"not_implemented,omitempty"`
	DurationMS     int64  `json:"duration_ms"`
}

// JSON converts graded exercises to their machine-readable form.
func JSON(gs []*Graded) ReportJSON {
	out := ReportJSON{Exercises: []ExerciseJSON{}}
	for _, g := range gs {
		p, t := g.Counts()
		e := ExerciseJSON{Slug: g.Lesson.Slug, Lesson: g.Lesson.Number, Chapter: g.Lesson.Chapter, State: g.State(),
			ChecksPassed: p, ChecksTotal: t, BuildFailed: g.BuildFailed, BuildOutput: g.BuildOutput,
			Problem: g.Problem, DurationMS: g.Elapsed.Milliseconds(), Checks: []CheckJSON{}}
		for _, c := range g.Checks {
			cj := CheckJSON{Name: c.Name, Title: c.Title, Status: c.Status, Seed: c.Seed,
				NotImplemented: c.NotImplemented, DurationMS: c.Duration.Milliseconds()}
			if c.Status == Fail {
				cj.Message = dropEchoedLabels(c.Message)
			}
			if c.Seed != 0 {
				cj.Replay = Replay(g.Lesson.Slug, c.Name, c.Seed)
			}
			e.Checks = append(e.Checks, cj)
		}
		if e.State == Passed {
			out.Passed++
		}
		out.Total++
		out.Exercises = append(out.Exercises, e)
	}
	return out
}
