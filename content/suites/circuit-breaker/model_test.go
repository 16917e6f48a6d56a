//go:build dslearnsuite

package breaker_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dslearn/dslearn/exercises/circuit-breaker"
)

// model is the state machine the lesson specifies.
type model struct {
	cfg
	state     breaker.State
	gen       int
	failures  int
	trials    int
	successes int
	until     time.Time
	log       []transition
}

func (m *model) set(to breaker.State, now time.Time) {
	if m.state == to {
		return
	}
	m.log = append(m.log, transition{m.state, to})
	m.state = to
	m.gen++
	m.failures, m.trials, m.successes = 0, 0, 0
	if to == breaker.Open {
		m.until = now.Add(m.timeout)
	}
}

func (m *model) refresh(now time.Time) {
	if m.state == breaker.Open && !now.Before(m.until) {
		m.set(breaker.HalfOpen, now)
	}
}

func (m *model) allow(now time.Time) (gen int, ok bool) {
	m.refresh(now)
	switch m.state {
	case breaker.Open:
		return 0, false
	case breaker.HalfOpen:
		if m.trials >= m.M {
			return 0, false
		}
		m.trials++
	}
	return m.gen, true
}

func (m *model) done(gen int, ok bool, now time.Time) {
	if gen != m.gen {
		return
	}
	switch m.state {
	case breaker.Closed:
		if ok {
			m.failures = 0
			return
		}
		m.failures++
		if m.failures >= m.T {
			m.set(breaker.Open, now)
		}
	case breaker.HalfOpen:
		if !ok {
			m.set(breaker.Open, now)
			return
		}
		m.successes++
		if m.successes >= m.M {
			m.set(breaker.Closed, now)
		}
	}
}

type opKind int

const (
	opAllow  opKind = iota // Allow() for call id
	opFinish               // call id reports ok
	opState                // State()
	opExec                 // Execute(fn that succeeds if ok)
)

// op is one step of a history; at is relative to the start.
type op struct {
	at   time.Duration
	kind opKind
	id   int
	ok   bool
}

// history is a configuration, a start time and the steps to replay.
type history struct {
	cfg
	start time.Time
	ops   []op
}

// genHistory draws size steps. It runs the model alongside, to aim some
// steps at the exact end of an open period (and one nanosecond before).
//
// With edges set, the time between steps is drawn from edgeGaps (a
// nanosecond to over a year) instead of fractions of the timeout.
func genHistory(r *rand.Rand, c cfg, start time.Time, size int, edges bool) history {
	m := &model{cfg: c.normalized()}
	h := history{cfg: c, start: start}
	var at time.Duration
	pending := []int{}
	gens := map[int]int{}
	next := 1
	for len(h.ops) < size {
		switch x := r.IntN(10); {
		case x < 4:
		case edges && x < 9:
			at += edgeGaps[r.IntN(len(edgeGaps))]
		case x < 7:
			at += time.Duration(r.Int64N(int64(c.timeout/4) + 1)).Round(time.Millisecond)
		default:
			if m.state == breaker.Open {
				// Not past 2^62 ns: later steps add to at, which must not
				// wrap around (the deadline of a timeout near the largest
				// Duration is never reached).
				if d := m.until.Sub(start) - time.Duration(r.IntN(2)); d > at && d < 1<<62 {
					at = d
				}
			} else if edges {
				at += edgeGaps[r.IntN(len(edgeGaps))]
			} else {
				at += time.Duration(r.Int64N(int64(2*c.timeout) + 1)).Round(time.Millisecond)
			}
		}
		now := start.Add(at)
		o := op{at: at}
		switch x := r.IntN(100); {
		case x < 25:
			o.kind, o.id = opAllow, next
			next++
			if gen, ok := m.allow(now); ok {
				pending = append(pending, o.id)
				gens[o.id] = gen
			}
		case x < 55 && len(pending) > 0:
			i := r.IntN(len(pending))
			o.kind, o.id, o.ok = opFinish, pending[i], r.IntN(5) < 2
			pending = append(pending[:i], pending[i+1:]...)
			m.done(gens[o.id], o.ok, now)
		case x < 70:
			o.kind = opState
			m.refresh(now)
		default:
			o.kind, o.ok = opExec, r.IntN(5) < 2
			if gen, ok := m.allow(now); ok {
				m.done(gen, o.ok, now)
			}
		}
		h.ops = append(h.ops, o)
	}
	return h
}

// replay runs the history on a fresh learner breaker and the model, and
// returns the harness (with its story) and, at the first disagreement, the
// index of that step and the error describing it.
func (hi history) replay() (*harness, int, error) { return hi.run(false) }

func (hi history) run(quiet bool) (*harness, int, error) {
	h := newHarness(hi.cfg, hi.start)
	h.quiet = quiet
	m := &model{cfg: hi.cfg.normalized()}
	dones := map[int]func(bool){}
	gens := map[int]int{}
	for i, o := range hi.ops {
		fail := func(err error) (*harness, int, error) { return h, i, err }
		h.set(o.at)
		now := h.now()
		name := ""
		if !quiet {
			name = fmt.Sprintf("#%d", o.id)
		}
		switch o.kind {
		case opAllow:
			gen, ok := m.allow(now)
			done, err := h.allow(name)
			if got := err == nil; got != ok {
				return fail(h.mismatch(fmt.Sprintf("the breaker is %v by the lesson's rules here: does Allow admit the call", m.state), ok, got))
			}
			if err != nil && !errors.Is(err, breaker.ErrOpen) {
				return fail(h.mismatch("Allow rejects with ErrOpen", "ErrOpen", errString(err)))
			}
			if ok {
				if done == nil {
					return fail(h.mismatch("Allow returns a done function when it admits a call", "a function", "nil"))
				}
				dones[o.id], gens[o.id] = done, gen
			}
		case opFinish:
			done, ok := dones[o.id]
			if !ok {
				continue // the call was dropped while shrinking
			}
			delete(dones, o.id)
			h.finish(name, done, o.ok)
			m.done(gens[o.id], o.ok, now)
			continue // the breaker may notice a timeout here or later
		case opState:
			m.refresh(now)
			if got := h.state(); got != m.state {
				return fail(h.mismatch("State() by the lesson's rules", m.state, got))
			}
		case opExec:
			gen, ok := m.allow(now)
			called, err := h.exec(o.ok)
			if called != ok {
				return fail(h.mismatch(fmt.Sprintf("the breaker is %v by the lesson's rules here: does Execute call fn", m.state), ok, called))
			}
			if !called && !errors.Is(err, breaker.ErrOpen) {
				return fail(h.mismatch("Execute rejects with ErrOpen", "ErrOpen", errString(err)))
			}
			if called {
				want := error(nil)
				if !o.ok {
					want = errBoom
				}
				if err != want {
					return fail(h.mismatch("Execute returns fn's own error, unchanged", errString(want), errString(err)))
				}
				m.done(gen, o.ok, now)
			}
		}
		if got := h.rec.snapshot(); !logsEqual(got, m.log) {
			return fail(h.mismatch("OnStateChange is called exactly once per change of state, in order; the calls so far", logString(m.log), logString(got)))
		}
	}
	return h, -1, nil
}

func logsEqual(a, b []transition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// shrinkBudget bounds the replays spent on making one counterexample small.
const shrinkBudget = 200

// check replays the history; if the learner's breaker disagrees with the
// lesson's rules, it removes steps for as long as the disagreement stays,
// and returns the error of the smallest history found.
func (hi history) check() error {
	_, bad, err := hi.run(true)
	if err == nil {
		return nil
	}
	hi.ops = hi.ops[:bad+1]
	budget := shrinkBudget
	for changed := true; changed && budget > 0; {
		changed = false
		for i := 0; i < len(hi.ops) && budget > 0; i++ {
			cand := hi
			cand.ops = append(append([]op(nil), hi.ops[:i]...), hi.ops[i+1:]...)
			budget--
			if _, bad, err := cand.run(true); err != nil {
				cand.ops = cand.ops[:bad+1]
				hi, changed = cand, true
				i--
			}
		}
	}
	if len(hi.ops) > 0 {
		// Start the story at the first step, and number the calls in order.
		d := hi.ops[0].at
		hi.start = hi.start.Add(d)
		ids := map[int]int{}
		for i := range hi.ops {
			hi.ops[i].at -= d
			if o := &hi.ops[i]; o.kind == opAllow || o.kind == opFinish {
				if ids[o.id] == 0 {
					ids[o.id] = len(ids) + 1
				}
				o.id = ids[o.id]
			}
		}
	}
	_, _, err = hi.replay()
	return err
}
