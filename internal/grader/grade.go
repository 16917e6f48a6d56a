package grader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
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
	start := time.Now()
	out := make([]*Graded, len(items))
	expected := make([][]string, len(items))
	var build []int // the items that pass the screening, in order
	items = slices.Clone(items)
	for i, it := range items {
		names, err := SuiteChecks(c, it.Lesson)
		if err != nil {
			return nil, err
		}
		expected[i] = names
		// Screen and build one copy, read once (see Snapshot).
		snap, err := Snapshot(it.Impl)
		if err != nil {
			out[i] = &Graded{Lesson: it.Lesson, Result: unreadable(err)}
			continue
		}
		items[i].Impl = snap
		it.Impl = snap
		if probs := Screen(c, it.Lesson, it.Impl); len(probs) > 0 && !opts.TrustImpl {
			out[i] = &Graded{Lesson: it.Lesson, Result: refused(probs, c.AllowedImports(it.Lesson), it.Lesson.StubDir())}
			continue
		}
		build = append(build, i)
	}
	if len(build) == 0 {
		finishElapsed(out, start)
		return out, nil
	}
	sub := make([]runner.Item, len(build))
	for j, i := range build {
		sub[j] = items[i]
	}
	// Build every test binary before any learner code runs.
	b, built, goErr, compiled, err := assembleAndCompile(ctx, c, sub, opts)
	if err != nil {
		return nil, err
	}
	if compiled.Code != 0 && anyBuildFailed(built) {
		// The yields added at locks must never turn code that compiles
		// into code that does not, nor put their names into the learner's
		// error messages: build the exercises that failed as they are. If
		// they still fail, those are the learner's own errors; if they
		// compile, they run without the yields.
		plain := slices.Clone(sub)
		for j := range plain {
			plain[j].Plain = b.Binary(j) == ""
		}
		b.Remove()
		b, built, goErr, compiled, err = assembleAndCompile(ctx, c, plain, opts)
		if err != nil {
			return nil, err
		}
	}
	defer b.Remove()
	binaries := 0
	for j := range build {
		if b.Binary(j) != "" {
			binaries++
		}
	}
	if compiled.Code != 0 && binaries == 0 && !anyBuildFailed(built) {
		// The go command failed before compiling anything of the learner's:
		// the toolchain or its environment is broken, not the exercise.
		return nil, &GoError{Output: goErr}
	}

	// Then run them, each on its own, in parallel.
	if opts.Phase != nil {
		opts.Phase(runner.PhaseRunning)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(build)))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for j, i := range build {
		l := items[i].Lesson
		timeout := opts.Timeout
		if timeout == 0 {
			timeout = l.RunTimeout()
		}
		pkg := b.ImportPaths[j]
		if b.Binary(j) == "" {
			res, ok := built[pkg]
			if !ok || !res.BuildFailed {
				res = newResult()
				res.BuildFailed = true
				res.BuildOutput = strings.TrimSpace(goErr)
				res.finish()
			}
			out[i] = &Graded{Lesson: l, Result: res, Elapsed: compiled.Elapsed}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o := opts
			o.Timeout = timeout
			if opts.Artifacts != "" {
				o.Artifacts = filepath.Join(opts.Artifacts, l.Slug)
				o.ArtifactsShown = path.Join(opts.ArtifactsShown, l.Slug)
			}
			var res *Result
			ran, err := b.Exec(ctx, j, o, func(events io.Reader) error {
				res = Parse(events, strings.NewReader(""))
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			if opts.Run == "" {
				judge(res, ran, expected[i], timeout)
			} else {
				judge(res, ran, nil, timeout)
			}
			locate(res, items[i].Impl)
			out[i] = &Graded{Lesson: l, Result: res, Elapsed: compiled.Elapsed + ran.Elapsed}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ErrInterrupted
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

func finishElapsed(gs []*Graded, start time.Time) {
	for _, g := range gs {
		if g != nil && g.Elapsed == 0 {
			g.Elapsed = time.Since(start)
		}
	}
}

func anyBuildFailed(rs map[string]*Result) bool {
	for _, r := range rs {
		if r.BuildFailed {
			return true
		}
	}
	return false
}

// GoError means the go command itself failed, before compiling anything of
// the learner's: a broken toolchain or environment (GOROOT, GOCACHE=off, an
// unknown GOEXPERIMENT…). Nothing about the exercise is known.
type GoError struct{ Output string }

func (e *GoError) Error() string {
	out := strings.TrimSpace(e.Output)
	if out == "" {
		out = "(it printed nothing)"
	}
	return "the go command failed before it compiled your code; this is a problem with Go or its environment, not with your exercise:\n" + out
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

// assembleAndCompile makes one build of items and compiles all their test
// binaries. On an error the build is already removed.
func assembleAndCompile(ctx context.Context, c *course.Course, items []runner.Item, opts runner.Options) (*runner.Build, map[string]*Result, string, runner.Compiled, error) {
	b, err := runner.Assemble(c, items...)
	if err != nil {
		return nil, nil, "", runner.Compiled{}, err
	}
	var built map[string]*Result
	var goErr string
	compiled, err := b.Compile(ctx, opts, func(stdout, stderr io.Reader) error {
		built, goErr = ParseAll(stdout, stderr)
		return nil
	})
	fail := func(err error) (*runner.Build, map[string]*Result, string, runner.Compiled, error) {
		b.Remove()
		return nil, nil, "", compiled, err
	}
	if compiled.Interrupted || ctx.Err() != nil {
		return fail(ErrInterrupted)
	}
	if err != nil {
		return fail(err)
	}
	if compiled.Deadline {
		return fail(fmt.Errorf("compiling the checks took longer than %s; is the machine overloaded?", round(compiled.Elapsed)))
	}
	return b, built, goErr, compiled, nil
}
