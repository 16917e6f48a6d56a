package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/spf13/cobra"
)

// Exit codes, documented in the README and in `dslearn --help`.
const (
	ExitOK          = 0   // success; every check passed
	ExitFailed      = 1   // a check failed
	ExitUsage       = 2   // the command line was wrong: unknown command, flag, lesson
	ExitCannotRun   = 3   // the check could not run: no Go toolchain, no workspace, broken course or state
	ExitInterrupted = 130 // interrupted (Ctrl-C)
)

// UsageError is a mistake on the command line. Help, when set, adds a
// pointer to the command's --help (for errors that do not say what to do).
type UsageError struct {
	Err  error
	Help bool
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// EnvError means the command could not do its work: a missing workspace,
// toolchain, or a broken course or state file.
type EnvError struct{ Err error }

func (e *EnvError) Error() string { return e.Err.Error() }
func (e *EnvError) Unwrap() error { return e.Err }

// errChecksFailed reports failing checks; the command has already said which.
var errChecksFailed = errors.New("checks failed")

// Main runs dslearn with the process's arguments and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := NewFactory()
	return Execute(ctx, f, os.Args[1:])
}

// Execute runs one invocation and maps its outcome to an exit code; every
// error is printed once, here, as "dslearn: <message>".
func Execute(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	return exitCode(f.IO.ErrOut, cmd, err)
}

func exitCode(stderr io.Writer, cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	var usage *UsageError
	var env *EnvError
	switch {
	case errors.Is(err, errChecksFailed):
		return ExitFailed
	case errors.Is(err, grader.ErrInterrupted), errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "dslearn: interrupted; nothing was recorded for the unfinished check")
		return ExitInterrupted
	case errors.As(err, &usage), errors.Is(err, course.ErrUnknownLesson), isCobraUsage(err):
		fmt.Fprintf(stderr, "dslearn: %s\n", err)
		if cmd != nil && (isCobraUsage(err) || usage != nil && usage.Help) {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ExitUsage
	case errors.As(err, &env):
		fmt.Fprintf(stderr, "dslearn: %s\n", err)
		return ExitCannotRun
	}
	fmt.Fprintf(stderr, "dslearn: %s\n", err)
	return ExitCannotRun
}

// isCobraUsage recognises cobra's own argument errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
