package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/iostreams"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/muesli/termenv"
)

// workspaceFactory returns a factory over an in-memory course whose two
// lessons have exercises, inside a fresh workspace, with a fixed clock.
func workspaceFactory(t *testing.T) (*Factory, *workspace.Workspace, *strings.Builder, *strings.Builder) {
	t.Helper()
	return workspaceFactoryWith(t, manifest)
}

func workspaceFactoryWith(t *testing.T, manifest string) (*Factory, *workspace.Workspace, *strings.Builder, *strings.Builder) {
	t.Helper()
	fsys := fstest.MapFS{
		course.ManifestPath:                 {Data: []byte(manifest)},
		"lessons/01.md":                     {Data: []byte("# First\n")},
		"exercises/first-lesson/a.go":       {Data: []byte("package first\n")},
		"content/suites/first-lesson/s.go":  {Data: []byte("package first\n")},
		"exercises/second-lesson/b.go":      {Data: []byte("package second\n")},
		"content/suites/second-lesson/s.go": {Data: []byte("package second\n")},
	}
	c, err := course.Load(fsys, "test")
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	out, errOut := &strings.Builder{}, &strings.Builder{}
	ios.Out, ios.ErrOut = out, errOut
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w, _, err := workspace.Init(c, t.TempDir(), false, now)
	if err != nil {
		t.Fatal(err)
	}
	f := &Factory{IO: ios, Now: func() time.Time { return now },
		Getwd: func() (string, error) { return w.Root, nil }, Known: &workspace.Known{}}
	f.once.Do(func() { f.course = c })
	return f, w, out, errOut
}

func TestResetTwiceInOneSecondKeepsBothBackups(t *testing.T) {
	f, w, out, _ := workspaceFactory(t)
	for i := range 3 {
		if err := resetRun(&ResetOptions{F: f, Ref: "1"}); err != nil {
			t.Fatalf("reset %d: %v", i+1, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(w.StateDir(), "backups"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "first-lesson-20260101-000000 first-lesson-20260101-000000-2 first-lesson-20260101-000000-3"
	if strings.Join(names, " ") != want {
		t.Errorf("backups %q, want %q", names, want)
	}
	if !strings.Contains(out.String(), "Your version is kept in") || !strings.HasSuffix(strings.TrimSpace(out.String()), "-3") {
		t.Errorf("out = %q", out.String())
	}
}

func TestVersionTextNamesTheCommitAndTheCourse(t *testing.T) {
	f, _, _ := testFactory(t)
	c, _ := f.Course()
	for _, tc := range []struct {
		name     string
		settings []debug.BuildSetting
		want     []string
	}{
		{"stamped", []debug.BuildSetting{{Key: "vcs.revision", Value: "f62e867aaaabbbbccccddddeeeeffff000011112"}, {Key: "vcs.time", Value: "2026-12-06T09:00:00Z"}, {Key: "vcs.modified", Value: "true"}},
			[]string{"commit f62e867aaaabbbbccccddddeeeeffff000011112 (2026-12-06T09:00:00Z), with uncommitted changes\n", "built with go1.24.0 for ", "course: Test course (test; manifest version 1, 2 lessons)\n"}},
		{"not stamped", nil, []string{"commit unknown (built outside a git checkout, or with -buildvcs=false)\n"}},
	} {
		got := versionText(&debug.BuildInfo{GoVersion: "go1.24.0", Settings: tc.settings}, c)
		if !strings.HasPrefix(got, "dslearn ") {
			t.Errorf("%s: %q does not start with the version", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
	}
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestProgressBarsAlignWithStyledTitles(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	long := strings.Replace(manifest, "{number: 2, title: Two}", "{number: 2, title: Probabilistic Structures}", 1)
	for _, color := range []bool{false, true} {
		f, _, out, _ := workspaceFactoryWith(t, long)
		f.IO.Color, f.IO.OutTTY = color, color
		if err := progressRun(&ProgressOptions{F: f}); err != nil {
			t.Fatal(err)
		}
		if color && !strings.Contains(out.String(), "\x1b[") {
			t.Fatalf("styled output has no escape codes:\n%q", out.String())
		}
		var cols []int
		for _, line := range strings.Split(ansiRE.ReplaceAllString(out.String(), ""), "\n") {
			if strings.HasPrefix(line, "Chapter ") {
				cols = append(cols, utf8.RuneCountInString(line[:strings.Index(line, "[")]))
			}
		}
		if len(cols) != 2 || cols[0] != cols[1] {
			t.Errorf("color %v: bars start at columns %v, want one column:\n%s", color, cols, out)
		}
	}
}

func TestStatusLineIsErasedOnATerminalOnly(t *testing.T) {
	for _, tty := range []bool{true, false} {
		f, _, _, errOut := workspaceFactory(t)
		f.IO.ErrTTY = tty
		clear := showStatus(f, true, "checking first-lesson…")
		clear()
		want := ""
		if tty {
			want = "checking first-lesson…\r\x1b[K"
		}
		if errOut.String() != want {
			t.Errorf("tty %v: stderr %q, want %q", tty, errOut.String(), want)
		}
	}
}

func TestHintFromTheCourseMapNamesTheKey(t *testing.T) {
	for _, fromMap := range []bool{true, false} {
		f, _, out, _ := workspaceFactory(t)
		if err := hintRun(&HintOptions{F: f, Ref: "1", fromMap: fromMap}); err != nil {
			t.Fatal(err)
		}
		want := "Run dslearn hint first-lesson again for the next one."
		if fromMap {
			want = "Press h on this lesson again for the next one."
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("from the map %v: %q lacks %q", fromMap, out.String(), want)
		}
	}
}

func TestInitStartsWarmingTheBuildCache(t *testing.T) {
	for _, started := range []bool{true, false} {
		f, _, _ := testFactory(t)
		out := f.IO.Out.(*strings.Builder)
		calls := 0
		f.StartWarm = func(_ *Factory, root string) bool {
			calls++
			if filepath.Base(root) != "ws" {
				t.Errorf("warm-up started in %s, want the new workspace", root)
			}
			return started
		}
		if err := initRun(&InitOptions{F: f, Dir: "ws"}); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("warm-up started %d times, want once", calls)
		}
		if said := strings.Contains(out.String(), "build cache is being filled in the background"); said != started {
			t.Errorf("started %v, but init says so: %v\n%s", started, said, out)
		}
	}
}

func TestNoWarmUpWhenTurnedOff(t *testing.T) {
	t.Setenv(EnvNoWarm, "1")
	f, _, _ := testFactory(t)
	if spawnWarm(f, t.TempDir()) {
		t.Error("a warm-up started although " + EnvNoWarm + "=1")
	}
}

func TestACheckWaitsForTheWarmUpInit(t *testing.T) {
	f, w, _, _ := workspaceFactory(t)
	f.IO.ErrTTY = true
	shown := make(writes, 10)
	f.IO.ErrOut = shown
	release, ok := holdLock(warmLock(w)) // the warm-up is running
	if !ok {
		t.Fatal("could not take the warm-up lock")
	}
	var released atomic.Bool
	done := make(chan error, 1)
	go func() { done <- awaitWarm(context.Background(), f, w, true) }()
	waitFor(t, shown, "waiting for the build that init started to finish")
	released.Store(true)
	release() // the warm-up ends
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !released.Load() {
		t.Error("the check did not wait for the warm-up")
	}
	if last := <-shown; last != "\r\x1b[K" {
		t.Errorf("the waiting line was not erased: %q", last)
	}

	// Ctrl-C while waiting is an interruption; without a warm-up, no wait.
	release, _ = holdLock(warmLock(w))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := awaitWarm(ctx, f, w, true); !errors.Is(err, grader.ErrInterrupted) {
		t.Errorf("cancelled wait: %v", err)
	}
	release()
	if err := awaitWarm(ctx, f, w, true); err != nil {
		t.Errorf("no warm-up running: %v", err)
	}
}
