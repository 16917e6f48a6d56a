package cli

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
)

// writes sends every write to a channel, so a test can act on what the
// learner has just been shown without sleeping.
type writes chan string

func (w writes) Write(p []byte) (int, error) { w <- string(p); return len(p), nil }

// waitFor reads writes until one contains s, and returns everything read.
func waitFor(t *testing.T, w writes, s string) string {
	t.Helper()
	var seen strings.Builder
	timeout := time.After(10 * time.Second)
	for {
		select {
		case p := <-w:
			seen.WriteString(p)
			if strings.Contains(p, s) {
				return seen.String()
			}
		case <-timeout:
			t.Fatalf("never shown %q; shown:\n%s", s, seen.String())
		}
	}
}

func passed(l *course.Lesson) *grader.Graded {
	return &grader.Graded{Lesson: l, Result: &grader.Result{Checks: []*grader.Check{{Name: "TestA", Title: "A", Status: grader.Pass}}}}
}

func failing(l *course.Lesson) *grader.Graded {
	return &grader.Graded{Lesson: l, Result: &grader.Result{Checks: []*grader.Check{{Name: "TestA", Title: "A", Status: grader.Fail, Message: "wrong"}}}}
}

// watchHarness runs watchRun with a fake grader and file watcher.
type watchHarness struct {
	out   writes
	saved chan struct{}
	keys  *io.PipeWriter
	calls chan string // the slug of each grade call, when it starts
	ended chan error
	f     *Factory
}

func startWatch(t *testing.T, ctx context.Context, ref string, grade func(ctx context.Context, l *course.Lesson, n int) (*grader.Graded, error)) *watchHarness {
	f, _, _, _ := workspaceFactory(t)
	h := &watchHarness{out: make(writes, 100), saved: make(chan struct{}), calls: make(chan string, 10), ended: make(chan error, 1), f: f}
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	h.keys = pw
	f.IO.In, f.IO.Out = pr, h.out
	n := 0
	o := &WatchOptions{F: f, Ref: ref,
		grade: func(ctx context.Context, c *course.Course, l *course.Lesson, impl fs.FS, opts runner.Options) (*grader.Graded, error) {
			n++
			h.calls <- l.Slug
			return grade(ctx, l, n)
		},
		changes: func(dir string, poll bool, interval time.Duration) (<-chan struct{}, string, func(), error) {
			return h.saved, "events", func() {}, nil
		},
	}
	go func() { h.ended <- watchRun(ctx, o) }()
	return h
}

func (h *watchHarness) press(t *testing.T, key string) {
	t.Helper()
	if _, err := h.keys.Write([]byte(key)); err != nil {
		t.Fatal(err)
	}
}

func TestWatchCancelsTheCheckInFlightOnASave(t *testing.T) {
	firstCanceled := make(chan bool, 1)
	h := startWatch(t, context.Background(), "1", func(ctx context.Context, l *course.Lesson, n int) (*grader.Graded, error) {
		if n == 1 { // a hung check: it ends only when cancelled
			<-ctx.Done()
			firstCanceled <- true
			return nil, grader.ErrInterrupted
		}
		return passed(l), nil
	})
	if got := <-h.calls; got != "first-lesson" {
		t.Fatalf("first check of %s", got)
	}
	h.saved <- struct{}{} // the learner saves a fix while it hangs
	if !<-firstCanceled {
		t.Fatal("the hung check was not cancelled")
	}
	<-h.calls
	shown := waitFor(t, h.out, "Watching exercises/first-lesson/")
	if !strings.Contains(shown, "all 1 checks pass") {
		t.Errorf("the new check's pass is not shown:\n%s", shown)
	}
	if !strings.Contains(shown, "Next: lesson 2, Second. Press n to watch it") {
		t.Errorf("no offer of the next exercise:\n%s", shown)
	}
	h.press(t, "q")
	if err := <-h.ended; err != nil {
		t.Fatalf("q: %v, want a clean exit", err)
	}
	p, err := h.f.LoadProgress(h.f.OptionalWorkspace())
	if err != nil {
		t.Fatal(err)
	}
	if e := p.Get("first-lesson"); e.Attempts != 1 || e.State != "passed" {
		t.Errorf("progress %+v: want the cancelled check unrecorded and the pass recorded (1 attempt)", e)
	}
}

func TestWatchGoesOnToTheNextExerciseWithN(t *testing.T) {
	h := startWatch(t, context.Background(), "", func(ctx context.Context, l *course.Lesson, n int) (*grader.Graded, error) {
		if l.Slug == "first-lesson" {
			return passed(l), nil
		}
		return failing(l), nil
	})
	shown := waitFor(t, h.out, "Press n to watch it")
	if !strings.Contains(shown, "checking first-lesson") {
		t.Errorf("shown:\n%s", shown)
	}
	h.press(t, "n")
	if got := <-h.calls; got != "first-lesson" {
		t.Fatalf("first call %s", got)
	}
	if got := <-h.calls; got != "second-lesson" {
		t.Fatalf("after n, checked %s, want second-lesson", got)
	}
	shown = waitFor(t, h.out, "Watching exercises/second-lesson/")
	if !strings.Contains(shown, "0 of 1 checks passed") {
		t.Errorf("shown:\n%s", shown)
	}
	h.press(t, "q")
	if err := <-h.ended; err != nil {
		t.Fatal(err)
	}
}

func TestWatchInterruptedExits130(t *testing.T) {
	t.Run("Ctrl-C key", func(t *testing.T) {
		h := startWatch(t, context.Background(), "1", func(ctx context.Context, l *course.Lesson, n int) (*grader.Graded, error) {
			return failing(l), nil
		})
		waitFor(t, h.out, "Watching")
		h.press(t, "\x03")
		err := <-h.ended
		if code := exitCode(io.Discard, nil, err); code != ExitInterrupted {
			t.Errorf("Ctrl-C: %v, exit %d, want %d", err, code, ExitInterrupted)
		}
	})
	t.Run("signal during a check", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := startWatch(t, ctx, "1", func(ctx context.Context, l *course.Lesson, n int) (*grader.Graded, error) {
			<-ctx.Done()
			return nil, grader.ErrInterrupted
		})
		<-h.calls
		cancel()
		err := <-h.ended
		if !errors.Is(err, grader.ErrInterrupted) || exitCode(io.Discard, nil, err) != ExitInterrupted {
			t.Errorf("interrupt: %v, want exit %d", err, ExitInterrupted)
		}
		p, _ := h.f.LoadProgress(h.f.OptionalWorkspace())
		if e := p.Get("first-lesson"); e.Attempts != 0 {
			t.Errorf("an interrupted check was recorded: %+v", e)
		}
	})
}
