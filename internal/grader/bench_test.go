package grader

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
)

// The check benchmarks compare dslearn's grading with a plain `go test -json`
// over the same files, alternating the two in the same run so that the
// ratio is fair on a noisy machine. Both run with a warm build cache.
// Results: docs/benchmarks.md.

func benchCourse(b *testing.B) *course.Course {
	c, err := course.Load(os.DirFS("../.."), "repository")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func solutionItems(b *testing.B, c *course.Course, lessons []*course.Lesson) []runner.Item {
	var items []runner.Item
	for _, l := range lessons {
		if !c.HasExercise(l) {
			continue
		}
		impl, err := fs.Sub(c.FS, l.SolutionDir())
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, runner.Item{Lesson: l, Impl: impl})
	}
	if len(items) == 0 {
		b.Skip("no exercises")
	}
	return items
}

// compare runs plain `go test -json` in a fixed, pre-assembled module and
// dslearn's GradeAll, alternately, and reports both times and their ratio.
func compare(b *testing.B, c *course.Course, items []runner.Item, race bool) {
	ctx := context.Background()
	fixed, err := runner.Assemble(c, items...)
	if err != nil {
		b.Fatal(err)
	}
	defer fixed.Remove()
	plain := func() {
		args := append([]string{"test", "-json", "-count=1", "-tags", runner.SuiteTag}, fixed.Pkgs...)
		if race {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = fixed.Dir
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		cmd.Run() // a failing suite still costs what it costs
	}
	opts := runner.Options{Race: race}
	graded := func() {
		if _, err := GradeAll(ctx, c, items, opts); err != nil {
			b.Fatal(err)
		}
	}
	plain() // warm the build cache for both
	graded()
	var tPlain, tGraded time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		plain()
		tPlain += time.Since(start)
		start = time.Now()
		graded()
		tGraded += time.Since(start)
		n++
	}
	b.ReportMetric(float64(tPlain.Milliseconds())/float64(n), "plain-ms/op")
	b.ReportMetric(float64(tGraded.Milliseconds())/float64(n), "dslearn-ms/op")
	b.ReportMetric(float64(tGraded)/float64(tPlain), "ratio")
}

// BenchmarkCheckOne: one exercise (target ratio ≤ 1.10).
func BenchmarkCheckOne(b *testing.B) {
	c := benchCourse(b)
	l, err := c.Find("lamport-clocks")
	if err != nil {
		b.Fatal(err)
	}
	race, _ := runner.RaceSupport("")
	compare(b, c, solutionItems(b, c, []*course.Lesson{l}), race)
}

// BenchmarkCheckAll: every exercise in one run (target ratio ≤ 1.3).
func BenchmarkCheckAll(b *testing.B) {
	c := benchCourse(b)
	race, _ := runner.RaceSupport("")
	compare(b, c, solutionItems(b, c, c.Lessons), race)
}
