package classroom

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
)

// GitHub Classroom's autograding: each grading step ("runner") puts its
// result in a step output named result, base64-encoded JSON; the
// classroom-resources/autograding-grading-reporter action reads each
// runner's <RUNNER ID in upper case>_RESULTS environment variable, sums the
// points and reports them in the check run GitHub Classroom reads. The JSON
// is the one classroom-resources/autograding-command-grader writes.

// ClassroomResult is one runner's result for the grading reporter.
type ClassroomResult struct {
	Version int `json:"version"`
	// Status is "pass", "fail" or "error".
	Status   string          `json:"status"`
	MaxScore float64         `json:"max_score"`
	Tests    []ClassroomTest `json:"tests"`
}

// ClassroomTest is one check.
type ClassroomTest struct {
	Name string `json:"name"`
	// Status is "pass", "fail" or "error".
	Status   string `json:"status"`
	Message  string `json:"message"`
	TestCode string `json:"test_code"`
	Filename string `json:"filename"`
	LineNo   int    `json:"line_no"`
	// ExecutionTime is a duration such as "0.12s".
	ExecutionTime string  `json:"execution_time"`
	Score         float64 `json:"score"`
}

// RunnerID is the id of the grading step in the generated workflow; the
// reporter reads its result from DSLEARN_RESULTS.
const RunnerID = "dslearn"

// ClassroomFromGraded turns graded exercises into the reporter's format,
// with the same tests and points as the Gradescope results.
func ClassroomFromGraded(p *Plan, graded map[string]*grader.Graded) ClassroomResult {
	gs := GradescopeFromGraded(p, graded, nil, "visible")
	res := ClassroomResult{Version: 1, Status: "pass", MaxScore: round2(p.Total()), Tests: []ClassroomTest{}}
	for _, t := range gs.Tests {
		slug := t.Tags[0]
		ct := ClassroomTest{Name: t.Name, Status: "pass", Score: round2(t.Score), Message: t.Output,
			TestCode: "dslearn check " + slug, Filename: "exercises/" + slug + "/",
			ExecutionTime: fmt.Sprintf("%.3fs", t.ExecutionTime)}
		if t.Status != "passed" {
			ct.Status = "fail"
			res.Status = "fail"
		}
		res.Tests = append(res.Tests, ct)
	}
	return res
}

// ClassroomError is the result of a run that could not grade at all.
func ClassroomError(p *Plan, err error) ClassroomResult {
	return ClassroomResult{Version: 1, Status: "error", MaxScore: round2(p.Total()), Tests: []ClassroomTest{{
		Name: "grading", Status: "error", Message: err.Error(), ExecutionTime: "0s"}}}
}

// Encode is the value of the step output: base64 of the JSON.
func (r ClassroomResult) Encode() (string, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(data), nil
}

// WriteStepOutput appends result=<encoded> to a GitHub Actions output file
// ($GITHUB_OUTPUT).
func WriteStepOutput(file string, r ClassroomResult) error {
	enc, err := r.Encode()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, werr := fmt.Fprintf(f, "result=%s\n", enc)
	if err := f.Close(); werr == nil {
		werr = err
	}
	return werr
}

// WorkspaceSubmission is a workspace's exercise files: exercises/<slug>/*.go.
func WorkspaceSubmission(lessons []*course.Lesson, root string) (*Submission, error) {
	sub := &Submission{Files: map[string]map[string]string{}}
	for _, l := range lessons {
		dir := filepath.Join(root, filepath.FromSlash(l.StubDir()))
		entries, err := os.ReadDir(dir)
		if err != nil {
			sub.Notes = append(sub.Notes, fmt.Sprintf("%s: no directory %s", l.Slug, l.StubDir()))
			continue
		}
		for _, e := range entries {
			if e.Type().IsRegular() && isSource(e.Name()) {
				if sub.Files[l.Slug] == nil {
					sub.Files[l.Slug] = map[string]string{}
				}
				sub.Files[l.Slug][e.Name()] = filepath.Join(dir, e.Name())
			}
		}
	}
	return sub, nil
}

// WorkflowOptions describe the starter repository's workflow.
type WorkflowOptions struct {
	// Module is the module path dslearn is installed from, and Version the
	// version to install (a tag, a commit, or "latest").
	Module, Version string
	// DslearnVersion is the running dslearn's version, recorded in a comment.
	DslearnVersion string
	Lessons        []string
	Points         string
	Race           bool
	// Sandbox is run-github's --sandbox mode.
	Sandbox string
}

// WorkflowPath is where the starter repository's workflow lives.
const WorkflowPath = ".github/workflows/classroom.yml"

// JUnitFile is the JUnit report the workflow writes and uploads.
const JUnitFile = "dslearn-junit.xml"

var workflowTmpl = template.Must(template.New("wf").Delims("[[", "]]").Parse(`# Grades every push with dslearn's hidden suites and reports points to
# GitHub Classroom. Written by dslearn [[.DslearnVersion]] (dslearn classroom github).
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:

permissions:
  checks: write
  actions: read
  contents: read

jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Check out the code
        uses: actions/checkout@v4

      - name: Set up Go
        uses: actions/setup-go@v5
        with:
          go-version-file: go.mod

      - name: Install dslearn
        # The hidden suites are inside the binary: the version is pinned for the term.
        run: go install [[.Module]]/cmd/dslearn@[[.Version]]

      - name: Grade
        id: [[.RunnerID]]
[[- if eq .Sandbox "off"]]
        # No sandbox: the runner is the student's own, with nothing of anyone else's to protect.
[[- end]]
        run: dslearn classroom run-github --lessons [[.Lessons]] --points [[.Points]] --race=[[.Race]] --sandbox [[.Sandbox]] --junit [[.JUnit]]

      - name: Report points to GitHub Classroom
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          [[.EnvName]]: "${{ steps.[[.RunnerID]].outputs.result }}"
        with:
          runners: [[.RunnerID]]

      - name: Upload the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: dslearn-junit
          path: [[.JUnit]]
          if-no-files-found: ignore

      - name: Annotate failed checks
        if: always()
        uses: mikepenz/action-junit-report@v5
        with:
          report_paths: [[.JUnit]]
          check_name: dslearn checks
`))

// WriteWorkflow writes the GitHub Actions workflow of the starter repository.
func WriteWorkflow(w io.Writer, o WorkflowOptions) error {
	return workflowTmpl.Execute(w, map[string]any{
		"Module": o.Module, "Version": o.Version, "DslearnVersion": o.DslearnVersion,
		"Lessons": strings.Join(o.Lessons, ","), "Points": o.Points, "Race": o.Race, "Sandbox": cmp.Or(o.Sandbox, "off"),
		"RunnerID": RunnerID, "EnvName": strings.ToUpper(RunnerID) + "_RESULTS", "JUnit": JUnitFile,
	})
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
