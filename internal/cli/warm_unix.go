//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// detach puts cmd in a session of its own: no terminal, so neither Ctrl-C
// in the learner's shell nor closing the terminal stops it halfway.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }

// holdLock takes an exclusive lock on path, without waiting; ok is false
// when another process holds it. The lock ends with the process, however
// it ends, so a warm-up that is killed never leaves a check waiting.
func holdLock(path string) (release func(), ok bool) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return func() {}, true // no lock to be had: nobody can wait on it
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return func() {}, false
	}
	return func() { f.Close() }, true
}

// waitLock waits until nobody holds the lock on path, or ctx ends.
func waitLock(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	done := make(chan error, 1)
	go func() {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH)
		f.Close() // releases the shared lock at once
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockHeld reports whether another process holds the lock on path.
func lockHeld(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	return false
}
