// Package hb generates random executions of a few processes (local events,
// sends, receives) and computes happened-before for them from its
// definition, independently of any clock: the oracle the clock suites check
// Lamport and vector clocks against. It also shrinks a failing execution to
// a smallest one and explains, in the learner's terms, why one event
// happened before another.
package hb

import (
	"fmt"
	"github.com/dslearn/dslearn/internal/check"
	"math/rand/v2"
	"slices"
	"strings"
)

// Kind is what an event does.
type Kind int

// The kinds of event.
const (
	Local Kind = iota
	Send
	Receive
)

// Event is one step of an execution. Process i is named "p<i>".
type Event struct {
	Proc int
	Kind Kind
	Msg  int // send: the message it creates; receive: the message it takes
	Peer int // send: the destination; receive: the sender
}

// Execution is a sequence of events in an order that really could have
// happened: every receive comes after the send of its message. Messages may
// be received in any order, and some are never received.
type Execution struct {
	Procs  int
	Events []Event
	// direct[j] lists the events that happened immediately before event j:
	// the previous event of the same process and, for a receive, its send.
	direct [][]int
	// before[j] has bit i set if and only if event i happened before event j.
	before []uint64
}

// MaxEvents keeps every happened-before set in one uint64.
const MaxEvents = 64

// HappenedBefore reports whether event i happened before event j.
func (x Execution) HappenedBefore(i, j int) bool { return x.before[j]>>uint(i)&1 == 1 }

// RandomExecution returns an execution of n events on procs processes.
func RandomExecution(r *rand.Rand, procs, n int) Execution {
	var evs []Event
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
			evs = append(evs, Event{Proc: p, Kind: Receive, Msg: m, Peer: from[m]})
		case x < 7:
			q := r.IntN(procs - 1)
			if q >= p {
				q++
			}
			m := next
			next++
			from[m] = p
			inFlight[q] = append(inFlight[q], m)
			evs = append(evs, Event{Proc: p, Kind: Send, Msg: m, Peer: q})
		default:
			evs = append(evs, Event{Proc: p, Kind: Local})
		}
	}
	return Build(procs, evs)
}

// Build numbers the messages in the order they are sent and computes
// happened-before: the smallest relation that orders each process's events
// and each send before its receive, closed under transitivity.
func Build(procs int, evs []Event) Execution {
	if len(evs) > MaxEvents {
		panic("suite: execution too long")
	}
	x := Execution{Procs: procs, Events: slices.Clone(evs)}
	x.direct = make([][]int, len(evs))
	x.before = make([]uint64, len(evs))
	last := make([]int, procs)
	for i := range last {
		last[i] = -1
	}
	renumber := map[int]int{}
	sendAt := map[int]int{}
	for j, e := range x.Events {
		switch e.Kind {
		case Send:
			renumber[e.Msg] = len(renumber) + 1
			x.Events[j].Msg = renumber[e.Msg]
			sendAt[x.Events[j].Msg] = j
		case Receive:
			m, ok := renumber[e.Msg]
			if !ok {
				panic("suite: receive without send")
			}
			x.Events[j].Msg = m
			x.direct[j] = append(x.direct[j], sendAt[m])
		}
		if p := last[e.Proc]; p >= 0 {
			x.direct[j] = append(x.direct[j], p)
		}
		last[e.Proc] = j
		for _, i := range x.direct[j] {
			x.before[j] |= x.before[i] | 1<<uint(i)
		}
	}
	return x
}

// Without returns x minus event k and, if k is a send, minus its receive.
func (x Execution) Without(k int) Execution {
	var evs []Event
	for j, e := range x.Events {
		if j == k || x.Events[k].Kind == Send && e.Kind == Receive && e.Msg == x.Events[k].Msg {
			continue
		}
		evs = append(evs, e)
	}
	return Build(x.Procs, evs)
}

// Shrink removes events from a failing execution for as long as it keeps
// failing, so that the counterexample shown is small.
func Shrink(x Execution, fails func(Execution) error) Execution {
	for changed := true; changed; {
		changed = false
		for k := range x.Events {
			y := x.Without(k)
			if len(y.Events) > 0 && check.Safely(func() error { return fails(y) }) != nil {
				x, changed = y, true
				break
			}
		}
	}
	return x
}

// SmallestFailure tries executions of growing size and returns the error
// of the first failing one, shrunk.
func SmallestFailure(r *rand.Rand, fails func(Execution) error) error {
	for _, n := range []int{2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 25, 30} {
		x := RandomExecution(r, 2+r.IntN(3), n)
		if fails(x) != nil {
			return fails(Shrink(x, fails))
		}
	}
	return nil
}

// EventName is how messages name event i: e1, e2, …
func EventName(i int) string { return fmt.Sprintf("e%d", i+1) }

// Why explains i → j as a chain of direct steps.
func (x Execution) Why(i, j int) string {
	path := []int{j}
	for cur := j; cur != i; {
		for _, p := range x.direct[cur] {
			if p == i || x.HappenedBefore(i, p) {
				cur = p
				break
			}
		}
		path = append(path, cur)
	}
	slices.Reverse(path)
	var b strings.Builder
	b.WriteString(EventName(i))
	for k := 1; k < len(path); k++ {
		a, c := path[k-1], path[k]
		if x.Events[c].Kind == Receive && x.Events[a].Kind == Send && x.Events[a].Msg == x.Events[c].Msg &&
			x.Events[a].Proc != x.Events[c].Proc {
			fmt.Fprintf(&b, " → %s (message m%d)", EventName(c), x.Events[c].Msg)
		} else {
			fmt.Fprintf(&b, " → %s (next event on p%d)", EventName(c), x.Events[c].Proc)
		}
	}
	return b.String()
}

// Trace lists the events, one a line, with a note per event.
func (x Execution) Trace(note func(i int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "execution (%d processes, events in the order they happened):", x.Procs)
	for i, e := range x.Events {
		var what string
		switch e.Kind {
		case Local:
			what = "local event"
		case Send:
			what = fmt.Sprintf("send m%d to p%d", e.Msg, e.Peer)
		case Receive:
			what = fmt.Sprintf("receive m%d from p%d", e.Msg, e.Peer)
		}
		fmt.Fprintf(&b, "\n  %-4s p%d  %-22s %s", EventName(i), e.Proc, what, note(i))
	}
	return b.String()
}
