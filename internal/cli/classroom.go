package cli

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/classroom"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// NewCmdClassroom builds `dslearn classroom`: grading on Gradescope and
// GitHub Classroom.
func NewCmdClassroom(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "classroom",
		Short: "Grade a class on Gradescope or GitHub Classroom",
		Long: `Write what a grading platform needs to grade dslearn exercises: the
autograder zip of Gradescope, or a starter repository for GitHub Classroom
whose workflow grades every push. See docs/teaching.md.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newCmdGradescope(f), newCmdGitHub(f), newCmdRunGradescope(f), newCmdRunGitHub(f))
	return cmd
}

// planFlags are the flags shared by the classroom commands.
type planFlags struct {
	lessons string
	points  string
	race    bool
	sandbox string
}

func (p *planFlags) add(cmd *cobra.Command, sandboxDefault string) {
	cmd.Flags().StringVar(&p.lessons, "lessons", "", "the exercises graded: `LIST` of numbers, ranges and slugs (1-5,lru-cache); default all")
	cmd.Flags().StringVar(&p.points, "points", classroom.PointsCourse, "points per exercise: course (points: in course.yaml, else equal) or equal")
	cmd.Flags().BoolVar(&p.race, "race", true, "run under the race detector where supported")
	cmd.Flags().StringVar(&p.sandbox, "sandbox", sandboxDefault, "run students' code in bubblewrap: `auto` (where it works, with a warning where not), require, or off")
}

// runOptions are the graded runs' options: the race detector where asked
// for and supported, the sandbox per --sandbox (a loud warning without it).
func (p *planFlags) runOptions(ctx context.Context, f *Factory) (runner.Options, error) {
	sb, err := pickSandbox(ctx, p.sandbox, f.IO.ErrOut, true)
	if err != nil {
		return runner.Options{}, err
	}
	return runner.Options{Race: raceOn(f, p.race), Sandbox: sb}, nil
}

func (p *planFlags) plan(c *course.Course) (*classroom.Plan, error) {
	switch p.sandbox {
	case sandboxAuto, sandboxRequire, sandboxOff:
	default:
		return nil, &UsageError{Err: fmt.Errorf("--sandbox %q: use auto, require or off", p.sandbox)}
	}
	lessons, err := classroom.ParseLessons(c, p.lessons)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	plan, err := classroom.NewPlan(c, lessons, p.points)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return plan, nil
}

func newCmdGradescope(f *Factory) *cobra.Command {
	var pf planFlags
	var out, visibility, binary, goVersion, goArchive string
	cmd := &cobra.Command{
		Use:   "gradescope -o autograder.zip",
		Short: "Write the autograder zip for Gradescope",
		Long: `Write the zip that Gradescope's "Zip file upload" autograder takes:
setup.sh (installs Go, gcc for the race detector, bubblewrap, and dslearn)
and run_autograder (grades /autograder/submission and writes
/autograder/results/results.json: one test per check).

The zip carries a dslearn built for linux/amd64: --binary FILE, else this
executable when it is a static linux/amd64 one, else one built with
CGO_ENABLED=0 from the source checkout around the current directory, else
this executable (a dynamically linked one, with a warning).

setup.sh installs the Go release named by --go-version (default: the go
command's own version here) from go.dev, or from --go-archive FILE (named
go<version>.linux-amd64.tar.gz, as go.dev names it), which the zip then
carries. A --course directory is carried too.`,
		Example: `  dslearn classroom gradescope -o autograder.zip
  dslearn classroom gradescope --lessons 1-5 --points equal -o week1.zip
  dslearn classroom gradescope --visibility after_due_date --go-archive go1.24.6.linux-amd64.tar.gz -o autograder.zip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &UsageError{Err: errors.New("name the zip to write with -o FILE")}
			}
			if !slices.Contains(classroom.Visibilities, visibility) {
				return &UsageError{Err: fmt.Errorf("--visibility %q: want one of %s", visibility, strings.Join(classroom.Visibilities, ", "))}
			}
			c, err := f.Course()
			if err != nil {
				return err
			}
			plan, err := pf.plan(c)
			if err != nil {
				return err
			}
			if goVersion == "" && goArchive != "" {
				m := goArchiveRE.FindStringSubmatch(filepath.Base(goArchive))
				if m == nil {
					return &UsageError{Err: fmt.Errorf("--go-archive %s: name it go<version>.linux-amd64.tar.gz as go.dev does, or give --go-version", goArchive)}
				}
				goVersion = m[1]
			}
			if goVersion == "" {
				if goVersion, err = localGoVersion(); err != nil {
					return &UsageError{Err: fmt.Errorf("name the Go release setup.sh installs with --go-version (such as go%s.0): %v", c.GoVersion, err)}
				}
			}
			if !strings.HasPrefix(goVersion, "go") {
				goVersion = "go" + goVersion
			}
			if !goAtLeast(goVersion, c.GoVersion) {
				return &UsageError{Err: fmt.Errorf("--go-version %s is older than the course's Go %s", goVersion, c.GoVersion)}
			}
			bin, cleanup, err := linuxBinary(f, binary)
			if err != nil {
				return err
			}
			defer cleanup()
			o := classroom.ZipOptions{Binary: bin, Lessons: plan.Slugs(), Points: pf.points, Visibility: visibility,
				Race: pf.race, Sandbox: pf.sandbox, GoVersion: goVersion, GoArchive: goArchive}
			if f.CourseDir != "" {
				o.Course = c
			}
			var buf bytes.Buffer
			if err := classroom.WriteGradescopeZip(&buf, o, versionString()); err != nil {
				return &EnvError{Err: fmt.Errorf("writing the zip: %w", err)}
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return &EnvError{Err: err}
			}
			fmt.Fprintf(f.IO.Out, "Wrote %s: %d exercises, %s points, Go %s, tests %s.\n", out, len(plan.Lessons),
				trimPoints(plan.Total()), strings.TrimPrefix(goVersion, "go"), visibility)
			fmt.Fprintln(f.IO.Out, `Upload it on Gradescope: Configure Autograder, "Zip file upload", Update Autograder; then test it with a submission of the solutions.`)
			return nil
		},
	}
	pf.add(cmd, sandboxAuto)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the zip to `FILE`")
	cmd.Flags().StringVar(&visibility, "visibility", "visible", "when students see the tests: visible, hidden, after_due_date or after_published")
	cmd.Flags().StringVar(&binary, "binary", "", "the dslearn `FILE` for linux/amd64 to carry")
	cmd.Flags().StringVar(&goVersion, "go-version", "", "the Go `release` setup.sh installs, such as go1.24.6 (default: the local go's)")
	cmd.Flags().StringVar(&goArchive, "go-archive", "", "carry this go<version>.linux-amd64.tar.gz `FILE` instead of downloading it")
	return cmd
}

var goArchiveRE = regexp.MustCompile(`^(go1\.\d+(?:\.\d+)?)\.linux-amd64\.tar\.gz$`)

func trimPoints(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
}

// localGoVersion is `go env GOVERSION`, such as go1.24.6.
func localGoVersion() (string, error) {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "", errors.New("the go command did not answer")
	}
	v := strings.TrimSpace(string(out))
	if !strings.HasPrefix(v, "go1.") || strings.ContainsAny(v, " +") {
		return "", fmt.Errorf("the local go is %q, not a release", v)
	}
	return v, nil
}

// goAtLeast compares "go1.24.6" with a course's "1.24".
func goAtLeast(v, min string) bool {
	parse := func(s string) [3]int {
		var n [3]int
		for i, p := range strings.SplitN(strings.TrimPrefix(s, "go"), ".", 3) {
			fmt.Sscanf(p, "%d", &n[i])
		}
		return n
	}
	a, b := parse(v), parse(min)
	return slices.Compare(a[:], b[:]) >= 0
}

// linuxBinary finds or builds the dslearn executable for linux/amd64 the
// zip carries (see the help of classroom gradescope for the order).
func linuxBinary(f *Factory, given string) (string, func(), error) {
	none := func() {}
	if given != "" {
		if ok, _, why := linuxAMD64(given); !ok {
			return "", none, &UsageError{Err: fmt.Errorf("--binary %s: %s", given, why)}
		}
		return given, none, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", none, &EnvError{Err: err}
	}
	ok, static, _ := linuxAMD64(self)
	if ok && static {
		return self, none, nil
	}
	if root := moduleCheckout(f); root != "" {
		tmp, err := os.MkdirTemp("", "dslearn-binary-")
		if err != nil {
			return "", none, &EnvError{Err: err}
		}
		bin := filepath.Join(tmp, "dslearn")
		build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/dslearn")
		build.Dir = root
		build.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(tmp)
			return "", none, &EnvError{Err: fmt.Errorf("building dslearn for linux/amd64 in %s: %v\n%s", root, err, out)}
		}
		fmt.Fprintf(f.IO.ErrOut, "dslearn: built dslearn for linux/amd64 (CGO_ENABLED=0) from the source in %s\n", root)
		return bin, func() { os.RemoveAll(tmp) }, nil
	}
	if ok {
		fmt.Fprintln(f.IO.ErrOut, "dslearn: warning: this dslearn is dynamically linked against the C library; if `dslearn version` fails in setup.sh on Gradescope, build one with CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build ./cmd/dslearn and pass --binary")
		return self, none, nil
	}
	return "", none, &UsageError{Err: fmt.Errorf("this dslearn is for %s/%s, and Gradescope runs linux/amd64: run this command in a checkout of the dslearn source, or pass --binary FILE (built with GOOS=linux GOARCH=amd64 CGO_ENABLED=0)", runtime.GOOS, runtime.GOARCH)}
}

// linuxAMD64 reports whether file is a linux/amd64 executable, and whether
// it is statically linked (needs no C library of a particular version).
func linuxAMD64(file string) (ok, static bool, why string) {
	ef, err := elf.Open(file)
	if err != nil {
		return false, false, "not a Linux executable"
	}
	defer ef.Close()
	if ef.Machine != elf.EM_X86_64 || ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return false, false, "not an executable for linux/amd64"
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return true, false, ""
		}
	}
	return true, true, ""
}

// moduleCheckout is the root of a checkout of dslearn's own module around
// the current directory, or "".
func moduleCheckout(f *Factory) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	dir, err := f.Getwd()
	if err != nil {
		return ""
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if strings.TrimSpace(first) == "module "+bi.Main.Path {
				if _, err := os.Stat(filepath.Join(dir, "cmd", "dslearn")); err == nil {
					return dir
				}
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func newCmdRunGradescope(f *Factory) *cobra.Command {
	var pf planFlags
	var root, visibility string
	cmd := &cobra.Command{
		Use:    "run-gradescope --root /autograder",
		Short:  "Grade a Gradescope submission (run by run_autograder)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Course()
			if err != nil {
				return err
			}
			plan, err := pf.plan(c)
			if err != nil {
				return err
			}
			gopts := classroom.GradescopeOptions{Root: root, Plan: plan, Visibility: visibility, Now: f.Now}
			if gopts.Run, err = pf.runOptions(cmd.Context(), f); err != nil {
				return errors.Join(err, classroom.WriteGradescopeFailure(gopts, err))
			}
			res, err := classroom.RunGradescope(cmd.Context(), c, gopts)
			if res != nil {
				fmt.Fprint(f.IO.Out, res.Output)
			}
			if errors.Is(err, grader.ErrInterrupted) {
				return err
			}
			if err != nil {
				return &EnvError{Err: err}
			}
			return nil
		},
	}
	pf.add(cmd, sandboxAuto)
	cmd.Flags().StringVar(&root, "root", "/autograder", "Gradescope's autograder `DIR`: submission/ is read, results/results.json written")
	cmd.Flags().StringVar(&visibility, "visibility", "visible", "Gradescope visibility of the tests")
	return cmd
}

func newCmdGitHub(f *Factory) *cobra.Command {
	var pf planFlags
	var out, version string
	cmd := &cobra.Command{
		Use:   "github -o starter/",
		Short: "Write a starter repository for GitHub Classroom",
		Long: `Write a starter repository for a GitHub Classroom assignment: the
workspace dslearn init creates, and .github/workflows/classroom.yml, which
on every push installs Go and this version of dslearn, grades the exercises,
reports points to GitHub Classroom and uploads a JUnit report.

The workflow installs dslearn with go install at this binary's version. A
development build installs the commit it was built from (vcs.revision),
which must be pushed where the module path points; without one, --version
is required.`,
		Example: `  dslearn classroom github -o starter
  dslearn classroom github --lessons 1-5 --version v1.2.0 -o week1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &UsageError{Err: errors.New("name the directory to write with -o DIR")}
			}
			if f.CourseDir != "" {
				return &UsageError{Err: errors.New("a GitHub Classroom starter grades with the course built into dslearn: a course on disk (--course) would have to sit in every student's repository, hidden suites included")}
			}
			c, err := f.Course()
			if err != nil {
				return err
			}
			plan, err := pf.plan(c)
			if err != nil {
				return err
			}
			module, v, warn, err := installVersion(version)
			if err != nil {
				return err
			}
			if warn != "" {
				fmt.Fprintln(f.IO.ErrOut, "dslearn: warning: "+warn)
			}
			dir := out
			if !filepath.IsAbs(dir) {
				wd, err := f.Getwd()
				if err != nil {
					return &EnvError{Err: err}
				}
				dir = filepath.Join(wd, dir)
			}
			w, res, err := workspace.Init(c, dir, false, f.Now())
			if errors.Is(err, workspace.ErrNotEmpty) {
				return &UsageError{Err: fmt.Errorf("%s is not empty; choose a new directory", out)}
			}
			if err != nil {
				return &EnvError{Err: fmt.Errorf("creating the starter: %w", err)}
			}
			var wf bytes.Buffer
			if err := classroom.WriteWorkflow(&wf, classroom.WorkflowOptions{Module: module, Version: v, DslearnVersion: versionString(),
				Lessons: plan.Slugs(), Points: pf.points, Race: pf.race, Sandbox: pf.sandbox}); err != nil {
				return &EnvError{Err: err}
			}
			wfPath := filepath.Join(w.Root, filepath.FromSlash(classroom.WorkflowPath))
			if err := os.MkdirAll(filepath.Dir(wfPath), 0o755); err != nil {
				return &EnvError{Err: err}
			}
			if err := os.WriteFile(wfPath, wf.Bytes(), 0o644); err != nil {
				return &EnvError{Err: err}
			}
			gi := []byte(classroom.JUnitFile + "\n.dslearn/progress.json\n.dslearn/backups/\n")
			if err := os.WriteFile(filepath.Join(w.Root, ".gitignore"), gi, 0o644); err != nil {
				return &EnvError{Err: err}
			}
			fmt.Fprintf(f.IO.Out, "Wrote the starter repository in %s: %d workspace files and %s (installs %s/cmd/dslearn@%s; %d exercises, %s points).\n",
				out, len(res.Created), classroom.WorkflowPath, module, v, len(plan.Lessons), trimPoints(plan.Total()))
			fmt.Fprintf(f.IO.Out, "Next: cd %s && git init && git add . && git commit -m starter, push it to GitHub,\nmark it a template repository, and choose it as the starter code of a GitHub Classroom assignment.\n", out)
			return nil
		},
	}
	pf.add(cmd, sandboxOff)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the starter repository to `DIR`")
	cmd.Flags().StringVar(&version, "version", "", "the dslearn `version` the workflow installs (default: this binary's)")
	return cmd
}

// installVersion is the module and version the workflow installs dslearn at.
func installVersion(override string) (module, version, warn string, err error) {
	module = "github.com/dslearn/dslearn"
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Path != "" {
		module = bi.Main.Path
	}
	if override != "" {
		return module, override, "", nil
	}
	if Version != "" { // stamped at build time with -ldflags -X
		return module, Version, "", nil
	}
	if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return module, bi.Main.Version, "", nil
	}
	rev, modified := "", false
	if ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev == "" {
		return "", "", "", &UsageError{Err: errors.New("this dslearn is a development build without version control information: name the version the workflow installs with --version (a tag or a pushed commit)")}
	}
	warn = fmt.Sprintf("this dslearn is a development build: the workflow installs commit %s, which must be pushed to %s", rev[:min(12, len(rev))], module)
	if modified {
		warn += "; this binary was built with uncommitted changes, which the workflow's dslearn will not have"
	}
	return module, rev, warn, nil
}

func newCmdRunGitHub(f *Factory) *cobra.Command {
	var pf planFlags
	var junit, output string
	cmd := &cobra.Command{
		Use:    "run-github",
		Short:  "Grade the workspace for GitHub Classroom (run by the workflow)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGitHub(cmd.Context(), f, pf, junit, output)
		},
	}
	pf.add(cmd, sandboxAuto)
	cmd.Flags().StringVar(&junit, "junit", "", "also write JUnit XML to `file`")
	cmd.Flags().StringVar(&output, "output", os.Getenv("GITHUB_OUTPUT"), "append result=<base64 JSON> to `FILE` (default $GITHUB_OUTPUT)")
	return cmd
}

func runGitHub(ctx context.Context, f *Factory, pf planFlags, junit, output string) error {
	c, err := f.Course()
	if err != nil {
		return err
	}
	plan, err := pf.plan(c)
	if err != nil {
		return err
	}
	report := func(r classroom.ClassroomResult) error {
		if output == "" {
			return nil
		}
		if err := classroom.WriteStepOutput(output, r); err != nil {
			return &EnvError{Err: fmt.Errorf("writing the result to %s: %w", output, err)}
		}
		return nil
	}
	w, err := f.Workspace()
	if err != nil {
		return errors.Join(err, report(classroom.ClassroomError(plan, err)))
	}
	run, err := pf.runOptions(ctx, f)
	if err != nil {
		return errors.Join(err, report(classroom.ClassroomError(plan, err)))
	}
	sub, _ := classroom.WorkspaceSubmission(plan.Lessons, w.Root)
	graded, notes, err := classroom.GradeFiles(ctx, c, plan, sub, run)
	if errors.Is(err, grader.ErrInterrupted) {
		return err
	}
	if err != nil {
		err = fmt.Errorf("could not grade: %w", err)
		return errors.Join(&EnvError{Err: err}, report(classroom.ClassroomError(plan, err)))
	}
	gs := classroom.GradescopeFromGraded(plan, graded, append(sub.Notes, notes...), "visible")
	fmt.Fprint(f.IO.Out, gs.Output)
	if junit != "" {
		var list []*grader.Graded
		for _, l := range plan.Lessons {
			if g := graded[l.Slug]; g != nil {
				list = append(list, g)
			}
		}
		var buf bytes.Buffer
		if err := grader.WriteJUnit(&buf, []grader.Student{{Name: "dslearn", Graded: list}}); err != nil {
			return &EnvError{Err: err}
		}
		if err := os.WriteFile(junit, buf.Bytes(), 0o644); err != nil {
			return &EnvError{Err: err}
		}
	}
	return report(classroom.ClassroomFromGraded(plan, graded))
}
