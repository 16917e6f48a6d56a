package grader

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dslearn/dslearn"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/sandbox"
)

// The attacks of a hostile learner, each graded end to end against the
// built-in course. A pass must come from the suite alone: every test asserts
// the state reported and that nothing outside the learner's build changed.

func builtIn(t *testing.T) *course.Course {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs test binaries")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	c, err := course.Load(dslearn.Files(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exercise returns the files of dir (a stub or solution) with extra files
// added and, in each file, every old→new replacement of edits applied.
func exercise(t *testing.T, c *course.Course, dir string, extra map[string]string, edits ...string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(c.FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(c.FS, dir+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		for i := 0; i+1 < len(edits); i += 2 {
			src = strings.Replace(src, edits[i], edits[i+1], 1)
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(src)}
	}
	for name, src := range extra {
		out[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return out
}

func lesson(t *testing.T, c *course.Course, slug string) *course.Lesson {
	t.Helper()
	l, err := c.Find(slug)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func grade(t *testing.T, c *course.Course, opts runner.Options, items ...runner.Item) []*Graded {
	t.Helper()
	gs, err := GradeAll(context.Background(), c, items, opts)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// fakePasses prints go test's result lines for every check of lamport-clocks,
// with and without test2json's framing byte.
func fakePasses(t *testing.T, c *course.Course) string {
	names, err := SuiteChecks(c, lesson(t, c, "lamport-clocks"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`for _, n := range %#v {
		fmt.Printf("=== RUN   %%s\n--- PASS: %%s (0.00s)\n", n, n)
		fmt.Printf("\x16=== RUN   %%s\n\x16--- PASS: %%s (0.00s)\n", n, n)
	}
	fmt.Println("PASS")
	fmt.Println("ok  \tgithub.com/dslearn/dslearn/exercises/lamport-clocks\t0.01s")`, names)
}

func wantFailing(t *testing.T, g *Graded, problem string) {
	t.Helper()
	if st := g.State(); st == Passed {
		t.Fatalf("state = %s; a fake or broken run passed", st)
	}
	if !strings.Contains(g.Problem+g.BuildOutput, problem) {
		t.Errorf("problem = %q\nbuild output = %q\nwant it to mention %q", g.Problem, g.BuildOutput, problem)
	}
}

func TestAFakePassFromInitFailsWhateverEndsIt(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	for _, end := range []struct{ name, code, problem string }{
		{"panic", `panic("bye")`, "panic: bye"},
		{"hang", `for {
	}`, "no check had started"},
		{"deadlock", `select {}`, "all goroutines are asleep"},
		{"nothing", ``, ""},
	} {
		t.Run(end.name, func(t *testing.T) {
			cheat := "package lamport\n\nimport \"fmt\"\n\nfunc init() {\n\t" + fakePasses(t, c) + "\n\t" + end.code + "\n}\n"
			impl := exercise(t, c, l.StubDir(), map[string]string{"zz_cheat.go": cheat})
			start := time.Now()
			g := grade(t, c, runner.Options{Timeout: 3 * time.Second}, runner.Item{Lesson: l, Impl: impl})[0]
			if end.name == "nothing" {
				// The real checks run after the fake lines: the stub's say
				// "not implemented yet", and the imitation is named.
				wantFailing(t, g, "imitates go test's own results")
				for _, ch := range g.Checks {
					if ch.Status != Fail || !strings.Contains(ch.Message, "not implemented yet") {
						t.Errorf("%s: %s %q, want the stub's not implemented", ch.Name, ch.Status, ch.Message)
					}
				}
				return
			}
			wantFailing(t, g, end.problem)
			if passed, _ := g.Counts(); passed != 0 {
				t.Errorf("%d checks counted as passed; none ran", passed)
			}
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v for a 3s limit", d)
			}
		})
	}
}

func TestFakePassLinesDuringAFailingCheckAreNotTrusted(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	// Tick is wrong (it never advances) and prints a pass for every check.
	hook := "package lamport\n\nimport \"fmt\"\n\nfunc hook() {\n\t" + fakePasses(t, c) + "\n}\n"
	impl := exercise(t, c, l.SolutionDir(), map[string]string{"zz_hook.go": hook},
		"\tc.time++\n\treturn c.time\n", "\thook()\n\treturn c.time\n")
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: impl})[0]
	wantFailing(t, g, "imitates go test's own results")
	for _, ch := range g.Checks {
		if ch.Name == "TestTickAdvancesByOneAndReturnsTheNewTime" && ch.Status != Fail {
			t.Errorf("%s = %s; the suite failed it", ch.Name, ch.Status)
		}
	}
}

func TestImportsOutsideTheAllowlistAreRefusedBeforeBuilding(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	cheat := "package lamport\n\nimport (\n\t\"os\"\n\t\"os/exec\"\n)\n\nfunc init() {\n\tos.Exit(0)\n\texec.Command(\"true\").Run()\n}\n"
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: exercise(t, c, l.SolutionDir(), map[string]string{"zz.go": cheat})})[0]
	if !g.Refused {
		t.Fatalf("not refused: state %s, problem %q, build %q", g.State(), g.Problem, g.BuildOutput)
	}
	wantFailing(t, g, `zz.go:4: imports "os"`)
	wantFailing(t, g, `zz.go:5: imports "os/exec"`)
}

// The defences behind the screening, tested by trusting code that the
// screening would refuse (runner.Options.TrustImpl).

func TestRecordsWithoutTheRunsSecretAreNotTrusted(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	cheat := `package lamport

import (
	"fmt"
	"os"
)

func init() {
	f := os.NewFile(3, "records")
	for _, e := range []string{"start", "end"} {
		fmt.Fprintf(f, "{\"nonce\":\"guess\",\"event\":%q}\n", e)
	}
}
`
	g := grade(t, c, runner.Options{TrustImpl: true}, runner.Item{Lesson: l, Impl: exercise(t, c, l.StubDir(), map[string]string{"zz.go": cheat})})[0]
	wantFailing(t, g, "private channel")
}

func TestTheTestBinaryGetsNoneOfTheCallersEnvironment(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	t.Setenv("DSLEARN_COURSE", t.TempDir())
	t.Setenv("GOFLAGS", "-x")
	t.Setenv("SECRET_TOKEN", "x")
	probe := `package lamport

import (
	"os"
	"strings"
)

func init() {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "HOME", "TMPDIR", "GOTRACEBACK", "DSLEARN_HARNESS_FD", "DSLEARN_HARNESS_NONCE", "DSLEARN_SEED", "DSLEARN_RUNS":
		default:
			panic("the environment leaks " + k)
		}
	}
	if wd, _ := os.Getwd(); wd != "/tmp" {
		if entries, _ := os.ReadDir("."); len(entries) != 0 {
			panic("the working directory is not empty")
		}
	}
}
`
	g := grade(t, c, runner.Options{TrustImpl: true}, runner.Item{Lesson: l, Impl: exercise(t, c, l.SolutionDir(), map[string]string{"zz.go": probe})})[0]
	if g.State() != Passed {
		t.Errorf("state = %s, problem %q", g.State(), g.Problem)
	}
}

func TestAnEscapedProcessDoesNotOutliveTheCheck(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the subreaper and the process tree need Linux")
	}
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	pidFile := filepath.Join(t.TempDir(), "pid")
	cheat := fmt.Sprintf(`package lamport

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

func init() {
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	os.WriteFile(%q, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
}
`, pidFile)
	grade(t, c, runner.Options{TrustImpl: true}, runner.Item{Lesson: l, Impl: exercise(t, c, l.SolutionDir(), map[string]string{"zz.go": cheat})})
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the escaping process never started: %v", err)
	}
	pid, _ := strconv.Atoi(string(data))
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && !strings.Contains(string(stat), ") Z ") {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("process %d (sleep 300, started with Setsid) outlived the check", pid)
	}
}

func TestResourceLimitsAreReportedAsThemselves(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("memory is measured through /proc")
	}
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	for _, tc := range []struct {
		name, hook, problem string
		limits              runner.Limits
	}{
		{"memory", `for range 64 {
		b := make([]byte, 64<<20)
		for i := range b {
			b[i] = 1
		}
		hog = append(hog, b)
	}`, "used more than 256 MiB of memory", runner.Limits{Memory: 256 << 20}},
		{"output", `for range 4096 {
		fmt.Println(strings.Repeat("x", 1023))
	}`, "printed more than 1 MiB", runner.Limits{Output: 1 << 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook := "package lamport\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nvar hog [][]byte\nvar _ = fmt.Sprint\nvar _ = strings.Repeat\n\nfunc hook() {\n\t" + tc.hook + "\n}\n"
			impl := exercise(t, c, l.SolutionDir(), map[string]string{"zz_hook.go": hook},
				"\tc.time++\n\treturn c.time\n", "\tc.time++\n\thook()\n\treturn c.time\n")
			start := time.Now()
			g := grade(t, c, runner.Options{Limits: tc.limits, Timeout: 5 * time.Minute}, runner.Item{Lesson: l, Impl: impl})[0]
			wantFailing(t, g, tc.problem)
			if d := time.Since(start); d > 90*time.Second {
				t.Errorf("took %v; a limit must stop the run when it is passed", d)
			}
		})
	}
}

// tamperer rewrites every hidden suite, test binary and course file it can
// find: the build directories of other runs (the system temp directory),
// and the course directory named in dir.
func tamperer(dir string) string {
	return fmt.Sprintf(`package lamport

import (
	"os"
	"path/filepath"
	"strings"
)

func init() {
	var targets []string
	for _, pattern := range []string{
		filepath.Join(os.TempDir(), "dslearn-check-*", "exercises", "*", "*_test.go"),
		filepath.Join(os.TempDir(), "dslearn-check-*", "bin", "*.test"),
		"/tmp/dslearn-check-*/bin/*.test",
		"../../bin/*.test",
		"../../exercises/*/*_test.go",
		%q,
	} {
		m, _ := filepath.Glob(pattern)
		targets = append(targets, m...)
	}
	for _, p := range targets {
		if strings.Contains(p, "lamport") {
			continue
		}
		if strings.HasSuffix(p, ".test") {
			os.Chmod(p, 0o755)
			os.WriteFile(p, []byte("#!/bin/sh\necho PASS\n"), 0o755)
			continue
		}
		os.WriteFile(p, []byte("package x_test\n"), 0o644)
	}
}
`, filepath.Join(dir, "content", "suites", "*", "*_test.go"))
}

func TestUnderTheSandboxNoRunReachesAnother(t *testing.T) {
	c := builtIn(t)
	sb, err := sandbox.Detect(context.Background(), "")
	if err != nil {
		t.Skipf("no sandbox here: %v", err)
	}
	// A course on disk, as an instructor's --course directory.
	courseDir := t.TempDir()
	if err := os.CopyFS(courseDir, c.FS); err != nil {
		t.Fatal(err)
	}
	disk, err := course.Load(os.DirFS(courseDir), courseDir)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, courseDir)
	lam, vc := lesson(t, disk, "lamport-clocks"), lesson(t, disk, "vector-clocks")
	cheat := exercise(t, disk, lam.SolutionDir(), map[string]string{"zz.go": tamperer(courseDir)})
	stub := exercise(t, disk, vc.StubDir(), nil)

	// One student's check --all (the tamperer beside an untouched stub), and
	// another student graded at the same time.
	var wg sync.WaitGroup
	var mine, theirs []*Graded
	wg.Add(2)
	go func() {
		defer wg.Done()
		mine = grade(t, disk, runner.Options{TrustImpl: true, Sandbox: sb}, runner.Item{Lesson: lam, Impl: cheat}, runner.Item{Lesson: vc, Impl: stub})
	}()
	go func() {
		defer wg.Done()
		theirs = grade(t, disk, runner.Options{Sandbox: sb}, runner.Item{Lesson: vc, Impl: stub}, runner.Item{Lesson: lam, Impl: exercise(t, disk, lam.StubDir(), nil)})
	}()
	wg.Wait()
	for _, g := range append(mine[1:], theirs...) {
		if st := g.State(); st != NotStarted {
			t.Errorf("%s: an untouched stub is %s (problem %q): another run reached it", g.Lesson.Slug, st, g.Problem)
		}
	}
	if after := snapshot(t, courseDir); after != before {
		t.Error("the course on disk changed during grading")
	}
}

// snapshot is every file of dir with its contents, as one string.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %d %x\n", p, len(data), data)
		}
		return nil
	})
	return b.String()
}

func TestWithoutTheSandboxTheScreeningKeepsTheTampererOut(t *testing.T) {
	c := builtIn(t)
	courseDir := t.TempDir()
	if err := os.CopyFS(courseDir, c.FS); err != nil {
		t.Fatal(err)
	}
	disk, err := course.Load(os.DirFS(courseDir), courseDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DSLEARN_COURSE", courseDir)
	before := snapshot(t, courseDir)
	lam, vc := lesson(t, disk, "lamport-clocks"), lesson(t, disk, "vector-clocks")
	gs := grade(t, disk, runner.Options{}, runner.Item{Lesson: lam, Impl: exercise(t, disk, lam.SolutionDir(), map[string]string{"zz.go": tamperer(courseDir)})},
		runner.Item{Lesson: vc, Impl: exercise(t, disk, vc.StubDir(), nil)})
	if !gs[0].Refused {
		t.Errorf("the tamperer was not refused: %s, %q", gs[0].State(), gs[0].Problem)
	}
	if st := gs[1].State(); st != NotStarted {
		t.Errorf("the untouched stub is %s", st)
	}
	if after := snapshot(t, courseDir); after != before {
		t.Error("the course on disk changed during grading")
	}
}

func TestAProcessBombIsStoppedAndReportedAsSuch(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("processes are counted through /proc")
	}
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	bomb := `package lamport

import "os/exec"

func init() {
	for range 64 {
		exec.Command("sleep", "30").Start()
	}
	for {
	}
}
`
	start := time.Now()
	g := grade(t, c, runner.Options{TrustImpl: true}, runner.Item{Lesson: l, Impl: exercise(t, c, l.SolutionDir(), map[string]string{"zz.go": bomb})})[0]
	wantFailing(t, g, "started more processes than a check may")
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v: the bomb was not stopped when it passed the limit", d)
	}
}

// flipFS serves base, except that every read of name after the first gets
// later: a file swapped by a program running next to the check.
type flipFS struct {
	base  fstest.MapFS
	name  string
	later []byte
	mu    sync.Mutex
	opens int
}

func (f *flipFS) Open(name string) (fs.File, error) {
	if name != f.name {
		return f.base.Open(name)
	}
	f.mu.Lock()
	f.opens++
	n := f.opens
	f.mu.Unlock()
	if n == 1 {
		return f.base.Open(name)
	}
	return fstest.MapFS{name: {Data: f.later}}.Open(name)
}

func TestAFileSwappedAfterTheScreeningIsNeverBuilt(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	impl := &flipFS{
		base:  exercise(t, c, l.StubDir(), map[string]string{"zz_swap.go": "package lamport\n"}),
		name:  "zz_swap.go",
		later: []byte("package lamport\n\nimport \"os\"\n\nfunc init() { os.Exit(0) }\n"),
	}
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: impl})[0]
	if impl.opens != 1 {
		t.Errorf("zz_swap.go was read %d times; the grader must read each file once and screen and build that copy", impl.opens)
	}
	if g.State() == Passed || g.Refused || len(g.Checks) == 0 {
		t.Fatalf("state %s, refused %v, %d checks: want the stub's checks to run and fail", g.State(), g.Refused, len(g.Checks))
	}
	for _, ch := range g.Checks {
		if ch.Status != Fail || !strings.Contains(ch.Message, "not implemented yet") {
			t.Errorf("%s: %s %q: the build must hold the screened file (the stub runs), not the swapped one", ch.Name, ch.Status, ch.Message)
		}
	}
}

func TestAnImplementationTooLargeToReadIsRefused(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	big := "package lamport\n\n// " + strings.Repeat("x", maxImplFile) + "\n"
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: exercise(t, c, l.StubDir(), map[string]string{"big.go": big})})[0]
	wantFailing(t, g, "larger than 1 MiB")
}

func TestCompileErrorsAreReportedAsTheLearnersOwnCodeGivesThem(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	// The build yields at locks; a compile error on a line with a lock call
	// must still be reported at the learner's column, with no inserted
	// name in it.
	line := "func broken() { mu.Lock(); undefinedName() }"
	src := "package lamport\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\n" + line + "\n"
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: exercise(t, c, l.SolutionDir(), map[string]string{"zz_broken.go": src})})[0]
	want := fmt.Sprintf("zz_broken.go:7:%d: undefined: undefinedName", strings.Index(line, "undefinedName")+1)
	if !g.BuildFailed || !strings.Contains(g.BuildOutput, want) || strings.Contains(g.BuildOutput, "dslearn") {
		t.Errorf("build failed %v, output:\n%s\nwant it to contain %q and nothing the grader inserted", g.BuildFailed, g.BuildOutput, want)
	}
}
