package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The benchmarks below time whole dslearn processes, start-up included, as
// a user experiences them. Results and the command that reproduces them are
// recorded in docs/benchmarks.md.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds dslearn once into a temporary directory.
func binary(b *testing.B) string {
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dslearn-bench-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "dslearn")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{out}
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

type buildError struct{ out []byte }

func (e *buildError) Error() string { return "go build: " + string(e.out) }

func benchProcess(b *testing.B, env []string, args ...string) {
	bin := binary(b)
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatalf("dslearn %v: %v", args, err)
		}
	}
}

// BenchmarkHelp: `dslearn --help` (target: 15 ms on a 2-core machine).
func BenchmarkHelp(b *testing.B) { benchProcess(b, nil, "--help") }

// BenchmarkLessonPiped: `dslearn lesson 3 | cat` (target: 50 ms).
func BenchmarkLessonPiped(b *testing.B) { benchProcess(b, nil, "lesson", "3") }

// BenchmarkLessonTerminal: `dslearn lesson 3` styled as on a terminal, without
// the pager (target: 50 ms).
func BenchmarkLessonTerminal(b *testing.B) {
	benchProcess(b, []string{"DSLEARN_FORCE_TTY=1", "COLORTERM=truecolor", "TERM=xterm-256color"}, "lesson", "3", "--no-pager")
}
