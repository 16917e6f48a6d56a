// Package workspace manages a learner's workspace: the directory that holds
// their exercise files, a go.mod that lets them build with plain go tools,
// and the .dslearn directory that marks it and keeps their progress.
package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/course"
)

// MarkerDir is the directory that marks a workspace's root.
const MarkerDir = ".dslearn"

const markerFile = "workspace.json"

// Workspace is a learner's workspace.
type Workspace struct {
	// Root is the workspace's directory.
	Root string
}

// Marker is the content of .dslearn/workspace.json.
type Marker struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
}

// ErrNotFound means no workspace contains the directory.
var ErrNotFound = errors.New("not inside a dslearn workspace")

// Find walks up from dir to the nearest directory holding .dslearn/workspace.json.
func Find(dir string) (*Workspace, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, MarkerDir, markerFile)); err == nil && !st.IsDir() {
			return &Workspace{Root: dir}, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, ErrNotFound
		}
		dir = parent
	}
}

// CheckMarker reads the workspace's marker file and reports what is wrong
// with it: not JSON, or without a format version.
func CheckMarker(w *Workspace) error {
	data, err := os.ReadFile(filepath.Join(w.StateDir(), markerFile))
	if err != nil {
		return err
	}
	var m Marker
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s/%s is not valid JSON (%v)", MarkerDir, markerFile, err)
	}
	if m.Version < 1 {
		return fmt.Errorf("%s/%s has no format version", MarkerDir, markerFile)
	}
	return nil
}

// StateDir is the workspace's .dslearn directory.
func (w *Workspace) StateDir() string { return filepath.Join(w.Root, MarkerDir) }

// ExerciseDir is where the learner's files for lesson l are.
func (w *Workspace) ExerciseDir(l *course.Lesson) string {
	return filepath.Join(w.Root, filepath.FromSlash(l.StubDir()))
}

// Rel returns p relative to the current directory when shorter, for messages.
func Rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && len(r) < len(p) {
		return r
	}
	return p
}

// ErrNotEmpty is returned by Init for a non-empty directory without force.
var ErrNotEmpty = errors.New("directory is not empty")

// InitResult says what Init wrote and what it left alone.
type InitResult struct {
	Created []string // files written, relative to the root
	Kept    []string // files that existed and were left untouched
}

// Init creates a workspace for course c in dir: the exercise stubs, the
// workspace files (support code learners build with), go.mod, a README and
// the marker. It refuses a non-empty directory unless force is set, and even
// then never overwrites an existing file.
func Init(c *course.Course, dir string, force bool, now time.Time) (*Workspace, *InitResult, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 && !force {
		return nil, nil, fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	res := &InitResult{}
	write := func(rel string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(p); err == nil {
			res.Kept = append(res.Kept, rel)
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		res.Created = append(res.Created, rel)
		return nil
	}
	files, err := Files(c)
	if err != nil {
		return nil, nil, err
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		if err := write(rel, files[rel]); err != nil {
			return nil, nil, err
		}
	}
	marker, _ := json.MarshalIndent(Marker{Version: 1, Created: now.UTC()}, "", "  ")
	if err := write(MarkerDir+"/"+markerFile, append(marker, '\n')); err != nil {
		return nil, nil, err
	}
	return &Workspace{Root: dir}, res, nil
}

// Files returns every file a new workspace receives, by slash path: stubs of
// the exercises that exist, support code (no tests), go.mod and README.md.
// Hidden suites and solutions are never among them.
func Files(c *course.Course) (map[string][]byte, error) {
	out := map[string][]byte{}
	add := func(dir string) error {
		return fs.WalkDir(c.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Never follow a link out of the course into a workspace.
				return fmt.Errorf("%s is a symbolic link; a course may not contain links", p)
			}
			if d.IsDir() || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			data, err := fs.ReadFile(c.FS, p)
			if err != nil {
				return err
			}
			out[p] = data
			return nil
		})
	}
	for _, l := range c.Lessons {
		if c.HasExercise(l) {
			if err := add(l.StubDir()); err != nil {
				return nil, err
			}
		}
	}
	for _, d := range c.WorkspaceFiles {
		if err := add(d); err != nil {
			return nil, err
		}
	}
	out["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo %s\n", c.Module, c.GoVersion))
	out["README.md"] = []byte(readme(c))
	return out, nil
}

func readme(c *course.Course) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", c.Title)
	b.WriteString(`This is your dslearn workspace. Each exercise is a Go package under
exercises/<slug>/. Read a lesson, implement its exercise, and let the hidden
suite judge it:

    dslearn lesson 1
    $EDITOR exercises/lamport-clocks/
    dslearn check lamport-clocks
    dslearn progress

The files are yours: write your own tests next to them (*_test.go) and run
them with go test ./exercises/<slug>/; the grader ignores your tests and uses
its own. go.mod names the module the course is built in, so that the
exercises' imports (such as the simulated network in simnet/) resolve here
exactly as they do in the grader. Keep it as it is.

.dslearn/ marks this directory as a workspace and keeps your progress.

Exercises:
`)
	for _, l := range c.Lessons {
		fmt.Fprintf(&b, "  %2d  %-22s %s\n", l.Number, path.Base(l.StubDir()), l.Title)
	}
	return b.String()
}
