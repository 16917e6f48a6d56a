package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/dslearn/dslearn/internal/audit"
	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
)

// seedReportRun is `dslearn dev check --seed-report`: for every known-wrong
// implementation of the lessons, on how many of seeds 1..30 the suite
// catches it, and which are caught by fewer than half.
func seedReportRun(ctx context.Context, o *DevCheckOptions, c *course.Course, lessons []*course.Lesson) error {
	out := o.F.IO.Out
	if err := needGo(c); err != nil {
		return err
	}
	race := raceOn(o.F, true)
	type job struct {
		l *course.Lesson
		t audit.Target
	}
	var jobs []job
	for _, l := range lessons {
		if !c.HasExercise(l) {
			continue
		}
		targets, _ := audit.Targets(c, l)
		for _, t := range targets {
			if t.Kind == audit.Wrong {
				jobs = append(jobs, job{l, t})
			}
		}
	}
	n := audit.SeedReportRuns
	fmt.Fprintf(out, "Seed report: seeds 1 to %d on %d known-wrong implementations.\n\n", n, len(jobs))
	results := make([]audit.SeedCatch, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, max(o.Jobs, 1))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = audit.SeedReliability(ctx, c, j.l, j.t, n, race)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return grader.ErrInterrupted
	}
	if err := errors.Join(errs...); err != nil {
		return &EnvError{Err: err}
	}
	fmt.Fprintf(out, "%-20s %-48s %7s  %s\n", "exercise", "wrong implementation", "caught", "by")
	var weak []int
	for i, r := range results {
		caught := fmt.Sprintf("%d/%d", r.Caught, r.Seeds)
		fmt.Fprintf(out, "%-20s %-48s %7s  %s\n", jobs[i].l.Slug, r.Target.Name, caught, r.ByName())
		if !r.Reliable() {
			weak = append(weak, i)
		}
	}
	if len(weak) == 0 {
		fmt.Fprintf(out, "\nEvery known-wrong implementation is caught by at least half of the seeds.\n")
		return nil
	}
	fmt.Fprintf(out, "\n%d known-wrong implementation(s) caught by fewer than half of the seeds:\n", len(weak))
	for _, i := range weak {
		r := results[i]
		fmt.Fprintf(out, "  %s wrong/%s: %d of %d seeds (%s)\n", jobs[i].l.Slug, r.Target.Name, r.Caught, r.Seeds, r.Target.Bug)
	}
	return nil
}
