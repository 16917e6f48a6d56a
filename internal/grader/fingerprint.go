package grader

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
)

// SuiteFingerprints identifies, for every exercise of the course by slug,
// what grades it: its hidden suite and the support code built with every
// suite (the course's workspace and grading files, hashed once). Progress
// records the fingerprint with each result, so that a pass obtained with
// another version of the suite — an older course, or a course directory
// edited to pass anything — is shown as such.
func SuiteFingerprints(c *course.Course) (map[string]string, error) {
	support := sha256.New()
	if err := hashGoFiles(support, c.FS, append(slices.Clone(c.WorkspaceFiles), c.GradingFiles...)); err != nil {
		return nil, err
	}
	shared := support.Sum(nil)
	out := map[string]string{}
	for _, l := range c.Lessons {
		if !c.HasExercise(l) {
			continue
		}
		h := sha256.New()
		h.Write(shared)
		if err := hashGoFiles(h, c.FS, []string{l.SuiteDir()}); err != nil {
			return nil, err
		}
		out[l.Slug] = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return out, nil
}

// hashGoFiles adds the path and content of every .go file under dirs to h,
// in a fixed order.
func hashGoFiles(h hash.Hash, fsys fs.FS, dirs []string) error {
	for _, dir := range dirs {
		var files []string
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.Sort(files)
		for _, p := range files {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			h.Write([]byte(path.Clean(p) + "\x00"))
			sum := sha256.Sum256(data)
			h.Write(sum[:])
		}
	}
	return nil
}
