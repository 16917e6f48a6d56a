//go:build dslearnsuite

package vclock_test

import (
	// The execution generator and happened-before oracle both clock
	// suites share, used here as if it were part of this package.
	"fmt"
	. "github.com/dslearn/dslearn/internal/check/hb"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// runClocks plays x on one vclock.New("p<i>") per process and returns the
// VC each event got: Tick for a local event, Send for a send, Receive with
// the VC the send returned for a receive.
func runClocks(x Execution) []vclock.VC {
	clocks := make([]*vclock.Clock, x.Procs)
	for i := range clocks {
		clocks[i] = vclock.New(fmt.Sprintf("p%d", i))
	}
	stamps := make([]vclock.VC, len(x.Events))
	carried := map[int]vclock.VC{}
	for i, e := range x.Events {
		c := clocks[e.Proc]
		var got vclock.VC
		switch e.Kind {
		case Local:
			got = c.Tick()
		case Send:
			got = c.Send()
			carried[e.Msg] = clone(got)
		case Receive:
			got = c.Receive(clone(carried[e.Msg]))
		}
		// Copies: snapshot aliasing has its own test and must not blur this one.
		stamps[i] = clone(got)
	}
	return stamps
}

// modelStamps computes the vector clocks of x by the lesson's rules,
// without the learner's code.
func modelStamps(x Execution) []vclock.VC {
	clocks := make([]vclock.VC, x.Procs)
	for i := range clocks {
		clocks[i] = vclock.VC{}
	}
	stamps := make([]vclock.VC, len(x.Events))
	carried := map[int]vclock.VC{}
	for i, e := range x.Events {
		id := fmt.Sprintf("p%d", e.Proc)
		if e.Kind == Receive {
			clocks[e.Proc] = mergeModel(clocks[e.Proc], carried[e.Msg])
		}
		clocks[e.Proc][id]++
		stamps[i] = clone(clocks[e.Proc])
		if e.Kind == Send {
			carried[e.Msg] = stamps[i]
		}
	}
	return stamps
}

func vcNotes(stamps []vclock.VC) func(int) string {
	return func(i int) string { return "VC = " + show(stamps[i]) }
}

// strongClockCondition checks a → b ⇔ VC(a) < VC(b) on every pair of
// events, with the suite's own comparison.
func strongClockCondition(x Execution) error {
	stamps := runClocks(x)
	for j := range x.Events {
		for i := range j {
			a, b := stamps[i], stamps[j]
			got := order(a, b)
			if x.HappenedBefore(i, j) {
				if got == vclock.Before {
					continue
				}
				return fmt.Errorf("%w\nwhy %s → %s: %s\n%s\n(VC = what your Clock returned for the event)",
					check.Mismatch(fmt.Sprintf("%s happened before %s, so VC(%s) < VC(%s) is required (every entry <=, at least one <)", EventName(i), EventName(j), EventName(i), EventName(j)),
						fmt.Sprintf("VC(%s) < VC(%s)", EventName(i), EventName(j)), fmt.Sprintf("VC(%s) = %s, VC(%s) = %s: %v", EventName(i), show(a), EventName(j), show(b), got)),
					EventName(i), EventName(j), x.Why(i, j), x.Trace(vcNotes(stamps)))
			}
			if got != vclock.Concurrent {
				return fmt.Errorf("%w\n%s\n(VC = what your Clock returned for the event)",
					check.Mismatch(fmt.Sprintf("%s and %s are concurrent (neither happened before the other), so their vector clocks must be incomparable", EventName(i), EventName(j)),
						"Concurrent", fmt.Sprintf("VC(%s) = %s, VC(%s) = %s: %v", EventName(i), show(a), EventName(j), show(b), got)),
					x.Trace(vcNotes(stamps)))
			}
		}
	}
	return nil
}

func TestHappenedBeforeIfAndOnlyIfVectorIsLess(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return SmallestFailure(r, strongClockCondition)
	})
}

// compareAgrees checks the learner's Compare on correct vector clocks of an
// execution against happened-before.
func compareAgrees(x Execution) error {
	stamps := modelStamps(x)
	for j := range x.Events {
		for i := range j {
			want := vclock.Concurrent
			rel := fmt.Sprintf("%s and %s are concurrent", EventName(i), EventName(j))
			if x.HappenedBefore(i, j) {
				want, rel = vclock.Before, fmt.Sprintf("%s happened before %s", EventName(i), EventName(j))
			}
			for _, swap := range []bool{false, true} {
				a, b, w := stamps[i], stamps[j], want
				if swap {
					a, b, w = b, a, mirror(want)
				}
				if got := vclock.Compare(clone(a), clone(b)); got != w {
					return fmt.Errorf("%w\n%s\n(VC = the correct vector clock of each event)",
						check.Mismatch(fmt.Sprintf("%s, so Compare(%s, %s)", rel, show(a), show(b)), w, got),
						x.Trace(vcNotes(stamps)))
				}
			}
		}
	}
	return nil
}

func TestCompareOfEventClocksMatchesHappenedBefore(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		return SmallestFailure(r, compareAgrees)
	})
}
