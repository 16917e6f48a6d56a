package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/dslearn/dslearn/internal/audit"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/patch"
	"github.com/spf13/cobra"
)

// DevNewOptions are the inputs of `dslearn dev new`.
type DevNewOptions struct {
	F            *Factory
	Slug         string
	Title        string
	Chapter      int
	ChapterTitle string
}

// NewCmdDevNew builds `dslearn dev new <slug> --chapter N`.
func NewCmdDevNew(f *Factory) *cobra.Command {
	opts := &DevNewOptions{F: f}
	cmd := &cobra.Command{
		Use:   "new <slug> --chapter N",
		Short: "Scaffold a new lesson and its exercise",
		Long: `Create every file of a new lesson, ready to edit, and its manifest entry:
the lesson, the stub, the reference solution, a hidden suite, and one
known-wrong implementation (a diff against the solution). The scaffold is a small working
example (a counter), so that dslearn dev check runs on it at once and says
what is still missing. See docs/authoring.md.`,
		Example: `  dslearn dev new raft-log --chapter 3 --title "Raft's replicated log"
  dslearn dev new hyperloglog --chapter 7 --chapter-title "Sketches" --course ./my-course`,
		Args: exactArgs(1, "name the new lesson's slug, such as: dslearn dev new raft-log --chapter 3"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Slug = args[0]
			if opts.Chapter <= 0 {
				return &UsageError{Err: errors.New("--chapter N is required: the chapter the lesson belongs to")}
			}
			return devNewRun(opts)
		},
	}
	cmd.Flags().IntVar(&opts.Chapter, "chapter", 0, "the chapter `N` the lesson belongs to")
	cmd.Flags().StringVar(&opts.Title, "title", "", "the lesson's title (default: from the slug)")
	cmd.Flags().StringVar(&opts.ChapterTitle, "chapter-title", "", "create chapter N with this title if it does not exist")
	return cmd
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func devNewRun(o *DevNewOptions) error {
	c, dir, err := authorCourse(o.F)
	if err != nil {
		return err
	}
	if !slugRE.MatchString(o.Slug) {
		return &UsageError{Err: fmt.Errorf("slug %q: use lower-case words joined by hyphens, such as raft-log", o.Slug)}
	}
	if _, err := c.Find(o.Slug); err == nil {
		return &UsageError{Err: fmt.Errorf("the course already has a lesson %q", o.Slug)}
	}
	newChapter := c.ChapterTitle(o.Chapter) == ""
	if newChapter && o.ChapterTitle == "" {
		return &UsageError{Err: fmt.Errorf("there is no chapter %d; give its title with --chapter-title to create it", o.Chapter)}
	}
	if o.Title == "" {
		o.Title = strings.ToUpper(o.Slug[:1]) + strings.ReplaceAll(o.Slug[1:], "-", " ")
	}
	d := scaffoldData{
		Number:  len(c.Lessons) + 1,
		Slug:    o.Slug,
		Title:   o.Title,
		Chapter: o.Chapter,
		Package: strings.ReplaceAll(o.Slug, "-", ""),
		Module:  c.Module,
	}
	l := &course.Lesson{Slug: o.Slug}
	d.File = fmt.Sprintf("lessons/%02d-%s.md", d.Number, d.Slug)
	templates := map[string]string{
		d.File:                                lessonTmpl,
		l.StubDir() + "/" + d.Package + ".go": stubTmpl,
		l.SolutionDir() + "/" + d.Package + ".go":   solutionTmpl,
		l.SuiteDir() + "/" + d.Package + "_test.go": suiteTmpl,
	}
	files := map[string]string{}
	for rel, text := range templates {
		var b strings.Builder
		if err := template.Must(template.New(rel).Parse(text)).Execute(&b, d); err != nil {
			return err
		}
		files[rel] = b.String()
	}
	// The scaffold's known-wrong implementation, made the way dslearn dev
	// wrong makes one: a diff against the solution.
	solution := files[l.SolutionDir()+"/"+d.Package+".go"]
	var wrong strings.Builder
	err = patch.Write(&wrong, patch.Header{Bug: "Inc adds two instead of one.", Breaks: "Inc adds one to the counter and returns the new count."},
		patch.Create(d.Package+".go", []byte(solution), []byte(strings.Replace(solution, "c.n++", "c.n += 2", 1))))
	if err != nil {
		return err
	}
	wrongFile := l.WrongDir() + "/inc-adds-two.diff"
	files[wrongFile] = wrong.String()
	for rel := range files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
			return &UsageError{Err: fmt.Errorf("%s already exists; nothing was written", rel)}
		}
	}
	for rel, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return &EnvError{Err: err}
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return &EnvError{Err: err}
		}
	}
	if err := appendManifest(filepath.Join(dir, filepath.FromSlash(course.ManifestPath)), d, newChapter, o.ChapterTitle); err != nil {
		return &EnvError{Err: err}
	}
	out := o.F.IO.Out
	fmt.Fprintf(out, "Created lesson %d, %s, in %s:\n", d.Number, d.Slug, dir)
	for _, rel := range []string{d.File, l.StubDir() + "/", l.SolutionDir() + "/", l.SuiteDir() + "/", wrongFile, course.ManifestPath + " (new entry)"} {
		fmt.Fprintf(out, "  %s\n", rel)
	}
	fmt.Fprintf(out, "\nThe scaffold is a small working counter. Replace it with your exercise, add\nthree hints and at least %d known-wrong implementations (each one made with\ndslearn dev wrong %s <name>), then prove it:\n  dslearn dev check %s\n", audit.MinWrong, d.Slug, d.Slug)
	return nil
}

// appendManifest adds the lesson (and its chapter) as text, so that the
// manifest's comments and layout stay as the author wrote them.
func appendManifest(path string, d scaffoldData, newChapter bool, chapterTitle string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	if newChapter {
		i := strings.Index(s, "\nlessons:")
		if i < 0 {
			return errors.New("the manifest has no lessons: list")
		}
		s = s[:i] + fmt.Sprintf("\n  - {number: %d, title: %q}", d.Chapter, chapterTitle) + s[i:]
	}
	s = strings.Replace(s, "\nlessons: []", "\nlessons:", 1)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	s += fmt.Sprintf("  - number: %d\n    slug: %s\n    title: %q\n    chapter: %d\n    file: %s\n    hints: []\n", d.Number, d.Slug, d.Title, d.Chapter, d.File)
	if _, err := course.Parse([]byte(s)); err != nil {
		return fmt.Errorf("the manifest would not be valid after adding the lesson: %w", err)
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

type scaffoldData struct {
	Number  int
	Slug    string
	Title   string
	Chapter int
	Package string
	Module  string
	File    string
}

const lessonTmpl = `---
title: {{.Title}}
slug: {{.Slug}}
number: {{.Number}}
reading_time: 15 min
---
# {{.Title}}

## Why this problem exists

The real system that needs this algorithm, in the learner's terms.

## The algorithm

Its rules and invariants, precisely, and what it does not guarantee.

` + "```" + `
  an ASCII diagram, lines of at most 72 characters
` + "```" + `

## A worked example

A small run traced step by step.

## The exercise

Implement package {{.Package}} in exercises/{{.Slug}}/{{.Package}}.go. State
the exact API and every rule the hidden suite checks.

## Pitfalls

The classic bugs, as ideas.

## References

The primary source, and one or two further readings.
`

const stubTmpl = `// Package {{.Package}} is the exercise of lesson {{.Number}}, {{.Title}}.
package {{.Package}}

// Counter counts events. The zero value is a counter at 0.
type Counter struct {
	// your fields
}

// Inc adds one to the counter and returns the new count.
func (c *Counter) Inc() int {
	panic("not implemented yet: Counter.Inc")
}

// Value returns the count without changing it.
func (c *Counter) Value() int {
	panic("not implemented yet: Counter.Value")
}
`

const solutionTmpl = `// Package {{.Package}} is the exercise of lesson {{.Number}}, {{.Title}}.
package {{.Package}}

// Counter counts events. The zero value is a counter at 0.
type Counter struct {
	n int
}

// Inc adds one to the counter and returns the new count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

// Value returns the count without changing it.
func (c *Counter) Value() int { return c.n }
`

const suiteTmpl = `//go:build dslearnsuite

package {{.Package}}_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"{{.Module}}/exercises/{{.Slug}}"
	"{{.Module}}/internal/check"
)

// Every test starts with defer check.Recover(t), and its name reads as the
// property it checks.
func TestZeroCounterReadsZero(t *testing.T) {
	defer check.Recover(t)
	var c {{.Package}}.Counter
	if got := c.Value(); got != 0 {
		t.Error(check.Mismatch("a new counter's value", 0, got))
	}
}

// A randomized property: check.Seeded runs it on many seeds and reports the
// first failing one with the command that replays it.
func TestIncCountsEveryCall(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 20, func(r *rand.Rand) error {
		var c {{.Package}}.Counter
		n := r.IntN(100)
		for i := 1; i <= n; i++ {
			if got := c.Inc(); got != i {
				return check.Mismatch(fmt.Sprintf("Inc's result after %d calls", i), i, got)
			}
		}
		if got := c.Value(); got != n {
			return check.Mismatch("Value after the calls", n, got)
		}
		return nil
	})
}
`
