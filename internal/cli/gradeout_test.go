package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/grader"
)

func TestClassWriterKeepsWhatWasGraded(t *testing.T) {
	f, _, _ := testFactory(t)
	c, _ := f.Course()
	students := []grader.Student{
		{Name: "alice", Elapsed: 1500 * time.Millisecond},
		{Name: "bob", Err: errors.New("not a dslearn workspace"), Elapsed: 20 * time.Millisecond},
	}
	for n := 0; n <= len(students); n++ {
		// JSON: after n students (the rest interrupted), the output parses.
		var out strings.Builder
		cw := newClassWriter(&out, c, true)
		for _, s := range students[:n] {
			cw.Add(s)
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
		var doc grader.ClassJSON
		if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
			t.Fatalf("%d students: output is not JSON: %v\n%s", n, err, out.String())
		}
		if len(doc.Students) != n {
			t.Errorf("%d students: JSON holds %d", n, len(doc.Students))
		}
		if n > 0 && doc.Students[0].Seconds != 1.5 {
			t.Errorf("alice's seconds = %v, want 1.5", doc.Students[0].Seconds)
		}

		// CSV: each row is on the writer as soon as Add returns.
		out.Reset()
		cw = newClassWriter(&out, c, false)
		for i, s := range students[:n] {
			cw.Add(s)
			rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
			if err != nil || len(rows) != i+2 {
				t.Fatalf("after %d rows: %d rows, %v:\n%s", i+1, len(rows), err, out.String())
			}
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
		rows, _ := csv.NewReader(strings.NewReader(out.String())).ReadAll()
		want := []string{"student", "passed", "total", "first-lesson", "second-lesson", "seconds", "error"}
		if strings.Join(rows[0], ",") != strings.Join(want, ",") {
			t.Errorf("header %v, want %v", rows[0], want)
		}
		if n == 2 && strings.Join(rows[2], ",") != "bob,0,2,missing,missing,0.0,not a dslearn workspace" {
			t.Errorf("bob's row: %v", rows[2])
		}
	}
}

func TestProgressBar(t *testing.T) {
	// The row goes between clearing the bar and drawing it again, so that on
	// one terminal rows and the bar do not share a line.
	var out strings.Builder
	p := newProgressBar(&out, 4, 80)
	p.Done("students/alice", 2500*time.Millisecond, func() { out.WriteString("students/alice,1,1,passed,2.5,\n") })
	p.Finish()
	want := "grading [..............................] 0/4" +
		"\r\x1b[Kstudents/alice,1,1,passed,2.5,\n" +
		"grading [#######.......................] 1/4  students/alice 2.5s\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}

func TestGradeInterruptedBeforeAnyStudentWritesValidJSON(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("grade wants the go command on PATH")
	}
	f, out, _ := testFactory(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := gradeRun(ctx, &GradeOptions{F: f, Dirs: []string{t.TempDir(), t.TempDir()}, Jobs: 1, JSON: true})
	if !errors.Is(err, grader.ErrInterrupted) {
		t.Fatalf("error %v, want interrupted", err)
	}
	var doc grader.ClassJSON
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil || len(doc.Students) != 0 {
		t.Errorf("output %q: %v, %d students", out.String(), err, len(doc.Students))
	}
}

func TestGradeWritesRowsInCommandLineOrderWithOneJob(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("grade wants the go command on PATH")
	}
	f, out, _ := testFactory(t)
	var dirs []string
	for _, name := range []string{"zoe", "adam", "mia"} {
		dirs = append(dirs, t.TempDir()+"/"+name) // not workspaces: graded at once, with an error
	}
	// No workspace could be graded: an error (exit 3), after every row.
	err := gradeRun(context.Background(), &GradeOptions{F: f, Dirs: dirs, Jobs: 1})
	var envErr *EnvError
	if !errors.As(err, &envErr) || !strings.Contains(err.Error(), "3 of 3 workspaces could not be graded") {
		t.Errorf("err = %v, want the ungraded workspaces counted", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("%d rows, %v:\n%s", len(rows), err, out.String())
	}
	for i, dir := range dirs {
		if rows[i+1][0] != dir || rows[i+1][6] != "does not exist" {
			t.Errorf("row %d: %v, want %s first, with its error", i+1, rows[i+1], dir)
		}
	}
}
