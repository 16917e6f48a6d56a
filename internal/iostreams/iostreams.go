// Package iostreams carries a command's input and output streams and what
// is known about them: whether they are terminals, whether color is wanted,
// how wide the terminal is, and which pager to use. Commands write only
// through it, so every command can be run and tested without a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/term"
)

// IOStreams are the streams of one invocation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutTTY is set when Out is a terminal.
	OutTTY bool
	// ErrTTY is set when ErrOut is a terminal.
	ErrTTY bool
	// Color is set when escape codes may be written to Out.
	Color bool
	// Width is the terminal's width in columns (80 when unknown).
	Width int
	// Pager is the command long output is piped through on a terminal
	// ($PAGER, or "less -RS": colors, and a diagram wider than the screen
	// scrolls sideways instead of folding); empty means no paging.
	Pager string
}

// System returns the process's own streams, with terminal facts detected
// once. NO_COLOR (any value) turns color off; DSLEARN_FORCE_TTY=1 makes
// stdout count as a terminal (for tests and benchmarks of the styled path).
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Width: 80}
	s.OutTTY = isTerminal(os.Stdout) || os.Getenv("DSLEARN_FORCE_TTY") == "1"
	s.ErrTTY = isTerminal(os.Stderr)
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		s.Width = w
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.Color = s.OutTTY && !noColor && os.Getenv("TERM") != "dumb"
	if s.OutTTY {
		s.Pager = os.Getenv("PAGER")
		if s.Pager == "" {
			if _, err := exec.LookPath("less"); err == nil {
				s.Pager = "less -RS"
			}
		}
	}
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers: no terminal, no color, width 80.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Width: 80}, in, out, errOut
}

// Page writes text to Out, through the pager when Out is a terminal and
// the text is taller than the screen. A pager that cannot start is skipped.
func (s *IOStreams) Page(text string, screenRows int) error {
	if s.Pager == "" || strings.Count(text, "\n") < screenRows {
		_, err := io.WriteString(s.Out, text)
		return err
	}
	args := strings.Fields(s.Pager)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(text)
	cmd.Stdout, cmd.Stderr = s.Out, s.ErrOut
	cmd.Env = append(os.Environ(), "LESS=FRX"+os.Getenv("LESS"))
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			return nil // the user quit the pager
		}
		_, err := io.WriteString(s.Out, text)
		return err
	}
	return nil
}

// Rows returns the terminal's height, or 24 when unknown.
func Rows() int {
	if _, h, err := term.GetSize(int(os.Stdout.Fd())); err == nil && h > 0 {
		return h
	}
	return 24
}

// Interactive reports whether a person is at a terminal on both ends: input
// and output are terminals (not merely forced to look like one).
func (s *IOStreams) Interactive() bool {
	in, ok := s.In.(*os.File)
	out, ok2 := s.Out.(*os.File)
	return ok && ok2 && isTerminal(in) && isTerminal(out)
}
