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
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dslearn/dslearn/internal/course"
)

// SuiteTag is the build tag every hidden suite file carries, so that the
// project's own `go test ./...` never runs a suite against a stub.
const SuiteTag = "dslearnsuite"

// ErrNoGo is returned when no Go toolchain can be found.
var ErrNoGo = errors.New("the Go toolchain was not found")

// Build is an assembled temporary module, ready to test.
type Build struct {
	// Dir is the root of the temporary module.
	Dir string
	// Pkgs are the exercises' packages, relative to Dir ("./exercises/<slug>").
	Pkgs []string
}

// Remove deletes the temporary module.
func (b *Build) Remove() error { return os.RemoveAll(b.Dir) }

// Item is one exercise to build: a lesson and the implementation to judge,
// a directory holding the exercise's .go files (such as a learner's
// exercises/<slug>/, or the course's solution).
type Item struct {
	Lesson *course.Lesson
	Impl   fs.FS
}

// Assemble creates one temporary module holding every item, so that a
// single go test run builds and tests them all. Only non-test .go files are
// taken from an implementation: a learner's own tests never run next to the
// suite.
func Assemble(c *course.Course, items ...Item) (*Build, error) {
	dir, err := os.MkdirTemp("", "dslearn-check-")
	if err != nil {
		return nil, fmt.Errorf("creating a build directory: %w", err)
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
		for _, name := range names {
			data, err := fs.ReadFile(it.Impl, name)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(pkgDir, name), data, 0o644); err != nil {
				return err
			}
		}
		if err := copyTree(c.FS, l.SuiteDir(), pkgDir, isTest); err != nil {
			return fmt.Errorf("copying the hidden suite: %w", err)
		}
		b.Pkgs = append(b.Pkgs, "./"+l.StubDir())
	}
	return nil
}

// implFiles lists the non-test .go files of an implementation directory.
func implFiles(impl fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(impl, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isSource(e.Name()) {
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
	// Timeout bounds the run of the test binary (go test -timeout).
	Timeout time.Duration
	// Run selects checks by name (go test -run).
	Run string
	// Go is the go command to use; empty means "go" from PATH.
	Go string
}

// Exit describes how the go test process ended.
type Exit struct {
	// Code is the process exit code (-1 if it was killed).
	Code int
	// Killed is set when the run was stopped from outside: the time limit
	// passed (Deadline) or the user interrupted (Interrupted).
	Deadline    bool
	Interrupted bool
	Elapsed     time.Duration
}

// buildAllowance is added to the test time limit for compiling and linking.
const buildAllowance = 3 * time.Minute

// Run runs the suite in b. consume receives the stream of `go test -json`
// events on stdout and the go command's stderr; it must read both to the end
// (it may read them concurrently). Run waits for the process only after
// consume returns, so no output is lost.
func Run(ctx context.Context, b *Build, opts Options, consume func(stdout, stderr io.Reader) error) (Exit, error) {
	goCmd := opts.Go
	if goCmd == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return Exit{}, ErrNoGo
		}
		goCmd = p
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = course.DefaultTimeout
	}
	args := []string{"test", "-json", "-count=1", "-trimpath", "-tags", SuiteTag, "-timeout", timeout.String()}
	if opts.Race {
		args = append(args, "-race")
	}
	if opts.Run != "" {
		args = append(args, "-run", opts.Run)
	}
	args = append(args, b.Pkgs...)

	runCtx, cancel := context.WithTimeout(ctx, timeout+buildAllowance)
	defer cancel()
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = b.Dir
	// The go command's own work directories go inside the build directory,
	// so that they are removed with it even when go is killed.
	gotmp := filepath.Join(b.Dir, ".gotmp")
	if err := os.MkdirAll(gotmp, 0o755); err != nil {
		return Exit{}, err
	}
	cmd.Env = append(testEnv(os.Environ(), opts), "GOTMPDIR="+gotmp)
	setProcessGroup(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Exit{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Exit{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Exit{}, fmt.Errorf("starting go test: %w", err)
	}

	// Stop the whole process group (go, the compiler, the test binary) when
	// the context ends, whatever consume is doing.
	var once sync.Once
	stop := make(chan struct{})
	go func() {
		select {
		case <-runCtx.Done():
			once.Do(func() { killProcessGroup(cmd) })
		case <-stop:
		}
	}()

	cerr := consume(stdout, stderr)
	// Drain whatever consume left, so that Wait never blocks on a full pipe.
	io.Copy(io.Discard, stdout)
	io.Copy(io.Discard, stderr)
	werr := cmd.Wait()
	close(stop)

	exit := Exit{Code: cmd.ProcessState.ExitCode(), Elapsed: time.Since(start)}
	if ctx.Err() != nil {
		exit.Interrupted = true
	} else if runCtx.Err() != nil {
		exit.Deadline = true
	}
	if cerr != nil {
		return exit, cerr
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return exit, werr
	}
	return exit, nil
}

// testEnv is the environment of the go command: the user's, minus settings
// that would make the temporary module behave unlike a plain one, plus the
// suite's seed settings. The build never touches the network.
func testEnv(base []string, opts Options) []string {
	drop := map[string]bool{"GOFLAGS": true, "GOWORK": true, "GO111MODULE": true, "GOPROXY": true, "GOTMPDIR": true,
		"DSLEARN_SEED": true, "DSLEARN_RUNS": true, "GOTOOLCHAIN": true}
	env := make([]string, 0, len(base)+8)
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOPROXY=off", "GOTOOLCHAIN=local")
	if opts.Race {
		env = append(env, "CGO_ENABLED=1")
	}
	if opts.Seed != 0 {
		env = append(env, "DSLEARN_SEED="+strconv.FormatUint(opts.Seed, 10))
	}
	if opts.Runs > 0 {
		env = append(env, "DSLEARN_RUNS="+strconv.Itoa(opts.Runs))
	}
	return env
}

// RaceSupport reports whether `go test -race` can work here: it needs cgo and
// a C compiler. When it cannot, why says so in one line.
func RaceSupport(goCmd string) (ok bool, why string) {
	if goCmd == "" {
		goCmd = "go"
	}
	out, err := exec.Command(goCmd, "env", "CGO_ENABLED", "CC").Output()
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
