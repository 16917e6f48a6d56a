// Package cli is dslearn's command line: thin cobra adapters over the
// domain packages (course, render, workspace, runner, grader, progress).
// Each command fills an options struct and calls a plain run function that
// writes only to the injected streams; Main maps errors to exit codes in one
// place.
package cli

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	dslearn "github.com/dslearn/dslearn"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/iostreams"
	"github.com/dslearn/dslearn/internal/progress"
	"github.com/dslearn/dslearn/internal/workspace"
)

// EnvCourse names a course directory to use instead of the built-in course.
const EnvCourse = "DSLEARN_COURSE"

// Factory holds what commands depend on, so tests can replace any of it.
type Factory struct {
	IO *iostreams.IOStreams
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Getwd is the directory commands search for a workspace from.
	Getwd func() (string, error)
	// CourseDir, when set (by --course or DSLEARN_COURSE), is a course on disk.
	CourseDir string
	// StartWarm starts filling Go's build cache in the background (init)
	// and reports whether it did; nil starts nothing.
	StartWarm func(f *Factory, root string) bool
	// Known lists the workspaces last used on this machine, most recent first.
	Known *workspace.Known

	once   sync.Once
	course *course.Course
	err    error
}

// NewFactory returns the factory of a real invocation.
func NewFactory() *Factory {
	return &Factory{
		IO:        iostreams.System(),
		Now:       time.Now,
		Getwd:     os.Getwd,
		CourseDir: os.Getenv(EnvCourse),
		Known:     workspace.KnownList(),
		StartWarm: spawnWarm,
	}
}

// Course loads the course once: the directory named by --course or
// DSLEARN_COURSE, else the copy built into the binary.
func (f *Factory) Course() (*course.Course, error) {
	f.once.Do(func() {
		if f.CourseDir != "" {
			if st, err := os.Stat(f.CourseDir); err != nil || !st.IsDir() {
				f.err = &EnvError{fmt.Errorf("course directory %s does not exist", f.CourseDir)}
				return
			}
			f.course, f.err = course.Load(os.DirFS(f.CourseDir), f.CourseDir)
		} else {
			f.course, f.err = course.Load(dslearn.Files(), "built-in course")
		}
		if f.err != nil {
			f.err = &EnvError{f.err}
		}
	})
	return f.course, f.err
}

// Workspace finds the workspace containing the current directory. Outside
// one, the error says what to do and where the learner's workspace is.
func (f *Factory) Workspace() (*workspace.Workspace, error) {
	wd, err := f.Getwd()
	if err != nil {
		return nil, &EnvError{err}
	}
	w, err := workspace.Find(wd)
	if errors.Is(err, workspace.ErrNotFound) {
		msg := "not inside a dslearn workspace"
		if known := f.Known.List(); len(known) > 0 {
			msg += fmt.Sprintf(": the workspace you used last is %s\n  cd %s\nor create a new one here with: dslearn init", known[0], known[0])
		} else {
			msg += "; create one with:\n  dslearn init ~/dslearn && cd ~/dslearn"
		}
		return nil, &EnvError{errors.New(msg)}
	}
	if err != nil {
		return nil, &EnvError{err}
	}
	f.used(w)
	return w, nil
}

// used remembers w as the workspace last used, so that a command run
// outside any workspace can say where it is. It is a convenience: failing
// to record it (a read-only home) is not worth a message.
func (f *Factory) used(w *workspace.Workspace) {
	if known := f.Known.List(); len(known) == 0 || known[0] != w.Root {
		_ = f.Known.Add(w.Root)
	}
}

// OptionalWorkspace is the workspace if the current directory is in one, else nil.
func (f *Factory) OptionalWorkspace() *workspace.Workspace {
	wd, err := f.Getwd()
	if err != nil {
		return nil
	}
	w, err := workspace.Find(wd)
	if err != nil {
		return nil
	}
	f.used(w)
	return w
}

// Progress opens a workspace's progress store, with notices sent to stderr.
func (f *Factory) Progress(w *workspace.Workspace) *progress.Store {
	s := progress.Open(w.StateDir())
	s.Notice = func(msg string) { fmt.Fprintf(f.IO.ErrOut, "dslearn: warning: %s\n", msg) }
	return s
}

// LoadProgress reads a workspace's progress; nil workspace gives empty progress.
func (f *Factory) LoadProgress(w *workspace.Workspace) (*progress.Progress, error) {
	if w == nil {
		return &progress.Progress{Version: progress.Version}, nil
	}
	p, err := f.Progress(w).Load()
	if err != nil {
		return nil, &EnvError{err}
	}
	return p, nil
}

// Learner returns what most learner commands start from: the course, the
// workspace around the current directory, and its progress.
func (f *Factory) Learner() (*course.Course, *workspace.Workspace, *progress.Progress, error) {
	c, err := f.Course()
	if err != nil {
		return nil, nil, nil, err
	}
	w, err := f.Workspace()
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := f.LoadProgress(w)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, w, p, nil
}
