//go:build dslearnsuite

package gcounter_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/g-counter"
	"github.com/dslearn/dslearn/internal/check"
)

func TestRelayedIncrementsAreCountedOnce(t *testing.T) {
	defer check.Recover(t)
	a, b, c := gcounter.New("a"), gcounter.New("b"), gcounter.New("c")
	var log []string
	step := func(desc string, f func()) {
		f()
		log = append(log, desc)
	}
	fail := func(what string, want, got uint64) {
		t.Helper()
		t.Fatal(check.Mismatch(fmt.Sprintf("after\n    %s\n  %s", strings.Join(log, "\n    "), what), want, got))
	}
	step(`a.Increment(5)`, func() { must(t, a.Increment(5)) })
	step(`b.Merge(a.State())        // b learns a's 5`, func() { b.Merge(a.State()) })
	step(`c.Merge(b.State())        // c learns a's 5 through b`, func() { c.Merge(b.State()) })
	if v := c.Value(); v != 5 {
		fail("c.Value()", 5, v)
	}
	step(`c.Merge(a.State())        // and again straight from a`, func() { c.Merge(a.State()) })
	if v := c.Value(); v != 5 {
		fail("a's 5 reached c twice but happened once, so c.Value()", 5, v)
	}
	step(`b.Increment(2)`, func() { must(t, b.Increment(2)) })
	step(`c.Merge(b.State())`, func() { c.Merge(b.State()) })
	step(`a.Merge(c.State())        // a's own 5 comes back to it`, func() { a.Merge(c.State()) })
	if v := a.Value(); v != 7 {
		fail("a.Value()", 7, v)
	}
	step(`b.Merge(a.State())`, func() { b.Merge(a.State()) })
	step(`c.Merge(b.State())`, func() { c.Merge(b.State()) })
	for _, x := range []struct {
		name string
		c    *gcounter.Counter
	}{{"a", a}, {"b", b}, {"c", c}} {
		if v := x.c.Value(); v != 7 {
			fail(x.name+".Value() (5 + 2 increments in total)", 7, v)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Increment returned error %v", err)
	}
}

// event is one step of an anti-entropy run, kept to show the learner what
// happened before a failure.
type event string

// run is the state of one simulated anti-entropy run: replicas, the states
// in flight between them, and the true number of increments.
type run struct {
	r        *rand.Rand
	names    []string
	reps     []*gcounter.Counter
	own      []uint64 // increments made at each replica
	last     []uint64 // each replica's value at the previous check
	total    uint64
	inFlight []msg
	group    []int // partition group of each replica; nil when healed
	events   []event
}

type msg struct {
	from, to int
	state    gcounter.State
}

func (w *run) logf(format string, args ...any) {
	w.events = append(w.events, event(fmt.Sprintf(format, args...)))
}

func (w *run) trace() string {
	ev := w.events
	skipped := 0
	if len(ev) > 30 {
		skipped = len(ev) - 30
		ev = ev[skipped:]
	}
	var b strings.Builder
	if skipped > 0 {
		fmt.Fprintf(&b, "    ... %d earlier steps\n", skipped)
	}
	for _, e := range ev {
		fmt.Fprintf(&b, "    %s\n", e)
	}
	return b.String()
}

func (w *run) fail(format string, args ...any) error {
	return fmt.Errorf("%s\n  steps (%d replicas; %d added in total):\n%s",
		fmt.Sprintf(format, args...), len(w.reps), w.total, strings.TrimRight(w.trace(), "\n"))
}

func (w *run) connected(i, j int) bool {
	return w.group == nil || w.group[i] == w.group[j]
}

// send snapshots replica i's state onto the wire towards j.
func (w *run) send(i, j int) {
	s := w.reps[i].State()
	w.logf("%s sends its state %s to %s", w.names[i], show(s), w.names[j])
	w.inFlight = append(w.inFlight, msg{i, j, s})
}

// deliver delivers in-flight message k (which stays on the wire when dup).
func (w *run) deliver(k int, dup bool) error {
	m := w.inFlight[k]
	if !dup {
		w.inFlight = append(w.inFlight[:k], w.inFlight[k+1:]...)
	}
	if !w.connected(m.from, m.to) {
		w.logf("state %s from %s to %s is lost in the partition", show(m.state), w.names[m.from], w.names[m.to])
		return nil
	}
	note := ""
	if dup {
		note = " (duplicated: a copy stays in flight)"
	}
	w.reps[m.to].Merge(clone(m.state))
	w.logf("%s merges %s from %s%s -> value %d", w.names[m.to], show(m.state), w.names[m.from], note, w.reps[m.to].Value())
	return w.checkReplica(m.to)
}

// checkReplica checks what must hold at every moment: a value never
// decreases, never exceeds the true total, and always includes the
// replica's own increments.
func (w *run) checkReplica(i int) error {
	v := w.reps[i].Value()
	switch {
	case v < w.last[i]:
		return w.fail("%s's value went down from %d to %d; merging only ever raises slots", w.names[i], w.last[i], v)
	case v > w.total:
		return w.fail("%s's value is %d but only %d was ever added: an increment was counted twice", w.names[i], v, w.total)
	case v < w.own[i]:
		return w.fail("%s's value is %d, below the %d it added itself: a merge lost the replica's own increments", w.names[i], v, w.own[i])
	}
	w.last[i] = v
	return nil
}

// simulate runs random increments and anti-entropy over n replicas for the
// given number of steps, with lost, duplicated and reordered states and a
// partition that comes and goes, then heals everything, lets every replica
// send its state to every other twice around, and checks convergence.
func simulate(r *rand.Rand, n, steps int) error {
	w := &run{r: r, reps: make([]*gcounter.Counter, n), own: make([]uint64, n), last: make([]uint64, n)}
	for i := range n {
		w.names = append(w.names, ids[i])
		w.reps[i] = gcounter.New(ids[i])
	}
	for range steps {
		switch x := r.IntN(10); {
		case x < 3: // increment
			i := r.IntN(n)
			d := r.Int64N(4)
			if err := w.reps[i].Increment(d); err != nil {
				return w.fail("%s.Increment(%d) returned error %v", w.names[i], d, err)
			}
			w.own[i] += uint64(d)
			w.total += uint64(d)
			w.logf("%s.Increment(%d) -> value %d", w.names[i], d, w.reps[i].Value())
			if err := w.checkReplica(i); err != nil {
				return err
			}
		case x < 6: // a replica sends its state to a random other one
			i, j := r.IntN(n), r.IntN(n-1)
			if j >= i {
				j++
			}
			w.send(i, j)
		case x < 9: // a random in-flight state arrives (reordering), maybe twice
			if len(w.inFlight) == 0 {
				continue
			}
			if err := w.deliver(r.IntN(len(w.inFlight)), r.IntN(4) == 0); err != nil {
				return err
			}
		default: // the partition changes
			if w.group == nil && n > 1 {
				// Two non-empty sides.
				w.group = make([]int, n)
				for k, i := range r.Perm(n) {
					if k > 0 && (k == n-1 || r.IntN(2) == 0) {
						w.group[i] = 1
					}
				}
				var parts [2][]string
				for i, g := range w.group {
					parts[g] = append(parts[g], w.names[i])
				}
				w.logf("partition %v | %v", parts[0], parts[1])
			} else {
				w.group = nil
				w.logf("partition healed")
			}
		}
	}
	// Heal, let the last states arrive, then two rounds of full exchange.
	w.group = nil
	w.logf("partition healed; in-flight states arrive; every replica sends its state to every other, twice around")
	for len(w.inFlight) > 0 {
		if err := w.deliver(r.IntN(len(w.inFlight)), false); err != nil {
			return err
		}
	}
	for range 2 {
		for i := range n {
			for j := range n {
				if i != j {
					s := w.reps[i].State()
					w.reps[j].Merge(clone(s))
					w.logf("%s merges %s from %s -> value %d", w.names[j], show(s), w.names[i], w.reps[j].Value())
					if err := w.checkReplica(j); err != nil {
						return err
					}
				}
			}
		}
	}
	for i := range n {
		if v := w.reps[i].Value(); v != w.total {
			return w.fail("after everyone exchanged states, %s's value is %d, but %d was added in total", w.names[i], v, w.total)
		}
	}
	for i := 1; i < n; i++ {
		if !same(w.reps[i].State(), w.reps[0].State()) {
			return w.fail("after everyone exchanged states, replicas must hold the same state; %s has %s and %s has %s",
				w.names[0], show(w.reps[0].State()), w.names[i], show(w.reps[i].State()))
		}
	}
	return nil
}

func TestReplicasConvergeUnderUnreliableAntiEntropy(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Small runs first, so the trace shown is the shortest that fails.
		for _, c := range []struct{ n, steps int }{{2, 10}, {3, 15}, {3, 30}, {4, 60}, {6, 150}} {
			for range 4 {
				if err := simulate(rand.New(rand.NewPCG(r.Uint64(), r.Uint64())), c.n, c.steps); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
