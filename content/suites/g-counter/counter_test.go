//go:build dslearnsuite

package gcounter_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/g-counter"
	"github.com/dslearn/dslearn/internal/check"
)

const defaultRuns = 30

func TestNewCounterStartsAtZero(t *testing.T) {
	defer check.Recover(t)
	c := gcounter.New("a")
	if v := c.Value(); v != 0 {
		t.Fatal(check.Mismatch(`New("a").Value()`, 0, v))
	}
	if s := c.State(); len(plain(s)) != 0 {
		t.Fatal(check.Mismatch(`New("a").State() (every slot 0)`, "{}", show(s)))
	}
}

func TestIncrementAddsToItsOwnSlotOnly(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			id := ids[r.IntN(len(ids))]
			start := randState(r, size-1, 20)
			c := counterWith(id, start)
			want := maxOf(start, nil)
			var done []string
			for range size {
				n := r.Int64N(10)
				before := show(c.State())
				if err := c.Increment(n); err != nil {
					return fmt.Errorf("replica %q with state %s: Increment(%d) returned error %v; only a negative amount is an error", id, before, n, err)
				}
				done = append(done, fmt.Sprintf("Increment(%d)", n))
				want[id] += uint64(n)
				if got := c.State(); !same(got, want) {
					return check.Mismatch(fmt.Sprintf(
						"replica %q starting from state %s, after %v: an increment adds to the replica's own slot %q and changes no other slot; State() is",
						id, show(start), done, id), show(want), show(got))
				}
				if got := c.Value(); got != sum(want) {
					return check.Mismatch(fmt.Sprintf(
						"replica %q starting from state %s, after %v: Value()", id, show(start), done), sum(want), got)
				}
			}
			return nil
		})
	})
}

func TestValueIsTheSumOfAllSlots(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			id := ids[r.IntN(len(ids))]
			c := gcounter.New(id)
			own := r.Int64N(5)
			if err := c.Increment(own); err != nil {
				return fmt.Errorf("replica %q: Increment(%d) returned error %v", id, own, err)
			}
			other := randState(r, size, 20)
			delete(other, id)
			c.Merge(clone(other))
			want := uint64(own) + sum(other)
			if got := c.Value(); got != want {
				return check.Mismatch(fmt.Sprintf(
					"replica %q: Increment(%d), then Merge(%s); the value is the sum of every replica's slot, so Value()",
					id, own, show(other)), want, got)
			}
			return nil
		})
	})
}

func TestNegativeIncrementIsRejectedAndChangesNothing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		id := ids[r.IntN(len(ids))]
		start := randState(r, 1+r.IntN(len(ids)), 20)
		c := counterWith(id, start)
		for _, n := range []int64{-1, -1 - r.Int64N(1000), math.MinInt64} {
			err := c.Increment(n)
			if !errors.Is(err, gcounter.ErrNegativeIncrement) {
				return check.Mismatch(fmt.Sprintf(
					"replica %q with state %s: Increment(%d) must return ErrNegativeIncrement (a G-Counter only grows); it returned",
					id, show(start), n), gcounter.ErrNegativeIncrement, err)
			}
			if got := c.State(); !same(got, start) {
				return check.Mismatch(fmt.Sprintf(
					"replica %q with state %s: a rejected Increment(%d) must change nothing; State() is",
					id, show(start), n), show(start), show(got))
			}
		}
		return nil
	})
}

func TestCountersShareNoState(t *testing.T) {
	defer check.Recover(t)
	a := gcounter.New("a")
	b := gcounter.New("b")
	if err := a.Increment(5); err != nil {
		t.Fatalf(`Increment(5) returned error %v`, err)
	}
	if v := b.Value(); v != 0 {
		t.Fatal(check.Mismatch(`replica "a" Increment(5), then replica "b" (never merged with "a") has Value()`, 0, v))
	}
	a2 := gcounter.New("a")
	if v := a2.Value(); v != 0 {
		t.Fatal(check.Mismatch(`a second New("a") must start empty, whatever other counters did; Value()`, 0, v))
	}
	if err := a2.Increment(2); err != nil {
		t.Fatalf(`Increment(2) returned error %v`, err)
	}
	if v := a.Value(); v != 5 {
		t.Fatal(check.Mismatch(`two counters created with New("a") are separate replicas; after one Increment(5) and the other Increment(2), the first has Value()`, 5, v))
	}
}

func TestJoinTakesTheLargerCountOfEverySlot(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			a, b := randState(r, size, 9), randState(r, size, 9)
			got := gcounter.Join(clone(a), clone(b))
			want := maxOf(a, b)
			if !same(got, want) {
				return check.Mismatch(fmt.Sprintf(
					"Join(%s, %s) holds, for every replica, the larger of the two counts (never their sum, never one side wholesale)",
					show(a), show(b)), show(want), show(got))
			}
			return nil
		})
	})
}

func TestJoinIsCommutative(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			a, b := randState(r, size, 9), randState(r, size, 9)
			ab := gcounter.Join(clone(a), clone(b))
			ba := gcounter.Join(clone(b), clone(a))
			if !same(ab, ba) {
				return fmt.Errorf("Join must not depend on the order of its arguments:\n  Join(%s, %s) = %s\n  Join(%s, %s) = %s",
					show(a), show(b), show(ab), show(b), show(a), show(ba))
			}
			return nil
		})
	})
}

func TestJoinIsAssociative(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			a, b, c := randState(r, size, 9), randState(r, size, 9), randState(r, size, 9)
			left := gcounter.Join(gcounter.Join(clone(a), clone(b)), clone(c))
			right := gcounter.Join(clone(a), gcounter.Join(clone(b), clone(c)))
			if !same(left, right) {
				return fmt.Errorf("Join must not depend on grouping, with a=%s b=%s c=%s:\n  Join(Join(a, b), c) = %s\n  Join(a, Join(b, c)) = %s",
					show(a), show(b), show(c), show(left), show(right))
			}
			return nil
		})
	})
}

func TestJoinIsIdempotent(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			a := randState(r, size, 9)
			if got := gcounter.Join(clone(a), clone(a)); !same(got, a) {
				return check.Mismatch(fmt.Sprintf("joining a state with itself changes nothing: Join(%s, %s)", show(a), show(a)), show(a), show(got))
			}
			// Receiving the same state twice is the same as receiving it once.
			b := randState(r, size, 9)
			once := gcounter.Join(clone(a), clone(b))
			twice := gcounter.Join(gcounter.Join(clone(a), clone(b)), clone(b))
			if !same(once, twice) {
				return check.Mismatch(fmt.Sprintf("a duplicated state is harmless: Join(Join(%s, %s), %s) must equal Join(%s, %s)",
					show(a), show(b), show(b), show(a), show(b)), show(once), show(twice))
			}
			return nil
		})
	})
}

func TestJoinDoesNotModifyOrShareItsArguments(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			a, b := randState(r, size, 9), randState(r, size, 9)
			switch r.IntN(4) {
			case 0:
				b = gcounter.State{} // the shortcut "nothing to join, return a" is a classic
			case 1:
				b = nil // and so is "if b == nil { return a }"
			}
			if r.IntN(4) == 0 {
				a, b = b, a
			}
			ac, bc := clone(a), clone(b)
			out := gcounter.Join(a, b)
			if !identical(a, ac) || !identical(b, bc) {
				return fmt.Errorf("Join(%s, %s) modified its arguments: afterwards they were %s and %s",
					showArg(ac), showArg(bc), show(a), show(b))
			}
			want := clone(out)
			for _, id := range ids {
				if a != nil {
					a[id] += 100
				}
				if b != nil {
					b[id] += 1000
				}
			}
			if !identical(out, want) {
				return fmt.Errorf("the state returned by Join(%s, %s) changed when the caller later changed the arguments (to %s): Join must return a new map that shares nothing with a or b",
					showArg(ac), showArg(bc), show(out))
			}
			a2, b2 := clone(ac), clone(bc)
			out2 := gcounter.Join(a2, b2)
			for _, id := range ids {
				out2[id] += 7
			}
			if !identical(a2, ac) || !identical(b2, bc) {
				return fmt.Errorf("changing the state returned by Join(%s, %s) changed its arguments (to %s and %s): Join must return a new map that shares nothing with a or b",
					showArg(ac), showArg(bc), show(a2), show(b2))
			}
			return nil
		})
	})
}

func TestMergeJoinsTheIncomingState(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			id := ids[r.IntN(len(ids))]
			s0 := randState(r, size, 9)
			c := counterWith(id, s0)
			if got := c.State(); !same(got, s0) {
				return check.Mismatch(fmt.Sprintf("a new replica %q after Merge(%s) has State()", id, show(s0)), show(s0), show(got))
			}
			steps := fmt.Sprintf("New(%q), Merge(%s)", id, show(s0))
			want := clone(s0)
			for range 3 {
				in := randState(r, size, 9)
				c.Merge(clone(in))
				steps += fmt.Sprintf(", Merge(%s)", show(in))
				want = maxOf(want, in)
				if got := c.State(); !same(got, want) {
					return check.Mismatch(fmt.Sprintf("after %s, every slot holds the largest count seen for it; State()", steps), show(want), show(got))
				}
				if got := c.Value(); got != sum(want) {
					return check.Mismatch(fmt.Sprintf("after %s, Value()", steps), sum(want), got)
				}
			}
			return nil
		})
	})
}

func TestStateReturnsACopy(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		id := ids[r.IntN(len(ids))]
		start := randState(r, 1+r.IntN(len(ids)), 9)
		c := counterWith(id, start)
		if err := c.Increment(3); err != nil {
			return fmt.Errorf("Increment(3) returned error %v", err)
		}
		want := c.State()
		wantShown := show(want)
		snap := c.State()
		for _, k := range ids {
			snap[k] += 50
		}
		delete(snap, id)
		if got := c.State(); show(got) != wantShown {
			return check.Mismatch(fmt.Sprintf("replica %q: changing the map returned by State() must not change the counter; State() afterwards", id), wantShown, show(got))
		}
		snap2 := c.State()
		snap2Shown := show(snap2)
		if err := c.Increment(4); err != nil {
			return fmt.Errorf("Increment(4) returned error %v", err)
		}
		c.Merge(gcounter.State{"zz": 9})
		if show(snap2) != snap2Shown {
			return check.Mismatch(fmt.Sprintf("replica %q: a state returned by State() is a snapshot; after a later Increment(4) and Merge({zz:9}) it must still be", id), snap2Shown, show(snap2))
		}
		return nil
	})
}

func TestMergeDoesNotModifyOrKeepItsArgument(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return growing(r, len(ids), func(r *rand.Rand, size int) error {
			id := ids[r.IntN(len(ids))]
			c := gcounter.New(id)
			if r.IntN(3) > 0 {
				// Otherwise a fresh replica: "nothing here yet, take theirs"
				// must copy too.
				c = counterWith(id, randState(r, size, 9))
				if err := c.Increment(1 + r.Int64N(5)); err != nil {
					return fmt.Errorf("Increment returned error %v", err)
				}
			}
			before := c.State()
			in := randState(r, size, 9)
			inCopy := clone(in)
			c.Merge(in)
			if !identical(in, inCopy) {
				return fmt.Errorf("replica %q with state %s: Merge(%s) modified its argument, which became %s; the sender's state is not yours to change",
					id, show(before), show(inCopy), show(in))
			}
			if err := c.Increment(2); err != nil {
				return fmt.Errorf("Increment(2) returned error %v", err)
			}
			if !identical(in, inCopy) {
				return fmt.Errorf("replica %q with state %s: after Merge(%s) and Increment(2), the map passed to Merge became %s; the counter must not keep the argument of Merge",
					id, show(before), show(inCopy), show(in))
			}
			after := show(c.State())
			for _, k := range ids {
				in[k] += 100
			}
			if got := show(c.State()); got != after {
				return check.Mismatch(fmt.Sprintf("replica %q with state %s: after Merge(%s) and Increment(2), the caller changed the map it passed to Merge; the counter must not keep it, so State()",
					id, show(before), show(inCopy)), after, got)
			}
			return nil
		})
	})
}

func TestEveryAwkwardIDNamesItsOwnSlot(t *testing.T) {
	defer check.Recover(t)
	// Every name of the edge table, the empty string included, is an ID
	// like any other: its slot is named exactly so, and two replicas whose
	// names differ only in case, accents, spaces or separators keep
	// separate slots.
	for i, id := range check.EdgeNames {
		c := gcounter.New(id)
		if err := c.Increment(3); err != nil {
			t.Fatalf("New(%q).Increment(3) returned error %v", id, err)
		}
		if got, want := c.State(), (gcounter.State{id: 3}); !same(got, want) {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(%q), then Increment(3): State()", id), show(want), show(got)))
		}
		other := check.EdgeNames[(i+1)%len(check.EdgeNames)]
		d := gcounter.New(other)
		if err := d.Increment(5); err != nil {
			t.Fatalf("New(%q).Increment(5) returned error %v", other, err)
		}
		c.Merge(d.State())
		want := gcounter.State{id: 3, other: 5}
		if got := c.State(); !same(got, want) || c.Value() != 8 {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(%q) incremented by 3 merges the state of New(%q) incremented by 5: State() and Value()", id, other),
				fmt.Sprintf("%s, 8", show(want)), fmt.Sprintf("%s, %d", show(got), c.Value())))
		}
	}
}
