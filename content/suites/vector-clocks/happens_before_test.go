//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// runClocks plays x on one vclock.New("p<i>") per process and returns the
// VC each event got: Tick for a local event, Send for a send, Receive with
// the VC the send returned for a receive.
func runClocks(x execution) []vclock.VC {
	clocks := make([]*vclock.Clock, x.procs)
	for i := range clocks {
		clocks[i] = vclock.New(fmt.Sprintf("p%d", i))
	}
	stamps := make([]vclock.VC, len(x.events))
	carried := map[int]vclock.VC{}
	for i, e := range x.events {
		c := clocks[e.proc]
		var got vclock.VC
		switch e.kind {
		case local:
			got = c.Tick()
		case send:
			got = c.Send()
			carried[e.msg] = clone(got)
		case receive:
			got = c.Receive(clone(carried[e.msg]))
		}
		// Copies: snapshot aliasing has its own test and must not blur this one.
		stamps[i] = clone(got)
	}
	return stamps
}

// modelStamps computes the vector clocks of x by the lesson's rules,
// without the learner's code.
func modelStamps(x execution) []vclock.VC {
	clocks := make([]vclock.VC, x.procs)
	for i := range clocks {
		clocks[i] = vclock.VC{}
	}
	stamps := make([]vclock.VC, len(x.events))
	carried := map[int]vclock.VC{}
	for i, e := range x.events {
		id := fmt.Sprintf("p%d", e.proc)
		if e.kind == receive {
			clocks[e.proc] = mergeModel(clocks[e.proc], carried[e.msg])
		}
		clocks[e.proc][id]++
		stamps[i] = clone(clocks[e.proc])
		if e.kind == send {
			carried[e.msg] = stamps[i]
		}
	}
	return stamps
}

func vcNotes(stamps []vclock.VC) func(int) string {
	return func(i int) string { return "VC = " + show(stamps[i]) }
}

// strongClockCondition checks a → b ⇔ VC(a) < VC(b) on every pair of
// events, with the suite's own comparison.
func strongClockCondition(x execution) error {
	stamps := runClocks(x)
	for j := range x.events {
		for i := range j {
			a, b := stamps[i], stamps[j]
			got := order(a, b)
			if x.happenedBefore(i, j) {
				if got == vclock.Before {
					continue
				}
				return fmt.Errorf("%w\nwhy %s → %s: %s\n%s\n(VC = what your Clock returned for the event)",
					check.Mismatch(fmt.Sprintf("%s happened before %s, so VC(%s) < VC(%s) is required (every entry <=, at least one <)", name(i), name(j), name(i), name(j)),
						fmt.Sprintf("VC(%s) < VC(%s)", name(i), name(j)), fmt.Sprintf("VC(%s) = %s, VC(%s) = %s: %v", name(i), show(a), name(j), show(b), got)),
					name(i), name(j), x.why(i, j), x.trace(vcNotes(stamps)))
			}
			if got != vclock.Concurrent {
				return fmt.Errorf("%w\n%s\n(VC = what your Clock returned for the event)",
					check.Mismatch(fmt.Sprintf("%s and %s are concurrent (neither happened before the other), so their vector clocks must be incomparable", name(i), name(j)),
						"Concurrent", fmt.Sprintf("VC(%s) = %s, VC(%s) = %s: %v", name(i), show(a), name(j), show(b), got)),
					x.trace(vcNotes(stamps)))
			}
		}
	}
	return nil
}

func TestHappenedBeforeIfAndOnlyIfVectorIsLess(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return smallestFailure(r, strongClockCondition)
	})
}

// compareAgrees checks the learner's Compare on correct vector clocks of an
// execution against happened-before.
func compareAgrees(x execution) error {
	stamps := modelStamps(x)
	for j := range x.events {
		for i := range j {
			want := vclock.Concurrent
			rel := fmt.Sprintf("%s and %s are concurrent", name(i), name(j))
			if x.happenedBefore(i, j) {
				want, rel = vclock.Before, fmt.Sprintf("%s happened before %s", name(i), name(j))
			}
			for _, swap := range []bool{false, true} {
				a, b, w := stamps[i], stamps[j], want
				if swap {
					a, b, w = b, a, mirror(want)
				}
				if got := vclock.Compare(clone(a), clone(b)); got != w {
					return fmt.Errorf("%w\n%s\n(VC = the correct vector clock of each event)",
						check.Mismatch(fmt.Sprintf("%s, so Compare(%s, %s)", rel, show(a), show(b)), w, got),
						x.trace(vcNotes(stamps)))
				}
			}
		}
	}
	return nil
}

func TestCompareOfEventClocksMatchesHappenedBefore(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		return smallestFailure(r, compareAgrees)
	})
}
