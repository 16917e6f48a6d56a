// Package audit proves that a course's exercises are sound: the stub builds
// and fails every check with "not implemented yet", the reference solution
// passes on many seeds, and every known-wrong implementation is rejected by
// at least one check. `dslearn dev check` and the project's tests use it.
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
	// Name is the wrong implementation's directory name (empty otherwise).
	Name string
	// Dir is the implementation's directory in the course.
	Dir string
	// Bug is the wrong implementation's description, from its first line.
	Bug string
}

// Targets lists what the audit of lesson l runs: the stub, the solution and
// every known-wrong implementation.
func Targets(c *course.Course, l *course.Lesson) ([]Target, error) {
	ts := []Target{{Kind: Stub, Dir: l.StubDir()}, {Kind: Solution, Dir: l.SolutionDir()}}
	entries, err := fs.ReadDir(c.FS, l.WrongDir())
	if err != nil {
		return ts, nil // Verdict reports the missing wrong implementations.
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := path.Join(l.WrongDir(), e.Name())
		ts = append(ts, Target{Kind: Wrong, Name: e.Name(), Dir: dir, Bug: bugOf(c.FS, dir)})
	}
	return ts, nil
}

// bugOf reads the "// Known wrong: …" line of a wrong implementation.
func bugOf(fsys fs.FS, dir string) string {
	entries, _ := fs.ReadDir(fsys, dir)
	for _, e := range entries {
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		for _, line := range strings.SplitN(string(data), "\n", 5) {
			if s, ok := strings.CutPrefix(line, "// Known wrong: "); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// MinWrong is the least number of known-wrong implementations an exercise has.
const MinWrong = 6

// Files checks the exercise's layout: the solution and every wrong
// implementation have exactly the stub's files, and there are enough wrong ones.
func Files(c *course.Course, l *course.Lesson, targets []Target) []error {
	var errs []error
	stub, err := goFiles(c.FS, l.StubDir())
	if err != nil {
		return []error{fmt.Errorf("stub %s: %w", l.StubDir(), err)}
	}
	wrong := 0
	for _, t := range targets {
		if t.Kind == Wrong {
			wrong++
			if t.Bug == "" {
				errs = append(errs, fmt.Errorf("%s: no \"// Known wrong: …\" line says what its bug is", t.Dir))
			}
		}
		if t.Kind == Stub {
			continue
		}
		files, err := goFiles(c.FS, t.Dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Dir, err))
			continue
		}
		if !slices.Equal(files, stub) {
			errs = append(errs, fmt.Errorf("%s has files %v; it must have the stub's files %v, file for file", t.Dir, files, stub))
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
	impl, err := fs.Sub(c.FS, t.Dir)
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
		return fmt.Errorf("%s does not build:\n%s", t.Dir, r.BuildOutput)
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
