package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/sandbox"
)

// raceOn is whether to use the race detector: asked for and supported.
func raceOn(f *Factory, want bool) bool {
	if !want {
		return false
	}
	if ok, why := runner.RaceSupport(""); !ok {
		fmt.Fprintf(f.IO.ErrOut, "dslearn: race detector off: %s\n", why)
		return false
	}
	return true
}

// Sandbox modes of check and grade (--sandbox).
const (
	sandboxAuto    = "auto"    // use bubblewrap where it works; say so where it does not (grade)
	sandboxRequire = "require" // refuse to run without it
	sandboxOff     = "off"     // never use it
)

// EnvBwrap names the bwrap program to use instead of the one in PATH.
const EnvBwrap = "DSLEARN_BWRAP"

// pickSandbox resolves a --sandbox mode. loud makes the fallback a warning
// (grade: a class's code is run without isolation); quiet fallbacks are
// for a learner's own code on their own machine.
func pickSandbox(ctx context.Context, mode string, errOut io.Writer, loud bool) (*sandbox.Sandbox, error) {
	switch mode {
	case sandboxOff:
		return nil, nil
	case sandboxAuto, sandboxRequire, "":
	default:
		return nil, &UsageError{Err: fmt.Errorf("--sandbox %q: use auto, require or off", mode)}
	}
	s, err := sandbox.Detect(ctx, os.Getenv(EnvBwrap))
	if err == nil {
		return s, nil
	}
	if mode == sandboxRequire {
		return nil, &EnvError{Err: fmt.Errorf("the sandbox is required but cannot run: %w", errors.Unwrap(err))}
	}
	if loud {
		fmt.Fprintf(errOut, "dslearn: WARNING: grading WITHOUT a sandbox: %v.\n"+
			"dslearn: students' files are still screened (no os, unsafe, syscall… imports) and each runs in its own\n"+
			"dslearn: build directory, but their code runs as you, with your files in reach if the screening is ever\n"+
			"dslearn: bypassed. To isolate each student: %s (see docs/authoring.md, \"Threat model\").\n", err, sandbox.Install)
	}
	return nil, nil
}
