package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables the runner sets when the learner can receive files.
const (
	// EnvArtifacts is the directory a suite may write files to for the
	// learner; it outlives the run (the runner empties it first).
	EnvArtifacts = "DSLEARN_ARTIFACTS"
	// EnvArtifactsShown is how the learner sees that directory.
	EnvArtifactsShown = "DSLEARN_ARTIFACTS_SHOWN"
)

// MaxArtifactSize bounds one file written by Artifact.
const MaxArtifactSize = 8 << 20

// Artifact writes data to a file named name for the learner to open (such as
// the HTML visualization of a history that is not linearizable) and returns
// the path to print, as the learner sees it. name must be a plain file name;
// characters other than letters, digits, '.', '-' and '_' are replaced.
// Inside a graded run the file lands in the workspace
// (.dslearn/artifacts/<slug>/); elsewhere (the suite run by plain go test) in
// a new temporary directory, whose absolute path is returned. Data beyond
// MaxArtifactSize is an error, as is a failure to write.
func Artifact(name string, data []byte) (string, error) {
	name = artifactName(name)
	if len(data) > MaxArtifactSize {
		return "", fmt.Errorf("artifact %s: %d bytes, more than the %d allowed", name, len(data), MaxArtifactSize)
	}
	dir, shown := os.Getenv(EnvArtifacts), os.Getenv(EnvArtifactsShown)
	if dir == "" {
		d, err := os.MkdirTemp("", "dslearn-artifacts-")
		if err != nil {
			return "", err
		}
		dir, shown = d, d
	}
	if shown == "" {
		shown = dir
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		return "", fmt.Errorf("artifact %s: %w", name, err)
	}
	return filepath.Join(shown, name), nil
}

func artifactName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		name = "artifact"
	}
	return name
}
