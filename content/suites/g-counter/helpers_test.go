//go:build dslearnsuite

package gcounter_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/exercises/g-counter"
)

// ids are the replica IDs random states are drawn from.
var ids = []string{"a", "b", "c", "d", "e", "f"}

// plain copies a state into an ordinary map, dropping zero entries (a
// missing ID and a 0 count are the same state).
func plain(s gcounter.State) map[string]uint64 {
	out := map[string]uint64{}
	for id, n := range s {
		if n != 0 {
			out[id] = n
		}
	}
	return out
}

// clone returns a deep copy of s, keeping zero entries as they are.
func clone(s gcounter.State) gcounter.State {
	if s == nil {
		return nil
	}
	out := gcounter.State{}
	for id, n := range s {
		out[id] = n
	}
	return out
}

// same reports whether two states are equal, missing IDs counting as 0.
func same(a, b gcounter.State) bool {
	pa, pb := plain(a), plain(b)
	if len(pa) != len(pb) {
		return false
	}
	for id, n := range pa {
		if pb[id] != n {
			return false
		}
	}
	return true
}

// identical reports whether two maps hold exactly the same entries,
// including zero entries (for checking that an argument was not touched).
func identical(a, b gcounter.State) bool {
	if len(a) != len(b) {
		return false
	}
	for id, n := range a {
		m, ok := b[id]
		if !ok || m != n {
			return false
		}
	}
	return true
}

// show formats a state with sorted keys and without zero entries.
func show(s gcounter.State) string {
	p := plain(s)
	keys := make([]string, 0, len(p))
	for id := range p {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, id := range keys {
		parts[i] = fmt.Sprintf("%s:%d", id, p[id])
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// showArg is show, except that a nil state is shown as nil (for reporting
// the arguments of a call).
func showArg(s gcounter.State) string {
	if s == nil {
		return "nil"
	}
	return show(s)
}

// sum adds up every slot of s.
func sum(s gcounter.State) uint64 {
	var t uint64
	for _, n := range s {
		t += n
	}
	return t
}

// maxOf is the expected join: the larger count of every slot.
func maxOf(a, b gcounter.State) gcounter.State {
	out := gcounter.State{}
	for id, n := range a {
		out[id] = n
	}
	for id, n := range b {
		if n > out[id] {
			out[id] = n
		}
	}
	return out
}

// randState draws a state over up to size of the replica IDs, with counts up
// to maxCount. Some entries are explicit zeros, which must behave exactly
// like missing entries.
func randState(r *rand.Rand, size int, maxCount uint64) gcounter.State {
	s := gcounter.State{}
	for _, i := range r.Perm(len(ids))[:min(size, len(ids))] {
		if r.IntN(8) == 0 {
			s[ids[i]] = 0
			continue
		}
		s[ids[i]] = 1 + r.Uint64N(maxCount)
	}
	return s
}

// counterWith returns a counter for replica id whose state is s (built by
// merging s into a fresh counter, which must yield s exactly).
func counterWith(id string, s gcounter.State) *gcounter.Counter {
	c := gcounter.New(id)
	c.Merge(clone(s))
	return c
}

// growing runs attempt on cases of increasing size (1, 2, ... maxSize) and
// returns the first failure, so the counterexample shown is the smallest
// one the seed finds.
func growing(r *rand.Rand, maxSize int, attempt func(r *rand.Rand, size int) error) error {
	for size := 1; size <= maxSize; size++ {
		for range 3 {
			if err := attempt(r, size); err != nil {
				return err
			}
		}
	}
	return nil
}
