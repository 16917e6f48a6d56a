package grader

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/sandbox"
)

// artifactSuite is a check that leaves a file for the learner and reports
// where, as raft-kv's suite does with the visualization of a history.
const artifactSuite = `//go:build dslearnsuite

package lamport_test

import (
	"testing"

	"github.com/dslearn/dslearn/internal/check"
)

func TestLeavesAFileForTheLearner(t *testing.T) {
	shown, err := check.Artifact("history seed 7.html", []byte("<html>a history</html>"))
	if err != nil {
		t.Fatal(err)
	}
	t.Errorf("see %s", shown)
}
`

// TestASuiteCanLeaveAFileInTheWorkspace: with and without the sandbox, a
// file a suite writes with check.Artifact ends up in the exercise's
// artifacts directory, the path the suite prints is that file as the
// learner sees it, files of an earlier run are gone, and an exercise whose
// suite writes nothing leaves no directory behind.
func TestASuiteCanLeaveAFileInTheWorkspace(t *testing.T) {
	c := builtIn(t)
	courseDir := t.TempDir()
	if err := os.CopyFS(courseDir, c.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(courseDir, "content/suites/lamport-clocks/zz_artifact_test.go"), []byte(artifactSuite), 0o644); err != nil {
		t.Fatal(err)
	}
	disk, err := course.Load(os.DirFS(courseDir), courseDir)
	if err != nil {
		t.Fatal(err)
	}
	lam, vc := lesson(t, disk, "lamport-clocks"), lesson(t, disk, "vector-clocks")
	modes := map[string]*sandbox.Sandbox{"without the sandbox": nil}
	if sb, err := sandbox.Detect(context.Background(), ""); err == nil {
		modes["in the sandbox"] = sb
	} else {
		t.Logf("no sandbox here (%v): testing without it only", err)
	}
	for name, sb := range modes {
		t.Run(name, func(t *testing.T) {
			ws := t.TempDir()
			dir := filepath.Join(ws, "artifacts")
			stale := filepath.Join(dir, "lamport-clocks", "old.html")
			if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := runner.Options{Sandbox: sb, Artifacts: dir, ArtifactsShown: ".dslearn/artifacts", Run: "TestLeavesAFileForTheLearner"}
			gs := grade(t, disk, opts,
				runner.Item{Lesson: lam, Impl: exercise(t, disk, lam.SolutionDir(), nil)},
				runner.Item{Lesson: vc, Impl: exercise(t, disk, vc.SolutionDir(), nil)})
			want := filepath.Join(".dslearn/artifacts/lamport-clocks", "history_seed_7.html")
			var msg string
			for _, ch := range gs[0].Checks {
				if ch.Name == "TestLeavesAFileForTheLearner" {
					msg = ch.Message
				}
			}
			if !strings.Contains(msg, "see "+want) {
				t.Errorf("the check's message is %q; want it to name %s", msg, want)
			}
			data, err := os.ReadFile(filepath.Join(dir, "lamport-clocks", "history_seed_7.html"))
			if err != nil || string(data) != "<html>a history</html>" {
				t.Errorf("the artifact: %q, %v", data, err)
			}
			if _, err := os.Stat(stale); !os.IsNotExist(err) {
				t.Errorf("a file of an earlier run is still there (%v)", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "vector-clocks")); !os.IsNotExist(err) {
				t.Errorf("an exercise that wrote nothing left a directory (%v)", err)
			}
		})
	}
}
