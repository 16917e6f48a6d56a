// Package runner builds and runs a hidden suite against an implementation of
// an exercise: it assembles a temporary Go module from the course's support
// code, the suite and the implementation's files, runs `go test -json` in it
// under a time limit, and removes it on every path, interruption included.
//
// The temporary module is laid out exactly like the course repository and a
// learner's workspace (exercises/<slug>/, simnet/, internal/check/), so the
// learner's imports resolve the same way in all three, and the compiler's
// messages name the learner's own paths (exercises/<slug>/file.go:12:3).
package runner

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/sandbox"
)

// SuiteTag is the build tag every hidden suite file carries, so that the
// project's own `go test ./...` never runs a suite against a stub.
const SuiteTag = "dslearnsuite"

// ErrNoGo is returned when no Go toolchain can be found.
var ErrNoGo = errors.New("the Go toolchain was not found")

// Build is an assembled temporary module, ready to compile.
type Build struct {
	// Dir is the root of the temporary module.
	Dir string
	// Pkgs are the exercises' packages, relative to Dir ("./exercises/<slug>").
	Pkgs []string
	// ImportPaths are the same packages' import paths.
	ImportPaths []string
}

// Remove deletes the temporary module. Test binaries may have been made
// read-only; Remove restores write permission first.
func (b *Build) Remove() error {
	filepath.WalkDir(b.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(b.Dir)
}

// Item is one exercise to build: a lesson and the implementation to judge,
// a directory holding the exercise's .go files (such as a learner's
// exercises/<slug>/, or the course's solution).
type Item struct {
	Lesson *course.Lesson
	Impl   fs.FS
	// Plain builds the implementation's files exactly as they are, without
	// the yields at locks (see yieldAtLocks).
	Plain bool
}

// Assemble creates one temporary module holding every item, so that a
// single go command compiles all their test binaries. Only non-test .go
// files are taken from an implementation: a learner's own tests never run
// next to the suite. Every suite is instrumented for the harness (see
// instrument), which is the only source of a verdict, and every
// implementation yields the processor at its locks unless the item is Plain
// (see yieldAtLocks).
func Assemble(c *course.Course, items ...Item) (*Build, error) {
	dir, err := os.MkdirTemp("", "dslearn-check-")
	if err != nil {
		return nil, fmt.Errorf("creating a build directory (in %s; set TMPDIR to a writable directory): %w", os.TempDir(), err)
	}
	b := &Build{Dir: dir}
	if err := b.fill(c, items); err != nil {
		b.Remove()
		return nil, err
	}
	return b, nil
}

func (b *Build) fill(c *course.Course, items []Item) error {
	gomod := fmt.Sprintf("module %s\n\ngo %s\n", c.Module, c.GoVersion)
	if err := os.WriteFile(filepath.Join(b.Dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	for _, d := range append(append([]string{}, c.WorkspaceFiles...), c.GradingFiles...) {
		if err := copyTree(c.FS, d, filepath.Join(b.Dir, filepath.FromSlash(d)), isSource); err != nil {
			return fmt.Errorf("copying support code %s: %w", d, err)
		}
	}
	hdir := filepath.Join(b.Dir, filepath.FromSlash(HarnessDir))
	if err := os.MkdirAll(hdir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(hdir, "harness.go"), harnessSource, 0o644); err != nil {
		return err
	}
	for _, it := range items {
		l := it.Lesson
		pkgDir := filepath.Join(b.Dir, filepath.FromSlash(l.StubDir()))
		if err := os.MkdirAll(pkgDir, 0o755); err != nil {
			return err
		}
		names, err := implFiles(it.Impl)
		if err != nil {
			return fmt.Errorf("%s: %w", l.StubDir(), err)
		}
		files := map[string][]byte{}
		for _, name := range names {
			data, err := fs.ReadFile(it.Impl, name)
			if err != nil {
				return err
			}
			files[name] = data
		}
		if !it.Plain {
			files = yieldAtLocks(files)
		}
		for _, name := range names {
			if err := os.WriteFile(filepath.Join(pkgDir, name), files[name], 0o644); err != nil {
				return err
			}
		}
		if err := b.copySuite(c, l, pkgDir); err != nil {
			return fmt.Errorf("the hidden suite of %s: %w", l.Slug, err)
		}
		b.Pkgs = append(b.Pkgs, "./"+l.StubDir())
		b.ImportPaths = append(b.ImportPaths, c.Module+"/"+l.StubDir())
	}
	return nil
}

// copySuite writes lesson l's suite into pkgDir, instrumented, with the
// generated TestMain that hands control to the harness.
func (b *Build) copySuite(c *course.Course, l *course.Lesson, pkgDir string) error {
	entries, err := fs.ReadDir(c.FS, l.SuiteDir())
	if err != nil {
		return err
	}
	harness := c.Module + "/" + HarnessDir
	pkg := ""
	for _, e := range entries {
		if e.IsDir() || !isTest(e.Name()) {
			continue
		}
		src, err := fs.ReadFile(c.FS, l.SuiteDir()+"/"+e.Name())
		if err != nil {
			return err
		}
		out, name, err := instrument(e.Name(), src, harness)
		if err != nil {
			return err
		}
		pkg = name
		if err := os.WriteFile(filepath.Join(pkgDir, e.Name()), out, 0o644); err != nil {
			return err
		}
	}
	if pkg == "" {
		return errors.New("it has no _test.go files")
	}
	main := fmt.Sprintf("//go:build %s\n\npackage %s\n\nimport (\n\t\"testing\"\n\n\tdslearnharness %q\n)\n\nfunc TestMain(m *testing.M) { dslearnharness.Main(m) }\n", SuiteTag, pkg, harness)
	return os.WriteFile(filepath.Join(pkgDir, mainFile), []byte(main), 0o644)
}

// HarnessDir is where the harness package (harness/harness.go, embedded)
// is written in every graded build.
const HarnessDir = "internal/dslearnharness"

//go:embed harness/harness.go
var harnessSource []byte

// mainFile is the generated file that holds the suite's TestMain.
const mainFile = "zz_dslearn_main_test.go"

// implFiles lists the non-test .go files of an implementation directory.
func implFiles(impl fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(impl, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isSource(e.Name()) {
			if !e.Type().IsRegular() {
				return nil, fmt.Errorf("%s is not a regular file", e.Name())
			}
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, ErrNoFiles
	}
	return names, nil
}

// ErrNoFiles means the implementation directory holds no Go files.
var ErrNoFiles = errors.New("no .go files")

func isSource(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.go") }

// copyTree copies the files of dir in fsys accepted by keep into dst.
func copyTree(fsys fs.FS, dir, dst string, keep func(string) bool) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !keep(d.Name()) {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		target := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// Options control one run of a suite.
type Options struct {
	// Seed, when non-zero, replays that one seed in every randomized check.
	Seed uint64
	// Runs, when positive, is how many seeds every randomized check tries.
	Runs int
	// Race turns on the race detector.
	Race bool
	// Timeout bounds the run of one test binary (its -test.timeout); the
	// binary is stopped a few seconds later if it is still running.
	Timeout time.Duration
	// Run selects checks by name (go test -run).
	Run string
	// Go is the go command to use; empty means "go" from PATH.
	Go string
	// Sandbox, when set, runs every test binary inside it.
	Sandbox *sandbox.Sandbox
	// Limits bound what one test binary may use; zero fields take the defaults.
	Limits Limits
	// TrustImpl skips the screening of the implementation's files. Only the
	// tests of the defences behind the screening set it.
	TrustImpl bool
	// Phase, when set, is told what the check is doing: PhaseCompiling,
	// then PhaseRunning.
	Phase func(string)
	// Artifacts, when set, is a directory the suite may leave files in for
	// the learner (check.Artifact), such as the visualization of a history
	// that is not linearizable; ArtifactsShown is how the learner sees that
	// directory (a path relative to their workspace). Exec empties it before
	// the binary starts and removes it afterwards if nothing was written; in
	// the sandbox it is the only directory the binary can write to that
	// outlives the run. The grader gives each exercise a subdirectory named
	// by its slug.
	Artifacts, ArtifactsShown string
}

// The phases of a check, for Options.Phase.
const (
	PhaseCompiling = "compiling"
	PhaseRunning   = "running"
)

func (o Options) phase(p string) {
	if o.Phase != nil {
		o.Phase(p)
	}
}

// Limits bound the resources of one test binary. Each, when passed, stops
// the binary and is reported as itself.
type Limits struct {
	// Memory is the most resident memory of the binary and its processes, in bytes.
	Memory int64
	// Output is the most the binary may print, in bytes.
	Output int64
	// Procs is the most processes the binary may have running at once.
	Procs int
}

// The default limits. Memory leaves room for the race detector, which
// multiplies a program's memory by five to ten.
const (
	DefaultMemory = 2 << 30
	DefaultOutput = 10 << 20
	DefaultProcs  = 16
)

func (l Limits) withDefaults() Limits {
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.Output <= 0 {
		l.Output = DefaultOutput
	}
	if l.Procs <= 0 {
		l.Procs = DefaultProcs
	}
	return l
}

// buildAllowance bounds compiling and linking the test binaries.
const buildAllowance = 3 * time.Minute

// goCommand finds the go command.
func (o Options) goCommand() (string, error) {
	if o.Go != "" {
		return o.Go, nil
	}
	p, err := exec.LookPath("go")
	if err != nil {
		return "", ErrNoGo
	}
	return p, nil
}

// Compiled says how compiling a build's test binaries ended.
type Compiled struct {
	// Code is the go command's exit code (-1 if it was killed).
	Code        int
	Deadline    bool
	Interrupted bool
	Elapsed     time.Duration
}

// Compile builds the test binary of every package of b with `go test -c
// -json`, before any learner code runs. consume receives the go command's
// JSON build events on stdout and its stderr; it must read both to the end.
// The binaries are then made read-only.
func (b *Build) Compile(ctx context.Context, opts Options, consume func(stdout, stderr io.Reader) error) (Compiled, error) {
	goCmd, err := opts.goCommand()
	if err != nil {
		return Compiled{}, err
	}
	opts.phase(PhaseCompiling)
	args := []string{"test", "-c", "-json", "-trimpath", "-tags", SuiteTag, "-o", b.binDir() + string(filepath.Separator)}
	if opts.Race {
		args = append(args, "-race")
	}
	args = append(args, b.Pkgs...)
	runCtx, cancel := context.WithTimeout(ctx, buildAllowance)
	defer cancel()
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = b.Dir
	// The go command's own work directories go inside the build directory,
	// so that they are removed with it even when go is killed.
	gotmp := filepath.Join(b.Dir, ".gotmp")
	if err := os.MkdirAll(gotmp, 0o700); err != nil {
		return Compiled{}, err
	}
	cmd.Env = append(goEnv(os.Environ(), opts), "GOTMPDIR="+gotmp)
	setProcessGroup(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Compiled{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Compiled{}, err
	}
	start := time.Now()
	if err := startTracked(cmd); err != nil {
		return Compiled{}, fmt.Errorf("starting go test -c: %w", err)
	}
	defer untrack(cmd)
	stop := context.AfterFunc(runCtx, func() { killProcessGroup(cmd) })
	cerr := consume(stdout, stderr)
	io.Copy(io.Discard, stdout)
	io.Copy(io.Discard, stderr)
	werr := cmd.Wait()
	stop()
	out := Compiled{Code: cmd.ProcessState.ExitCode(), Elapsed: time.Since(start)}
	switch {
	case ctx.Err() != nil:
		out.Interrupted = true
	case runCtx.Err() != nil:
		out.Deadline = true
	}
	if cerr != nil {
		return out, cerr
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return out, werr
	}
	// Nothing may change a test binary once it is built.
	entries, _ := os.ReadDir(b.binDir())
	for _, e := range entries {
		os.Chmod(filepath.Join(b.binDir(), e.Name()), 0o555)
	}
	os.Chmod(b.binDir(), 0o555)
	return out, nil
}

func (b *Build) binDir() string { return filepath.Join(b.Dir, "bin") }

// Binary is the path of package i's test binary, or "" if it was not built.
func (b *Build) Binary(i int) string {
	p := filepath.Join(b.binDir(), path.Base(b.Pkgs[i])+".test")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// goEnv is the environment of the go command: the user's, minus settings
// that would make the temporary module behave unlike a plain one or build
// for another machine. The build never touches the network.
func goEnv(base []string, opts Options) []string {
	drop := map[string]bool{"GOFLAGS": true, "GOWORK": true, "GO111MODULE": true, "GOPROXY": true, "GOTMPDIR": true,
		"GOTOOLCHAIN": true, "GOOS": true, "GOARCH": true, "GOEXPERIMENT": true}
	env := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] && !strings.HasPrefix(k, "DSLEARN_") {
			env = append(env, kv)
		}
	}
	env = append(env, "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOPROXY=off", "GOTOOLCHAIN=local")
	if opts.Race {
		env = append(env, "CGO_ENABLED=1")
	}
	return env
}

// RaceSupport reports whether `go test -race` can work here: it needs cgo and
// a C compiler. When it cannot, why says so in one line.
func RaceSupport(goCmd string) (ok bool, why string) {
	if goCmd == "" {
		goCmd = "go"
	}
	var buf bytes.Buffer
	cmd := exec.Command(goCmd, "env", "CGO_ENABLED", "CC")
	cmd.Stdout = &buf
	err := startTracked(cmd)
	if err == nil {
		err = cmd.Wait()
		untrack(cmd)
	}
	out := buf.Bytes()
	if err != nil {
		return false, "could not ask the go command about cgo"
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != "1" {
		return false, "cgo is disabled (CGO_ENABLED=0), and the race detector needs it"
	}
	cc := strings.Fields(lines[1])
	if len(cc) == 0 {
		return false, "no C compiler is configured, and the race detector needs one"
	}
	if _, err := exec.LookPath(cc[0]); err != nil {
		return false, fmt.Sprintf("the C compiler %q was not found, and the race detector needs one (install gcc or clang)", cc[0])
	}
	return true, ""
}
