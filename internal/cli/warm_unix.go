//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// detach puts cmd in a session of its own: no terminal, so neither Ctrl-C
// in the learner's shell nor closing the terminal stops it halfway.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
