package grader

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
)

// SuiteFingerprint identifies what grades lesson l: its hidden suite and
// the support code built with every suite (the course's workspace and
// grading files). Progress records it with each result, so that a pass
// obtained with another version of the suite — an older course, or a
// course directory edited to pass anything — is shown as such.
func SuiteFingerprint(c *course.Course, l *course.Lesson) (string, error) {
	h := sha256.New()
	dirs := append([]string{l.SuiteDir()}, c.WorkspaceFiles...)
	dirs = append(dirs, c.GradingFiles...)
	for _, dir := range dirs {
		var files []string
		err := fs.WalkDir(c.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
		slices.Sort(files)
		for _, p := range files {
			data, err := fs.ReadFile(c.FS, p)
			if err != nil {
				return "", err
			}
			h.Write([]byte(path.Clean(p) + "\x00"))
			sum := sha256.Sum256(data)
			h.Write(sum[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
