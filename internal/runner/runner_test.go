package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dslearn/dslearn/internal/course"
)

const manifest = `version: 1
title: T
module: example.com/t
go: "1.24"
chapters: [{number: 1, title: One}]
lessons:
  - {number: 1, slug: loop, title: Loop, chapter: 1, file: lessons/01.md, race: false}
`

func testCourse(t *testing.T, suite string) (*course.Course, *course.Lesson) {
	t.Helper()
	c, err := course.Load(fstest.MapFS{
		course.ManifestPath:             {Data: []byte(manifest)},
		"exercises/loop/loop.go":        {Data: []byte("package loop\n\nfunc Spin() {\n\tpanic(\"not implemented yet\")\n}\n")},
		"content/suites/loop/l_test.go": {Data: []byte(suite)},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return c, c.Lessons[0]
}

const loopSuite = `//go:build dslearnsuite

package loop_test

import (
	"testing"

	"example.com/t/exercises/loop"
)

func TestSpins(t *testing.T) { loop.Spin() }
`

var spinForever = fstest.MapFS{"loop.go": {Data: []byte("package loop\n\nfunc Spin() {\n\tfor {\n\t}\n}\n")}}

func TestAssembleTakesOnlyTheImplementationsSourceFiles(t *testing.T) {
	c, l := testCourse(t, loopSuite)
	impl := fstest.MapFS{
		"loop.go":      {Data: []byte("package loop\n\nfunc Spin() {}\n")},
		"mine_test.go": {Data: []byte("package loop\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n")},
		"notes.txt":    {Data: []byte("x")},
	}
	b, err := Assemble(c, Item{Lesson: l, Impl: impl})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	entries, _ := os.ReadDir(filepath.Join(b.Dir, "exercises", "loop"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "l_test.go loop.go "+mainFile {
		t.Errorf("the build holds %q; want the learner's source and the suite only", got)
	}
	if data, _ := os.ReadFile(filepath.Join(b.Dir, "go.mod")); !strings.Contains(string(data), "module example.com/t") {
		t.Errorf("go.mod = %q", data)
	}
	if _, err := Assemble(c, Item{Lesson: l, Impl: fstest.MapFS{"notes.txt": {Data: []byte("x")}}}); err == nil {
		t.Error("an implementation without Go files was accepted")
	}
}

// run compiles the looping suite and runs its binary with ctx and opts.
func run(t *testing.T, ctx context.Context, opts Options) (Ran, string) {
	t.Helper()
	c, l := testCourse(t, loopSuite)
	b, err := Assemble(c, Item{Lesson: l, Impl: spinForever})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Remove()
	compiled, err := b.Compile(ctx, opts, drain2)
	if err != nil || compiled.Code != 0 {
		t.Fatalf("compile: %+v %v", compiled, err)
	}
	ran, err := b.Exec(ctx, 0, opts, drain)
	if err != nil {
		t.Fatal(err)
	}
	return ran, b.Dir
}

func drain(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }

func drain2(stdout, stderr io.Reader) error {
	go io.Copy(io.Discard, stderr)
	return drain(stdout)
}

func TestInterruptStopsTheRunAndItsChildren(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	ctx, cancel := context.WithCancel(context.Background())
	c, l := testCourse(t, loopSuite)
	b, err := Assemble(c, Item{Lesson: l, Impl: spinForever})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Compile(ctx, Options{}, drain2); err != nil {
		t.Fatal(err)
	}
	dir := b.Dir
	time.AfterFunc(2*time.Second, cancel) // the user presses Ctrl-C
	start := time.Now()
	ran, err := b.Exec(ctx, 0, Options{Timeout: time.Hour}, drain)
	b.Remove()
	if err != nil {
		t.Fatal(err)
	}
	if !ran.Interrupted {
		t.Errorf("ran = %+v, want Interrupted", ran)
	}
	if d := time.Since(start); d > time.Minute {
		t.Errorf("the run went on for %v after the interrupt", d)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the build directory %s was not removed", dir)
	}
}

func TestAnInfiniteLoopIsStoppedAtTheTimeLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary")
	}
	ran, _ := run(t, context.Background(), Options{Timeout: 2 * time.Second})
	if ran.Code == 0 || ran.Interrupted {
		t.Errorf("ran = %+v, want a failure that is not an interrupt", ran)
	}
	if !ran.Started {
		t.Errorf("ran = %+v: the harness's start record was not received", ran)
	}
	if _, ended := ran.End(); ended {
		t.Errorf("ran = %+v: a run stopped at its limit has no end record", ran)
	}
}

func TestGoEnvIsolatesTheBuild(t *testing.T) {
	env := goEnv([]string{"GOFLAGS=-mod=vendor", "GOWORK=/x/go.work", "PATH=/bin", "DSLEARN_SEED=9", "DSLEARN_COURSE=/c", "GOOS=windows", "GOARCH=386", "GOEXPERIMENT=nosuch"}, Options{Seed: 17, Runs: 3, Race: true})
	joined := strings.Join(env, "\n")
	for _, want := range []string{"GOFLAGS=", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local", "CGO_ENABLED=1", "PATH=/bin"} {
		if !strings.Contains(joined, want+"\n") && !strings.HasSuffix(joined, want) {
			t.Errorf("environment lacks %s:\n%s", want, joined)
		}
	}
	for _, bad := range []string{"-mod=vendor", "/x/go.work", "DSLEARN_", "GOOS", "GOARCH", "GOEXPERIMENT"} {
		if strings.Contains(joined, bad) {
			t.Errorf("environment keeps %s", bad)
		}
	}
}
