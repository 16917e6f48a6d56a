package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
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
  3    the command could not run (no Go toolchain, no workspace, broken course or state;
       for grade: a workspace that could not be graded)
  130  interrupted`

// NewCmdRoot builds the dslearn command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	var showVersion bool
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
		Args:          unknownCommand,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return versionRun(f)
			}
			if f.IO.Interactive() {
				return mapRun(cmd.Context(), f)
			}
			return welcomeRun(f)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// "dslearn lesson -1" is a lesson number, not a flag.
		if m := negativeRE.FindStringSubmatch(err.Error()); m != nil {
			n := "?"
			if c, cerr := f.Course(); cerr == nil {
				n = strconv.Itoa(len(c.Lessons))
			}
			return &UsageError{Err: fmt.Errorf("%w -%s: lessons are numbered 1 to %s; see: dslearn list", course.ErrUnknownLesson, m[1], n)}
		}
		// pflag's own message ends in Go's parse error; say what is wanted.
		if m := badNumberRE.FindStringSubmatch(err.Error()); m != nil {
			want := map[string]string{"Uint": "a whole number, 0 or more", "Int": "a whole number", "Float": "a number", "Bool": "true or false", "Duration": "a duration such as 30s or 2m"}[m[3]]
			return &UsageError{Err: fmt.Errorf("invalid value %q for %s: %s is expected", m[1], m[2], want), Help: true}
		}
		return &UsageError{Err: err, Help: true}
	})
	root.SuggestionsMinimumDistance = 2
	root.Flags().BoolVar(&showVersion, "version", false, "print the version (the same as: dslearn version)")
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
		NewCmdCarry(f, nil),
		NewCmdSolution(f, nil),
		NewCmdOpen(f),
		NewCmdDoctor(f),
		NewCmdWatch(f),
		NewCmdDev(f),
		NewCmdGrade(f),
		NewCmdClassroom(f),
		NewCmdVersion(f),
		NewCmdWarm(f),
	)
	root.CompletionOptions.HiddenDefaultCmd = false
	return root
}

// unknownCommand rejects arguments to the bare command, suggesting the
// command that was probably meant ("chek" → check), as gh does. cobra only
// suggests when the root has no argument validator, and this one needs one.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &UsageError{Err: errors.New(msg), Help: true}
}

// negativeRE matches pflag's error for a negative number given as an argument.
var negativeRE = regexp.MustCompile(`^unknown shorthand flag: '\d' in -(\d+)$`)

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
			fmt.Fprintf(out, "The workspace you used last is %s. Continue there:\n  cd %s && dslearn next\n", known[0], known[0])
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
	fmt.Fprintf(out, "Next: lesson %d, %s\n  dslearn lesson %d\n", l.Number, l.Title, l.Number)
	if st := p.Get(l.Slug).State; l.Continues != "" && (st == "" || st == "not started") {
		fmt.Fprintf(out, "  dslearn carry %s    # start from your code of %s\n", l.Slug, l.Continues)
	}
	fmt.Fprintf(out, "  dslearn check %s\n", l.Slug)
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
		Use:   "version",
		Short: "Print dslearn's version, commit and course",
		Long: `Print dslearn's module version, the commit and commit time it was built
from (go stamps them when it builds from a git checkout), whether that
checkout had uncommitted changes, the Go version and platform, and the
course in use. The same as dslearn --version.`,
		Example: "  dslearn version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(f)
		},
	}
}

func versionRun(f *Factory) error {
	bi, _ := debug.ReadBuildInfo()
	c, err := f.Course()
	if err != nil {
		c = nil // the version is still worth printing with a broken course
	}
	_, err = io.WriteString(f.IO.Out, versionText(bi, c))
	return err
}

// versionText describes a build: the module version, the commit and its
// time from go's VCS stamping, the toolchain, and the course.
func versionText(bi *debug.BuildInfo, c *course.Course) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dslearn %s\n", versionString())
	if bi != nil {
		set := map[string]string{}
		for _, s := range bi.Settings {
			set[s.Key] = s.Value
		}
		if rev := set["vcs.revision"]; rev != "" {
			line := "commit " + rev
			if t := set["vcs.time"]; t != "" {
				line += " (" + t + ")"
			}
			if set["vcs.modified"] == "true" {
				line += ", with uncommitted changes"
			}
			b.WriteString(line + "\n")
		} else {
			b.WriteString("commit unknown (built outside a git checkout, or with -buildvcs=false)\n")
		}
		fmt.Fprintf(&b, "built with %s for %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	}
	if c != nil {
		fmt.Fprintf(&b, "course: %s (%s; manifest version %d, %d lessons)\n", c.Title, c.Source, c.Version, len(c.Lessons))
	}
	return b.String()
}

// versionString is the module version: set at link time, else from the
// build information (a tag or a pseudo-version when built from a git
// checkout with Go 1.24 or newer; "(devel)" otherwise).
func versionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// badNumberRE matches pflag's message for a value that does not parse.
var badNumberRE = regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: (?:strconv\.Parse|time\.Parse)(Uint|Int|Float|Bool|Duration)`)
