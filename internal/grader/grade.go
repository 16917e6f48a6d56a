package grader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
)

// ErrInterrupted is returned when the user stopped a check (Ctrl-C).
var ErrInterrupted = errors.New("interrupted")

// Graded is the judged result of one exercise.
type Graded struct {
	Lesson *course.Lesson
	*Result
	// Elapsed is the wall time of the run, build included.
	Elapsed time.Duration
}

// Grade runs lesson l's hidden suite against the implementation in impl (a
// directory of .go files) and judges it. It removes its temporary build on
// every path. An error means the suite could not be run at all.
func Grade(ctx context.Context, c *course.Course, l *course.Lesson, impl fs.FS, opts runner.Options) (*Graded, error) {
	expected, err := SuiteChecks(c, l)
	if err != nil {
		return nil, err
	}
	b, err := runner.Assemble(c, l, impl)
	if err != nil {
		return nil, err
	}
	defer b.Remove()
	if opts.Timeout == 0 {
		opts.Timeout = l.RunTimeout()
	}
	var res *Result
	exit, err := runner.Run(ctx, b, opts, func(stdout, stderr io.Reader) error {
		res = Parse(stdout, stderr)
		return nil
	})
	if exit.Interrupted {
		return nil, ErrInterrupted
	}
	if err != nil {
		return nil, err
	}
	if opts.Run == "" {
		res.Complete(expected)
	}
	if exit.Deadline && res.Problem == "" {
		res.Problem = fmt.Sprintf("did not finish in %s: a loop that never ends, or a deadlock?", opts.Timeout)
	}
	if !res.BuildFailed && len(res.Checks) == 0 && exit.Code != 0 {
		res.Problem = "go test failed before running any check:\n" + res.Stderr
	}
	return &Graded{Lesson: l, Result: res, Elapsed: exit.Elapsed}, nil
}

var testFuncRE = regexp.MustCompile(`(?m)^func (Test[A-Z_0-9]\w*)\(\w+ \*testing\.T\)`)

// SuiteChecks lists the checks (top-level tests) a lesson's suite declares, in
// source order, so that a run that stops early can never look like a pass.
func SuiteChecks(c *course.Course, l *course.Lesson) ([]string, error) {
	entries, err := fs.ReadDir(c.FS, l.SuiteDir())
	if err != nil {
		return nil, fmt.Errorf("the hidden suite of %s is missing: %w", l.Slug, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || !isTestFile(e.Name()) {
			continue
		}
		src, err := fs.ReadFile(c.FS, l.SuiteDir()+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		for _, m := range testFuncRE.FindAllSubmatch(src, -1) {
			names = append(names, string(m[1]))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the hidden suite of %s declares no checks", l.Slug)
	}
	return names, nil
}

func isTestFile(name string) bool {
	return len(name) > len("_test.go") && name[len(name)-len("_test.go"):] == "_test.go"
}

// State is where an exercise stands.
type State string

// The states of an exercise.
const (
	NotStarted State = "not started"
	Failing    State = "failing"
	Passed     State = "passed"
)

// State judges the result: passed when every check passed and nothing went
// wrong; not started when every check failed only for "not implemented yet".
func (r *Result) State() State {
	if r.BuildFailed || r.Problem != "" {
		return Failing
	}
	passed, notImpl := 0, 0
	for _, c := range r.Checks {
		switch {
		case c.Status == Pass || c.Status == Skip:
			passed++
		case c.NotImplemented:
			notImpl++
		}
	}
	switch {
	case len(r.Checks) > 0 && passed == len(r.Checks):
		return Passed
	case len(r.Checks) > 0 && notImpl == len(r.Checks):
		return NotStarted
	}
	return Failing
}

// Counts returns how many checks passed and how many there are.
func (r *Result) Counts() (passed, total int) {
	for _, c := range r.Checks {
		if c.Status != Fail {
			passed++
		}
	}
	return passed, len(r.Checks)
}
