package mutate

import (
	"context"
	"os"
	"testing"

	"github.com/dslearn/dslearn/internal/course"
)

// TestQuickMode runs a few mutants of real exercises end to end, so that
// the tool cannot rot: the solution passes its baseline, a mutant that
// drops Tick's increment is killed, and a sample of another exercise runs.
func TestQuickMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hidden suites")
	}
	c, err := course.Load(os.DirFS("../.."), "repository")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func(slug string, pick func(*Set) []Mutant) []Result {
		l, err := c.Find(slug)
		if err != nil {
			t.Fatal(err)
		}
		set, err := Generate(c.FS, l.SolutionDir(), c.Module, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Equivalents(c.FS, l); err != nil {
			t.Fatal(err)
		}
		took, err := Baseline(ctx, c, l, set, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ms := pick(set)
		rs, err := Run(ctx, c, l, set, ms, Options{Jobs: 2, Timeout: MutantTimeout(took, l.RunTimeout())}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			t.Logf("%s %s %s at %s: %s %s", slug, r.ID, r.Operator, r.Where(), r.Outcome, r.By)
			if r.Outcome != Killed && r.Outcome != Survived {
				t.Errorf("%s mutant %s: %s %s", slug, r.ID, r.Outcome, r.By)
			}
		}
		return rs
	}
	rs := run("lamport-clocks", func(set *Set) []Mutant {
		for _, m := range set.Mutants {
			if m.Operator == "remove" && m.Change == "removed: c.time++" {
				return []Mutant{m}
			}
		}
		t.Fatal("no mutant removes Tick's c.time++")
		return nil
	})
	if rs[0].Outcome != Killed {
		t.Errorf("the suite did not kill a Tick that never advances the clock")
	}
	run("g-counter", func(set *Set) []Mutant { return Sample(set.Mutants, 2, 1) })
}

// TestEquivalentRecordsAreCurrent: every recorded equivalent mutant of the
// course still matches a mutant of its solution outside the code its stub
// gives complete and the code it carries from the lesson it continues (a
// stale entry makes `dslearn dev mutate` fail).
func TestEquivalentRecordsAreCurrent(t *testing.T) {
	c, err := course.Load(os.DirFS("../.."), "repository")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range c.Lessons {
		eqs, err := Equivalents(c.FS, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(eqs) == 0 {
			continue
		}
		set, err := Generate(c.FS, l.SolutionDir(), c.Module, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := set.DropGiven(c.FS, l.StubDir()); err != nil {
			t.Fatal(err)
		}
		if prev := c.ContinuesFrom(l); prev != nil {
			if _, err := set.DropGiven(c.FS, prev.SolutionDir()); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, stale := SplitEquivalent(set.Mutants, eqs); len(stale) > 0 {
			t.Errorf("%s: stale equivalent-mutant entries %v", l.Slug, stale)
		}
	}
}
