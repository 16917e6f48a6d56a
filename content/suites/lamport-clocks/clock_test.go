//go:build dslearnsuite

package lamport_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// The rules of the lesson, as the suite computes them.
const rules = "(the rules: Tick and Send set time to time+1; Receive(msg) sets it to max(time, msg)+1; each returns the new time)"

// history describes the calls made so far on one clock, for messages.
type history []string

func (h history) String() string {
	if len(h) == 0 {
		return "on a fresh Clock"
	}
	return "on a fresh Clock, after " + strings.Join(h, ", ")
}

func TestFreshClockReadsZero(t *testing.T) {
	defer check.Recover(t)
	var c lamport.Clock
	if got := c.Now(); got != 0 {
		t.Fatal(check.Mismatch("Now() on a fresh (zero-value) Clock", 0, got))
	}
}

func TestTickAdvancesByOneAndReturnsTheNewTime(t *testing.T) {
	defer check.Recover(t)
	var c lamport.Clock
	var h history
	for want := uint64(1); want <= 5; want++ {
		if got := c.Tick(); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v, Tick() returned", h), want, got))
		}
		h = append(h, fmt.Sprintf("Tick() → %d", want))
		if got := c.Now(); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v, Now() returned", h), want, got))
		}
	}
}

func TestSendAdvancesByOneLikeTick(t *testing.T) {
	defer check.Recover(t)
	var c lamport.Clock
	var h history
	for want := uint64(1); want <= 5; want++ {
		if got := c.Send(); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v, Send() returned (sending is an event: it ticks, and returns the new time to attach to the message)", h), want, got))
		}
		h = append(h, fmt.Sprintf("Send() → %d", want))
		if got := c.Now(); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("%v, Now() returned", h), want, got))
		}
	}
}

func TestReceiveSetsTheClockToMaxPlusOne(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		name       string
		ticks, msg uint64 // the clock first ticks `ticks` times, then receives msg
	}{
		{"message ahead of the clock", 3, 7},
		{"message one ahead of the clock", 4, 5},
		{"message equal to the clock", 4, 4},
		{"message behind the clock", 5, 2},
		{"message carrying 0 on a clock at 0", 0, 0},
		{"message carrying 0 on a clock ahead", 6, 0},
		{"message far ahead of a clock at 0", 0, 1000},
		{"message beyond 32 bits", 2, 1<<40 + 5},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			defer check.Recover(t)
			var c lamport.Clock
			for range tc.ticks {
				c.Tick()
			}
			if got := c.Now(); got != tc.ticks {
				t.Fatal(check.Mismatch(fmt.Sprintf("setup: Now() after %d Tick() calls on a fresh Clock", tc.ticks), tc.ticks, got))
			}
			want := max(tc.ticks, tc.msg) + 1
			what := fmt.Sprintf("%s: clock at %d, Receive(%d) must return max(%d, %d)+1", tc.name, tc.ticks, tc.msg, tc.ticks, tc.msg)
			if got := c.Receive(tc.msg); got != want {
				t.Fatal(check.Mismatch(what, want, got))
			}
			if got := c.Now(); got != want {
				t.Fatal(check.Mismatch(what+"; then Now() must return the same", want, got))
			}
		})
	}
}

func TestNowDoesNotAdvanceTheClock(t *testing.T) {
	defer check.Recover(t)
	var c lamport.Clock
	c.Tick()
	c.Tick()
	for range 3 {
		if got := c.Now(); got != 2 {
			t.Fatal(check.Mismatch("after two Tick() calls, repeated Now() calls must all return", 2, got))
		}
	}
	if got := c.Tick(); got != 3 {
		t.Fatal(check.Mismatch("Tick() after two Tick() and three Now() calls (Now must not tick)", 3, got))
	}
}

// randomMessage returns a timestamp near now: behind, equal or ahead.
func randomMessage(r *rand.Rand, now uint64) uint64 {
	lo := now - min(now, 4)
	return lo + r.Uint64N(now+6-lo)
}

func TestEveryOperationFollowsTheRules(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		// Short sequences first, so that the first failure is a short one.
		for n := 1; n <= 30; n++ {
			var c lamport.Clock
			var model uint64
			var h history
			for range n {
				var call string
				var got uint64
				switch r.IntN(4) {
				case 0:
					call, got = "Tick()", c.Tick()
					model++
				case 1:
					call, got = "Send()", c.Send()
					model++
				default:
					msg := randomMessage(r, model)
					call, got = fmt.Sprintf("Receive(%d)", msg), c.Receive(msg)
					model = max(model, msg) + 1
				}
				if got != model {
					return check.Mismatch(fmt.Sprintf("%v, %s returned the wrong time\n%s", h, call, rules), model, got)
				}
				h = append(h, fmt.Sprintf("%s → %d", call, got))
				if now := c.Now(); now != model {
					return check.Mismatch(fmt.Sprintf("%v, Now() returned the wrong time", h), model, now)
				}
			}
		}
		return nil
	})
}

func TestTimesStrictlyIncreaseOnEachProcess(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for n := 2; n <= 30; n++ {
			var c lamport.Clock
			var h history
			var prev uint64
			for k := range n {
				var call string
				var got uint64
				switch r.IntN(3) {
				case 0:
					call, got = "Tick()", c.Tick()
				case 1:
					call, got = "Send()", c.Send()
				default:
					// Messages from far behind, just behind, equal, and ahead.
					msg := randomMessage(r, prev)
					if r.IntN(4) == 0 {
						msg = r.Uint64N(2)
					}
					call, got = fmt.Sprintf("Receive(%d)", msg), c.Receive(msg)
				}
				if k > 0 && got <= prev {
					return check.Mismatch(fmt.Sprintf("every event of a process must get a larger time than the one before it: %v, %s returned", h, call),
						fmt.Sprintf("more than %d", prev), got)
				}
				h = append(h, fmt.Sprintf("%s → %d", call, got))
				prev = got
			}
		}
		return nil
	})
}

func TestClocksShareNoState(t *testing.T) {
	defer check.Recover(t)
	var a, b lamport.Clock
	for range 5 {
		a.Tick()
	}
	if got := b.Now(); got != 0 {
		t.Fatal(check.Mismatch("Clock b is fresh while Clock a ticked 5 times; b.Now()", 0, got))
	}
	if got := b.Tick(); got != 1 {
		t.Fatal(check.Mismatch("first b.Tick() on a fresh Clock b, after a ticked 5 times", 1, got))
	}
	if got := a.Now(); got != 5 {
		t.Fatal(check.Mismatch("a.Now() after a ticked 5 times and b ticked once", 5, got))
	}
	b.Receive(100)
	if got := a.Now(); got != 5 {
		t.Fatal(check.Mismatch("a.Now() after b.Receive(100): only b may change", 5, got))
	}
	clocks := make([]lamport.Clock, 4)
	for i := range clocks {
		for range i {
			clocks[i].Send()
		}
	}
	for i := range clocks {
		if got := clocks[i].Now(); got != uint64(i) {
			t.Fatal(check.Mismatch(fmt.Sprintf("four Clocks, clock i sent i messages: clocks[%d].Now()", i), i, got))
		}
	}
}
