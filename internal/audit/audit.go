// Package audit proves that a course's exercises are sound: the stub builds
// and fails every check with "not implemented yet", the reference solution
// passes on many seeds, and every known-wrong implementation is rejected by
// at least one check. A known-wrong implementation is a unified diff against
// the solution (see package patch), applied in memory before it is graded.
// `dslearn dev check` and the project's tests use it.
package audit

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/patch"
	"github.com/dslearn/dslearn/internal/runner"
)

// SolutionRuns is how many seeds every randomized check of a solution must pass.
const SolutionRuns = 50

// Kind names what an implementation is.
type Kind string

// The kinds of implementation an audit runs.
const (
	Stub     Kind = "stub"
	Solution Kind = "solution"
	Wrong    Kind = "wrong"
)

// Target is one implementation to run the suite against.
type Target struct {
	Kind Kind
	// Name is the wrong implementation's name: its file name without .diff
	// (empty otherwise).
	Name string
	// Path is where the implementation is in the course: the stub's or the
	// solution's directory, or the wrong implementation's .diff file.
	Path string
	// Bug and Breaks are the wrong implementation's header: its bug in one
	// sentence and the lesson rule that the bug breaks (empty when the file
	// cannot be read; Files reports why).
	Bug, Breaks string
}

// Targets lists what the audit of lesson l runs: the stub, the solution and
// every known-wrong implementation, content/wrong/<slug>/<name>.diff.
func Targets(c *course.Course, l *course.Lesson) ([]Target, error) {
	ts := []Target{{Kind: Stub, Path: l.StubDir()}, {Kind: Solution, Path: l.SolutionDir()}}
	entries, err := fs.ReadDir(c.FS, l.WrongDir())
	if err != nil {
		return ts, nil // Files reports the missing wrong implementations.
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".diff")
		if !ok || e.IsDir() {
			continue // Files reports it.
		}
		t := Target{Kind: Wrong, Name: name, Path: path.Join(l.WrongDir(), e.Name())}
		if p, err := readPatch(c, t); err == nil {
			t.Bug, t.Breaks = p.Header.Bug, p.Header.Breaks
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func readPatch(c *course.Course, t Target) (*patch.Patch, error) {
	data, err := fs.ReadFile(c.FS, t.Path)
	if err != nil {
		return nil, err
	}
	p, err := patch.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Path, err)
	}
	return p, nil
}

// Impl is the implementation t names, as the grader takes it: a directory
// of the course, or for a wrong implementation, the reference solution with
// its diff applied. A diff that no longer applies is an error naming the
// file and the hunk.
func Impl(c *course.Course, l *course.Lesson, t Target) (fs.FS, error) {
	if t.Kind != Wrong {
		return fs.Sub(c.FS, t.Path)
	}
	p, err := readPatch(c, t)
	if err != nil {
		return nil, err
	}
	solution, err := fs.Sub(c.FS, l.SolutionDir())
	if err != nil {
		return nil, err
	}
	impl, err := p.Apply(solution)
	if err != nil {
		return nil, fmt.Errorf("%s no longer applies to %s: %w", t.Path, l.SolutionDir(), err)
	}
	return impl, nil
}

// MinWrong is the least number of known-wrong implementations an exercise has.
const MinWrong = 6

// Files checks the exercise's layout without building anything: the
// solution has exactly the stub's files, every known-wrong implementation is
// a .diff file with a Bug and a Breaks line that applies to the solution,
// and there are enough of them.
func Files(c *course.Course, l *course.Lesson, targets []Target) []error {
	var errs []error
	stub, err := goFiles(c.FS, l.StubDir())
	if err != nil {
		return []error{fmt.Errorf("stub %s: %w", l.StubDir(), err)}
	}
	if solution, err := goFiles(c.FS, l.SolutionDir()); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", l.SolutionDir(), err))
	} else if !slices.Equal(solution, stub) {
		errs = append(errs, fmt.Errorf("%s has files %v; it must have the stub's files %v, file for file", l.SolutionDir(), solution, stub))
	}
	entries, _ := fs.ReadDir(c.FS, l.WrongDir())
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".diff") {
			errs = append(errs, fmt.Errorf("%s: not a .diff file; a known-wrong implementation is one unified diff against the solution (make one with: dslearn dev wrong %s <name>)", path.Join(l.WrongDir(), e.Name()), l.Slug))
		}
	}
	wrong := 0
	for _, t := range targets {
		if t.Kind != Wrong {
			continue
		}
		wrong++
		if _, err := Impl(c, l, t); err != nil {
			errs = append(errs, err)
		}
	}
	if wrong < MinWrong {
		errs = append(errs, fmt.Errorf("%s has %d known-wrong implementations; every exercise needs at least %d", l.Slug, wrong, MinWrong))
	}
	return append(errs, screening(c, l)...)
}

func goFiles(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Run grades target t with the options an audit uses for its kind.
func Run(ctx context.Context, c *course.Course, l *course.Lesson, t Target, race bool) (*grader.Graded, error) {
	impl, err := Impl(c, l, t)
	if err != nil {
		return nil, err
	}
	opts := runner.Options{Race: race && l.UsesRace()}
	if t.Kind == Solution {
		opts.Runs = SolutionRuns
	}
	return grader.Grade(ctx, c, l, impl, opts)
}

// Verdict says whether a graded target behaved as its kind must; nil when
// it did. For a wrong implementation that was rejected, Rejected lists the
// checks that caught it.
func Verdict(t Target, g *grader.Graded) error {
	r := g.Result
	if r.BuildFailed {
		return fmt.Errorf("%s does not build:\n%s", t.Path, r.BuildOutput)
	}
	switch t.Kind {
	case Stub:
		var bad []string
		for _, c := range r.Checks {
			if c.Status != grader.Fail || !c.NotImplemented {
				bad = append(bad, fmt.Sprintf("%s (%s: %s)", c.Name, c.Status, firstLine(c.Message)))
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("the stub must fail every check with \"not implemented yet\", but: %s", strings.Join(bad, "; "))
		}
	case Solution:
		if r.Problem != "" {
			return fmt.Errorf("the solution's run went wrong: %s", r.Problem)
		}
		for _, c := range r.Checks {
			if c.Status == grader.Fail {
				seed := ""
				if c.Seed != 0 {
					seed = fmt.Sprintf(" (seed %d)", c.Seed)
				}
				return fmt.Errorf("the solution fails %s%s:\n%s", c.Name, seed, c.Message)
			}
		}
	case Wrong:
		if len(Rejected(g)) == 0 && r.Problem == "" {
			what := t.Name
			if t.Bug != "" {
				what += " (" + t.Bug + ")"
			}
			return fmt.Errorf("the known-wrong implementation %s passes every check: the suite must reject it", what)
		}
	}
	return nil
}

// Rejected lists the checks that failed.
func Rejected(g *grader.Graded) []string {
	var names []string
	for _, c := range g.Checks {
		if c.Status == grader.Fail {
			names = append(names, c.Name)
		}
	}
	return names
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
