package grader

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing/fstest"
)

// Limits of an implementation's snapshot: no exercise needs more, and a
// file that never ends (a link to a device swapped in) cannot stall or
// exhaust the grader.
const (
	maxImplFile  = 1 << 20
	maxImplTotal = 8 << 20
)

// Snapshot reads an implementation's .go files into memory once. The grader
// screens and builds that copy, never the directory again: a file changed
// between the screening and the build (by a program the learner left
// running) cannot slip unscreened code into the build. An entry that is not
// a regular file is kept as such, with no content, so that the screening
// refuses it.
func Snapshot(impl fs.FS) (fs.FS, error) {
	entries, err := fs.ReadDir(impl, ".")
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	total := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		if !e.Type().IsRegular() {
			out[name] = &fstest.MapFile{Mode: e.Type() | 0o644}
			continue
		}
		data, err := readLimited(impl, name, maxImplFile)
		if err != nil {
			return nil, err
		}
		total += len(data)
		if total > maxImplTotal {
			return nil, fmt.Errorf("the exercise's .go files hold more than %d MiB; an exercise needs far less", maxImplTotal>>20)
		}
		out[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return out, nil
}

func readLimited(fsys fs.FS, name string, limit int) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB; an exercise file needs far less", name, limit>>20)
	}
	return data, nil
}
