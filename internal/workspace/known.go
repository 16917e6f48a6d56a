package workspace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
)

// Known is the list of workspaces last used on this machine (a command
// run inside them), most recent first, kept in the user's config directory
// so that a command run outside a workspace can say where the learner's
// workspace is. Creating a workspace does not count as using it.
type Known struct {
	path string
}

// KnownList opens the list in the user's config directory
// ($XDG_CONFIG_HOME/dslearn/workspaces.json or its platform equivalent).
func KnownList() *Known {
	dir, err := os.UserConfigDir()
	if err != nil {
		return &Known{}
	}
	return &Known{path: filepath.Join(dir, "dslearn", "workspaces.json")}
}

type knownFile struct {
	Version    int      `json:"version"`
	Workspaces []string `json:"workspaces"`
}

// List returns the known workspaces that still exist, most recent first.
func (k *Known) List() []string {
	if k.path == "" {
		return nil
	}
	data, err := os.ReadFile(k.path)
	if err != nil {
		return nil
	}
	var f knownFile
	if json.Unmarshal(data, &f) != nil {
		return nil
	}
	var out []string
	for _, w := range f.Workspaces {
		if _, err := Find(w); err == nil {
			out = append(out, w)
		}
	}
	return out
}

// Add records root as the workspace used last. Failing to record it is
// not worth failing a command for, so errors are returned for the caller
// to ignore or report.
func (k *Known) Add(root string) error {
	if k.path == "" {
		return nil
	}
	list := slices.DeleteFunc(k.List(), func(w string) bool { return w == root })
	list = append([]string{root}, list...)
	if len(list) > 10 {
		list = list[:10]
	}
	data, _ := json.MarshalIndent(knownFile{Version: 1, Workspaces: list}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(k.path), 0o755); err != nil {
		return err
	}
	return WriteFileAtomic(k.path, append(data, '\n'))
}

// WriteFileAtomic writes data to a temporary file beside path and renames it
// into place, so readers see the old content or the new, never a mix.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
