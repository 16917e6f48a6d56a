package classroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
)

// GradescopeResults is Gradescope's results.json, as its autograder
// specifications describe it: an overall score and one test per check.
type GradescopeResults struct {
	Score float64 `json:"score"`
	// ExecutionTime is the wall time of the grading, in seconds.
	ExecutionTime int    `json:"execution_time"`
	Output        string `json:"output"`
	// OutputFormat is "text": the report keeps its line breaks and indents.
	OutputFormat     string           `json:"output_format"`
	Visibility       string           `json:"visibility"`
	StdoutVisibility string           `json:"stdout_visibility"`
	Tests            []GradescopeTest `json:"tests"`
}

// GradescopeTest is one check.
type GradescopeTest struct {
	Name     string  `json:"name"`
	Number   string  `json:"number"`
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	// Status is "passed" or "failed".
	Status     string   `json:"status"`
	Output     string   `json:"output"`
	Visibility string   `json:"visibility"`
	Tags       []string `json:"tags"`
	// ExecutionTime is the check's own run time, in seconds.
	ExecutionTime float64 `json:"execution_time"`
}

// Visibilities are Gradescope's visibility settings.
var Visibilities = []string{"visible", "hidden", "after_due_date", "after_published"}

// GradescopeOptions configure one run of the autograder.
type GradescopeOptions struct {
	// Root is Gradescope's /autograder: the submission is read from
	// Root/submission and results are written to Root/results/results.json.
	Root string
	Plan *Plan
	// Visibility applies to every test and to the overall result.
	Visibility string
	// Run configures the graded runs: the race detector, the sandbox.
	Run runner.Options
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// RunGradescope grades the submission under opts.Root and writes
// results.json. It writes results.json even when grading could not run
// (saying why, with no points), and then returns the error.
func RunGradescope(ctx context.Context, c *course.Course, opts GradescopeOptions) (*GradescopeResults, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	res, gerr := gradeSubmission(ctx, c, opts)
	if gerr != nil {
		res = failedResults(opts, gerr)
	}
	res.ExecutionTime = int(math.Ceil(now().Sub(start).Seconds()))
	if err := writeResults(filepath.Join(opts.Root, "results", "results.json"), res); err != nil {
		return res, errors.Join(gerr, err)
	}
	return res, gerr
}

// WriteGradescopeFailure writes the results.json of a submission that could
// not be graded at all (say, the sandbox is required and cannot run): no
// points, and why.
func WriteGradescopeFailure(opts GradescopeOptions, why error) error {
	return writeResults(filepath.Join(opts.Root, "results", "results.json"), failedResults(opts, why))
}

func failedResults(opts GradescopeOptions, why error) *GradescopeResults {
	res := emptyResults(opts)
	res.Output = "The autograder could not grade this submission: " + why.Error() +
		"\nNo points were given for it. Tell your instructor.\n"
	return res
}

func emptyResults(opts GradescopeOptions) *GradescopeResults {
	res := &GradescopeResults{Visibility: opts.Visibility, StdoutVisibility: "hidden", OutputFormat: "text", Tests: []GradescopeTest{}}
	for _, l := range opts.Plan.Lessons {
		res.Tests = append(res.Tests, lessonTests(opts.Plan, l, nil, "not graded", opts.Visibility)...)
	}
	return res
}

func writeResults(file string, res *GradescopeResults) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(data, '\n'), 0o644)
}

func gradeSubmission(ctx context.Context, c *course.Course, opts GradescopeOptions) (*GradescopeResults, error) {
	p := opts.Plan
	subDir := filepath.Join(opts.Root, "submission")
	if st, err := os.Stat(subDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no submission directory %s", subDir)
	}
	sub, err := FindSubmission(c, p.Lessons, subDir)
	if err != nil {
		return nil, err
	}
	graded, notes, err := GradeFiles(ctx, c, p, sub, opts.Run)
	if err != nil {
		return nil, err
	}
	return GradescopeFromGraded(p, graded, append(sub.Notes, notes...), opts.Visibility), nil
}

// GradeFiles grades the submitted files of every exercise of the plan that
// has some, in one run, and returns the results by slug. Exercises without
// files are absent from the map. A stub file the submission lacks is taken
// from the starting files, and a note says so.
func GradeFiles(ctx context.Context, c *course.Course, p *Plan, sub *Submission, opts runner.Options) (map[string]*grader.Graded, []string, error) {
	tmp, err := os.MkdirTemp("", "dslearn-submission-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	var items []runner.Item
	var notes []string
	for _, l := range p.Lessons {
		files := sub.Files[l.Slug]
		if len(files) == 0 {
			continue
		}
		dir := filepath.Join(tmp, l.Slug)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, nil, err
		}
		fromStub, err := Materialize(c, l, files, dir)
		if err != nil {
			return nil, nil, err
		}
		if len(fromStub) > 0 {
			notes = append(notes, fmt.Sprintf("%s: not submitted, so the starting version was used: %s", l.Slug, strings.Join(fromStub, ", ")))
		}
		items = append(items, runner.Item{Lesson: l, Impl: os.DirFS(dir)})
	}
	out := map[string]*grader.Graded{}
	if len(items) == 0 {
		return out, notes, nil
	}
	gs, err := grader.GradeAll(ctx, c, items, opts)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range gs {
		out[g.Lesson.Slug] = g
	}
	return out, notes, nil
}

// GradescopeFromGraded turns graded exercises into Gradescope's results: a
// test per check of every exercise in the plan, in course and suite order.
// The overall output holds, per exercise, the report `dslearn check`
// prints, after any notes about the submission.
func GradescopeFromGraded(p *Plan, graded map[string]*grader.Graded, notes []string, visibility string) *GradescopeResults {
	res := &GradescopeResults{Visibility: visibility, StdoutVisibility: "hidden", OutputFormat: "text", Tests: []GradescopeTest{}}
	var out strings.Builder
	if len(notes) > 0 {
		out.WriteString("About your submission:\n")
		for _, n := range notes {
			out.WriteString("  - " + n + "\n")
		}
		out.WriteString("\n")
	}
	score := 0.0
	for _, l := range p.Lessons {
		g := graded[l.Slug]
		why := ""
		if g == nil {
			why = "not submitted: no .go file of this exercise was found"
			fmt.Fprintf(&out, "%s  lesson %d: %s\n\n  not submitted: no .go file with package clause of exercises/%s/ was found\n\n", l.Slug, l.Number, l.Title, l.Slug)
		} else {
			grader.WriteReport(&out, g, grader.Style{})
			out.WriteString("\n")
		}
		tests := lessonTests(p, l, g, why, visibility)
		for _, t := range tests {
			if t.Status == "passed" {
				score += p.CheckPoints(l.Slug) // unrounded: three thirds make a whole
			}
		}
		res.Tests = append(res.Tests, tests...)
	}
	res.Score = round(score)
	fmt.Fprintf(&out, "Score: %s of %s points.\n", fmtPoints(res.Score), fmtPoints(round(p.Total())))
	res.Output = out.String()
	return res
}

// lessonTests is one test per check the suite declares. A check earns its
// points only when it passed in a run that as a whole can be trusted: no
// build failure and no problem (a timeout, a crash, an early exit). Checks
// a run reports that the suite does not declare are ignored.
func lessonTests(p *Plan, l *course.Lesson, g *grader.Graded, why, visibility string) []GradescopeTest {
	byName := map[string]*grader.Check{}
	if g != nil {
		for _, c := range g.Checks {
			byName[c.Name] = c
		}
	}
	each := p.CheckPoints(l.Slug)
	var tests []GradescopeTest
	for i, name := range p.Checks[l.Slug] {
		t := GradescopeTest{
			Name:       fmt.Sprintf("%s: %s", l.Slug, grader.Title(name)),
			Number:     fmt.Sprintf("%d.%d", l.Number, i+1),
			MaxScore:   round(each),
			Status:     "failed",
			Visibility: visibility,
			Tags:       []string{l.Slug},
		}
		c := byName[name]
		switch {
		case g == nil:
			t.Output = why
		case g.BuildFailed:
			t.Output = fmt.Sprintf("exercises/%s does not compile:\n\n%s", l.Slug, g.BuildOutput)
		case c == nil:
			t.Output = "did not run"
		default:
			t.ExecutionTime = math.Round(c.Duration.Seconds()*1000) / 1000
			t.Output = checkText(l, c)
		}
		if g != nil && !g.BuildFailed && g.Problem != "" {
			if t.Output != "" {
				t.Output += "\n\n"
			}
			t.Output += "No points for this exercise: the run as a whole failed: " + g.Problem
		}
		if g != nil && c != nil && c.Status != grader.Fail && !g.BuildFailed && g.Problem == "" {
			t.Status = "passed"
			t.Score = round(each)
		}
		tests = append(tests, t)
	}
	return tests
}

// checkText is what `dslearn check` prints under a check: why it failed,
// and the seed with the command that replays it.
func checkText(l *course.Lesson, c *grader.Check) string {
	switch c.Status {
	case grader.Pass:
		return "passed"
	case grader.Skip:
		return "skipped (counts as passed)"
	}
	msg := c.Message
	if c.NotImplemented {
		msg = strings.SplitN(msg, "\n", 2)[0]
	}
	if c.Seed != 0 && !c.NotImplemented {
		msg += fmt.Sprintf("\nseed %d · replay: %s", c.Seed, grader.Replay(l.Slug, c.Name, c.Seed))
	}
	return msg
}

func fmtPoints(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", x), "0"), ".")
}
