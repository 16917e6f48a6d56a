package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/watch"
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
}

// NewCmdWatch builds `dslearn watch [slug]`.
func NewCmdWatch(f *Factory) *cobra.Command {
	opts := &WatchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "watch [number|slug]",
		Short: "Re-check an exercise every time you save it",
		Long: `Check an exercise, then check it again each time one of its .go files is
saved, showing only the latest result. Without an argument it watches the
first exercise you have not passed. Quit with q or Ctrl-C.

Where file events do not arrive (network file systems, WSL on a Windows
drive) it polls for changes instead, and says so; --poll forces polling.`,
		Example: `  dslearn watch
  dslearn watch gossip --poll`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Ref = args[0]
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Poll, "poll", false, "poll for changes instead of using file events")
	cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "how often to poll")
	cmd.Flags().BoolVar(&opts.Race, "race", true, "run under the race detector where supported")
	return cmd
}

func watchRun(ctx context.Context, o *WatchOptions) error {
	f := o.F
	c, w, p, err := f.Learner()
	if err != nil {
		return err
	}
	var l *course.Lesson
	if o.Ref != "" {
		if l, err = findLesson(c, o.Ref); err != nil {
			return err
		}
	} else {
		if l = nextLesson(c, p); l == nil {
			fmt.Fprintln(f.IO.Out, "You have passed every exercise; name one to watch it anyway.")
			return nil
		}
	}
	if !c.HasExercise(l) {
		return &EnvError{fmt.Errorf("lesson %d has no exercise yet", l.Number)}
	}
	dir := w.ExerciseDir(l)
	if err := exerciseFilesPresent(dir); err != nil {
		return &EnvError{fmt.Errorf("%s: %v", dir, err)}
	}
	wt, err := watch.New(dir, o.Poll, o.Interval)
	if err != nil {
		return &EnvError{err}
	}
	defer wt.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := f.IO.Out
	// On a terminal, read single keys at once (raw mode needs \r\n line
	// ends); from a script, read its input after the first check.
	keys := false
	if file, ok := f.IO.In.(*os.File); ok && f.IO.OutTTY && term.IsTerminal(int(file.Fd())) {
		if state, err := term.MakeRaw(int(file.Fd())); err == nil {
			defer term.Restore(int(file.Fd()), state)
			out = crlfWriter{out}
			keys = true
			go readQuit(f.IO.In, cancel)
		}
	}

	race := o.Race
	if race {
		if ok, why := runner.RaceSupport(""); !ok {
			race = false
			fmt.Fprintf(f.IO.ErrOut, "dslearn: race detector off: %s\n", why)
		}
	}
	check := func() error {
		if f.IO.OutTTY {
			fmt.Fprint(out, "\x1b[H\x1b[2J") // show only the latest result
		}
		impl := os.DirFS(dir)
		g, err := grader.Grade(ctx, c, l, impl, runner.Options{Race: race})
		if err != nil {
			return err
		}
		recordProgress(f, w, []*grader.Graded{g})
		var buf bytes.Buffer
		grader.WriteReport(&buf, g, newStyles(f.IO).grader())
		if g.State() == grader.Passed {
			if p, err := f.LoadProgress(w); err == nil {
				writeNext(&buf, c, p)
			}
		}
		fmt.Fprintf(&buf, "\nWatching %s/ (%s). Save a file to check again; q to quit.\n", l.StubDir(), wt.Mode)
		_, err = out.Write(buf.Bytes())
		return err
	}
	for {
		if err := check(); err != nil {
			if errors.Is(err, grader.ErrInterrupted) || ctx.Err() != nil {
				return nil
			}
			return &EnvError{err}
		}
		if !keys {
			keys = true
			go readQuit(f.IO.In, cancel)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wt.Changes:
		}
	}
}

// readQuit cancels when the user types q (or Ctrl-C / Ctrl-D in raw mode).
// On a closed or empty input it leaves the watch running.
func readQuit(in io.Reader, cancel func()) {
	r := bufio.NewReader(in)
	for {
		b, err := r.ReadByte()
		if err != nil {
			return
		}
		switch b {
		case 'q', 'Q', 3, 4:
			cancel()
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
