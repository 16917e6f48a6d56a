package grader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
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
	gs, err := GradeAll(ctx, c, []runner.Item{{Lesson: l, Impl: impl}}, opts)
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}

// GradeAll grades many exercises in one go test run, which builds and runs
// their suites in parallel. Results are in the order of items. With
// opts.Race, the suites of lessons that turn the race detector off (race:
// false in the manifest) run in a second go test run without it.
func GradeAll(ctx context.Context, c *course.Course, items []runner.Item, opts runner.Options) ([]*Graded, error) {
	if !opts.Race {
		return gradeRun(ctx, c, items, opts)
	}
	var racy, plain []int
	for i, it := range items {
		if it.Lesson.UsesRace() {
			racy = append(racy, i)
		} else {
			plain = append(plain, i)
		}
	}
	if len(plain) == 0 {
		return gradeRun(ctx, c, items, opts)
	}
	out := make([]*Graded, len(items))
	for _, group := range []struct {
		idx  []int
		race bool
	}{{racy, true}, {plain, false}} {
		if len(group.idx) == 0 {
			continue
		}
		sub := make([]runner.Item, len(group.idx))
		for j, i := range group.idx {
			sub[j] = items[i]
		}
		o := opts
		o.Race = group.race
		gs, err := gradeRun(ctx, c, sub, o)
		if err != nil {
			return nil, err
		}
		for j, i := range group.idx {
			out[i] = gs[j]
		}
	}
	return out, nil
}

func gradeRun(ctx context.Context, c *course.Course, items []runner.Item, opts runner.Options) ([]*Graded, error) {
	expected := make([][]string, len(items))
	timeout := opts.Timeout
	for i, it := range items {
		names, err := SuiteChecks(c, it.Lesson)
		if err != nil {
			return nil, err
		}
		expected[i] = names
		if opts.Timeout == 0 {
			timeout = max(timeout, it.Lesson.RunTimeout())
		}
	}
	opts.Timeout = timeout
	b, err := runner.Assemble(c, items...)
	if err != nil {
		return nil, err
	}
	defer b.Remove()
	var results map[string]*Result
	var stderr string
	exit, err := runner.Run(ctx, b, opts, func(stdout, errs io.Reader) error {
		results, stderr = ParseAll(stdout, errs)
		return nil
	})
	if exit.Interrupted || ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	if err != nil {
		return nil, err
	}
	out := make([]*Graded, len(items))
	for i, it := range items {
		res, ok := results[c.Module+"/"+it.Lesson.StubDir()]
		if !ok {
			res = newResult()
			res.Stderr = stderr
			res.finish()
		}
		if opts.Run == "" {
			res.Complete(expected[i])
		}
		if exit.Deadline && res.Problem == "" {
			res.Problem = fmt.Sprintf("did not finish in %s: a loop that never ends, or a deadlock?", opts.Timeout)
		}
		if !res.BuildFailed && len(res.Checks) == 0 && exit.Code != 0 && res.Problem == "" {
			res.Problem = "go test failed before running any check:\n" + stderr
		}
		out[i] = &Graded{Lesson: it.Lesson, Result: res, Elapsed: exit.Elapsed}
	}
	return out, nil
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
		if e.IsDir() || !strings.HasSuffix(e.Name(), "_test.go") {
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
