//go:build !unix

package cli

import (
	"context"
	"os/exec"
)

func detach(cmd *exec.Cmd) {}

// Without file locks a check does not wait for the warm-up.
func holdLock(string) (func(), bool)         { return func() {}, true }
func waitLock(context.Context, string) error { return nil }
func lockHeld(string) bool                   { return false }
