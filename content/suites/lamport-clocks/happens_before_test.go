//go:build dslearnsuite

package lamport_test

import (
	// The execution generator and happened-before oracle both clock
	// suites share, used here as if it were part of this package.
	"fmt"
	. "github.com/dslearn/dslearn/internal/check/hb"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// runClocks plays x on one fresh lamport.Clock per process and returns the
// time each event got: Tick for a local event, Send for a send, Receive with
// the time the send returned for a receive.
func runClocks(x Execution) []uint64 {
	clocks := make([]lamport.Clock, x.Procs)
	times := make([]uint64, len(x.Events))
	carried := map[int]uint64{}
	for i, e := range x.Events {
		c := &clocks[e.Proc]
		switch e.Kind {
		case Local:
			times[i] = c.Tick()
		case Send:
			times[i] = c.Send()
			carried[e.Msg] = times[i]
		case Receive:
			times[i] = c.Receive(carried[e.Msg])
		}
	}
	return times
}

// modelTimes computes the Lamport times of x by the lesson's rules, without
// the learner's code.
func modelTimes(x Execution) []uint64 {
	clocks := make([]uint64, x.Procs)
	times := make([]uint64, len(x.Events))
	carried := map[int]uint64{}
	for i, e := range x.Events {
		switch e.Kind {
		case Local, Send:
			clocks[e.Proc]++
		case Receive:
			clocks[e.Proc] = max(clocks[e.Proc], carried[e.Msg]) + 1
		}
		times[i] = clocks[e.Proc]
		if e.Kind == Send {
			carried[e.Msg] = times[i]
		}
	}
	return times
}

func lamportNotes(x Execution, times []uint64) func(int) string {
	return func(i int) string {
		if e := x.Events[i]; e.Kind == Receive {
			for j := range i {
				if x.Events[j].Kind == Send && x.Events[j].Msg == e.Msg {
					return fmt.Sprintf("L = %d   (m%d carries %d)", times[i], e.Msg, times[j])
				}
			}
		}
		return fmt.Sprintf("L = %d", times[i])
	}
}

// clockConditionHolds checks a → b ⇒ L(a) < L(b) for every pair of events.
// It never checks the converse, which Lamport clocks do not promise.
func clockConditionHolds(x Execution) error {
	times := runClocks(x)
	for j := range x.Events {
		for i := j - 1; i >= 0; i-- {
			if !x.HappenedBefore(i, j) || times[i] < times[j] {
				continue
			}
			return fmt.Errorf("%w\nwhy %s → %s: %s\n%s\n(L = the time your Clock returned for the event)",
				check.Mismatch(fmt.Sprintf("clock condition violated: %s happened before %s, so L(%s) < L(%s) is required",
					EventName(i), EventName(j), EventName(i), EventName(j)),
					fmt.Sprintf("L(%s) > %d", EventName(j), times[i]), fmt.Sprintf("L(%s) = %d", EventName(j), times[j])),
				EventName(i), EventName(j), x.Why(i, j), x.Trace(lamportNotes(x, times)))
		}
	}
	return nil
}

func TestHappenedBeforeImpliesSmallerTimestamp(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return SmallestFailure(r, clockConditionHolds)
	})
}

// stampOrderHolds checks, with correct Lamport times, that Stamp.Less is a
// strict total order on the events that extends happened-before.
func stampOrderHolds(x Execution) error {
	times := modelTimes(x)
	stamps := make([]lamport.Stamp, len(x.Events))
	for i, e := range x.Events {
		stamps[i] = lamport.Stamp{Time: times[i], Process: fmt.Sprintf("p%d", e.Proc)}
	}
	notes := func(i int) string { return show(stamps[i]) }
	for i := range x.Events {
		if stamps[i].Less(stamps[i]) {
			return fmt.Errorf("%w\n%s", check.Mismatch(fmt.Sprintf("%s.Less(itself) must be false", show(stamps[i])), false, true),
				x.Trace(notes))
		}
		for j := i + 1; j < len(x.Events); j++ {
			ij, ji := stamps[i].Less(stamps[j]), stamps[j].Less(stamps[i])
			if x.HappenedBefore(i, j) && (!ij || ji) {
				return fmt.Errorf("%w\nwhy %s → %s: %s\n%s",
					check.Mismatch(fmt.Sprintf("the total order must extend happened-before: %s → %s, so a.Less(b) must be true and b.Less(a) false for a = %s, b = %s",
						EventName(i), EventName(j), show(stamps[i]), show(stamps[j])),
						"a.Less(b) = true, b.Less(a) = false", fmt.Sprintf("a.Less(b) = %v, b.Less(a) = %v", ij, ji)),
					EventName(i), EventName(j), x.Why(i, j), x.Trace(notes))
			}
			if ij == ji {
				return fmt.Errorf("%w\n%s",
					check.Mismatch(fmt.Sprintf("the order must be total: for the different stamps a = %s (%s) and b = %s (%s), exactly one of a.Less(b) and b.Less(a) must be true",
						show(stamps[i]), EventName(i), show(stamps[j]), EventName(j)),
						"exactly one true", fmt.Sprintf("a.Less(b) = %v, b.Less(a) = %v", ij, ji)),
					x.Trace(notes))
			}
		}
	}
	return nil
}

func TestStampOrderIsTotalAndExtendsHappenedBefore(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return SmallestFailure(r, stampOrderHolds)
	})
}
