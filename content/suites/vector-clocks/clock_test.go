//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// The rules of the lesson, for messages.
const rules = `(the rules, for the clock of process "a": Tick and Send add 1 to entry a; Receive(msg) first sets every entry to the max of its own and msg's, then adds 1 to entry a; each returns a snapshot of the new clock)`

// history describes the calls made so far on one clock, for messages.
type history []string

func (h history) String() string {
	if len(h) == 0 {
		return `on New("a")`
	}
	return `on New("a"), after ` + strings.Join(h, ", ")
}

// expectVC reports whether got is the clock want (missing entries are 0).
func expectVC(what string, want, got vclock.VC) error {
	if got == nil && len(want) > 0 || !same(want, got) {
		return check.Mismatch(what, show(want), show(got))
	}
	return nil
}

func TestNewClockStartsAtZero(t *testing.T) {
	defer check.Recover(t)
	c := vclock.New("a")
	now := c.Now()
	if now == nil {
		t.Fatal(check.Mismatch(`New("a").Now() must return a new, non-nil map, even on a fresh clock`, "a new map", "nil"))
	}
	if err := expectVC(`New("a").Now() must be the all-zero clock (empty, or with only 0 entries)`, vc(""), now); err != nil {
		t.Fatal(err)
	}
}

func TestTickAddsOneToOwnEntryOnly(t *testing.T) {
	defer check.Recover(t)
	c := vclock.New("a")
	var h history
	for n := uint64(1); n <= 3; n++ {
		want := vclock.VC{"a": n}
		if err := expectVC(fmt.Sprintf("%v, Tick() must return", h), want, c.Tick()); err != nil {
			t.Fatal(err)
		}
		h = append(h, "Tick()")
		if err := expectVC(fmt.Sprintf("%v, Now() must return", h), want, c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	c.Receive(vc("b:4 c:1"))
	h = append(h, "Receive({b:4 c:1})")
	if err := expectVC(fmt.Sprintf("%v, Tick() must add 1 to entry a and leave b and c alone", h), vc("a:5 b:4 c:1"), c.Tick()); err != nil {
		t.Fatal(err)
	}
}

func TestSendAddsOneToOwnEntryLikeTick(t *testing.T) {
	defer check.Recover(t)
	c := vclock.New("a")
	var h history
	for n := uint64(1); n <= 3; n++ {
		want := vclock.VC{"a": n}
		if err := expectVC(fmt.Sprintf("%v, Send() must return (sending is an event: it ticks, and returns the clock to attach to the message)", h), want, c.Send()); err != nil {
			t.Fatal(err)
		}
		h = append(h, "Send()")
		if err := expectVC(fmt.Sprintf("%v, Now() must return", h), want, c.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReceiveTakesEntrywiseMaxThenTicks(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		name      string
		setup     []vclock.VC // received, one after another, by a fresh New("a")
		msg, want string
	}{
		{"from a process never heard of", nil, "b:2 c:1", "a:1 b:2 c:1"},
		{"message ahead in every entry", []vclock.VC{vc("b:1")}, "b:3", "a:2 b:3"},
		{"message behind: own larger entries stay", []vclock.VC{vc("b:5 c:2")}, "b:3 c:2", "a:2 b:5 c:2"},
		{"mixed: larger and smaller entries", []vclock.VC{vc("b:5 c:1")}, "b:2 c:4 d:1", "a:2 b:5 c:4 d:1"},
		{"message that knows some of our events", []vclock.VC{vc("b:1"), vc("")}, "a:1 b:2", "a:3 b:2"},
		{"empty message: only the tick", []vclock.VC{vc("b:1")}, "", "a:2 b:1"},
		{"explicit zeros change nothing", []vclock.VC{vc("b:1")}, "b:0 c:0", "a:2 b:1"},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			defer check.Recover(t)
			c := vclock.New("a")
			var h history
			model := vclock.VC{}
			for _, m := range tc.setup {
				c.Receive(clone(m))
				model = mergeModel(model, m)
				model["a"]++
				h = append(h, fmt.Sprintf("Receive(%s)", show(m)))
			}
			if err := expectVC(fmt.Sprintf("setup: %v, Now()", h), model, c.Now()); err != nil {
				t.Fatal(err)
			}
			got := c.Receive(vc(tc.msg))
			what := fmt.Sprintf("%s: clock at %s, Receive(%s) must return the entrywise max of the two, then +1 in entry a", tc.name, show(model), show(vc(tc.msg)))
			if err := expectVC(what, vc(tc.want), got); err != nil {
				t.Fatal(err)
			}
			if err := expectVC(what+"; then Now() must return the same", vc(tc.want), c.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// randomMessage returns a VC another process could send to "a" whose clock
// is now: entries for b..d anywhere near, and an entry for a no larger than
// a's own (a message cannot know more about a than a itself).
func randomMessage(r *rand.Rand, now vclock.VC) vclock.VC {
	m := vclock.VC{}
	if r.IntN(2) == 0 {
		m["a"] = r.Uint64N(now["a"] + 1)
	}
	for _, k := range []string{"b", "c", "d"} {
		if r.IntN(3) > 0 {
			m[k] = r.Uint64N(now[k] + 3)
		}
	}
	return m
}

func TestEveryOperationFollowsTheRules(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		// Short sequences first, so that the first failure is a short one.
		for n := 1; n <= 20; n++ {
			c := vclock.New("a")
			model := vclock.VC{}
			var h history
			for range n {
				var call string
				var got vclock.VC
				switch r.IntN(4) {
				case 0:
					call, got = "Tick()", c.Tick()
					model["a"]++
				case 1:
					call, got = "Send()", c.Send()
					model["a"]++
				default:
					msg := randomMessage(r, model)
					call, got = fmt.Sprintf("Receive(%s)", show(msg)), c.Receive(clone(msg))
					model = mergeModel(model, msg)
					model["a"]++
				}
				if err := expectVC(fmt.Sprintf("%v, %s returned the wrong clock\n%s", h, call, rules), model, got); err != nil {
					return err
				}
				h = append(h, call)
				if err := expectVC(fmt.Sprintf("%v, Now() returned the wrong clock", h), model, c.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func TestSnapshotsAreCopiesTheCallerOwns(t *testing.T) {
	defer check.Recover(t)
	c := vclock.New("a")
	calls := []struct {
		name string
		call func() vclock.VC
	}{
		{"Tick()", c.Tick},
		{"Send()", c.Send},
		{"Receive({b:1})", func() vclock.VC { return c.Receive(vc("b:1")) }},
		{"Now()", c.Now},
	}
	for _, first := range calls {
		for _, later := range calls {
			snap := first.call()
			kept := clone(snap)
			later.call()
			if !identical(snap, kept) {
				t.Fatal(check.Mismatch(fmt.Sprintf("a VC returned by %s must not change when the clock changes later (here by %s): return a copy, not the clock's own map", first.name, later.name),
					show(kept), show(snap)))
			}
			before := c.Now()
			snap = first.call()
			after := c.Now()
			if snap == nil {
				t.Fatal(check.Mismatch(fmt.Sprintf("%s must return a non-nil map", first.name), "a new map", "nil"))
			}
			snap["a"] += 100
			snap["written-by-caller"] = 7
			if now := c.Now(); !identical(now, after) {
				t.Fatal(check.Mismatch(fmt.Sprintf("writing to the VC returned by %s must not change the clock (clock was %s before that call)", first.name, show(before)),
					show(after), show(now)))
			}
		}
	}
}

func TestReceiveNeitherModifiesNorKeepsTheMessage(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 20, func(r *rand.Rand) error {
		// First a fresh clock, whose first Receive is tempted to adopt the
		// message as its map, then one that has ticked.
		for _, ticks := range []int{0, 1 + r.IntN(4)} {
			if err := receiveLeavesMessageAlone(r, ticks); err != nil {
				return err
			}
		}
		return nil
	})
}

// receiveLeavesMessageAlone makes five receives on New("a") after ticks
// ticks and checks that each neither modifies nor keeps its message.
func receiveLeavesMessageAlone(r *rand.Rand, ticks int) error {
	c := vclock.New("a")
	for range ticks {
		c.Tick()
	}
	for range 5 {
		msg := randomMessage(r, c.Now())
		if r.IntN(2) == 0 {
			// A message that dominates the clock: tempting to adopt as is.
			msg = mergeModel(c.Now(), msg)
			msg["b"]++
		}
		sent := clone(msg)
		before := c.Now()
		got := c.Receive(msg)
		call := fmt.Sprintf("on a clock at %s, Receive(%s)", show(before), show(sent))
		if !identical(msg, sent) {
			return check.Mismatch(call+" must not modify the message", show(sent), show(msg))
		}
		after := c.Now()
		for k := range msg {
			msg[k] += 100
		}
		msg["written-by-caller"] = 7
		if now := c.Now(); !same(now, after) {
			return check.Mismatch(call+", then writing to the message map: the clock must not keep the caller's map", show(after), show(now))
		}
		if !same(got, after) {
			return check.Mismatch(call+", then writing to the message map: the VC Receive returned must not be the message map", show(after), show(got))
		}
	}
	return nil
}

func TestClocksShareNoState(t *testing.T) {
	defer check.Recover(t)
	a, b, a2 := vclock.New("a"), vclock.New("b"), vclock.New("a")
	a.Tick()
	a.Tick()
	if err := expectVC(`New("b").Now() after another clock, New("a"), ticked twice`, vc(""), b.Now()); err != nil {
		t.Fatal(err)
	}
	if err := expectVC(`a second New("a") after the first one ticked twice: Now()`, vc(""), a2.Now()); err != nil {
		t.Fatal(err)
	}
	b.Receive(vc("c:5"))
	if err := expectVC(`first New("a") after New("b") received {c:5}: Now()`, vc("a:2"), a.Now()); err != nil {
		t.Fatal(err)
	}
	if err := expectVC(`New("b") after receiving {c:5}: Now()`, vc("b:1 c:5"), b.Now()); err != nil {
		t.Fatal(err)
	}
}
