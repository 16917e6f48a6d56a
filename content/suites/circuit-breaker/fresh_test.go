//go:build dslearnsuite

package breaker_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/check"
)

// TestEveryChangeOfStateStartsWithFreshCounts walks the breaker through
// every cycle in which a count could carry over: half-open trials that
// partly succeed before one fails and reopens the breaker (the next
// half-open period must admit HalfOpenMaxTrials trials again and need that
// many successes again), and a breaker that closes after trials (it must
// need FailureThreshold new failures in a row to open). Every combination
// of limits from 1 to 4 and of successes before the failing trial runs on
// every seed.
func TestEveryChangeOfStateStartsWithFreshCounts(t *testing.T) {
	defer check.Recover(t)
	start := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for m := 1; m <= 4; m++ {
		for thr := 1; thr <= 4; thr++ {
			for ok := 0; ok < m; ok++ {
				if err := freshCounts(newHarness(cfg{T: thr, M: m, timeout: time.Second}, start), ok); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}
}

// freshCounts: the first half-open period sees ok trial successes and then
// a failure; the second sees HalfOpenMaxTrials successes, one at a time.
func freshCounts(h *harness, ok int) error {
	if err := h.toHalfOpen(); err != nil {
		return err
	}
	for i := range ok {
		done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", i+1), "while half-open")
		if err != nil {
			return err
		}
		h.finish(fmt.Sprintf("#%d", i+1), done, true)
		if err := h.expectState(halfOpen, fmt.Sprintf("after %d of %d trials succeeded", i+1, h.M)); err != nil {
			return err
		}
	}
	done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", ok+1), "while half-open")
	if err != nil {
		return err
	}
	h.finish(fmt.Sprintf("#%d", ok+1), done, false)
	if err := h.expectState(open, "after a trial failed while half-open"); err != nil {
		return err
	}
	h.advance(h.timeout)
	if err := h.expectState(halfOpen, fmt.Sprintf("OpenTimeout (%v) after the failed trial reopened the breaker", h.timeout)); err != nil {
		return err
	}
	// A new half-open period: HalfOpenMaxTrials trials admitted again, and
	// only as many successes close it; the earlier period's count nothing.
	var dones []func(bool)
	for i := range h.M {
		done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", ok+2+i), fmt.Sprintf("in a new half-open period, as trial %d of %d", i+1, h.M))
		if err != nil {
			return err
		}
		dones = append(dones, done)
	}
	if err := h.expectAllowRejected(fmt.Sprintf("once all %d trials of this half-open period are admitted", h.M)); err != nil {
		return err
	}
	for i, done := range dones {
		h.finish(fmt.Sprintf("#%d", ok+2+i), done, true)
		want := halfOpen
		if i == h.M-1 {
			want = closed
		}
		if err := h.expectState(want, fmt.Sprintf("after %d of %d trials of this half-open period succeeded", i+1, h.M)); err != nil {
			return err
		}
	}
	// Closed again: FailureThreshold new failures in a row to open.
	for i := 1; i <= h.T; i++ {
		h.advance(time.Millisecond)
		if err := h.expectAdmitted(false, "while closed"); err != nil {
			return err
		}
		want := closed
		if i == h.T {
			want = open
		}
		if err := h.expectState(want, fmt.Sprintf("after closing, then %d consecutive failures (FailureThreshold %d)", i, h.T)); err != nil {
			return err
		}
	}
	return h.expectLog([]transition{{closed, open}, {open, halfOpen}, {halfOpen, open}, {open, halfOpen}, {halfOpen, closed}, {closed, open}}, "after the whole cycle")
}
