package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/progress"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/dslearn/dslearn/internal/cli.Version=v1.2.3";
// otherwise it comes from the module's build information.
var Version = ""

const exitCodesHelp = `Exit codes:
  0    success; every check passed
  1    a check failed
  2    the command line was wrong (unknown command, flag or lesson)
  3    the command could not run (no Go toolchain, no workspace, broken course or state)
  130  interrupted`

// NewCmdRoot builds the dslearn command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "dslearn",
		Short: "Learn distributed systems by implementing them",
		Long: `dslearn teaches the algorithms real distributed systems are built on.
Each lesson explains one algorithm; its exercise asks you to implement it in
Go, and a hidden test suite judges your code.`,
		Example: `  dslearn init ~/dslearn      create your workspace
  dslearn lesson 1            read the first lesson
  dslearn check lamport-clocks
  dslearn progress`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.IO.Interactive() {
				return mapRun(cmd.Context(), f)
			}
			return welcomeRun(f)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &UsageError{Err: err, Help: true} })
	root.PersistentFlags().StringVar(&f.CourseDir, "course", f.CourseDir, "use the course in `DIR` instead of the built-in one (or set "+EnvCourse+")")
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitCodesHelp + "\n")
	root.AddCommand(
		NewCmdLesson(f, nil),
		NewCmdList(f, nil),
		NewCmdInit(f, nil),
		NewCmdCheck(f, nil),
		NewCmdProgress(f, nil),
		NewCmdHint(f, nil),
		NewCmdNext(f),
		NewCmdReset(f, nil),
		NewCmdSolution(f, nil),
		NewCmdOpen(f),
		NewCmdDoctor(f),
		NewCmdWatch(f),
		NewCmdDev(f),
		NewCmdGrade(f),
		NewCmdVersion(f),
	)
	root.CompletionOptions.HiddenDefaultCmd = false
	return root
}

// completeLessons completes lesson numbers and slugs.
func completeLessons(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := f.Course()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, l := range c.Lessons {
			out = append(out, l.Slug+"\t"+l.Title, strconv.Itoa(l.Number)+"\t"+l.Title)
		}
		if cmd.Name() == "lesson" && len(c.Glossary) > 0 {
			out = append(out, glossaryRef+"\tthe terms the lessons share")
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// findLesson resolves a number or slug; an unknown one is a usage error.
func findLesson(c *course.Course, ref string) (*course.Lesson, error) {
	l, err := c.Find(ref)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return l, nil
}

func welcomeRun(f *Factory) error {
	c, err := f.Course()
	if err != nil {
		return err
	}
	out := f.IO.Out
	st := newStyles(f.IO)
	fmt.Fprintln(out, st.bold.Render(c.Title))
	fmt.Fprintln(out)
	fmt.Fprintf(out, "%d lessons in %d chapters. Each explains an algorithm that real systems run on;\n", len(c.Lessons), len(c.Chapters))
	fmt.Fprintln(out, "its exercise asks you to implement it in Go, and a hidden suite judges your code.")
	fmt.Fprintln(out)
	w := f.OptionalWorkspace()
	p, err := f.LoadProgress(w)
	if err != nil {
		return err
	}
	for _, ch := range c.Chapters {
		lessons := c.LessonsIn(ch.Number)
		slugs := make([]string, len(lessons))
		done := 0
		for i, l := range lessons {
			slugs[i] = l.Slug
			if p.Passed(l.Slug) {
				done++
			}
		}
		line := fmt.Sprintf("  %d  %-26s %s", ch.Number, ch.Title, strings.Join(slugs, ", "))
		if w != nil {
			line = fmt.Sprintf("  %d  %-26s %d/%d  %s", ch.Number, ch.Title, done, len(lessons), strings.Join(slugs, ", "))
		}
		fmt.Fprintln(out, line)
	}
	fmt.Fprintln(out)
	if w == nil {
		if known := f.Known.List(); len(known) > 0 {
			fmt.Fprintf(out, "Your workspace is %s. Continue there:\n  cd %s && dslearn next\n", known[0], known[0])
			return nil
		}
		fmt.Fprintln(out, "Start by creating your workspace, then read the first lesson:")
		fmt.Fprintln(out, "  dslearn init ~/dslearn && cd ~/dslearn")
		fmt.Fprintln(out, "  dslearn lesson 1")
		return nil
	}
	writeNext(out, c, p)
	return nil
}

// writeNext names the first exercise not yet passed and how to go on.
func writeNext(out io.Writer, c *course.Course, p *progress.Progress) {
	l := nextLesson(c, p)
	if l == nil {
		fmt.Fprintln(out, "You have passed every exercise. Well done.")
		return
	}
	fmt.Fprintf(out, "Next: lesson %d, %s\n  dslearn lesson %d\n  dslearn check %s\n", l.Number, l.Title, l.Number, l.Slug)
}

// nextLesson is the first lesson, in course order, whose exercise has not passed.
func nextLesson(c *course.Course, p *progress.Progress) *course.Lesson {
	for _, l := range c.Lessons {
		if !p.Passed(l.Slug) {
			return l
		}
	}
	return nil
}

// stateOf is what the progress file says of a lesson's exercise.
func stateOf(c *course.Course, l *course.Lesson, p *progress.Progress) string {
	if !c.HasExercise(l) {
		return "not available yet"
	}
	e := p.Get(l.Slug)
	switch {
	case e.State == string(grader.Passed):
		return string(grader.Passed)
	case e.PassedAt != nil:
		return "passed before, failing now"
	case e.State == "":
		return string(grader.NotStarted)
	}
	return e.State
}

// NewCmdVersion prints the version.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print dslearn's version",
		Example: "  dslearn version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(f.IO.Out, "dslearn %s\n", versionString())
			return nil
		},
	}
}

func versionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		if v != "" {
			return v
		}
	}
	return "(devel)"
}
