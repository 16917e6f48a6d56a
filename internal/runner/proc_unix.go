//go:build unix

package runner

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the go command and everything it starts in a process
// group of their own, so that they can be stopped together.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
