package porcupine

// This file is not part of porcupine v1.3.1: it is dslearn's replacement for
// the go:embed of the visualization directory (see README.md).

import "io/fs"

//go:generate go run gen_assets.go

// assetFS maps a file name to its contents; ReadFile is the one method of
// embed.FS that Visualize uses.
type assetFS map[string]string

// ReadFile returns the contents of the named file.
func (a assetFS) ReadFile(name string) ([]byte, error) {
	s, ok := a[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(s), nil
}
