// Package sandbox runs a test binary inside bubblewrap (bwrap, the sandbox
// Flatpak uses), where one is available: new user, pid, mount, network, IPC
// and UTS namespaces, an unprivileged uid, an empty private /tmp as the
// working directory, read-only system libraries, the one test binary
// read-only, no environment but what the grader sets, a new session (so no
// terminal input can be injected), and death with its parent. Inside, the
// learner's code sees no other student's files, no course, no network and
// no process but its own.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Sandbox is a usable bubblewrap.
type Sandbox struct {
	// Bwrap is the path of the bwrap program.
	Bwrap string
}

// Install says how to get the sandbox, for messages.
const Install = "install bubblewrap (Debian and Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap)"

// ErrUnavailable is wrapped by Detect's error when no sandbox can run here.
var ErrUnavailable = errors.New("no sandbox")

// Detect finds bwrap (in PATH, or at the path in bwrap when it is not empty)
// and proves it can create the namespaces a check needs by running a
// trivial program inside them. The error says why not, in one line.
func Detect(ctx context.Context, bwrap string) (*Sandbox, error) {
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("%w: bubblewrap runs on Linux only", ErrUnavailable)
	}
	if bwrap == "" {
		bwrap = "bwrap"
	}
	p, err := exec.LookPath(bwrap)
	if err != nil {
		return nil, fmt.Errorf("%w: bwrap was not found; %s", ErrUnavailable, Install)
	}
	s := &Sandbox{Bwrap: p}
	truePath, err := exec.LookPath("true")
	if err != nil {
		return nil, fmt.Errorf("%w: cannot find the program true to test bwrap with", ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p, s.args(truePath, nil, nil, "")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%w: bwrap cannot create its namespaces here (%s); user namespaces may be disabled", ErrUnavailable, firstLine(msg))
	}
	return s, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Dir is where the binary appears inside the sandbox.
const Dir = "/dslearn"

// Command returns the command that runs the program at bin inside the
// sandbox with args and exactly the environment env. Open files passed in
// the command's ExtraFiles stay open inside.
func (s *Sandbox) Command(bin string, args, env []string) *exec.Cmd {
	return exec.Command(s.Bwrap, s.args(bin, args, env, "")...)
}

// ArtifactsDir is where CommandWritable's directory appears inside the sandbox.
const ArtifactsDir = "/artifacts"

// CommandWritable is Command with one more directory, dir, which the program
// sees at ArtifactsDir and may write to (it is bound read-write): the only
// place where a file it writes outlives the run. An empty dir adds nothing.
func (s *Sandbox) CommandWritable(bin string, args, env []string, dir string) *exec.Cmd {
	return exec.Command(s.Bwrap, s.args(bin, args, env, dir)...)
}

func (s *Sandbox) args(bin string, args, env []string, writable string) []string {
	inside := Dir + "/" + filepath.Base(bin)
	a := []string{
		"--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
		"--die-with-parent", "--new-session", "--cap-drop", "ALL",
		"--ro-bind", "/usr", "/usr",
	}
	// The dynamic loader and C library of a race-enabled binary: on merged
	// /usr systems these are links into /usr, elsewhere directories.
	for _, d := range []string{"/lib", "/lib32", "/lib64", "/libx32", "/bin"} {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if target, err := os.Readlink(d); err == nil {
				a = append(a, "--symlink", target, d)
			}
		case fi.IsDir():
			a = append(a, "--ro-bind", d, d)
		}
	}
	a = append(a,
		"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		"--ro-bind", bin, inside, "--chdir", "/tmp", "--clearenv",
	)
	if writable != "" {
		a = append(a, "--bind", writable, ArtifactsDir)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	a = append(a, "--", inside)
	return append(a, args...)
}
