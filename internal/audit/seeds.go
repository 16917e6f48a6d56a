package audit

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
)

// SeedReportRuns is how many seeds the seed report tries: seeds 1 to 30,
// which are the default seeds of most suites' randomized checks.
const SeedReportRuns = 30

// SeedCatch says how reliably a suite catches one known-wrong implementation:
// on how many of seeds 1..Seeds at least one check rejects it.
type SeedCatch struct {
	Target Target
	Caught int
	Seeds  int
	// Always is set when a check that does not depend on the seed (or the
	// run as a whole: a crash, a timeout) rejects it.
	Always bool
	// By names the checks that rejected it.
	By []string
}

// Reliable reports whether at least half of the seeds catch it.
func (s SeedCatch) Reliable() bool { return 2*s.Caught >= s.Seeds }

var failedOnRE = regexp.MustCompile(`\(failed on (\d+) seeds`)

// catchFromRun reads one run of all n seeds: how many seeds the best check
// failed on (a lower bound of the seeds that catch the implementation), and
// whether a failure does not depend on the seed at all.
func catchFromRun(g *grader.Graded, n int) (best int, always bool, by []string) {
	if g.Problem != "" || g.BuildFailed {
		always = true
	}
	for _, c := range g.Checks {
		if c.Status != grader.Fail {
			continue
		}
		by = append(by, c.Name)
		if c.Seed == 0 {
			always = true
			continue
		}
		k := 1
		for _, m := range failedOnRE.FindAllStringSubmatch(c.Message, -1) {
			if v, err := strconv.Atoi(m[1]); err == nil && v > k {
				k = v
			}
		}
		best = max(best, min(k, n))
	}
	if always {
		best = n
	}
	return best, always, by
}

// SeedReliability measures on how many of seeds 1..n the suite catches the
// known-wrong implementation t. One run of all n seeds settles it when a
// check fails on every seed or does not depend on the seed; otherwise each
// seed is run alone, so that seeds caught by different checks are counted
// once each.
func SeedReliability(ctx context.Context, c *course.Course, l *course.Lesson, t Target, n int, race bool) (SeedCatch, error) {
	sc := SeedCatch{Target: t, Seeds: n}
	g, err := grade(ctx, c, l, t, runner.Options{Race: race && l.UsesRace(), Runs: n})
	if err != nil {
		return sc, err
	}
	best, always, by := catchFromRun(g, n)
	sc.Always, sc.By = always, by
	if best == n || best == 0 {
		sc.Caught = best
		return sc, nil
	}
	seen := map[string]bool{}
	for _, name := range by {
		seen[name] = true
	}
	for s := 1; s <= n; s++ {
		g, err := grade(ctx, c, l, t, runner.Options{Race: race && l.UsesRace(), Seed: uint64(s)})
		if err != nil {
			return sc, err
		}
		if g.State() != grader.Passed {
			sc.Caught++
		}
		for _, ch := range g.Checks {
			if ch.Status == grader.Fail && !seen[ch.Name] {
				seen[ch.Name] = true
				sc.By = append(sc.By, ch.Name)
			}
		}
	}
	return sc, nil
}

func grade(ctx context.Context, c *course.Course, l *course.Lesson, t Target, opts runner.Options) (*grader.Graded, error) {
	impl, err := Impl(c, l, t)
	if err != nil {
		return nil, err
	}
	return grader.Grade(ctx, c, l, impl, opts)
}

// ByName is the checks that caught it, the first two by name.
func (s SeedCatch) ByName() string {
	if len(s.By) <= 2 {
		return strings.Join(s.By, ", ")
	}
	return fmt.Sprintf("%s, %s and %d more", s.By[0], s.By[1], len(s.By)-2)
}
