package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAWorkspaceThatCannotBeWrittenStillGetsItsChecksRun(t *testing.T) {
	// A file where the state directory should be makes it unwritable for
	// anyone, root included.
	blocked := filepath.Join(t.TempDir(), "ws")
	if err := os.WriteFile(blocked, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	dir, shown := artifactsOf(&errOut, filepath.Join(blocked, ".dslearn"))
	if dir != "" || shown != "" {
		t.Errorf("artifacts = %q, %q; want none", dir, shown)
	}
	if msg := errOut.String(); !strings.Contains(msg, "cannot be written") || !strings.Contains(msg, "the checks run") {
		t.Errorf("warning = %q", msg)
	}

	errOut.Reset()
	state := filepath.Join(t.TempDir(), ".dslearn")
	dir, _ = artifactsOf(&errOut, state)
	if dir != filepath.Join(state, "artifacts") || errOut.Len() != 0 {
		t.Errorf("a writable workspace: artifacts %q, warning %q", dir, errOut.String())
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("the artifacts directory was not made: %v", err)
	}
}
