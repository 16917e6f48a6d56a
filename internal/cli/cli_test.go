package cli

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
	dslearn "github.com/dslearn/dslearn"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/iostreams"
	"github.com/dslearn/dslearn/internal/workspace"
)

const manifest = `version: 1
title: Test course
module: example.com/t
go: "1.24"
chapters:
  - {number: 1, title: One}
  - {number: 2, title: Two}
lessons:
  - {number: 1, slug: first-lesson, title: First, chapter: 1, file: lessons/01.md, hints: [a, b, c]}
  - {number: 2, slug: second-lesson, title: Second, chapter: 2, file: lessons/02.md, hints: []}
`

// testFactory returns a factory over an in-memory course, with no terminal.
func testFactory(t *testing.T) (*Factory, *strings.Builder, *strings.Builder) {
	t.Helper()
	fsys := fstest.MapFS{
		course.ManifestPath: {Data: []byte(manifest)},
		"lessons/01.md":     {Data: []byte("---\ntitle: First\nslug: first-lesson\nnumber: 1\n---\n# First\n\nSome **bold** text and `code`.\n")},
	}
	c, err := course.Load(fsys, "test")
	if err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	out, errOut := &strings.Builder{}, &strings.Builder{}
	ios.Out, ios.ErrOut = out, errOut
	dir := t.TempDir()
	f := &Factory{IO: ios, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		Getwd: func() (string, error) { return dir, nil }, Known: &workspace.Known{}}
	f.once.Do(func() { f.course = c })
	return f, out, errOut
}

func TestCheckFlagsFillOptions(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    CheckOptions
		wantErr string
	}{
		{args: []string{"3"}, want: CheckOptions{Refs: []string{"3"}, Race: true}},
		{args: []string{"--all", "--json"}, want: CheckOptions{All: true, JSON: true, Race: true}},
		{args: []string{"--chapter", "2", "--race=false"}, want: CheckOptions{Chapter: 2}},
		{args: []string{"gossip", "--seed", "17", "--run", "^TestX$", "--runs", "5"}, want: CheckOptions{Refs: []string{"gossip"}, Seed: 17, Run: "^TestX$", Runs: 5, Race: true}},
		{args: []string{}, want: CheckOptions{Race: true}},
		{args: []string{"1", "--all"}, wantErr: "only one of these"},
		{args: []string{"--seed", "x", "1"}, wantErr: "invalid argument"},
	} {
		f, _, _ := testFactory(t)
		var got *CheckOptions
		cmd := NewCmdCheck(f, func(o *CheckOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("check %v: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("check %v: %v", tc.args, err)
			continue
		}
		g := *got
		g.F, g.raceSet = nil, false
		if g.Refs == nil {
			g.Refs = []string{}
		}
		if tc.want.Refs == nil {
			tc.want.Refs = []string{}
		}
		if strings.Join(g.Refs, ",") != strings.Join(tc.want.Refs, ",") || g.All != tc.want.All || g.Chapter != tc.want.Chapter ||
			g.JSON != tc.want.JSON || g.Seed != tc.want.Seed || g.Runs != tc.want.Runs || g.Run != tc.want.Run || g.Race != tc.want.Race {
			t.Errorf("check %v: options %+v, want %+v", tc.args, g, tc.want)
		}
	}
}

func TestLessonIsPlainWithoutColorAndStyledWithIt(t *testing.T) {
	f, out, _ := testFactory(t)
	if err := lessonRun(&LessonOptions{F: f, Ref: "1", NoPager: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\x1b[") || !strings.Contains(out.String(), "Some bold text") {
		t.Errorf("plain lesson:\n%q", out.String())
	}
	if strings.Contains(out.String(), "slug:") {
		t.Error("front matter was not stripped")
	}
	if !strings.Contains(out.String(), "exercise is not available yet") {
		t.Errorf("lesson does not end with its exercise:\n%s", out)
	}

	f, out, _ = testFactory(t)
	f.IO.Color, f.IO.OutTTY = true, true
	if err := lessonRun(&LessonOptions{F: f, Ref: "first-lesson", NoPager: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\x1b[") {
		t.Errorf("styled lesson has no escape codes:\n%q", out.String())
	}
}

func TestUnknownLessonIsAUsageErrorWithASuggestion(t *testing.T) {
	f, _, errOut := testFactory(t)
	err := lessonRun(&LessonOptions{F: f, Ref: "frist-lesson"})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a usage error", err)
	}
	if code := exitCode(errOut, nil, err); code != ExitUsage {
		t.Errorf("exit code %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(errOut.String(), "did you mean first-lesson?") {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestUnwrittenLessonSaysSo(t *testing.T) {
	f, _, _ := testFactory(t)
	err := lessonRun(&LessonOptions{F: f, Ref: "2"})
	if err == nil || !strings.Contains(err.Error(), "not written yet") {
		t.Errorf("err = %v", err)
	}
}

func TestCommandsOutsideAWorkspaceSayWhatToDo(t *testing.T) {
	f, _, _ := testFactory(t)
	err := progressRun(&ProgressOptions{F: f})
	var env *EnvError
	if !errors.As(err, &env) || !strings.Contains(err.Error(), "dslearn init") {
		t.Errorf("err = %v", err)
	}
}

func TestHintOutsideAWorkspaceShowsTheFirstHint(t *testing.T) {
	f, out, errOut := testFactory(t)
	if err := hintRun(&HintOptions{F: f, Ref: "1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Hint 1 of 3: a nudge") || strings.Contains(out.String(), "Hint 2") {
		t.Errorf("out = %q", out.String())
	}
	if !strings.Contains(errOut.String(), "not recorded") {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestAtLeast(t *testing.T) {
	for _, tc := range []struct {
		have, want string
		ok         bool
	}{{"go1.26.8", "1.24", true}, {"go1.24", "1.24", true}, {"go1.23.4", "1.24", false}, {"go1.25rc1", "1.24", true}, {"devel go1.27-abc", "1.24", false}} {
		if got := atLeast(tc.have, tc.want); got != tc.ok {
			t.Errorf("atLeast(%q, %q) = %v", tc.have, tc.want, got)
		}
	}
}

// TestLessonFootersAndGlossaryFitTheTerminal: the links, the early terms and
// the glossary are prose, so at 60 columns, styled or plain, no line of them
// is wider than the terminal.
func TestLessonFootersAndGlossaryFitTheTerminal(t *testing.T) {
	c, err := course.Load(dslearn.Files(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	refs := []string{glossaryRef}
	for _, l := range c.Lessons {
		refs = append(refs, strconv.Itoa(l.Number))
	}
	for _, styled := range []bool{false, true} {
		for _, ref := range refs {
			f, out, _ := testFactory(t)
			f.once = sync.Once{}
			f.once.Do(func() { f.course = c })
			f.IO.Width, f.IO.OutTTY, f.IO.Color = 60, true, styled
			if err := lessonRun(&LessonOptions{F: f, Ref: ref, NoPager: true}); err != nil {
				t.Fatal(err)
			}
			text := xansi.Strip(out.String())
			if ref != glossaryRef {
				i := strings.Index(text, "Builds on:")
				if i < 0 {
					t.Fatalf("lesson %s has no Builds on line:\n%s", ref, text)
				}
				text = text[i:]
			} else if !strings.Contains(text, "quorum (lesson 6, Quorum replication)") {
				t.Errorf("the glossary lacks quorum:\n%s", text)
			}
			for _, line := range strings.Split(text, "\n") {
				if w := xansi.StringWidth(line); w > 60 {
					t.Errorf("lesson %s, styled=%v: a line of %d columns: %q", ref, styled, w, line)
				}
			}
		}
	}
}

func TestCheckStatusSaysWhetherItCompilesOrRuns(t *testing.T) {
	f, _, errOut := testFactory(t)
	f.IO.ErrTTY = true
	st := newStatus(f, true, "checking lamport-clocks…")
	st.phase("compiling")
	st.phase("running")
	st.clear()
	st.set("late")
	want := "checking lamport-clocks…" + "\r\x1b[Kchecking lamport-clocks… compiling" + "\r\x1b[Kchecking lamport-clocks… running the checks" + "\r\x1b[K"
	if got := errOut.String(); got != want {
		t.Errorf("status output %q, want %q", got, want)
	}
	f2, _, errOut2 := testFactory(t)
	st2 := newStatus(f2, true, "checking x…")
	st2.phase("compiling")
	st2.clear()
	if errOut2.String() != "" {
		t.Errorf("without a terminal the status line printed %q", errOut2.String())
	}
}
