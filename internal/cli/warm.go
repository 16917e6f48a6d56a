package cli

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// EnvNoWarm, set to 1, stops init from warming Go's build cache.
const EnvNoWarm = "DSLEARN_NO_WARM"

// NewCmdWarm builds the hidden `dslearn warm`, which init starts in the
// background: it grades the first exercise's starting files once and
// throws the result away. The first check on a machine is slow (19 to 69 s
// measured) because go compiles the race-instrumented standard library
// into its build cache; doing that while the learner reads lesson 1 makes
// the first real check as quick as the others. It is the real grading
// path, so the cache holds exactly what a check needs (same flags, same
// packages). Go's build cache is safe to fill concurrently and to stop at
// any point; the temporary build is removed like any check's.
func NewCmdWarm(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "warm",
		Short:  "Fill Go's build cache for the first check (init starts it)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.Course()
			if err != nil {
				return err
			}
			if err := needGo(c); err != nil {
				return err
			}
			l := c.Lessons[0]
			if !c.HasExercise(l) {
				return nil
			}
			stub, err := fs.Sub(c.FS, l.StubDir())
			if err != nil {
				return err
			}
			// A check started meanwhile waits on this lock instead of
			// compiling the same packages a second time.
			if w := f.OptionalWorkspace(); w != nil {
				release, ok := holdLock(warmLock(w))
				if !ok {
					return nil // another warm-up is running
				}
				defer release()
			}
			race, _ := runner.RaceSupport("")
			_, err = grader.Grade(cmd.Context(), c, l, stub, runner.Options{Race: race})
			return err
		},
	}
}

// warmLock is the file a running warm-up holds a lock on.
func warmLock(w *workspace.Workspace) string { return filepath.Join(w.StateDir(), "warm.lock") }

// awaitWarm waits, saying so on a terminal, for a warm-up of w's build cache
// that is still running: the check would otherwise compile the same
// packages a second time, alongside it, and be slower than either.
func awaitWarm(ctx context.Context, f *Factory, w *workspace.Workspace, show bool) error {
	if !lockHeld(warmLock(w)) {
		return nil
	}
	clear := showStatus(f, show, "waiting for the build that init started to finish (the first check needs it)…")
	defer clear()
	if err := waitLock(ctx, warmLock(w)); err != nil && ctx.Err() != nil {
		return grader.ErrInterrupted
	}
	return nil
}

// spawnWarm starts `dslearn warm` detached from this process and its
// terminal, and does not wait for it. It reports whether it started.
func spawnWarm(f *Factory, root string) bool {
	if os.Getenv(EnvNoWarm) == "1" {
		return false
	}
	if _, err := exec.LookPath("go"); err != nil {
		return false
	}
	self, err := os.Executable()
	if err != nil {
		return false
	}
	args := []string{"warm"}
	if f.CourseDir != "" {
		args = append(args, "--course", f.CourseDir)
	}
	cmd := exec.Command(self, args...)
	cmd.Args[0] = "dslearn"
	cmd.Dir = root
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil // /dev/null
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return false
	}
	cmd.Process.Release()
	return true
}
