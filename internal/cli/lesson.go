package cli

import (
	"fmt"
	"io/fs"

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
		Use:   "lesson <number|slug>",
		Short: "Read a lesson",
		Long: `Read a lesson in the terminal. On a terminal it is styled and long lessons
open in your pager ($PAGER, or less -R); piped, or with NO_COLOR set, it is
plain text.`,
		Example: `  dslearn lesson 3
  dslearn lesson consistent-hashing --no-pager
  dslearn lesson 3 --raw > lesson.md`,
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
	md := string(body) + exerciseFooter(c, l)
	io := o.F.IO
	opts := render.Options{Width: io.Width}
	if io.Color {
		opts.Styled = true
		opts.Profile = lipgloss.ColorProfile()
		opts.Dark = lipgloss.HasDarkBackground() // asked once, before any pager starts
	} else if !io.OutTTY {
		opts.Width = 80
	}
	out, err := render.Markdown(md, opts)
	if err != nil {
		return err
	}
	if o.NoPager {
		_, err = fmt.Fprint(io.Out, out)
		return err
	}
	return io.Page(out, iostreams.Rows())
}

// exerciseFooter ends every lesson with where its exercise is and how to check it.
func exerciseFooter(c *course.Course, l *course.Lesson) string {
	if !c.HasExercise(l) {
		return "\n\n---\n\nThis lesson's exercise is not available yet.\n"
	}
	return fmt.Sprintf("\n\n---\n\n**Your exercise:** `%s/` in your workspace.\n\n"+
		"Check it with `dslearn check %s`; if you are stuck, `dslearn hint %s`.\n", l.StubDir(), l.Slug, l.Slug)
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
