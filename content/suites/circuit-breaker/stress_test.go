//go:build dslearnsuite

package breaker_test

import (
	"errors"
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	breaker "github.com/dslearn/dslearn/exercises/circuit-breaker"
	"github.com/dslearn/dslearn/internal/check"
)

// These checks run many goroutines against one breaker for many calls, so
// that two calls contend for the breaker's lock as often as they can. They
// are in the file whose name sorts last.

func TestAClosedBreakerAdmitsEveryConcurrentCall(t *testing.T) {
	defer check.Recover(t)
	// A breaker that can never open (FailureThreshold MaxInt) admits every
	// call, however many goroutines call it at once: Closed admits every
	// call, so waiting for the lock is the only answer to contention.
	const workers, calls = 8, 2000
	h := newHarness(cfg{T: math.MaxInt, M: 1, timeout: 1}, baseTime(check.Rand(1)))
	var rejected atomic.Int64
	fail := errors.New("fails")
	if err := together(workers, func(i int) error {
		for j := range calls {
			if j%2 == 0 {
				done, err := h.b.Allow()
				if err != nil {
					rejected.Add(1)
					continue
				}
				done(i%2 == 0)
				continue
			}
			if err := h.b.Execute(func() error { return fail }); errors.Is(err, breaker.ErrOpen) {
				rejected.Add(1)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := rejected.Load(); n != 0 {
		t.Fatalf("New(Config{FailureThreshold: MaxInt}) stays closed; %d goroutines made %d calls each of Allow and Execute at once, and %d of them were rejected with ErrOpen: while closed every call is admitted (wait for the lock; do not give up when it is busy)", workers, calls, n)
	}
	if got := h.rec.snapshot(); len(got) != 0 {
		t.Fatal(check.Mismatch("the OnStateChange calls of a breaker that never opens", logString(nil), logString(got)))
	}
}

func TestConcurrentChangesOfStateAreReportedInOrder(t *testing.T) {
	defer check.Recover(t)
	// With FailureThreshold 1, OpenTimeout 0 and one trial, every failure
	// changes the state: Closed→Open, then Open→HalfOpen at the next call,
	// then HalfOpen→Open at the trial's failure, and so on. Goroutines fail
	// calls at once for a long time. OnStateChange is called synchronously
	// and in the order of the changes, so the log it saw is a chain: each
	// change starts where the last one ended, and none is to the same state.
	const workers, calls = 8, 1500
	for _, timeout := range []time.Duration{0, -time.Millisecond} {
		c := cfg{T: 1, M: 1, timeout: timeout}
		h := newHarness(c, baseTime(check.Rand(2)))
		// The callback lets other goroutines run before it records (0 to
		// 2 times): a breaker that calls it after releasing its lock then
		// lets a later change be reported first.
		var reported atomic.Int64
		h.b = breaker.New(breaker.Config{
			FailureThreshold:  c.T,
			OpenTimeout:       c.timeout,
			HalfOpenMaxTrials: c.M,
			Now:               h.clk.Now,
			OnStateChange: func(from, to breaker.State) {
				n := int(reported.Add(1) % 3)
				for range n {
					runtime.Gosched()
				}
				h.rec.record(from, to)
			},
		})
		fail := errors.New("fails")
		if err := together(workers, func(int) error {
			for range calls {
				_ = h.b.Execute(func() error { return fail })
				_ = h.b.State()
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		log := h.rec.snapshot()
		prev := breaker.Closed
		for i, tr := range log {
			if tr.from != prev || tr.from == tr.to {
				lo, hi := max(0, i-3), min(len(log), i+3)
				t.Fatalf("%s; %d goroutines each call Execute with a failing function, then State, %d times, at once: OnStateChange call %d of %d reports %v, but the breaker was %v after the change before it (calls %d to %d: %s). Call OnStateChange for each change in the order the changes happen, synchronously: before the change's lock is released",
					c, workers, calls, i+1, len(log), tr, prev, lo+1, hi, logString(log[lo:hi]))
			}
			prev = tr.to
		}
		if len(log) < 3 {
			t.Fatalf("%s; %d goroutines each call Execute with a failing function, then State, %d times, at once: only %d state changes were reported (%s); each failure while closed or half-open changes the state, so there must be many", c, workers, calls, len(log), logString(log))
		}
	}
}
