package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/watch"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// WatchOptions are the inputs of `dslearn watch`.
type WatchOptions struct {
	F        *Factory
	Ref      string
	Poll     bool
	Interval time.Duration
	Race     bool

	// grade and changes default to the real grader and file watcher;
	// tests replace them.
	grade   func(ctx context.Context, c *course.Course, l *course.Lesson, impl fs.FS, opts runner.Options) (*grader.Graded, error)
	changes func(dir string, poll bool, interval time.Duration) (ch <-chan struct{}, mode string, stop func(), err error)
}

// NewCmdWatch builds `dslearn watch [slug]`.
func NewCmdWatch(f *Factory) *cobra.Command {
	opts := &WatchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "watch [number|slug]",
		Short: "Re-check an exercise every time you save it",
		Long: `Check an exercise, then check it again each time one of its .go files is
saved, showing only the latest result. A save while a check is running stops
that check and starts again at once. After a pass, n goes on to the next
exercise. Without an argument it watches the exercise of the current
directory, else the first one you have not passed. Quit with q (exit 0) or
Ctrl-C (exit 130).

Where file events do not arrive (network file systems, WSL on a Windows
drive) it polls for changes instead, and says so; --poll forces polling.`,
		Example: `  dslearn watch
  dslearn watch gossip --poll`,
		Args:              atMostOne("name one exercise, such as: dslearn watch gossip"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = argOrEmpty(args)
			return watchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Poll, "poll", false, "poll for changes instead of using file events")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to poll")
	cmd.Flags().BoolVar(&opts.Race, "race", true, "run under the race detector where supported")
	return cmd
}

func realChanges(dir string, poll bool, interval time.Duration) (<-chan struct{}, string, func(), error) {
	wt, err := watch.New(dir, poll, interval)
	if err != nil {
		return nil, "", nil, err
	}
	return wt.Changes, wt.Mode, wt.Close, nil
}

// Keys watch acts on.
const (
	keyCtrlC = 3
	keyCtrlD = 4
)

func watchRun(ctx context.Context, o *WatchOptions) error {
	f := o.F
	c, w, p, err := f.Learner()
	if err != nil {
		return err
	}
	l, err := lessonOrInferred(f, c, w, o.Ref, "watch")
	if err != nil {
		if o.Ref == "" && nextLesson(c, p) == nil {
			fmt.Fprintln(f.IO.Out, "You have passed every exercise; name one to watch it anyway.")
			return nil
		}
		return err
	}
	if o.grade == nil {
		o.grade = grader.Grade
	}
	if o.changes == nil {
		o.changes = realChanges
	}

	out := f.IO.Out
	// On a terminal, read single keys at once (raw mode needs \r\n line
	// ends); from a script, read its input only after the first result.
	keys := make(chan byte)
	reading := false
	startKeys := func() {
		if !reading {
			reading = true
			go readKeys(f.IO.In, keys)
		}
	}
	if file, ok := f.IO.In.(*os.File); ok && f.IO.OutTTY && term.IsTerminal(int(file.Fd())) {
		if state, err := term.MakeRaw(int(file.Fd())); err == nil {
			defer term.Restore(int(file.Fd()), state)
			out = crlfWriter{out}
			startKeys()
		}
	}

	race := raceOn(f, o.Race)

	if err := awaitWarm(ctx, f, w, true); err != nil {
		return err
	}
	for l != nil {
		l, err = o.watchOne(ctx, c, w, l, race, out, keys, startKeys)
		if err != nil {
			return err
		}
	}
	return nil
}

type graded struct {
	g   *grader.Graded
	err error
}

// watchOne watches one exercise until the learner quits (nil, nil) or asks
// for the next exercise (that lesson, nil).
func (o *WatchOptions) watchOne(ctx context.Context, c *course.Course, w *workspace.Workspace, l *course.Lesson, race bool,
	out io.Writer, keys <-chan byte, startKeys func()) (*course.Lesson, error) {
	f := o.F
	if !c.HasExercise(l) {
		return nil, &EnvError{fmt.Errorf("lesson %d has no exercise yet", l.Number)}
	}
	dir := w.ExerciseDir(l)
	if err := exerciseFilesPresent(dir); err != nil {
		return nil, &EnvError{fmt.Errorf("%s: %v", dir, err)}
	}
	saved, mode, stop, err := o.changes(dir, o.Poll, o.Interval)
	if err != nil {
		return nil, &EnvError{err}
	}
	defer stop()

	var (
		cancelRun context.CancelFunc
		done      chan graded
		next      *course.Lesson // offered after a pass
	)
	start := func() {
		if f.IO.OutTTY {
			fmt.Fprint(out, "\x1b[H\x1b[2J") // show only the latest result
		}
		fmt.Fprintf(out, "checking %s…\n", l.Slug)
		var runCtx context.Context
		runCtx, cancelRun = context.WithCancel(ctx)
		done = make(chan graded, 1)
		go func(ctx context.Context, done chan<- graded) {
			ro := runner.Options{Race: race}
			ro.Artifacts, ro.ArtifactsShown = artifactsOf(f.IO.ErrOut, w.StateDir())
			g, err := o.grade(ctx, c, l, os.DirFS(dir), ro)
			done <- graded{g, err}
		}(runCtx, done)
	}
	// halt stops the check in flight, if any, and waits for it to end.
	halt := func() {
		if done != nil {
			cancelRun()
			<-done
			done = nil
		}
	}
	defer halt()
	start()
	for {
		select {
		case <-ctx.Done():
			halt()
			return nil, grader.ErrInterrupted
		case <-saved:
			// A save while a check runs makes its result stale: stop it.
			halt()
			next = nil
			start()
		case k := <-keys:
			switch k {
			case 'q', 'Q', keyCtrlD:
				return nil, nil
			case keyCtrlC:
				halt()
				return nil, grader.ErrInterrupted
			case 'n', 'N':
				if next != nil {
					return next, nil
				}
			}
		case r := <-done:
			done = nil
			if r.err != nil {
				if errors.Is(r.err, grader.ErrInterrupted) || ctx.Err() != nil {
					return nil, grader.ErrInterrupted
				}
				return nil, &EnvError{r.err}
			}
			recordProgress(f, w, []*grader.Graded{r.g})
			next = nil
			var buf bytes.Buffer
			grader.WriteReport(&buf, r.g, newStyles(f.IO).grader())
			if r.g.State() == grader.Passed {
				if p, err := f.LoadProgress(w); err == nil {
					if n := nextLesson(c, p); n != nil && n != l {
						next = n
					}
					if next != nil {
						fmt.Fprintf(&buf, "Next: lesson %d, %s. Press n to watch it (dslearn lesson %d to read it first).\n", next.Number, next.Title, next.Number)
					} else {
						writeNext(&buf, c, p)
					}
				}
			}
			fmt.Fprintf(&buf, "\nWatching %s/ (%s). Save a file to check again; q to quit.\n", l.StubDir(), mode)
			if f.IO.OutTTY {
				fmt.Fprint(out, "\x1b[H\x1b[2J") // the result replaces the "checking" line
			}
			if _, err := out.Write(buf.Bytes()); err != nil {
				return nil, err
			}
			startKeys()
		}
	}
}

// readKeys sends each byte of in to keys. It stops after a key that ends
// the watch, so that it reads nothing meant for what comes after (the
// course map), and at the end of input (a closed or empty input leaves the
// watch running).
func readKeys(in io.Reader, keys chan<- byte) {
	r := bufio.NewReader(in)
	for {
		b, err := r.ReadByte()
		if err != nil {
			return
		}
		keys <- b
		switch b {
		case 'q', 'Q', keyCtrlC, keyCtrlD:
			return
		}
	}
}

// crlfWriter turns \n into \r\n for a terminal in raw mode.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	_, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n")))
	return len(p), err
}
