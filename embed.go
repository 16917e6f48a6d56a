// Package dslearn holds the course itself: the manifest, lessons, exercise
// stubs, reference solutions, hidden suites, known-wrong implementations and
// the support code they are built with, embedded so that the dslearn binary
// works from any directory, offline.
package dslearn

import (
	"embed"
	"io/fs"
)

//go:embed content lessons exercises solutions simnet internal/check internal/porcupine
var files embed.FS

// Files returns the embedded course, rooted where content/course.yaml is content/course.yaml.
func Files() fs.FS { return files }
