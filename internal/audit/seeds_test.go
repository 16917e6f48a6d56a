package audit

import (
	"slices"
	"testing"

	"github.com/dslearn/dslearn/internal/grader"
)

func TestCatchFromRun(t *testing.T) {
	fail := func(name string, seed uint64, msg string) *grader.Check {
		return &grader.Check{Name: name, Status: grader.Fail, Seed: seed, Message: msg}
	}
	pass := &grader.Check{Name: "TestOK", Status: grader.Pass}
	tests := []struct {
		name       string
		res        grader.Result
		wantBest   int
		wantAlways bool
		wantBy     []string
	}{
		{"nothing fails", grader.Result{Checks: []*grader.Check{pass}}, 0, false, nil},
		{"one seed", grader.Result{Checks: []*grader.Check{pass, fail("TestA", 7, "lost a write")}}, 1, false, []string{"TestA"}},
		{"the best of two checks", grader.Result{Checks: []*grader.Check{
			fail("TestA", 2, "x\n(failed on 4 seeds: 2, 3, 5, 9)"),
			fail("TestB", 1, "y\n(failed on 12 seeds: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … 2 more)")}}, 12, false, []string{"TestA", "TestB"}},
		{"every seed", grader.Result{Checks: []*grader.Check{fail("TestA", 1, "(failed on 30 seeds: 1, 2, … 20 more)")}}, 30, false, []string{"TestA"}},
		{"a check without seeds", grader.Result{Checks: []*grader.Check{fail("TestA", 3, "x"), fail("TestFixed", 0, "wrong answer")}}, 30, true, []string{"TestA", "TestFixed"}},
		{"a timeout", grader.Result{Checks: []*grader.Check{pass}, Problem: "did not finish in 60s"}, 30, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			best, always, by := catchFromRun(&grader.Graded{Result: &res}, 30)
			if best != tt.wantBest || always != tt.wantAlways || !slices.Equal(by, tt.wantBy) {
				t.Errorf("got best %d, always %v, by %v; want %d, %v, %v", best, always, by, tt.wantBest, tt.wantAlways, tt.wantBy)
			}
		})
	}
}

func TestReliable(t *testing.T) {
	for _, tt := range []struct {
		caught, seeds int
		want          bool
	}{{15, 30, true}, {14, 30, false}, {30, 30, true}, {0, 30, false}} {
		if got := (SeedCatch{Caught: tt.caught, Seeds: tt.seeds}).Reliable(); got != tt.want {
			t.Errorf("%d of %d: reliable %v, want %v", tt.caught, tt.seeds, got, tt.want)
		}
	}
}
