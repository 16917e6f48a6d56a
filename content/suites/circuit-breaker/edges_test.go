//go:build dslearnsuite

package breaker_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dslearn/dslearn/exercises/circuit-breaker"
	"github.com/dslearn/dslearn/internal/check"
)

// Long random histories at the edges, against the same model: limits below
// 1 (which mean 1), large limits, OpenTimeouts of zero and below (no wait:
// half-open from the instant the breaker opens), of a nanosecond, under a
// millisecond and over a year, and steps between calls from a nanosecond to
// over a year.

// normalized is the configuration as New must read it: limits below 1
// mean 1.
func (c cfg) normalized() cfg {
	c.T, c.M = max(c.T, 1), max(c.M, 1)
	return c
}

var edgeGaps = []time.Duration{0, 1, 999, time.Microsecond, 999 * time.Microsecond, time.Millisecond, time.Millisecond + 1, time.Second, time.Hour + 1, 10000 * time.Hour}

var edgeTimeouts = []time.Duration{math.MinInt64, -time.Hour, -1, 0, 1, 999 * time.Microsecond, time.Millisecond, time.Hour + 1, 10000 * time.Hour, math.MaxInt64}

// edgeBases are start times, among them the last minutes that Unix
// nanoseconds can hold in an int64 (until 2262-04-11 23:47:16 UTC): a
// breaker that keeps its deadline in UnixNano breaks there.
var edgeBases = []time.Time{
	time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC),
	time.Unix(0, 0).UTC(),
	time.Date(2262, 4, 11, 23, 30, 0, 0, time.UTC),
	time.Date(1677, 9, 21, 0, 13, 0, 0, time.UTC),
}

func edgeCfg(r *rand.Rand) cfg {
	limits := []int{math.MinInt, -1, 0, 1, 1, 2, 3, 7, 256}
	return cfg{
		T:       limits[r.IntN(len(limits))],
		M:       limits[r.IntN(len(limits))],
		timeout: edgeTimeouts[r.IntN(len(edgeTimeouts))],
	}
}

func TestEdgeConfigurationsMatchTheStateMachine(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 12, func(r *rand.Rand) error {
		// Short histories first, so that a failure is found small.
		for _, size := range []int{20, 200, 1500} {
			base := edgeBases[r.IntN(len(edgeBases))]
			if size == 200 {
				base = edgeBases[2] // minutes before UnixNano runs out
			}
			if err := genHistory(r, edgeCfg(r), base, size, true).check(); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestLargeLimitsCountExactly(t *testing.T) {
	defer check.Recover(t)
	// Counts past 2^7, 2^8 and 2^16 show a counter kept in a narrow type.
	for _, n := range []int{127, 128, 255, 256, 257, 65537} {
		c := cfg{T: n, M: min(n, 300), timeout: time.Second}
		h := newHarness(c, time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC))
		h.quiet = true
		for i := 1; i < n; i++ {
			if called, _ := h.exec(false); !called {
				t.Fatal(check.Mismatch(fmt.Sprintf("%v: after %d failures in a row, Execute again (the breaker opens after exactly %d)", c, i, n), "fn called", "rejected"))
			}
		}
		if s := h.state(); s != breaker.Closed {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v: State() after %d failures in a row", c, n-1), breaker.Closed, s))
		}
		h.exec(false)
		if s := h.state(); s != breaker.Open {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v: State() after %d failures in a row", c, n), breaker.Open, s))
		}
		h.advance(time.Second)
		var dones []func(bool)
		for i := range c.M {
			done, err := h.b.Allow()
			if err != nil {
				t.Fatal(check.Mismatch(fmt.Sprintf("%v: half-open, Allow() for trial %d of %d", c, i+1, c.M), "admitted", errString(err)))
			}
			dones = append(dones, done)
		}
		if _, err := h.b.Allow(); err == nil {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v: half-open, Allow() after %d trials were admitted", c, c.M), "ErrOpen", "admitted"))
		}
		for i, done := range dones {
			done(true)
			want := breaker.HalfOpen
			if i == len(dones)-1 {
				want = breaker.Closed
			}
			if s := h.state(); s != want {
				t.Fatal(check.Mismatch(fmt.Sprintf("%v: State() after %d of %d trials succeeded", c, i+1, c.M), want, s))
			}
		}
	}
}

func TestOpenTimeoutEndsExactlyAtAnyTime(t *testing.T) {
	defer check.Recover(t)
	// Deadlines far from now: across the end of Unix nanoseconds in 2262,
	// before 1970 and 1677, a year away and at the largest Duration.
	for _, base := range edgeBases {
		for _, timeout := range []time.Duration{time.Hour, 10000 * time.Hour, math.MaxInt64} {
			c := cfg{T: 1, M: 1, timeout: timeout}
			h := newHarness(c, base)
			h.exec(false)
			what := fmt.Sprintf("%v, started at %v: one failure opens it; State()", c, base.Format(time.RFC3339))
			if s := h.state(); s != breaker.Open {
				t.Fatal(check.Mismatch(what+" just after", breaker.Open, s))
			}
			h.set(timeout - 1)
			if s := h.state(); s != breaker.Open {
				t.Fatal(check.Mismatch(fmt.Sprintf("%s %v later, 1 ns before the timeout ends", what, timeout-1), breaker.Open, s))
			}
			h.set(timeout)
			if s := h.state(); s != breaker.HalfOpen {
				t.Fatal(check.Mismatch(fmt.Sprintf("%s %v later, when the timeout ends", what, timeout), breaker.HalfOpen, s))
			}
		}
	}
}
