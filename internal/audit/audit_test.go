package audit

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
)

// TestCourse proves every exercise of the course in this repository sound:
// the stub fails every check with "not implemented yet", the solution passes
// on SolutionRuns seeds, and every known-wrong implementation is rejected.
// Select one exercise with -run 'TestCourse/<slug>'.
func TestCourse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every hidden suite many times")
	}
	c, err := course.Load(os.DirFS("../.."), "repository")
	if err != nil {
		t.Fatal(err)
	}
	race, why := runner.RaceSupport("")
	if !race {
		t.Logf("race detector off: %s", why)
	}
	ctx := context.Background()
	for _, l := range c.Lessons {
		t.Run(l.Slug, func(t *testing.T) {
			if !c.HasExercise(l) {
				t.Skipf("lesson %d has no exercise yet", l.Number)
			}
			t.Parallel()
			targets, err := Targets(c, l)
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range Files(c, l, targets) {
				t.Error(err)
			}
			for _, tg := range targets {
				name := string(tg.Kind)
				if tg.Kind == Wrong {
					name = "wrong/" + tg.Name
				}
				t.Run(name, func(t *testing.T) {
					g, err := Run(ctx, c, l, tg, race)
					if err != nil {
						t.Fatal(err)
					}
					if err := Verdict(tg, g); err != nil {
						t.Fatal(err)
					}
					if tg.Kind == Wrong {
						t.Logf("%s — rejected by %s", tg.Bug, strings.Join(Rejected(g), ", "))
					}
				})
			}
		})
	}
}
