//go:build dslearnsuite

package breaker_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/dslearn/dslearn/exercises/circuit-breaker"
	"github.com/dslearn/dslearn/internal/check"
)

const defaultRuns = 25

var (
	closed   = breaker.Closed
	open     = breaker.Open
	halfOpen = breaker.HalfOpen
)

func TestTripsOpenOnExactlyThresholdConsecutiveFailures(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.T = 1 + r.IntN(8)
		h := newHarness(c, baseTime(r))
		for i := 1; i <= c.T; i++ {
			h.advance(time.Duration(r.IntN(5000)) * time.Millisecond)
			if err := h.expectAdmitted(false, "while closed"); err != nil {
				return err
			}
			want := closed
			if i == c.T {
				want = open
			}
			if err := h.expectState(want, fmt.Sprintf("after %d consecutive failures (FailureThreshold %d)", i, c.T)); err != nil {
				return err
			}
		}
		return h.expectLog([]transition{{closed, open}}, "after tripping")
	})
}

func TestSuccessResetsConsecutiveFailures(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.T = 2 + r.IntN(5)
		h := newHarness(c, baseTime(r))
		// T-1 failures, a success, T-1 failures: never T in a row.
		for round := range 2 {
			for range c.T - 1 {
				h.advance(time.Second)
				if err := h.expectAdmitted(false, "while closed"); err != nil {
					return err
				}
			}
			if err := h.expectState(closed, fmt.Sprintf("after %d consecutive failures (FailureThreshold %d)", c.T-1, c.T)); err != nil {
				return err
			}
			if round == 0 {
				h.advance(time.Second)
				if err := h.expectAdmitted(true, "while closed"); err != nil {
					return err
				}
			}
		}
		// Random outcomes: the breaker opens exactly when T fail in a row.
		run := c.T - 1
		for range 6 * c.T {
			ok := r.IntN(3) == 0
			h.advance(time.Second)
			if err := h.expectAdmitted(ok, "while closed"); err != nil {
				return err
			}
			if ok {
				run = 0
			} else {
				run++
			}
			want := closed
			if run == c.T {
				want = open
			}
			why := fmt.Sprintf("after %d consecutive failures since the last success (FailureThreshold %d)", run, c.T)
			if err := h.expectState(want, why); err != nil {
				return err
			}
			if want == open {
				break
			}
		}
		return nil
	})
}

func TestOpenRejectsWithoutCallingTheFunction(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		if err := h.trip(); err != nil {
			return err
		}
		deadline := h.at + c.timeout
		for range 3 + r.IntN(5) {
			h.set(h.at + time.Duration(r.Int64N(int64(deadline-h.at))).Truncate(time.Millisecond))
			if err := h.expectRejected("while open"); err != nil {
				return err
			}
			if err := h.expectAllowRejected("while open"); err != nil {
				return err
			}
			if err := h.expectState(open, "before OpenTimeout has passed"); err != nil {
				return err
			}
		}
		return h.expectLog([]transition{{closed, open}}, "while open")
	})
}

func TestOpenTimeoutIsMeasuredFromTheTripAndEndsExactly(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.T = 2 + r.IntN(4)
		h := newHarness(c, baseTime(r))
		for i := range c.T {
			h.advance(time.Duration(1+r.IntN(10)) * time.Second)
			// The failure that trips the breaker takes time: the breaker
			// opens when it is reported, not when the call started.
			took := time.Duration(0)
			if i == c.T-1 {
				took = time.Duration(1+r.IntN(5000)) * time.Millisecond
			}
			called, err := h.execTaking(false, took)
			if !called || err != errBoom {
				return h.mismatch("Execute while closed calls fn and returns its error", "fn called, the function's error", fmt.Sprintf("called=%v, %s", called, errString(err)))
			}
		}
		opened := h.at
		h.tell("(the breaker opened here, when the last failure was reported)")
		if err := h.expectState(open, fmt.Sprintf("after %d consecutive failures (FailureThreshold %d)", c.T, c.T)); err != nil {
			return err
		}
		h.set(opened + c.timeout - time.Nanosecond)
		if err := h.expectState(open, fmt.Sprintf("1ns before OpenTimeout (%v) has passed since the breaker opened", c.timeout)); err != nil {
			return err
		}
		if err := h.expectRejected("1ns before the open period ends"); err != nil {
			return err
		}
		h.set(opened + c.timeout)
		if err := h.expectState(halfOpen, fmt.Sprintf("exactly OpenTimeout (%v) after the breaker opened (the deadline itself is included)", c.timeout)); err != nil {
			return err
		}
		return h.expectLog([]transition{{closed, open}, {open, halfOpen}}, "after the open period")
	})
}

func TestHalfOpenAdmitsAtMostMaxTrials(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.M = 1 + r.IntN(5)
		h := newHarness(c, baseTime(r))
		if err := h.toHalfOpen(); err != nil {
			return err
		}
		var dones []func(bool)
		for i := range c.M {
			h.advance(time.Duration(r.IntN(1000)) * time.Millisecond)
			done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", i+1), fmt.Sprintf("while half-open with %d of %d trials admitted", i, c.M))
			if err != nil {
				return err
			}
			dones = append(dones, done)
		}
		why := fmt.Sprintf("while half-open with all %d trials admitted", c.M)
		if err := h.expectAllowRejected(why); err != nil {
			return err
		}
		if err := h.expectRejected(why); err != nil {
			return err
		}
		if c.M > 1 {
			// A finished trial still counts: the half-open period admits
			// HalfOpenMaxTrials calls in all, not at a time.
			h.finish("#1", dones[0], true)
			if err := h.expectAllowRejected(why + " (one of them already finished)"); err != nil {
				return err
			}
		}
		return h.expectState(halfOpen, "with trials still running")
	})
}

func TestHalfOpenAdmitsAtMostMaxTrialsConcurrently(t *testing.T) {
	defer check.Recover(t)
	stuck := false // a seed got stuck: do not wait again on the others
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		if stuck {
			return check.Errorf("not run: an earlier seed got stuck")
		}
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		if err := h.toHalfOpen(); err != nil {
			return err
		}
		callers := c.M + 1 + r.IntN(8)
		failOne := r.IntN(2) == 0
		type result struct {
			err   error // what Execute returned
			panic error
		}
		started := make(chan int, callers)
		results := make(chan result, callers)
		release := make(chan struct{})
		var mu sync.Mutex
		trial := 0
		for range callers {
			go func() {
				var res result
				res.panic = check.Safely(func() error {
					res.err = h.b.Execute(func() error {
						mu.Lock()
						trial++
						n := trial
						mu.Unlock()
						started <- n
						<-release
						if failOne && n == 1 {
							return errBoom
						}
						return nil
					})
					return nil
				})
				results <- res
			}()
		}
		what := fmt.Sprintf("%s; the breaker is half-open and %d goroutines call Execute at once, each fn blocking until the test releases it", c, callers)
		admitted, rejected := 0, 0
		// Only a guard against a deadlock (a lock held while fn runs);
		// nothing here depends on timing.
		guard := time.After(10 * time.Second)
		for admitted+rejected < callers {
			select {
			case <-started:
				admitted++
			case res := <-results:
				if res.panic != nil {
					close(release)
					return res.panic
				}
				if !errors.Is(res.err, breaker.ErrOpen) {
					close(release)
					return check.Mismatch(what+": a call that was not admitted returns", "ErrOpen", errString(res.err))
				}
				rejected++
			case <-guard:
				stuck = true
				close(release)
				return check.Errorf("%s: after 10s only %d of them had either started fn or returned; does Execute hold the breaker's lock while fn runs?", what, admitted+rejected)
			}
		}
		if admitted != c.M {
			close(release)
			return check.Mismatch(what+": how many of them does the breaker admit (fn called)", c.M, admitted)
		}
		close(release)
		for range admitted {
			res := <-results
			if res.panic != nil {
				return res.panic
			}
		}
		want, log := closed, []transition{{closed, open}, {open, halfOpen}, {halfOpen, closed}}
		why := fmt.Sprintf("after all %d trials succeeded", c.M)
		story := "all succeed"
		if failOne {
			want, log = open, []transition{{closed, open}, {open, halfOpen}, {halfOpen, open}}
			why = "after one of the trials failed"
			story = "the first to start fails, the others succeed"
		}
		h.tell("%d goroutines call Execute at once: %d admitted (fn called), %d rejected with ErrOpen; the test releases the trials: %s", callers, admitted, rejected, story)
		if err := h.expectState(want, why); err != nil {
			return err
		}
		return h.expectLog(log, why)
	})
}

func TestHalfOpenFailureReopensWithAFreshTimeout(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		if err := h.toHalfOpen(); err != nil {
			return err
		}
		h.advance(time.Duration(r.IntN(5000)) * time.Millisecond)
		var dones []func(bool)
		for i := range c.M {
			done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", i+1), "while half-open")
			if err != nil {
				return err
			}
			dones = append(dones, done)
		}
		// The trial takes a while, then fails.
		h.advance(time.Duration(1+r.IntN(5000)) * time.Millisecond)
		h.finish("#1", dones[0], false)
		reopened := h.at
		if err := h.expectState(open, "after a trial failed while half-open"); err != nil {
			return err
		}
		// The other trials belong to the half-open period that just ended.
		for i, done := range dones[1:] {
			h.finish(fmt.Sprintf("#%d", i+2), done, true)
		}
		if err := h.expectState(open, "after trials of the previous half-open period succeeded late"); err != nil {
			return err
		}
		h.set(reopened + c.timeout - time.Nanosecond)
		why := fmt.Sprintf("1ns before OpenTimeout (%v) has passed since the failed trial reopened the breaker", c.timeout)
		if err := h.expectState(open, why); err != nil {
			return err
		}
		if err := h.expectRejected(why); err != nil {
			return err
		}
		h.set(reopened + c.timeout)
		if err := h.expectState(halfOpen, fmt.Sprintf("exactly OpenTimeout (%v) after the failed trial reopened the breaker", c.timeout)); err != nil {
			return err
		}
		return h.expectLog([]transition{{closed, open}, {open, halfOpen}, {halfOpen, open}, {open, halfOpen}}, "after reopening and timing out again")
	})
}

func TestEnoughHalfOpenSuccessesCloseIt(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.M = 1 + r.IntN(5)
		c.T = 1 + r.IntN(5)
		h := newHarness(c, baseTime(r))
		if err := h.toHalfOpen(); err != nil {
			return err
		}
		var dones []func(bool)
		for i := range c.M {
			done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", i+1), "while half-open")
			if err != nil {
				return err
			}
			dones = append(dones, done)
		}
		for i, done := range dones {
			h.advance(time.Duration(r.IntN(1000)) * time.Millisecond)
			h.finish(fmt.Sprintf("#%d", i+1), done, true)
			want := halfOpen
			if i == c.M-1 {
				want = closed
			}
			if err := h.expectState(want, fmt.Sprintf("after %d of %d trials succeeded", i+1, c.M)); err != nil {
				return err
			}
		}
		if err := h.expectLog([]transition{{closed, open}, {open, halfOpen}, {halfOpen, closed}}, "after the trials succeeded"); err != nil {
			return err
		}
		// Closed again, with a failure count of 0.
		for i := 1; i <= c.T; i++ {
			h.advance(time.Second)
			if err := h.expectAdmitted(false, "while closed"); err != nil {
				return err
			}
			want := closed
			if i == c.T {
				want = open
			}
			if err := h.expectState(want, fmt.Sprintf("after closing, then %d consecutive failures (FailureThreshold %d)", i, c.T)); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestLateResultsFromAnOlderGenerationAreIgnored(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		c.T = 1 + r.IntN(4)
		h := newHarness(c, baseTime(r))
		// Four calls admitted while closed, still running.
		late := map[string]func(bool){}
		for _, name := range []string{"A", "B", "C", "D"} {
			done, err := h.expectAllowAdmitted(name, "while closed")
			if err != nil {
				return err
			}
			late[name] = done
		}
		if err := h.trip(); err != nil {
			return err
		}
		h.advance(time.Duration(r.Int64N(int64(c.timeout))).Truncate(time.Millisecond))
		h.finish("A", late["A"], false)
		if err := h.expectState(open, "after a call admitted before the breaker opened failed late"); err != nil {
			return err
		}
		if err := h.expectLog([]transition{{closed, open}}, "after a late failure while open"); err != nil {
			return err
		}
		h.set(h.at + c.timeout)
		if err := h.expectState(halfOpen, "after OpenTimeout"); err != nil {
			return err
		}
		trial, err := h.expectAllowAdmitted("#1", "while half-open")
		if err != nil {
			return err
		}
		h.finish("B", late["B"], true)
		if err := h.expectState(halfOpen, fmt.Sprintf("after a call admitted while closed succeeded late (it is not one of the %d trials)", c.M)); err != nil {
			return err
		}
		h.finish("C", late["C"], false)
		if err := h.expectState(halfOpen, "after a call admitted while closed failed late (it is not a trial)"); err != nil {
			return err
		}
		h.finish("#1", trial, true)
		for i := 2; i <= c.M; i++ {
			done, err := h.expectAllowAdmitted(fmt.Sprintf("#%d", i), "while half-open")
			if err != nil {
				return err
			}
			h.finish(fmt.Sprintf("#%d", i), done, true)
		}
		if err := h.expectState(closed, fmt.Sprintf("after %d trials succeeded", c.M)); err != nil {
			return err
		}
		h.finish("D", late["D"], false)
		for i := 1; i < c.T; i++ {
			h.advance(time.Second)
			if err := h.expectAdmitted(false, "while closed"); err != nil {
				return err
			}
		}
		if err := h.expectState(closed, fmt.Sprintf("after closing, a late failure from before the trip, then %d new failures (FailureThreshold %d): the late failure does not count", c.T-1, c.T)); err != nil {
			return err
		}
		return h.expectLog([]transition{{closed, open}, {open, halfOpen}, {halfOpen, closed}}, "at the end")
	})
}

func TestStateChangeCallbackFiresOncePerTransition(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		var want []transition
		expect := func(why string, more ...transition) error {
			want = append(want, more...)
			return h.expectLog(want, why)
		}
		// Calls and looks that change nothing fire nothing.
		for range 1 + r.IntN(3) {
			h.state()
			if err := h.expectAdmitted(true, "while closed"); err != nil {
				return err
			}
		}
		if err := expect("while closed"); err != nil {
			return err
		}
		if err := h.trip(); err != nil {
			return err
		}
		for range 1 + r.IntN(3) {
			h.advance(time.Duration(r.Int64N(int64(c.timeout) / 4)).Truncate(time.Millisecond))
			h.state()
			if err := h.expectRejected("while open"); err != nil {
				return err
			}
		}
		if err := expect("after tripping, then looking and being rejected while open", transition{closed, open}); err != nil {
			return err
		}
		h.set(h.at + c.timeout)
		for range 2 + r.IntN(3) {
			h.state()
		}
		if err := expect("after the open period, looking at the state several times", transition{open, halfOpen}); err != nil {
			return err
		}
		if err := h.expectAdmitted(false, "while half-open with a trial free"); err != nil {
			return err
		}
		if err := expect("after a trial failed", transition{halfOpen, open}); err != nil {
			return err
		}
		h.advance(c.timeout)
		for i := range c.M {
			if err := h.expectAdmitted(true, "while half-open with a trial free"); err != nil {
				return err
			}
			if i == 0 {
				want = append(want, transition{open, halfOpen})
			}
		}
		h.state()
		return expect("after all trials succeeded", transition{halfOpen, closed})
	})
}

func TestConcurrentCallersCauseOneTransitionEach(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		callers := c.T + 1 + r.IntN(10)
		what := fmt.Sprintf("%s; %d goroutines each call Allow at once while closed, then all report failures at once, then the clock passes OpenTimeout and %d goroutines call State at once", c, callers, callers)
		dones := make([]func(bool), callers)
		if err := together(callers, func(i int) error {
			done, err := h.b.Allow()
			if err != nil {
				return check.Mismatch(what+": Allow while closed", "admitted", "rejected with "+errString(err))
			}
			dones[i] = done
			return nil
		}); err != nil {
			return err
		}
		if err := together(callers, func(i int) error { dones[i](false); return nil }); err != nil {
			return err
		}
		if got := h.rec.snapshot(); logString(got) != logString([]transition{{closed, open}}) {
			return check.Mismatch(what+": the OnStateChange calls after the failures", logString([]transition{{closed, open}}), logString(got))
		}
		h.advance(c.timeout)
		if err := together(callers, func(int) error {
			if s := h.b.State(); s != halfOpen {
				return check.Mismatch(what+": State after OpenTimeout", halfOpen, s)
			}
			return nil
		}); err != nil {
			return err
		}
		if got, want := h.rec.snapshot(), []transition{{closed, open}, {open, halfOpen}}; logString(got) != logString(want) {
			return check.Mismatch(what+": the OnStateChange calls at the end", logString(want), logString(got))
		}
		return nil
	})
}

// together runs f(0..n-1) in n goroutines released at once, and returns the
// first error or panic.
func together(n int, f func(i int) error) error {
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			<-start
			errs <- check.Safely(func() error { return f(i) })
		}()
	}
	close(start)
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

type panicValue struct{ n int }

func TestPanicCountsAsFailureAndIsRepanicked(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		h := newHarness(c, baseTime(r))
		// execPanic calls Execute with a function that panics, and returns
		// what Execute panicked with.
		execPanic := func() (any, error) {
			v := &panicValue{r.IntN(1000)}
			var got any
			func() {
				defer func() { got = recover() }()
				_ = h.b.Execute(func() error { panic(v) })
			}()
			h.tell("Execute(fn that panics) → panicked with %v", describePanic(got, v))
			if got != any(v) {
				return got, h.mismatch("Execute lets fn's panic go on, with the same value", "a panic with fn's value", describePanic(got, v))
			}
			return got, nil
		}
		for i := 1; i <= c.T; i++ {
			h.advance(time.Second)
			if _, err := execPanic(); err != nil {
				return err
			}
			want := closed
			if i == c.T {
				want = open
			}
			if err := h.expectState(want, fmt.Sprintf("after %d calls in a row panicked (a panic is a failure; FailureThreshold %d)", i, c.T)); err != nil {
				return err
			}
		}
		h.advance(c.timeout)
		if _, err := execPanic(); err != nil {
			return err
		}
		if err := h.expectState(open, "after a trial panicked while half-open (a panic is a failure)"); err != nil {
			return err
		}
		return nil
	})
}

func describePanic(got any, v *panicValue) string {
	switch {
	case got == nil:
		return "no panic"
	case got == any(v):
		return "fn's value"
	}
	return fmt.Sprintf("%v", got)
}

func TestExecuteReturnsTheFunctionsOwnError(t *testing.T) {
	defer check.Recover(t)
	c := cfg{T: 3, M: 1, timeout: time.Minute}
	h := newHarness(c, time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC))
	mine := fmt.Errorf("my own error %w", errors.New("inside"))
	var got error
	called := false
	got = h.b.Execute(func() error { called = true; return mine })
	h.tell("Execute(fn that returns its own error) → returned %s", errString(got))
	if !called || got != mine {
		t.Fatal(h.mismatch("Execute while closed calls fn and returns its error unchanged (the same value)", "fn's error", errString(got)))
	}
	if err := h.expectAdmitted(true, "while closed"); err != nil {
		t.Fatal(err)
	}
}

func TestLimitsBelowOneMeanOne(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		c := randomCfg(r)
		// The harness's story shows the configuration as given; the breaker
		// must behave as with FailureThreshold 1 and HalfOpenMaxTrials 1.
		c.T, c.M = -r.IntN(3), -r.IntN(3)
		h := newHarness(c, baseTime(r))
		h.advance(time.Duration(r.IntN(5000)) * time.Millisecond)
		if err := h.expectAdmitted(false, "while closed"); err != nil {
			return err
		}
		if err := h.expectState(open, fmt.Sprintf("after 1 failure (FailureThreshold %d means 1)", c.T)); err != nil {
			return err
		}
		h.advance(c.timeout)
		why := fmt.Sprintf("while half-open with no trial admitted yet (HalfOpenMaxTrials %d means 1)", c.M)
		done, err := h.expectAllowAdmitted("#1", why)
		if err != nil {
			return err
		}
		if err := h.expectAllowRejected(fmt.Sprintf("while half-open with 1 trial admitted (HalfOpenMaxTrials %d means 1)", c.M)); err != nil {
			return err
		}
		h.finish("#1", done, true)
		if err := h.expectState(closed, fmt.Sprintf("after 1 trial succeeded (HalfOpenMaxTrials %d means 1)", c.M)); err != nil {
			return err
		}
		return h.expectLog([]transition{{closed, open}, {open, halfOpen}, {halfOpen, closed}}, "after one failure, the timeout and one successful trial")
	})
}

func TestNilNowMeansTimeNow(t *testing.T) {
	defer check.Recover(t)
	// Nothing here depends on how fast the test runs: the breaker must
	// merely work without a clock of the test's, and an hour-long open
	// period does not end during the test.
	what := "New(Config{FailureThreshold: 1, OpenTimeout: time.Hour}) (Now nil: the breaker uses time.Now)"
	b := breaker.New(breaker.Config{FailureThreshold: 1, OpenTimeout: time.Hour})
	if s := b.State(); s != closed {
		t.Fatal(check.Mismatch(what+", then State()", closed, s))
	}
	called := false
	if err := b.Execute(func() error { called = true; return errBoom }); !called || err != errBoom {
		t.Fatal(check.Mismatch(what+", then Execute(fn that fails)", "fn called, the function's error", fmt.Sprintf("called=%v, %s", called, errString(err))))
	}
	if s := b.State(); s != open {
		t.Fatal(check.Mismatch(what+", then Execute(fn that fails), then State()", open, s))
	}
	called = false
	if err := b.Execute(func() error { called = true; return nil }); called || !errors.Is(err, breaker.ErrOpen) {
		t.Fatal(check.Mismatch(what+", then Execute(fn that fails), then Execute again within the hour", "fn not called, ErrOpen", fmt.Sprintf("called=%v, %s", called, errString(err))))
	}
}

func TestBehaviourMatchesTheStateMachineOnRandomHistories(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range []int{6, 15, 40, 100} {
			c := randomCfg(r)
			if err := genHistory(r, c, baseTime(r), size, false).check(); err != nil {
				return err
			}
		}
		return nil
	})
}
