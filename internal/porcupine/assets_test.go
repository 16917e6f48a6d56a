package porcupine

import (
	"os"
	"testing"
)

// TestAssetsAreTheVisualizationFiles: visualization_assets.go holds the
// files of visualization/ byte for byte (regenerate it with go generate).
func TestAssetsAreTheVisualizationFiles(t *testing.T) {
	for _, name := range []string{"index.css", "index.html", "index.js"} {
		disk, err := os.ReadFile("visualization/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := visualizationFS.ReadFile("visualization/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(disk) {
			t.Errorf("visualization_assets.go differs from visualization/%s: run go generate ./internal/porcupine", name)
		}
	}
	if _, err := visualizationFS.ReadFile("visualization/missing"); err == nil {
		t.Error("ReadFile of a missing file returned no error")
	}
}
