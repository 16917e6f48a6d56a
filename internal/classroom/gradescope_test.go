package classroom

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunGradescope runs the autograder against a fake /autograder tree,
// once per kind of submission, and checks results.json.
func TestRunGradescope(t *testing.T) {
	if testing.Short() {
		t.Skip("grades with the go command: seconds per submission")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	c := testCourse(t)
	lessons, _ := ParseLessons(c, "")
	plan, err := NewPlan(c, lessons, PointsCourse)
	if err != nil {
		t.Fatal(err)
	}
	solution := func(slug string) string {
		b, err := os.ReadFile(filepath.Join("testdata/course/solutions", slug, map[string]string{"adder": "add.go", "multiplier": "mul.go"}[slug]))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	type want struct {
		score  float64
		status []string // per test, in order: adder's two checks, multiplier's one
		output []string // substrings of each test's output ("" for no check)
		all    string   // substring of the overall output
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  want
	}{
		{"passing: the solutions, as loose files", map[string]string{
			"submission/add.go": solution("adder"), "submission/deep/er/mul.go": solution("multiplier"),
		}, want{10, []string{"passed", "passed", "passed"}, []string{"passed", "passed", "passed"}, "Score: 10 of 10 points."}},
		{"failing: Add is wrong for negative numbers, Mul missing", map[string]string{
			"submission/ws/exercises/adder/add.go": "package arith\n\nfunc Add(a, b int) int {\n\tif a < 0 {\n\t\treturn -a + b\n\t}\n\treturn a + b\n}\n",
		}, want{3, []string{"passed", "failed", "failed"}, []string{
			"passed",
			"Add(-1, -2) = -1, want -3\nseed 1 · replay: dslearn check adder --seed 1 --run '^TestAddSumsNegativeNumbers$'",
			"not submitted",
		}, "Score: 3 of 10 points."}},
		{"not compiling", map[string]string{
			"submission/add.go": "package arith\n\nfunc Add(a, b int) int { return nope }\n", "submission/mul.go": solution("multiplier"),
		}, want{4, []string{"failed", "failed", "passed"}, []string{
			"exercises/adder does not compile:", "undefined: nope", "passed",
		}, "does not compile"}},
		{"cheating: an init that prints a pass and panics", map[string]string{
			"submission/adder/add.go":   solution("adder"),
			"submission/adder/cheat.go": "package arith\n\nimport \"fmt\"\n\nfunc init() { fmt.Println(\"--- PASS: TestX (0.00s)\"); panic(\"x\") }\n",
			"submission/mul.go":         solution("multiplier"),
		}, want{4, []string{"failed", "failed", "passed"}, []string{"No points for this exercise: the run as a whole failed:", "No points for this exercise", "passed"}, "Score: 4 of 10 points."}},
		{"empty", map[string]string{"submission/README.md": "nothing here"},
			want{0, []string{"failed", "failed", "failed"}, []string{"not submitted", "not submitted", "not submitted"}, "Score: 0 of 10 points."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := func() time.Time { clock = clock.Add(1500 * time.Millisecond); return clock }
			res, err := RunGradescope(context.Background(), c, GradescopeOptions{Root: root, Plan: plan, Visibility: "visible", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(root, "results", "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			if errs := schemaErrors(t, "gradescope-results.schema.json", data); len(errs) > 0 {
				t.Fatalf("results.json does not match Gradescope's format:\n%s", strings.Join(errs, "\n"))
			}
			var got map[string]any
			json.Unmarshal(data, &got)
			for _, k := range []string{"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"} {
				if _, ok := got[k]; !ok {
					t.Errorf("results.json has no %q", k)
				}
			}
			if got["score"] != tc.want.score || res.Score != tc.want.score {
				t.Errorf("score %v, want %v\n%s", got["score"], tc.want.score, res.Output)
			}
			if got["execution_time"] != 2.0 || got["stdout_visibility"] != "hidden" || got["visibility"] != "visible" {
				t.Errorf("execution_time %v (want 2: the clock ticks 1.5s a reading, rounded up), stdout_visibility %v, visibility %v",
					got["execution_time"], got["stdout_visibility"], got["visibility"])
			}
			tests := got["tests"].([]any)
			if len(tests) != 3 {
				t.Fatalf("%d tests, want one per check: 3", len(tests))
			}
			names := []string{"adder: Add sums small numbers", "adder: Add sums negative numbers", "multiplier: Mul multiplies"}
			maxes := []float64{3, 3, 4}
			for i, x := range tests {
				tt := x.(map[string]any)
				for _, k := range []string{"name", "score", "max_score", "status", "output", "visibility", "execution_time"} {
					if _, ok := tt[k]; !ok {
						t.Errorf("test %d has no %q", i, k)
					}
				}
				if tt["name"] != names[i] || tt["max_score"] != maxes[i] || tt["status"] != tc.want.status[i] {
					t.Errorf("test %d: name %q, max_score %v, status %v; want %q, %v, %v", i, tt["name"], tt["max_score"], tt["status"], names[i], maxes[i], tc.want.status[i])
				}
				wantScore := 0.0
				if tc.want.status[i] == "passed" {
					wantScore = maxes[i]
				}
				if tt["score"] != wantScore {
					t.Errorf("test %d: score %v, want %v", i, tt["score"], wantScore)
				}
				if out := tt["output"].(string); !strings.Contains(out, tc.want.output[i]) {
					t.Errorf("test %d: output %q, want it to contain %q", i, out, tc.want.output[i])
				}
			}
			if !strings.Contains(res.Output, tc.want.all) {
				t.Errorf("overall output lacks %q:\n%s", tc.want.all, res.Output)
			}
		})
	}
}

func TestRunGradescopeWithoutSubmissionStillWritesResults(t *testing.T) {
	c := testCourse(t)
	lessons, _ := ParseLessons(c, "")
	plan, _ := NewPlan(c, lessons, PointsCourse)
	root := t.TempDir()
	_, err := RunGradescope(context.Background(), c, GradescopeOptions{Root: root, Plan: plan, Visibility: "hidden"})
	if err == nil || !strings.Contains(err.Error(), "no submission directory") {
		t.Fatalf("error %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "results", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if errs := schemaErrors(t, "gradescope-results.schema.json", data); len(errs) > 0 {
		t.Fatal(strings.Join(errs, "\n"))
	}
	var got GradescopeResults
	json.Unmarshal(data, &got)
	if got.Score != 0 || len(got.Tests) != 3 || !strings.HasPrefix(got.Output, "The autograder could not grade this submission: no submission directory") {
		t.Errorf("results %+v", got)
	}
}
