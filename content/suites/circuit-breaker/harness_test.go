//go:build dslearnsuite

package breaker_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/dslearn/dslearn/exercises/circuit-breaker"
	"github.com/dslearn/dslearn/internal/check"
)

// errBoom is the failure the suite's functions return.
var errBoom = errors.New("boom")

// clock is the injected clock: it moves only when the suite moves it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type transition struct{ from, to breaker.State }

func (t transition) String() string { return fmt.Sprintf("%v→%v", t.from, t.to) }

func logString(log []transition) string {
	if len(log) == 0 {
		return "no state changes"
	}
	parts := make([]string, len(log))
	for i, t := range log {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}

// recorder is the OnStateChange callback: it records every call.
type recorder struct {
	mu  sync.Mutex
	log []transition
}

func (r *recorder) record(from, to breaker.State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, transition{from, to})
}

func (r *recorder) snapshot() []transition {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]transition(nil), r.log...)
}

// cfg is a breaker configuration.
type cfg struct {
	T, M    int // FailureThreshold, HalfOpenMaxTrials
	timeout time.Duration
}

func (c cfg) String() string {
	return fmt.Sprintf("New(Config{FailureThreshold: %d, OpenTimeout: %v, HalfOpenMaxTrials: %d})", c.T, c.timeout, c.M)
}

func baseTime(r *rand.Rand) time.Time {
	return time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC).Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
}

// randomCfg draws a configuration; timeouts are whole milliseconds, so that
// traces read well.
func randomCfg(r *rand.Rand) cfg {
	return cfg{
		T:       1 + r.IntN(5),
		M:       1 + r.IntN(4),
		timeout: time.Duration(1+r.IntN(120_000)) * time.Millisecond,
	}
}

func fmtAt(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

func errString(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, breaker.ErrOpen):
		return "ErrOpen"
	case err == errBoom:
		return "the function's error"
	}
	return fmt.Sprintf("%q", err.Error())
}

// harness drives one learner breaker with the suite's clock and callback,
// and keeps a story of what happened for failure messages.
type harness struct {
	cfg
	start time.Time
	at    time.Duration // the clock, relative to start
	clk   *clock
	rec   *recorder
	b     *breaker.Breaker
	lines []string
	last  int  // the latest line told by an action (not a state change)
	seen  int  // state changes already told in the story
	quiet bool // tell nothing (replays while shrinking)
}

func newHarness(c cfg, start time.Time) *harness {
	h := &harness{cfg: c, start: start, clk: &clock{now: start}, rec: &recorder{}}
	h.b = breaker.New(breaker.Config{
		FailureThreshold:  c.T,
		OpenTimeout:       c.timeout,
		HalfOpenMaxTrials: c.M,
		Now:               h.clk.Now,
		OnStateChange:     h.rec.record,
	})
	return h
}

// set moves the clock to start+d.
func (h *harness) set(d time.Duration) {
	h.at = d
	h.clk.set(h.start.Add(d))
}

func (h *harness) advance(d time.Duration) { h.set(h.at + d) }

func (h *harness) now() time.Time { return h.start.Add(h.at) }

// tell adds a line to the story, followed by the state changes the breaker
// reported since the previous line.
func (h *harness) tell(format string, args ...any) {
	if h.quiet {
		return
	}
	h.last = len(h.lines)
	h.lines = append(h.lines, fmt.Sprintf("%-13s ", fmtAt(h.at))+fmt.Sprintf(format, args...))
	log := h.rec.snapshot()
	for _, t := range log[min(h.seen, len(log)):] {
		h.lines = append(h.lines, fmt.Sprintf("%-13s   OnStateChange(%v, %v)", "", t.from, t.to))
	}
	h.seen = len(log)
}

// story is the configuration and every line told so far, the last marked.
func (h *harness) story() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, then (times relative to the start):\n", h.cfg)
	const max = 40
	for i, l := range h.lines {
		if len(h.lines) > max && i >= 4 && i < len(h.lines)-(max-5) && i != h.last {
			if i == 4 {
				fmt.Fprintf(&b, "     … %d more lines …\n", len(h.lines)-(max-1))
			}
			continue
		}
		mark := "  "
		if i == h.last {
			mark = "> "
		}
		b.WriteString(" " + mark + l + "\n")
	}
	return b.String()
}

func (h *harness) mismatch(what string, want, got any) error {
	return check.Mismatch(h.story()+what, want, got)
}

func outcome(ok bool) string {
	if ok {
		return "succeeds"
	}
	return "fails"
}

// exec calls Execute with a function that succeeds or fails (returning
// errBoom), and reports whether the function ran and what Execute returned.
func (h *harness) exec(ok bool) (called bool, err error) {
	return h.execTaking(ok, 0)
}

// execTaking is exec with a function that takes d of the suite's clock.
func (h *harness) execTaking(ok bool, d time.Duration) (called bool, err error) {
	before := h.at
	err = h.b.Execute(func() error {
		called = true
		h.advance(d)
		if ok {
			return nil
		}
		return errBoom
	})
	fn := "fn that " + outcome(ok)
	if d > 0 {
		fn = fmt.Sprintf("fn that %s after %v", outcome(ok), d)
	}
	ran := "fn not called"
	if called {
		ran = "fn called"
	}
	at := h.at
	h.at = before // tell the story from the call's start
	h.tell("Execute(%s) → %s, returned %s", fn, ran, errString(err))
	h.at = at
	return called, err
}

func (h *harness) state() breaker.State {
	s := h.b.State()
	h.tell("State() → %v", s)
	return s
}

// allow calls Allow for the call named name.
func (h *harness) allow(name string) (func(bool), error) {
	done, err := h.b.Allow()
	switch {
	case err == nil && done != nil:
		h.tell("Allow() → call %s admitted", name)
	case err == nil:
		h.tell("Allow() → nil error but a nil done function")
	default:
		h.tell("Allow() → rejected with %s", errString(err))
	}
	return done, err
}

func (h *harness) finish(name string, done func(bool), ok bool) {
	done(ok)
	h.tell("call %s: done(%v)", name, ok)
}

// expectState checks State().
func (h *harness) expectState(want breaker.State, why string) error {
	if got := h.state(); got != want {
		return h.mismatch("State() "+why, want, got)
	}
	return nil
}

// expectAdmitted calls Execute and checks that it called the function and
// returned its error.
func (h *harness) expectAdmitted(ok bool, why string) error {
	called, err := h.exec(ok)
	if !called {
		return h.mismatch("Execute "+why+": did it call fn", true, false)
	}
	want := error(nil)
	if !ok {
		want = errBoom
	}
	if err != want {
		return h.mismatch("Execute returns fn's own error, unchanged", errString(want), errString(err))
	}
	return nil
}

// expectRejected calls Execute and checks that it did not call the function
// and returned ErrOpen.
func (h *harness) expectRejected(why string) error {
	called, err := h.exec(false)
	if called {
		return h.mismatch("Execute "+why+": did it call fn", false, true)
	}
	if !errors.Is(err, breaker.ErrOpen) {
		return h.mismatch("Execute "+why+": the error it returns", "ErrOpen", errString(err))
	}
	return nil
}

// expectAllowRejected calls Allow and checks that it rejected with ErrOpen.
func (h *harness) expectAllowRejected(why string) error {
	done, err := h.allow("(one more)")
	if err == nil {
		return h.mismatch("Allow "+why, "rejected with ErrOpen", "admitted")
	}
	if !errors.Is(err, breaker.ErrOpen) {
		return h.mismatch("Allow "+why+": the error it returns", "ErrOpen", errString(err))
	}
	if done != nil {
		return h.mismatch("Allow returns a nil done function when it rejects", "nil", "a function")
	}
	return nil
}

// expectAllowAdmitted calls Allow and checks that it admitted the call.
func (h *harness) expectAllowAdmitted(name, why string) (func(bool), error) {
	done, err := h.allow(name)
	if err != nil {
		return nil, h.mismatch("Allow "+why, "admitted", "rejected with "+errString(err))
	}
	if done == nil {
		return nil, h.mismatch("Allow returns a done function when it admits a call", "a function", "nil")
	}
	return done, nil
}

// expectLog checks every OnStateChange call so far.
func (h *harness) expectLog(want []transition, why string) error {
	if got := h.rec.snapshot(); logString(got) != logString(want) {
		return h.mismatch("OnStateChange is called exactly once per change of state, in order; "+why+", the calls so far", logString(want), logString(got))
	}
	return nil
}

// trip makes T failing calls, one second apart, and checks that the breaker
// opened.
func (h *harness) trip() error {
	for i := range h.T {
		if i > 0 {
			h.advance(time.Second)
		}
		if err := h.expectAdmitted(false, "while closed"); err != nil {
			return err
		}
	}
	return h.expectState(breaker.Open, fmt.Sprintf("after %d consecutive failures (FailureThreshold %d)", h.T, h.T))
}

// toHalfOpen trips the breaker and moves the clock to its deadline.
func (h *harness) toHalfOpen() error {
	if err := h.trip(); err != nil {
		return err
	}
	h.advance(h.timeout)
	return h.expectState(breaker.HalfOpen, fmt.Sprintf("OpenTimeout (%v) after the breaker opened", h.timeout))
}
