package cli

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/iostreams"
	"github.com/dslearn/dslearn/internal/render"
	"github.com/spf13/cobra"
)

// LessonOptions are the inputs of `dslearn lesson`.
type LessonOptions struct {
	F       *Factory
	Ref     string
	Raw     bool
	NoPager bool
}

// NewCmdLesson builds `dslearn lesson <N|slug>`.
func NewCmdLesson(f *Factory, runF func(*LessonOptions) error) *cobra.Command {
	opts := &LessonOptions{F: f}
	cmd := &cobra.Command{
		Use:   "lesson <number|slug|glossary>",
		Short: "Read a lesson, or the glossary",
		Long: `Read a lesson in the terminal. On a terminal it is styled and long lessons
open in your pager ($PAGER, or less -RS); piped, or with NO_COLOR set, it is
plain text. Prose wraps to the terminal; a diagram wider than the terminal
is kept whole, after a note saying how wide to make it.

A lesson ends with the lessons it builds on, the lessons that use it, and
the terms it uses before their own lesson explains them.
"dslearn lesson glossary" lists every term with its lesson.`,
		Example: `  dslearn lesson 3
  dslearn lesson consistent-hashing --no-pager
  dslearn lesson 3 --raw > lesson.md
  dslearn lesson glossary`,
		Args:              exactArgs(1, "name the lesson by number or slug, such as: dslearn lesson 1"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return lessonRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "print the markdown source")
	cmd.Flags().BoolVar(&opts.NoPager, "no-pager", false, "do not page long lessons")
	return cmd
}

func lessonRun(o *LessonOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	if strings.EqualFold(strings.TrimSpace(o.Ref), glossaryRef) {
		return o.show(glossaryMarkdown(c))
	}
	l, err := findLesson(c, o.Ref)
	if err != nil {
		return err
	}
	src, err := fs.ReadFile(c.FS, l.File)
	if err != nil {
		return &EnvError{fmt.Errorf("lesson %d, %s, is not written yet (%s is missing)", l.Number, l.Title, l.File)}
	}
	if o.Raw {
		_, err := o.F.IO.Out.Write(src)
		return err
	}
	_, body, err := render.SplitFrontMatter(src)
	if err != nil {
		return &EnvError{fmt.Errorf("%s: %w", l.File, err)}
	}
	return o.show(string(body) + linksFooter(c, l, string(body)) + exerciseFooter(c, l))
}

// show renders markdown for the terminal (or prints it, with --raw) and
// pages it.
func (o *LessonOptions) show(md string) error {
	if o.Raw {
		_, err := io.WriteString(o.F.IO.Out, md)
		return err
	}
	ios := o.F.IO
	opts := render.Options{Width: ios.Width}
	if ios.Color {
		opts.Styled = true
		opts.Profile = lipgloss.ColorProfile()
		opts.Dark = lipgloss.HasDarkBackground() // asked once, before any pager starts
	} else if !ios.OutTTY {
		opts.Width = 80
	}
	out, err := render.Markdown(md, opts)
	if err != nil {
		return err
	}
	if o.NoPager {
		_, err = fmt.Fprint(ios.Out, out)
		return err
	}
	return ios.Page(out, iostreams.Rows())
}

// glossaryRef is the name `dslearn lesson` shows the glossary for.
const glossaryRef = "glossary"

// lessonRef is how a footer names another lesson.
func lessonRef(l *course.Lesson) string {
	return fmt.Sprintf("lesson %d, %s (`dslearn lesson %d`)", l.Number, l.Title, l.Number)
}

func lessonRefs(ls []*course.Lesson) string {
	refs := make([]string, len(ls))
	for i, l := range ls {
		refs[i] = lessonRef(l)
	}
	return strings.Join(refs, "; ")
}

// linksFooter says which lessons a lesson builds on and which use it, and
// defines the glossary terms it uses before the lesson that explains them.
func linksFooter(c *course.Course, l *course.Lesson, body string) string {
	var b strings.Builder
	b.WriteString("\n\n---\n\n")
	if on := c.BuildsOn(l); len(on) > 0 {
		fmt.Fprintf(&b, "**Builds on:** %s.\n\n", lessonRefs(on))
	} else {
		b.WriteString("**Builds on:** no earlier lesson; this one stands on its own.\n\n")
	}
	if later := c.UsedLaterIn(l); len(later) > 0 {
		fmt.Fprintf(&b, "**Used later in:** %s.\n\n", lessonRefs(later))
	} else {
		b.WriteString("**Used later in:** no later lesson builds on this one directly.\n\n")
	}
	if early := c.EarlyTerms(l, body); len(early) > 0 {
		b.WriteString("**Terms used here before their own lesson:**\n\n")
		for _, t := range early {
			d := c.DefinedIn(t)
			fmt.Fprintf(&b, "- **%s** (lesson %d): %s\n", t.Term, d.Number, t.Definition)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Every term, with its lesson: `dslearn lesson %s`.\n", glossaryRef)
	return b.String()
}

// glossaryMarkdown lists every glossary term, alphabetically, with the
// lesson that explains it.
func glossaryMarkdown(c *course.Course) string {
	terms := slices.Clone(c.Glossary)
	slices.SortFunc(terms, func(a, b *course.Term) int {
		return strings.Compare(strings.ToLower(a.Term), strings.ToLower(b.Term))
	})
	var b strings.Builder
	b.WriteString("# Glossary\n\nThe terms the lessons share, each with the lesson that explains it.\n\n")
	for _, t := range terms {
		d := c.DefinedIn(t)
		fmt.Fprintf(&b, "- **%s** (lesson %d, %s): %s\n", t.Term, d.Number, d.Title, t.Definition)
	}
	return b.String()
}

// exerciseFooter ends every lesson with where its exercise is and how to check it.
func exerciseFooter(c *course.Course, l *course.Lesson) string {
	if !c.HasExercise(l) {
		return "\nThis lesson's exercise is not available yet.\n"
	}
	carry := ""
	if l.Continues != "" {
		carry = fmt.Sprintf("It continues your code of %s: start it with `dslearn carry %s`.\n\n", l.Continues, l.Slug)
	}
	return fmt.Sprintf("\n**Your exercise:** `%s/` in your workspace.\n\n%s"+
		"Check it with `dslearn check %s`; if you are stuck, `dslearn hint %s`.\n", l.StubDir(), carry, l.Slug, l.Slug)
}

// exactArgs is cobra.ExactArgs with a message that says what to type.
func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &UsageError{Err: fmt.Errorf("%s takes %d argument(s), got %d: %s", cmd.CommandPath(), n, len(args), hint)}
		}
		return nil
	}
}
