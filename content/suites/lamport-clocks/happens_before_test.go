//go:build dslearnsuite

package lamport_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// runClocks plays x on one fresh lamport.Clock per process and returns the
// time each event got: Tick for a local event, Send for a send, Receive with
// the time the send returned for a receive.
func runClocks(x execution) []uint64 {
	clocks := make([]lamport.Clock, x.procs)
	times := make([]uint64, len(x.events))
	carried := map[int]uint64{}
	for i, e := range x.events {
		c := &clocks[e.proc]
		switch e.kind {
		case local:
			times[i] = c.Tick()
		case send:
			times[i] = c.Send()
			carried[e.msg] = times[i]
		case receive:
			times[i] = c.Receive(carried[e.msg])
		}
	}
	return times
}

// modelTimes computes the Lamport times of x by the lesson's rules, without
// the learner's code.
func modelTimes(x execution) []uint64 {
	clocks := make([]uint64, x.procs)
	times := make([]uint64, len(x.events))
	carried := map[int]uint64{}
	for i, e := range x.events {
		switch e.kind {
		case local, send:
			clocks[e.proc]++
		case receive:
			clocks[e.proc] = max(clocks[e.proc], carried[e.msg]) + 1
		}
		times[i] = clocks[e.proc]
		if e.kind == send {
			carried[e.msg] = times[i]
		}
	}
	return times
}

func lamportNotes(x execution, times []uint64) func(int) string {
	return func(i int) string {
		if e := x.events[i]; e.kind == receive {
			for j := range i {
				if x.events[j].kind == send && x.events[j].msg == e.msg {
					return fmt.Sprintf("L = %d   (m%d carries %d)", times[i], e.msg, times[j])
				}
			}
		}
		return fmt.Sprintf("L = %d", times[i])
	}
}

// clockConditionHolds checks a → b ⇒ L(a) < L(b) for every pair of events.
// It never checks the converse, which Lamport clocks do not promise.
func clockConditionHolds(x execution) error {
	times := runClocks(x)
	for j := range x.events {
		for i := j - 1; i >= 0; i-- {
			if !x.happenedBefore(i, j) || times[i] < times[j] {
				continue
			}
			return fmt.Errorf("%w\nwhy %s → %s: %s\n%s\n(L = the time your Clock returned for the event)",
				check.Mismatch(fmt.Sprintf("clock condition violated: %s happened before %s, so L(%s) < L(%s) is required",
					name(i), name(j), name(i), name(j)),
					fmt.Sprintf("L(%s) > %d", name(j), times[i]), fmt.Sprintf("L(%s) = %d", name(j), times[j])),
				name(i), name(j), x.why(i, j), x.trace(lamportNotes(x, times)))
		}
	}
	return nil
}

func TestHappenedBeforeImpliesSmallerTimestamp(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return smallestFailure(r, clockConditionHolds)
	})
}

// stampOrderHolds checks, with correct Lamport times, that Stamp.Less is a
// strict total order on the events that extends happened-before.
func stampOrderHolds(x execution) error {
	times := modelTimes(x)
	stamps := make([]lamport.Stamp, len(x.events))
	for i, e := range x.events {
		stamps[i] = lamport.Stamp{Time: times[i], Process: fmt.Sprintf("p%d", e.proc)}
	}
	notes := func(i int) string { return show(stamps[i]) }
	for i := range x.events {
		if stamps[i].Less(stamps[i]) {
			return fmt.Errorf("%w\n%s", check.Mismatch(fmt.Sprintf("%s.Less(itself) must be false", show(stamps[i])), false, true),
				x.trace(notes))
		}
		for j := i + 1; j < len(x.events); j++ {
			ij, ji := stamps[i].Less(stamps[j]), stamps[j].Less(stamps[i])
			if x.happenedBefore(i, j) && (!ij || ji) {
				return fmt.Errorf("%w\nwhy %s → %s: %s\n%s",
					check.Mismatch(fmt.Sprintf("the total order must extend happened-before: %s → %s, so a.Less(b) must be true and b.Less(a) false for a = %s, b = %s",
						name(i), name(j), show(stamps[i]), show(stamps[j])),
						"a.Less(b) = true, b.Less(a) = false", fmt.Sprintf("a.Less(b) = %v, b.Less(a) = %v", ij, ji)),
					name(i), name(j), x.why(i, j), x.trace(notes))
			}
			if ij == ji {
				return fmt.Errorf("%w\n%s",
					check.Mismatch(fmt.Sprintf("the order must be total: for the different stamps a = %s (%s) and b = %s (%s), exactly one of a.Less(b) and b.Less(a) must be true",
						show(stamps[i]), name(i), show(stamps[j]), name(j)),
						"exactly one true", fmt.Sprintf("a.Less(b) = %v, b.Less(a) = %v", ij, ji)),
					x.trace(notes))
			}
		}
	}
	return nil
}

func TestStampOrderIsTotalAndExtendsHappenedBefore(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 40, func(r *rand.Rand) error {
		return smallestFailure(r, stampOrderHolds)
	})
}
