package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/sandbox"
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

// BenchmarkCheckProcess compares the whole `dslearn check lamport-clocks`
// process (start-up, workspace, build, suite, progress) with a plain
// `go test -json -race` over the same files, alternating the two in the same
// run with a warm build cache (target ratio ≤ 1.10).
func BenchmarkCheckProcess(b *testing.B) {
	b.Run("sandbox=off", func(b *testing.B) { benchCheck(b, "off") })
	b.Run("sandbox=bwrap", func(b *testing.B) {
		if _, err := sandbox.Detect(context.Background(), ""); err != nil {
			b.Skip(err)
		}
		benchCheck(b, "require")
	})
}

// BenchmarkGradeSandbox compares `dslearn grade` of one workspace with every
// exercise solved, with and without the sandbox, alternating in one run.
func BenchmarkGradeSandbox(b *testing.B) {
	if _, err := sandbox.Detect(context.Background(), ""); err != nil {
		b.Skip(err)
	}
	bin := binary(b)
	dir := b.TempDir()
	ws := filepath.Join(dir, "ws")
	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("init", ws)
	sols, _ := filepath.Glob(filepath.Join("..", "..", "solutions", "*", "*.go"))
	for _, f := range sols {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(ws, "exercises", filepath.Base(filepath.Dir(f)), filepath.Base(f)), data, 0o644)
	}
	run("grade", "--sandbox", "off", ws)
	var tOff, tOn time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		run("grade", "--sandbox", "off", ws)
		tOff += time.Since(start)
		start = time.Now()
		run("grade", "--sandbox", "require", ws)
		tOn += time.Since(start)
		n++
	}
	b.ReportMetric(float64(tOff.Milliseconds())/float64(n), "plain-ms/op")
	b.ReportMetric(float64(tOn.Milliseconds())/float64(n), "sandboxed-ms/op")
	b.ReportMetric(float64(tOn)/float64(tOff), "ratio")
}

func benchCheck(b *testing.B, sandboxMode string) {
	bin := binary(b)
	dir := b.TempDir()
	ws := filepath.Join(dir, "ws")
	// No background warm-up from init: it would compete with what is measured.
	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "DSLEARN_NO_WARM=1")
	run := func(wd string, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = wd, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run(dir, bin, "init", ws)
	slug := "lamport-clocks"
	sol, _ := filepath.Glob(filepath.Join("..", "..", "solutions", slug, "*.go"))
	for _, f := range sol {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(ws, "exercises", slug, filepath.Base(f)), data, 0o644)
	}
	// The plain run: the same module layout, assembled once by hand.
	plain := filepath.Join(dir, "plain")
	for _, p := range []string{"internal/check", "internal/check/hb", "simnet", "exercises/" + slug} {
		os.MkdirAll(filepath.Join(plain, p), 0o755)
	}
	copyGo := func(from, to string, tests bool) {
		files, _ := filepath.Glob(filepath.Join(from, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") != tests {
				continue
			}
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(to, filepath.Base(f)), data, 0o644)
		}
	}
	copyGo("../../internal/check", filepath.Join(plain, "internal/check"), false)
	copyGo("../../internal/check/hb", filepath.Join(plain, "internal/check/hb"), false)
	copyGo("../../simnet", filepath.Join(plain, "simnet"), false)
	copyGo("../../solutions/"+slug, filepath.Join(plain, "exercises", slug), false)
	copyGo("../../content/suites/"+slug, filepath.Join(plain, "exercises", slug), true)
	os.WriteFile(filepath.Join(plain, "go.mod"), []byte("module github.com/dslearn/dslearn\n\ngo 1.24\n"), 0o644)

	goTest := func() {
		run(plain, "go", "test", "-json", "-count=1", "-tags", "dslearnsuite", "-race", "./exercises/"+slug+"/")
	}
	check := func() { run(ws, bin, "check", slug, "--sandbox", sandboxMode) }
	goTest()
	check()
	var tPlain, tCheck time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		goTest()
		tPlain += time.Since(start)
		start = time.Now()
		check()
		tCheck += time.Since(start)
		n++
	}
	b.ReportMetric(float64(tPlain.Milliseconds())/float64(n), "plain-ms/op")
	b.ReportMetric(float64(tCheck.Milliseconds())/float64(n), "dslearn-ms/op")
	b.ReportMetric(float64(tCheck)/float64(tPlain), "ratio")
}

// BenchmarkGlamourFloor: a program that links glamour and does nothing. Its
// package initialisation (chroma's lexers and styles, goldmark, bluemonday)
// is the floor under every dslearn command, since Go initialises every
// linked package before main.
func BenchmarkGlamourFloor(b *testing.B) {
	dir := b.TempDir()
	floor := filepath.Join(dir, "floor")
	if out, err := exec.Command("go", "build", "-o", floor, "./testdata/floor").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		if err := exec.Command(floor).Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRaftChapter times `dslearn check --chapter 7` (the four Raft
// suites, under the race detector, with their default seeds) on the
// reference solutions, after one untimed run has filled the build cache.
// The chapter's target: at most 30 s on a two-core machine.
func BenchmarkRaftChapter(b *testing.B) {
	bin := binary(b)
	dir := b.TempDir()
	ws := filepath.Join(dir, "ws")
	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "DSLEARN_NO_WARM=1")
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = ws, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	mk := exec.Command(bin, "init", ws)
	mk.Env = env
	if out, err := mk.CombinedOutput(); err != nil {
		b.Fatalf("init: %v\n%s", err, out)
	}
	for _, slug := range []string{"raft-election", "raft-log", "raft-persistence", "raft-kv"} {
		sol, _ := filepath.Glob(filepath.Join("..", "..", "solutions", slug, "*.go"))
		for _, f := range sol {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(ws, "exercises", slug, filepath.Base(f)), data, 0o644)
		}
	}
	run("check", "--chapter", "7")
	var total time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		run("check", "--chapter", "7")
		total += time.Since(start)
		n++
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(n), "chapter-ms/op")
}
