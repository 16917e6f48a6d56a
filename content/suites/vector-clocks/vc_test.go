//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
)

// The suite's own view of vector clocks, written from the lesson's
// definitions: a missing entry is 0.

// vc parses "a:1 b:0" into a VC; "" is the empty (non-nil) VC.
func vc(s string) vclock.VC {
	v := vclock.VC{}
	for _, f := range strings.Fields(s) {
		k, n, ok := strings.Cut(f, ":")
		x, err := strconv.ParseUint(n, 10, 64)
		if !ok || err != nil {
			panic("suite: bad vc " + s)
		}
		v[k] = x
	}
	return v
}

// show writes a VC as the lesson does: {a:1 b:0}, keys sorted, explicit
// zero entries kept; a nil VC is nil.
func show(v vclock.VC) string {
	if v == nil {
		return "nil"
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(v)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%d", k, v[k])
	}
	b.WriteByte('}')
	return b.String()
}

func keys(vs ...vclock.VC) []string {
	set := map[string]bool{}
	for _, v := range vs {
		for k := range v {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// leq reports a <= b entrywise.
func leq(a, b vclock.VC) bool {
	// Keys only in b read as 0 in a, so only a's keys can break a <= b.
	for k, x := range a {
		if x > b[k] {
			return false
		}
	}
	return true
}

// same reports whether a and b are the same clock (missing entries are 0).
func same(a, b vclock.VC) bool { return leq(a, b) && leq(b, a) }

// order is the definition of Compare.
func order(a, b vclock.VC) vclock.Order {
	switch ab, ba := leq(a, b), leq(b, a); {
	case ab && ba:
		return vclock.Equal
	case ab:
		return vclock.Before
	case ba:
		return vclock.After
	default:
		return vclock.Concurrent
	}
}

func mirror(o vclock.Order) vclock.Order {
	switch o {
	case vclock.Before:
		return vclock.After
	case vclock.After:
		return vclock.Before
	}
	return o
}

// mergeModel is the entrywise maximum.
func mergeModel(a, b vclock.VC) vclock.VC {
	out := vclock.VC{}
	for _, k := range keys(a, b) {
		out[k] = max(a[k], b[k])
	}
	return out
}

// clone copies v exactly, keeping nil as nil.
func clone(v vclock.VC) vclock.VC { return maps.Clone(v) }

// identical reports whether a and b hold exactly the same entries,
// explicit zeros included: "not modified" means not even a zero was added.
func identical(a, b vclock.VC) bool { return maps.Equal(a, b) }

// smallVCs returns every VC over the process IDs of names whose entries
// are missing, 0, 1 or 2, plus nil, smallest first.
func smallVCs(names ...string) []vclock.VC {
	all := []vclock.VC{nil}
	var gen func(i int, cur vclock.VC)
	gen = func(i int, cur vclock.VC) {
		if i == len(names) {
			all = append(all, clone(cur))
			return
		}
		gen(i+1, cur)
		for x := uint64(0); x <= 2; x++ {
			cur[names[i]] = x
			gen(i+1, cur)
			delete(cur, names[i])
		}
	}
	gen(0, vclock.VC{})
	slices.SortStableFunc(all, func(a, b vclock.VC) int { return size(a) - size(b) })
	return all
}

// size orders counterexamples: fewer and smaller entries first.
func size(v vclock.VC) int {
	n := 0
	for _, x := range v {
		n += 1 + int(x)
	}
	return n
}

// pairsBySize returns all pairs of vs, the smallest pairs first.
func pairsBySize(vs []vclock.VC) [][2]vclock.VC {
	var out [][2]vclock.VC
	for _, a := range vs {
		for _, b := range vs {
			out = append(out, [2]vclock.VC{a, b})
		}
	}
	slices.SortStableFunc(out, func(p, q [2]vclock.VC) int {
		return size(p[0]) + size(p[1]) - size(q[0]) - size(q[1])
	})
	return out
}

// randomVC returns a VC over up to 6 processes, with missing entries,
// explicit zeros and small counts.
func randomVC(r *rand.Rand) vclock.VC {
	if r.IntN(20) == 0 {
		return nil
	}
	v := vclock.VC{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f"}[:1+r.IntN(6)] {
		if r.IntN(3) > 0 {
			v[k] = r.Uint64N(5)
		}
	}
	return v
}
