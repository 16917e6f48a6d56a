package classroom

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"gopkg.in/yaml.v3"
)

func testCourse(t *testing.T) *course.Course {
	t.Helper()
	c, err := course.Load(os.DirFS("testdata/course"), "testdata/course")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseLessons(t *testing.T) {
	c := testCourse(t)
	for _, tc := range []struct{ spec, want, wantErr string }{
		{"", "adder,multiplier", ""},
		{"1-2", "adder,multiplier", ""},
		{"multiplier, 1", "adder,multiplier", ""},
		{"2", "multiplier", ""},
		{"1-3", "", "within 1-2"},
		{"2-1", "", "within 1-2"},
		{"adr", "", "unknown lesson"},
		{",", "", "selects no lesson"},
	} {
		ls, err := ParseLessons(c, tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		var slugs []string
		for _, l := range ls {
			slugs = append(slugs, l.Slug)
		}
		if got := strings.Join(slugs, ","); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.spec, got, tc.want)
		}
	}
}

func TestPlanPoints(t *testing.T) {
	c := testCourse(t)
	all, _ := ParseLessons(c, "")
	p, err := NewPlan(c, all, PointsCourse)
	if err != nil {
		t.Fatal(err)
	}
	// course.yaml: adder 6 points over 2 checks, multiplier 4 over 1.
	if p.CheckPoints("adder") != 3 || p.CheckPoints("multiplier") != 4 || p.Total() != 10 {
		t.Errorf("course points: adder %v/check, multiplier %v/check, total %v", p.CheckPoints("adder"), p.CheckPoints("multiplier"), p.Total())
	}
	p, _ = NewPlan(c, all, PointsEqual)
	if p.CheckPoints("adder") != 5 || p.CheckPoints("multiplier") != 10 || p.Total() != 20 {
		t.Errorf("equal points: adder %v/check, multiplier %v/check, total %v", p.CheckPoints("adder"), p.CheckPoints("multiplier"), p.Total())
	}
	if _, err := NewPlan(c, all, "some"); err == nil {
		t.Error("--points some was accepted")
	}
	// A course that gives points to some lessons only is refused in course mode.
	all[1].Points = 0
	defer func() { all[1].Points = 4 }()
	if _, err := NewPlan(c, all, PointsCourse); err == nil || !strings.Contains(err.Error(), "but not to multiplier") {
		t.Errorf("points on one lesson only: %v", err)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindSubmission(t *testing.T) {
	c := testCourse(t)
	lessons, _ := ParseLessons(c, "")
	const add, mul = "package arith\nfunc Add(a, b int) int { return a + b }\n", "package arith\nfunc Mul(a, b int) int { return a * b }\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // slug:name=path, sorted
		notes string // substring of the notes, joined by "; "
	}{
		{"a workspace", map[string]string{
			"ws/exercises/adder/add.go": add, "ws/exercises/multiplier/mul.go": mul,
			"ws/exercises/adder/add_test.go": "package arith", "ws/simnet/net.go": "package simnet",
			"ws/.git/x.go": "package arith",
		}, "adder:add.go=ws/exercises/adder/add.go multiplier:mul.go=ws/exercises/multiplier/mul.go", "ignored 1 .go file(s) that belong to no graded exercise: ws/simnet/net.go"},
		{"loose files at any depth, told apart by name", map[string]string{
			"a/b/c/add.go": add, "mul.go": mul,
		}, "adder:add.go=a/b/c/add.go multiplier:mul.go=mul.go", ""},
		{"a helper file of a shared package name goes with the files of its directory", map[string]string{
			"a/add.go": add, "a/helper.go": "package arith", "b/mul.go": mul, "b/util.go": "package arith",
		}, "adder:add.go=a/add.go adder:helper.go=a/helper.go multiplier:mul.go=b/mul.go multiplier:util.go=b/util.go", ""},
		{"a helper file of a shared package name, alone or between two exercises, is ignored", map[string]string{
			"add.go": add, "mul.go": mul, "helper.go": "package arith", "c/other.go": "package arith",
		}, "adder:add.go=add.go multiplier:mul.go=mul.go", "ignored 2 .go file(s) that belong to no graded exercise: c/other.go, helper.go"},
		{"a file under exercises/<slug>/ belongs there, whatever its package", map[string]string{
			"exercises/adder/helper.go": "package other",
		}, "adder:helper.go=exercises/adder/helper.go", ""},
		{"the same file twice: exercises/<slug>/ wins", map[string]string{
			"add.go": add, "ws/exercises/adder/add.go": add,
		}, "adder:add.go=ws/exercises/adder/add.go", "adder: graded ws/exercises/adder/add.go; ignored add.go (same file name)"},
		{"the same file twice, loose: the shallower wins", map[string]string{
			"x/y/add.go": add, "z/add.go": add,
		}, "adder:add.go=z/add.go", "ignored x/y/add.go"},
		{"nothing", map[string]string{"README.md": "hi", "broken.go": "this is not go"}, "", "ignored 1 .go file(s)"},
		{"a file over the size limit is not read", map[string]string{
			"exercises/adder/add.go": add + "//" + strings.Repeat("x", maxSubmissionFile),
		}, "", "ignored exercises/adder/add.go: larger than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			sub, err := FindSubmission(c, lessons, dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for slug, files := range sub.Files {
				for name, p := range files {
					rel, _ := filepath.Rel(dir, p)
					got = append(got, slug+":"+name+"="+filepath.ToSlash(rel))
				}
			}
			sort.Strings(got)
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("files:\n got %s\nwant %s", g, tc.want)
			}
			notes := strings.Join(sub.Notes, "; ")
			if tc.notes == "" && notes != "" || !strings.Contains(notes, tc.notes) {
				t.Errorf("notes %q, want %q", notes, tc.notes)
			}
		})
	}
}

func TestMaterializeFillsMissingFilesFromTheStub(t *testing.T) {
	c := testCourse(t)
	l, _ := c.Find("adder")
	src := t.TempDir()
	writeFiles(t, src, map[string]string{"extra.go": "package arith\n"})
	dst := t.TempDir()
	fromStub, err := Materialize(c, l, map[string]string{"extra.go": filepath.Join(src, "extra.go")}, dst)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fromStub, []string{"add.go"}) {
		t.Errorf("from the stub: %v", fromStub)
	}
	for _, name := range []string{"add.go", "extra.go"} {
		if _, err := os.Stat(filepath.Join(dst, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestGradescopeZip(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed to check the scripts")
	}
	c := testCourse(t)
	bin := filepath.Join(t.TempDir(), "dslearn")
	writeFiles(t, filepath.Dir(bin), map[string]string{"dslearn": "\x7fELF fake"})
	for _, withCourse := range []bool{false, true} {
		o := ZipOptions{Binary: bin, Lessons: []string{"adder", "multiplier"}, Points: "equal", Visibility: "after_due_date",
			Race: true, GoVersion: "go1.24.6"}
		if withCourse {
			o.Course = c
		}
		var buf bytes.Buffer
		if err := WriteGradescopeZip(&buf, o, "v1.0.0"); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		content := map[string]string{}
		for _, f := range zr.File {
			names = append(names, f.Name)
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			content[f.Name] = b.String()
			if (f.Name == ZipSetup || f.Name == ZipRun || f.Name == ZipBinary) && f.Mode().Perm() != 0o755 {
				t.Errorf("%s has mode %v, want 0755", f.Name, f.Mode())
			}
		}
		want := []string{"setup.sh", "run_autograder", "dslearn"}
		if withCourse {
			want = append(want, "course/content/course.yaml", "course/content/suites/adder/add_test.go",
				"course/content/suites/multiplier/mul_test.go", "course/exercises/adder/add.go", "course/exercises/multiplier/mul.go")
		}
		if !slices.Equal(names, want) {
			t.Errorf("zip holds\n %v\nwant\n %v", names, want) // no solutions, no lessons
		}
		for _, script := range []string{ZipSetup, ZipRun} {
			p := filepath.Join(t.TempDir(), script)
			writeFiles(t, filepath.Dir(p), map[string]string{script: content[script]})
			if out, err := exec.Command("bash", "-n", p).CombinedOutput(); err != nil {
				t.Errorf("bash -n %s: %v\n%s", script, err, out)
			}
			if !strings.HasPrefix(content[script], "#!/usr/bin/env bash\n") {
				t.Errorf("%s has no bash shebang", script)
			}
		}
		setup, run := content[ZipSetup], content[ZipRun]
		for _, s := range []string{"GO_VERSION=go1.24.6", "https://go.dev/dl/$GO_VERSION.linux-amd64.tar.gz", "gcc", "bubblewrap",
			"install -m 0755 dslearn /usr/local/bin/dslearn", "go build -trimpath -race std"} {
			if !strings.Contains(setup, s) {
				t.Errorf("setup.sh lacks %q:\n%s", s, setup)
			}
		}
		for _, s := range []string{`ROOT="${DSLEARN_AUTOGRADER_ROOT:-/autograder}"`, `classroom run-gradescope --root "$ROOT"`,
			"--lessons adder,multiplier --points equal --visibility after_due_date --race=true --sandbox auto"} {
			if !strings.Contains(run, s) {
				t.Errorf("run_autograder lacks %q:\n%s", s, run)
			}
		}
		if got := strings.Contains(run, `--course "$ROOT/source/course"`); got != withCourse {
			t.Errorf("run_autograder names the carried course: %v, want %v", got, withCourse)
		}
	}
}

func TestWorkflow(t *testing.T) {
	var buf bytes.Buffer
	err := WriteWorkflow(&buf, WorkflowOptions{Module: "github.com/dslearn/dslearn", Version: "v1.2.3", DslearnVersion: "v1.2.3",
		Lessons: []string{"adder", "multiplier"}, Points: "course", Race: true})
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Name        string
		On          map[string]any
		Permissions map[string]string
		Jobs        map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []struct {
				Name, ID, Uses, Run, If string
				With                    map[string]string
				Env                     map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(buf.Bytes(), &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v\n%s", err, buf.String())
	}
	if _, ok := wf.On["push"]; !ok {
		t.Error("the workflow does not run on push")
	}
	if wf.Permissions["checks"] != "write" {
		t.Errorf("permissions %v: the reporter and the annotations need checks: write", wf.Permissions)
	}
	job, ok := wf.Jobs["run-autograding-tests"]
	if !ok || job.RunsOn != "ubuntu-latest" {
		t.Fatalf("jobs: %+v", wf.Jobs)
	}
	var uses []string
	for _, s := range job.Steps {
		if s.Uses != "" {
			uses = append(uses, s.Uses)
		}
	}
	wantUses := []string{"actions/checkout@v4", "actions/setup-go@v5", "classroom-resources/autograding-grading-reporter@v1",
		"actions/upload-artifact@v4", "mikepenz/action-junit-report@v5"}
	if !slices.Equal(uses, wantUses) {
		t.Errorf("actions used: %v, want %v", uses, wantUses)
	}
	step := func(name string) (i int) {
		for i, s := range job.Steps {
			if s.Name == name {
				return i
			}
		}
		t.Fatalf("no step %q", name)
		return -1
	}
	if s := job.Steps[step("Set up Go")]; s.With["go-version-file"] != "go.mod" {
		t.Errorf("setup-go: %v", s.With)
	}
	if s := job.Steps[step("Install dslearn")]; s.Run != "go install github.com/dslearn/dslearn/cmd/dslearn@v1.2.3" {
		t.Errorf("install: %q", s.Run)
	}
	grade := job.Steps[step("Grade")]
	if grade.ID != RunnerID || grade.Run != "dslearn classroom run-github --lessons adder,multiplier --points course --race=true --sandbox off --junit dslearn-junit.xml" {
		t.Errorf("grade step: id %q, run %q", grade.ID, grade.Run)
	}
	rep := job.Steps[step("Report points to GitHub Classroom")]
	if rep.With["runners"] != RunnerID || rep.Env["DSLEARN_RESULTS"] != "${{ steps.dslearn.outputs.result }}" || rep.If != "always()" {
		t.Errorf("reporter step: %+v", rep)
	}
	if up := job.Steps[step("Upload the JUnit report")]; up.With["path"] != JUnitFile || up.If != "always()" {
		t.Errorf("upload step: %+v", up)
	}
	if an := job.Steps[step("Annotate failed checks")]; an.With["report_paths"] != JUnitFile || an.If != "always()" {
		t.Errorf("annotations step: %+v", an)
	}
	if step("Grade") > step("Report points to GitHub Classroom") {
		t.Error("points are reported before grading")
	}
}

// fakeGraded builds the graded result of an exercise without running it.
func fakeGraded(c *course.Course, slug string, statuses map[string]grader.Status) *grader.Graded {
	l, _ := c.Find(slug)
	r := &grader.Result{}
	names, _ := grader.SuiteChecks(c, l)
	for _, n := range names {
		ch := &grader.Check{Name: n, Title: grader.Title(n), Status: statuses[n]}
		if ch.Status == grader.Fail {
			ch.Message, ch.Seed = "Add(-1, -2) = 3, want -3", 1
		}
		r.Checks = append(r.Checks, ch)
	}
	return &grader.Graded{Lesson: l, Result: r}
}

func TestClassroomResultFormat(t *testing.T) {
	c := testCourse(t)
	lessons, _ := ParseLessons(c, "")
	p, _ := NewPlan(c, lessons, PointsCourse)
	graded := map[string]*grader.Graded{"adder": fakeGraded(c, "adder", map[string]grader.Status{
		"TestAddSumsSmallNumbers": grader.Pass, "TestAddSumsNegativeNumbers": grader.Fail})}
	res := ClassroomFromGraded(p, graded)
	enc, err := res.Encode()
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	if errs := schemaErrors(t, "classroom-result.schema.json", data); len(errs) > 0 {
		t.Errorf("the runner result does not match the schema:\n%s\n%s", strings.Join(errs, "\n"), data)
	}
	var got ClassroomResult
	json.Unmarshal(data, &got)
	if got.Status != "fail" || got.MaxScore != 10 || len(got.Tests) != 3 {
		t.Fatalf("result %+v", got)
	}
	score := 0.0
	for _, tc := range got.Tests {
		score += tc.Score
	}
	if score != 3 {
		t.Errorf("the reporter would sum %v points, want 3 (one adder check of two, of 6 points)", score)
	}
	if m := got.Tests[1].Message; !strings.Contains(m, "Add(-1, -2) = 3, want -3\nseed 1 · replay: dslearn check adder --seed 1 --run '^TestAddSumsNegativeNumbers$'") {
		t.Errorf("failure message %q", m)
	}
	if got.Tests[2].Status != "fail" || !strings.Contains(got.Tests[2].Message, "not submitted") {
		t.Errorf("multiplier, not submitted: %+v", got.Tests[2])
	}

	out := filepath.Join(t.TempDir(), "github_output")
	os.WriteFile(out, []byte("earlier=1\n"), 0o644)
	if err := WriteStepOutput(out, res); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "earlier=1\nresult="+enc+"\n" {
		t.Errorf("$GITHUB_OUTPUT holds %q", b)
	}
}

func TestCourseFilesCarryNoSolutions(t *testing.T) {
	fsys := fstest.MapFS{
		course.ManifestPath:            {Data: []byte("x")},
		"content/suites/a/a_test.go":   {Data: []byte("x")},
		"content/wrong/a/off/a.go":     {Data: []byte("x")},
		"solutions/a/a.go":             {Data: []byte("x")},
		"exercises/a/a.go":             {Data: []byte("x")},
		"internal/check/check.go":      {Data: []byte("x")},
		"internal/check/.hidden":       {Data: []byte("x")},
		"lessons/01.md":                {Data: []byte("x")},
		"content/suites/a/testdata/in": {Data: []byte("x")},
	}
	files, err := CourseFiles(&course.Course{FS: fsys, GradingFiles: []string{"internal/check"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"content/course.yaml", "content/suites/a/a_test.go", "content/suites/a/testdata/in", "exercises/a/a.go", "internal/check/check.go"}
	if !slices.Equal(files, want) {
		t.Errorf("%v, want %v", files, want)
	}
}
