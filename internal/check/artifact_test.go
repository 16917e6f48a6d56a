package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestArtifactLandsInTheRunnersDirectoryAndIsShownAsTheLearnerSeesIt(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvArtifacts, dir)
	t.Setenv(EnvArtifactsShown, ".dslearn/artifacts/raft-kv")
	shown, err := Artifact("TestKV/seed 7.html", []byte("<html>"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(".dslearn/artifacts/raft-kv", "TestKV_seed_7.html"); shown != want {
		t.Errorf("shown path = %q, want %q", shown, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "TestKV_seed_7.html"))
	if err != nil || string(data) != "<html>" {
		t.Errorf("file = %q, %v; want <html>", data, err)
	}
}

func TestArtifactNamesCannotLeaveTheDirectory(t *testing.T) {
	for in, want := range map[string]string{"../../etc/passwd": "_.._etc_passwd", "..": "artifact", "": "artifact", "a/b": "a_b", "é.html": "_.html"} {
		if got := artifactName(in); got != want || strings.ContainsRune(got, '/') {
			t.Errorf("artifactName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArtifactWithoutARunnerGoesToATemporaryDirectory(t *testing.T) {
	t.Setenv(EnvArtifacts, "")
	t.Setenv("TMPDIR", t.TempDir())
	shown, err := Artifact("history.html", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(shown) {
		t.Errorf("shown path %q is not absolute", shown)
	}
	if data, err := os.ReadFile(shown); err != nil || string(data) != "x" {
		t.Errorf("read %s: %q, %v", shown, data, err)
	}
	if _, err := Artifact("big", make([]byte, MaxArtifactSize+1)); err == nil {
		t.Error("an artifact over MaxArtifactSize was written")
	}
}
