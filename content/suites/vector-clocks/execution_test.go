//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/internal/check"
)

// This file generates random executions of a few processes and computes
// happened-before for them directly from its definition, independently of
// any clock: the oracle the clock properties are checked against.

type kind int

const (
	local kind = iota
	send
	receive
)

// event is one step of an execution. Process i is named "p<i>".
type event struct {
	proc int
	kind kind
	msg  int // send: the message it creates; receive: the message it takes
	peer int // send: the destination; receive: the sender
}

// execution is a sequence of events in an order that really could have
// happened: every receive comes after the send of its message. Messages may
// be received in any order, and some are never received.
type execution struct {
	procs  int
	events []event
	// direct[j] lists the events that happened immediately before event j:
	// the previous event of the same process and, for a receive, its send.
	direct [][]int
	// before[j] has bit i set if and only if event i happened before event j.
	before []uint64
}

// maxEvents keeps every happened-before set in one uint64.
const maxEvents = 64

// happenedBefore reports whether event i happened before event j.
func (x execution) happenedBefore(i, j int) bool { return x.before[j]>>uint(i)&1 == 1 }

// randomExecution returns an execution of n events on procs processes.
func randomExecution(r *rand.Rand, procs, n int) execution {
	var evs []event
	inFlight := make([][]int, procs) // messages sent to each process, not yet received
	from := map[int]int{}
	next := 1
	for len(evs) < n {
		p := r.IntN(procs)
		switch x := r.IntN(10); {
		case x < 4 && len(inFlight[p]) > 0:
			i := r.IntN(len(inFlight[p]))
			m := inFlight[p][i]
			inFlight[p] = slices.Delete(inFlight[p], i, i+1)
			evs = append(evs, event{proc: p, kind: receive, msg: m, peer: from[m]})
		case x < 7:
			q := r.IntN(procs - 1)
			if q >= p {
				q++
			}
			m := next
			next++
			from[m] = p
			inFlight[q] = append(inFlight[q], m)
			evs = append(evs, event{proc: p, kind: send, msg: m, peer: q})
		default:
			evs = append(evs, event{proc: p, kind: local})
		}
	}
	return build(procs, evs)
}

// build numbers the messages in the order they are sent and computes
// happened-before: the smallest relation that orders each process's events
// and each send before its receive, closed under transitivity.
func build(procs int, evs []event) execution {
	if len(evs) > maxEvents {
		panic("suite: execution too long")
	}
	x := execution{procs: procs, events: slices.Clone(evs)}
	x.direct = make([][]int, len(evs))
	x.before = make([]uint64, len(evs))
	last := make([]int, procs)
	for i := range last {
		last[i] = -1
	}
	renumber := map[int]int{}
	sendAt := map[int]int{}
	for j, e := range x.events {
		switch e.kind {
		case send:
			renumber[e.msg] = len(renumber) + 1
			x.events[j].msg = renumber[e.msg]
			sendAt[x.events[j].msg] = j
		case receive:
			m, ok := renumber[e.msg]
			if !ok {
				panic("suite: receive without send")
			}
			x.events[j].msg = m
			x.direct[j] = append(x.direct[j], sendAt[m])
		}
		if p := last[e.proc]; p >= 0 {
			x.direct[j] = append(x.direct[j], p)
		}
		last[e.proc] = j
		for _, i := range x.direct[j] {
			x.before[j] |= x.before[i] | 1<<uint(i)
		}
	}
	return x
}

// without returns x minus event k and, if k is a send, minus its receive.
func (x execution) without(k int) execution {
	var evs []event
	for j, e := range x.events {
		if j == k || x.events[k].kind == send && e.kind == receive && e.msg == x.events[k].msg {
			continue
		}
		evs = append(evs, e)
	}
	return build(x.procs, evs)
}

// shrink removes events from a failing execution for as long as it keeps
// failing, so that the counterexample shown is small.
func shrink(x execution, fails func(execution) error) execution {
	for changed := true; changed; {
		changed = false
		for k := range x.events {
			y := x.without(k)
			if len(y.events) > 0 && check.Safely(func() error { return fails(y) }) != nil {
				x, changed = y, true
				break
			}
		}
	}
	return x
}

// smallestFailure tries executions of growing size and returns the error
// of the first failing one, shrunk.
func smallestFailure(r *rand.Rand, fails func(execution) error) error {
	for _, n := range []int{2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 25, 30} {
		x := randomExecution(r, 2+r.IntN(3), n)
		if fails(x) != nil {
			return fails(shrink(x, fails))
		}
	}
	return nil
}

func name(i int) string { return fmt.Sprintf("e%d", i+1) }

// why explains i → j as a chain of direct steps.
func (x execution) why(i, j int) string {
	path := []int{j}
	for cur := j; cur != i; {
		for _, p := range x.direct[cur] {
			if p == i || x.happenedBefore(i, p) {
				cur = p
				break
			}
		}
		path = append(path, cur)
	}
	slices.Reverse(path)
	var b strings.Builder
	b.WriteString(name(i))
	for k := 1; k < len(path); k++ {
		a, c := path[k-1], path[k]
		if x.events[c].kind == receive && x.events[a].kind == send && x.events[a].msg == x.events[c].msg &&
			x.events[a].proc != x.events[c].proc {
			fmt.Fprintf(&b, " → %s (message m%d)", name(c), x.events[c].msg)
		} else {
			fmt.Fprintf(&b, " → %s (next event on p%d)", name(c), x.events[c].proc)
		}
	}
	return b.String()
}

// trace lists the events, one a line, with a note per event.
func (x execution) trace(note func(i int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "execution (%d processes, events in the order they happened):", x.procs)
	for i, e := range x.events {
		var what string
		switch e.kind {
		case local:
			what = "local event"
		case send:
			what = fmt.Sprintf("send m%d to p%d", e.msg, e.peer)
		case receive:
			what = fmt.Sprintf("receive m%d from p%d", e.msg, e.peer)
		}
		fmt.Fprintf(&b, "\n  %-4s p%d  %-22s %s", name(i), e.proc, what, note(i))
	}
	return b.String()
}
