//go:build dslearnsuite

package tokenbucket_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dslearn/dslearn/exercises/token-bucket"
	"github.com/dslearn/dslearn/internal/check"
)

// model is the exact accounting the lesson specifies, in integers. The rate
// is the fraction p/q tokens per second, and one token is q×1e9 units, so
// one nanosecond of refill is exactly p units: nothing is ever rounded.
type model struct {
	p, q   int64
	unit   int64 // units in one token
	cap    int64 // burst, in units
	tokens int64
	last   time.Time // latest time seen
	// firm says the bucket is full beyond any rounding doubt: it never lost
	// a token, or its last refill overshot the cap by more than the
	// tolerance, so min(burst, …) gives burst itself.
	firm bool
}

func newModel(p, q int64, burst int) *model {
	m := &model{p: p, q: q, unit: q * int64(time.Second), firm: true}
	m.cap = int64(burst) * m.unit
	m.tokens = m.cap
	return m
}

// eps is the tolerance the lesson states: 1e-6 token, except that a full
// bucket holds exactly burst.
func (m *model) eps() int64 { return m.unit / 1_000_000 }

// advance brings the bucket up to date with now, as every call does first.
func (m *model) advance(now time.Time) {
	if !now.After(m.last) {
		return
	}
	el := now.Sub(m.last).Nanoseconds()
	m.last = now
	if m.p == 0 || m.tokens >= m.cap {
		return
	}
	room := m.cap - m.tokens
	switch {
	case el >= (room+m.eps()+m.p-1)/m.p:
		m.tokens, m.firm = m.cap, true
	case el >= (room+m.p-1)/m.p:
		m.tokens = m.cap
	default:
		m.tokens += el * m.p
	}
}

// peek is what the bucket would hold at now, without changing it.
func (m *model) peek(now time.Time) int64 {
	c := *m
	c.advance(now)
	return c.tokens
}

type verdict int

const (
	mustDeny verdict = iota
	mustAllow
	either // within 1e-6 token of the boundary
)

// verdict judges a call for n tokens on the bucket as it is (advance first).
func (m *model) verdict(n int) verdict {
	if n <= 0 {
		return mustAllow
	}
	if int64(n) > m.cap/m.unit {
		return mustDeny // more than the bucket holds (and n·unit could overflow)
	}
	need := int64(n) * m.unit
	switch {
	case m.firm && need <= m.cap:
		return mustAllow
	case m.tokens >= need+m.eps():
		return mustAllow
	case m.tokens <= need-m.eps():
		return mustDeny
	}
	return either
}

// take records an allowed call.
func (m *model) take(n int) {
	if n > 0 {
		m.tokens -= int64(n) * m.unit
		m.firm = false
	}
}

func (m *model) held() float64 { return float64(m.tokens) / float64(m.unit) }

// tokenTime is how long one token takes to refill, in nanoseconds.
func (m *model) tokenTime() int64 { return m.unit / m.p }

func rateOf(p, q int64) float64 { return float64(p) / float64(q) }

func rateString(p, q int64) string {
	return strconv.FormatFloat(rateOf(p, q), 'g', -1, 64)
}

// rateShort is the rate for formulas: p/q when its decimals run long.
func rateShort(p, q int64) string {
	if s := rateString(p, q); len(s) <= 6 {
		return s
	}
	return fmt.Sprintf("%d/%d", p, q)
}

func newCall(p, q int64, burst int) string {
	s := fmt.Sprintf("New(%s, %d)", rateString(p, q), burst)
	if q != 1 && len(rateString(p, q)) > 6 {
		s += fmt.Sprintf(" (a rate of %d/%d tokens per second)", p, q)
	}
	return s
}

func fmtTokens(x float64) string {
	return strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64)
}

func fmtAt(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

func callString(n int) string {
	if n == 1 {
		return "Allow"
	}
	return fmt.Sprintf("AllowN(%d)", n)
}

// step is one call of a schedule: at is relative to the start time.
type step struct {
	at   time.Duration
	n    int
	note string
}

// call is a step as it happened, for the trace.
type call struct {
	step
	got  bool
	held float64 // exact tokens in the bucket just before the decision
	v    verdict
	idx  int // position in the trace
}

func (c call) line(mark string) string {
	s := fmt.Sprintf("%2s %-13s %-10s → %-5v  (bucket held %s)", mark, fmtAt(c.at), callString(c.n), c.got, fmtTokens(c.held))
	if c.note != "" {
		s += "  " + c.note
	}
	return s
}

func (c call) bad() bool {
	return (c.v == mustAllow && !c.got) || (c.v == mustDeny && c.got)
}

// setup is a limiter configuration and the start time of a schedule.
type setup struct {
	p, q  int64
	burst int
	base  time.Time
}

// sim drives a learner's limiter and the exact model side by side.
type sim struct {
	setup
	lim      *tokenbucket.Limiter
	m        *model
	trace    []call
	admitted []call // the calls the learner's limiter allowed
}

func (su setup) start() *sim {
	return &sim{setup: su, lim: tokenbucket.New(rateOf(su.p, su.q), su.burst), m: newModel(su.p, su.q, su.burst)}
}

// do makes one call on both and records it; the returned call says whether
// the learner's answer contradicts exact accounting.
func (s *sim) do(st step) call {
	now := s.base.Add(st.at)
	var got bool
	if st.n == 1 {
		got = s.lim.Allow(now)
	} else {
		got = s.lim.AllowN(now, st.n)
	}
	s.m.advance(now)
	c := call{step: st, got: got, held: s.m.held(), v: s.m.verdict(st.n), idx: len(s.trace)}
	s.trace = append(s.trace, c)
	if got && st.n > 0 {
		s.admitted = append(s.admitted, c)
	}
	if got {
		// Follow the learner inside the tolerance band, so that a float64
		// implementation a hair off the exact count is not blamed later.
		s.m.take(st.n)
	}
	return c
}

// replay runs steps on a fresh limiter until the first wrong answer, and
// returns the simulation and that answer's index (-1 if none).
func (su setup) replay(steps []step) (*sim, int) {
	s := su.start()
	for i, st := range steps {
		if s.do(st).bad() {
			return s, i
		}
	}
	return s, -1
}

// generate builds a schedule of up to size steps, each drawn by next with
// the live simulation at hand, stopping early at the first wrong answer.
func (su setup) generate(size int, next func(i int, s *sim) step) []step {
	s := su.start()
	var steps []step
	for i := range size {
		st := next(i, s)
		steps = append(steps, st)
		if s.do(st).bad() {
			break
		}
	}
	return steps
}

// shrinkBudget bounds the replays spent on making one counterexample small.
const shrinkBudget = 400

// shrink removes steps one at a time for as long as what is left still
// fails, and returns what is left.
func shrink(steps []step, fails func([]step) (bool, []step)) []step {
	budget := shrinkBudget
	for changed := true; changed && budget > 0; {
		changed = false
		for i := 0; i < len(steps) && budget > 0; i++ {
			cand := append(append([]step(nil), steps[:i]...), steps[i+1:]...)
			budget--
			if ok, kept := fails(cand); ok {
				steps, changed = kept, true
				i--
			}
		}
	}
	return steps
}

// decisionError replays steps; if some answer contradicts exact accounting,
// it shrinks the schedule and returns an error showing the smallest one.
//
// header, if not nil, gives the text that goes before the report, from the
// shrunk trace (so that it only speaks of what the trace shows).
func (su setup) decisionError(steps []step, keepNotes bool, header func([]call) string) error {
	if _, k := su.replay(steps); k < 0 {
		return nil
	} else {
		steps = steps[:k+1]
	}
	if !keepNotes {
		for i := range steps {
			steps[i].note = ""
		}
	}
	steps = shrink(steps, func(cand []step) (bool, []step) {
		if _, k := su.replay(cand); k >= 0 {
			return true, cand[:k+1]
		}
		return false, nil
	})
	su, steps = su.rebase(steps)
	s, _ := su.replay(steps)
	last := s.trace[len(s.trace)-1]
	var b strings.Builder
	if header != nil {
		if h := header(s.trace); h != "" {
			b.WriteString(h + "\n")
		}
	}
	fmt.Fprintf(&b, "%s, then these calls (times relative to the start):\n", newCall(su.p, su.q, su.burst))
	b.WriteString(traceLines(s.trace, 14))
	fmt.Fprintf(&b, "by exact accounting the bucket holds %s tokens at %s, so %s", fmtTokens(last.held), fmtAt(last.at), callString(last.n))
	return check.Mismatch(b.String(), last.v == mustAllow, last.got)
}

// rebase moves the start time to the first step, so that a shrunk trace
// starts at +0s; the calls happen at the same absolute times as before.
func (su setup) rebase(steps []step) (setup, []step) {
	if len(steps) == 0 {
		return su, steps
	}
	d := steps[0].at
	su.base = su.base.Add(d)
	out := make([]step, len(steps))
	for i, st := range steps {
		st.at -= d
		out[i] = st
	}
	return su, out
}

// traceLines prints the calls, the last one marked, eliding the middle of
// long traces.
func traceLines(calls []call, max int) string {
	var b strings.Builder
	for i, c := range calls {
		if len(calls) > max && i >= 3 && i < len(calls)-(max-4) {
			if i == 3 {
				fmt.Fprintf(&b, "   … %d more calls …\n", len(calls)-(max-1))
			}
			continue
		}
		mark := ""
		if i == len(calls)-1 {
			mark = ">"
		}
		b.WriteString(c.line(mark))
		b.WriteByte('\n')
	}
	return b.String()
}
