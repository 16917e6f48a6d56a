//go:build dslearnsuite

package gcounter_test

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/g-counter"
	"github.com/dslearn/dslearn/internal/check"
)

// A model-based check: long random sequences of Increment, Value, State,
// Merge and Join on a few replicas, each compared with the lesson's rules
// computed here. Increments sit at the widths a narrowed or
// float-converted count breaks at (2^8 … 2^53, ±1), negative ones at -1,
// -2^31, -2^32 and the smallest int64; replica IDs are awkward names (the
// empty string, upper case, non-ASCII, separators). After every call the
// suite writes to every map it passed or got back, and the model must not
// see a difference. Totals stay below 2^63: the lesson leaves overflow
// undefined.

type gop struct {
	kind string // "Increment", "Value", "State", "Merge", "Join"
	c    int
	n    int64
	a, b gcounter.State // Merge's argument is a; Join's are a and b
}

// showQ writes a state with quoted IDs and its explicit zeros; nil is nil.
func showQ(s gcounter.State) string {
	if s == nil {
		return "nil"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%q:%d", k, s[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func (o gop) String() string {
	switch o.kind {
	case "Increment":
		return fmt.Sprintf("replica %d: Increment(%d)", o.c, o.n)
	case "Merge":
		return fmt.Sprintf("replica %d: Merge(%s)", o.c, showQ(o.a))
	case "Join":
		return fmt.Sprintf("Join(%s, %s)", showQ(o.a), showQ(o.b))
	}
	return fmt.Sprintf("replica %d: %s()", o.c, o.kind)
}

var negativeEdges = []int64{-1, -2, -255, -256, -1 << 31, -1<<31 - 1, -1 << 32, -1<<53 - 1, math.MinInt64 + 1, math.MinInt64}

// edgeState draws a state over keys, counts at most maxV, with explicit
// zeros and, sometimes, nil or empty.
func edgeState(r *rand.Rand, keys []string, maxV uint64) gcounter.State {
	switch r.IntN(10) {
	case 0:
		return nil
	case 1:
		return gcounter.State{}
	}
	s := gcounter.State{}
	for _, k := range keys {
		switch r.IntN(4) {
		case 0:
		case 1:
			s[k] = 0
		default:
			s[k] = check.EdgeUint64(r, maxV)
		}
	}
	return s
}

const (
	maxStateCount   = 1 << 58 // counts in the states the suite makes up
	incrementBudget = 1 << 60 // the sum of all increments of one run
)

func genCounterOps(r *rand.Rand, n int, ids []string) []gop {
	keys := append(slices.Clone(ids), check.EdgeName(r), check.EdgeName(r), check.EdgeName(r))
	var added uint64
	ops := make([]gop, n)
	for i := range ops {
		o := gop{c: r.IntN(len(ids))}
		x := r.IntN(10)
		if i < 2*len(ids) {
			// First a State and a Merge on every fresh replica: where a
			// shortcut for the empty state lives.
			o.c, x = i/2, 4+i%2
		}
		switch x {
		case 0, 1, 2:
			o.kind = "Increment"
			switch {
			case r.IntN(8) == 0:
				o.n = negativeEdges[r.IntN(len(negativeEdges))]
			case added > incrementBudget:
				o.n = int64(r.IntN(1000))
			default:
				o.n = int64(check.EdgeUint64(r, 1<<53+1))
				added += uint64(o.n)
			}
		case 3:
			o.kind = "Value"
		case 4:
			o.kind = "State"
		case 5, 6:
			o.kind = "Merge"
			o.a = edgeState(r, keys, maxStateCount)
		default:
			o.kind = "Join"
			o.a = edgeState(r, keys, ^uint64(0))
			o.b = edgeState(r, keys, ^uint64(0))
			for _, k := range slices.Sorted(maps.Keys(o.a)) { // the same count on both sides, or ±1
				if o.b != nil && r.IntN(2) == 0 {
					o.b[k] = o.a[k] + r.Uint64N(3) - 1
				}
			}
		}
		ops[i] = o
	}
	return ops
}

// scribble writes to s as a caller that owns it may.
func scribble(s gcounter.State) {
	if s == nil {
		return
	}
	for k := range s {
		s[k] += 1000
	}
	for k := range s {
		delete(s, k)
		break
	}
	s["scribbled"] = 7
}

func exactly(a, b gcounter.State) bool { return (a == nil) == (b == nil) && maps.Equal(a, b) }

func modelValue(s gcounter.State) uint64 { return sum(s) }

func runCounterOps(ids []string) func([]gop) error {
	return func(ops []gop) error {
		reps := make([]*gcounter.Counter, len(ids))
		model := make([]gcounter.State, len(ids))
		for i, id := range ids {
			reps[i], model[i] = gcounter.New(id), gcounter.State{}
		}
		held := make([]gcounter.State, len(ids)) // a State() copy kept untouched
		heldCopy := make([]gcounter.State, len(ids))
		for i, o := range ops {
			step := fmt.Sprintf("step %d, %v", i+1, o)
			if o.kind != "Join" {
				step = fmt.Sprintf("step %d (replica %d is New(%q)), %v", i+1, o.c, ids[o.c], o)
			}
			a, b := maps.Clone(o.a), maps.Clone(o.b)
			switch o.kind {
			case "Join":
				want, got := maxOf(o.a, o.b), gcounter.Join(a, b)
				if !same(want, got) {
					return check.Mismatch(step+" (the larger count of every ID)", show(want), show(got))
				}
				if !exactly(a, o.a) || !exactly(b, o.b) {
					return check.Errorf("%s modified its arguments: they became %s and %s", step, showQ(a), showQ(b))
				}
				scribble(got)
				if !exactly(a, o.a) || !exactly(b, o.b) {
					return check.Errorf("%s: writing to the state Join returned changed its arguments to %s and %s: the result must share nothing with them", step, showQ(a), showQ(b))
				}
				scribble(a)
				scribble(b)
				continue
			case "Increment":
				err := reps[o.c].Increment(o.n)
				if o.n < 0 {
					if !errors.Is(err, gcounter.ErrNegativeIncrement) {
						return check.Mismatch(step+" returned", "an error wrapping ErrNegativeIncrement", err)
					}
				} else {
					if err != nil {
						return check.Mismatch(step+" returned", nil, err)
					}
					if o.n > 0 {
						model[o.c][ids[o.c]] += uint64(o.n)
					}
				}
			case "Value":
			case "State":
				got := reps[o.c].State()
				if !same(model[o.c], got) {
					return check.Mismatch(step+" returned", show(model[o.c]), show(got))
				}
				// Scribble on the first copy of a fresh replica (where a
				// shortcut would hand out the replica's own empty map) and
				// on every other one; keep the rest untouched.
				if i >= 2*len(ids) && (held[o.c] == nil || i%2 == 0) {
					held[o.c], heldCopy[o.c] = got, maps.Clone(got)
				} else {
					scribble(got)
				}
			case "Merge":
				model[o.c] = maxOf(model[o.c], o.a)
				reps[o.c].Merge(a)
				if !exactly(a, o.a) {
					return check.Errorf("%s modified its argument: it became %s", step, showQ(a))
				}
				scribble(a) // the caller owns it again
			}
			want := modelValue(model[o.c])
			if got := reps[o.c].Value(); got != want {
				return check.Mismatch(fmt.Sprintf("%s; then Value() (the sum of all slots of %s)", step, show(model[o.c])), want, got)
			}
			if i%16 == 0 || i == len(ops)-1 {
				for c := range reps {
					if got := reps[c].State(); !same(model[c], got) {
						return check.Mismatch(fmt.Sprintf("%s; then replica %d (New(%q)): State() (writing to a State() copy or to a Merge argument must not change a replica)", step, c, ids[c]), show(model[c]), show(got))
					}
				}
			}
			for c := range held {
				if held[c] != nil && !exactly(held[c], heldCopy[c]) {
					return check.Errorf("%s: a copy replica %d's State() returned earlier changed from %s to %s; later calls must not change it", step, c, showQ(heldCopy[c]), showQ(held[c]))
				}
			}
		}
		return nil
	}
}

func simplerCounterOp(o gop) []gop {
	var out []gop
	if o.kind == "Increment" && o.n > 1 {
		for _, n := range []int64{1, o.n / 2, o.n - 1} {
			p := o
			p.n = n
			out = append(out, p)
		}
	}
	if o.kind != "Value" {
		out = append(out, gop{kind: "Value", c: o.c})
	}
	for _, which := range []int{0, 1} {
		m := o.a
		if which == 1 {
			m = o.b
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			p := o
			p.a, p.b = maps.Clone(o.a), maps.Clone(o.b)
			if which == 0 {
				delete(p.a, k)
			} else {
				delete(p.b, k)
			}
			out = append(out, p)
		}
	}
	return out
}

func TestLongRandomRunsMatchTheRules(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 10, func(r *rand.Rand) error {
		var ids []string
		for len(ids) < 3 {
			if id := check.EdgeName(r); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return check.Minimize(genCounterOps(r, 1200, ids), simplerCounterOp, runCounterOps(ids))
	})
}
