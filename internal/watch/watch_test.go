package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// wait returns whether a change was reported within limit.
func wait(w *Watcher, limit time.Duration) bool {
	select {
	case <-w.Changes:
		return true
	case <-time.After(limit):
		return false
	}
}

func testWatcher(t *testing.T, poll bool) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644)
	w, err := New(dir, poll, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// A plain write.
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n\nvar x = 1\n"), 0o644)
	if !wait(w, 5*time.Second) {
		t.Fatalf("%s: a write was not reported", w.Mode)
	}
	// A save by rename, as vim does: write a new file, rename it over the old.
	tmp := filepath.Join(dir, "a.go~")
	os.WriteFile(tmp, []byte("package a\n\nvar x = 22\n"), 0o644)
	os.Rename(tmp, filepath.Join(dir, "a.go"))
	if !wait(w, 5*time.Second) {
		t.Fatalf("%s: a save by rename was not reported", w.Mode)
	}
	// Files that are not Go files are ignored.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	if wait(w, 300*time.Millisecond) {
		t.Errorf("%s: a change to a non-Go file was reported", w.Mode)
	}
}

func TestEventsReportWritesAndRenames(t *testing.T)   { testWatcher(t, false) }
func TestPollingReportsWritesAndRenames(t *testing.T) { testWatcher(t, true) }
