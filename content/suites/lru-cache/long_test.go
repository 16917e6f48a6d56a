//go:build dslearnsuite

package lru_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/lru-cache"
	"github.com/dslearn/dslearn/internal/check"
)

// A long-run model check: thousands of operations on caches of capacity
// -1 to 1000, with string keys that include the empty string (the zero
// value of K), upper case, non-ASCII and separators, and values that
// include 0 (the zero value of V, so that a hit returning 0 must still say
// true) and the ends of int. Everything observable is compared after every
// step, as in TestMatchesReferenceLRUAfterEveryStep, and the slice Keys
// returned is overwritten after every step.

type sop struct {
	kind string // "Put", "Get", "Peek", "Remove", "Len"
	key  string
	val  int
}

func (o sop) String() string {
	switch o.kind {
	case "Put":
		return fmt.Sprintf("c.Put(%q, %d)", o.key, o.val)
	case "Len":
		return "c.Len()"
	}
	return fmt.Sprintf("c.%s(%q)", o.kind, o.key)
}

var edgeValues = []int{0, 1, -1, 255, 256, 1<<31 - 1, 1 << 31, 1<<32 + 1, math.MaxInt, math.MinInt}

func genLRUOps(r *rand.Rand, capacity, n int) []sop {
	// A key space a little larger than the cache, so that it keeps
	// evicting, always holding the awkward names.
	keys := slices.Clone(check.EdgeNames)
	for len(keys) < max(capacity, 1)+max(capacity/4, 3) {
		keys = append(keys, fmt.Sprintf("k%d", len(keys)))
	}
	ops := make([]sop, n)
	for i := range ops {
		o := sop{key: keys[r.IntN(len(keys))]}
		x := r.IntN(20)
		if capacity > 8 && i < capacity+2 {
			// Fill a large cache with distinct keys first, past full.
			o.key, x = keys[i%len(keys)], 0
		}
		switch {
		case x < 9:
			o.kind, o.val = "Put", i
			if r.IntN(3) == 0 {
				o.val = edgeValues[r.IntN(len(edgeValues))]
			}
		case x < 15:
			o.kind = "Get"
		case x < 17:
			o.kind = "Peek"
		case x < 19:
			o.kind = "Remove"
		default:
			o.kind = "Len"
		}
		ops[i] = o
	}
	return ops
}

// smodel is the simplest LRU: keys from least to most recently used.
type smodel struct {
	capacity int
	order    []string
	vals     map[string]int
}

func (m *smodel) touch(k string) {
	i := slices.Index(m.order, k)
	m.order = append(slices.Delete(m.order, i, i+1), k)
}

func runLRUOps(capacity int) func([]sop) error {
	return func(ops []sop) error {
		var evicted []string
		c := lru.New[string, int](capacity, func(k string, v int) { evicted = append(evicted, fmt.Sprintf("onEvict(%q, %d)", k, v)) })
		m := &smodel{capacity: capacity, vals: map[string]int{}}
		for i, o := range ops {
			step := fmt.Sprintf("c := New[string, int](%d, onEvict); step %d, %v", capacity, i+1, o)
			evicted = nil
			var wantEvicted []string
			v, present := m.vals[o.key]
			switch o.kind {
			case "Put":
				c.Put(o.key, o.val)
				if capacity > 0 {
					if present {
						m.touch(o.key)
					} else {
						if len(m.order) >= capacity {
							victim := m.order[0]
							m.order = m.order[1:]
							wantEvicted = append(wantEvicted, fmt.Sprintf("onEvict(%q, %d)", victim, m.vals[victim]))
							delete(m.vals, victim)
						}
						m.order = append(m.order, o.key)
					}
					m.vals[o.key] = o.val
				}
			case "Get", "Peek":
				var gv int
				var gok bool
				if o.kind == "Get" {
					gv, gok = c.Get(o.key)
					if present {
						m.touch(o.key)
					}
				} else {
					gv, gok = c.Peek(o.key)
				}
				if gv != v || gok != present {
					return check.Mismatch(step+" returned", fmt.Sprintf("%d, %v", v, present), fmt.Sprintf("%d, %v", gv, gok))
				}
			case "Remove":
				if got := c.Remove(o.key); got != present {
					return check.Mismatch(step+" returned", present, got)
				}
				if present {
					m.order = slices.DeleteFunc(m.order, func(k string) bool { return k == o.key })
					delete(m.vals, o.key)
				}
			}
			if !slices.Equal(evicted, wantEvicted) {
				return check.Mismatch(step+": the onEvict calls it made", fmt.Sprint(wantEvicted), fmt.Sprint(evicted))
			}
			if got := c.Len(); got != len(m.order) {
				return check.Mismatch(step+"; then Len()", len(m.order), got)
			}
			if capacity > 8 && i%16 != 0 && i != len(ops)-1 {
				continue // Keys is O(n): on large caches, every 16 steps
			}
			keys := c.Keys()
			if !slices.Equal(keys, m.order) && len(keys)+len(m.order) > 0 {
				return check.Mismatch(step+"; then Keys() (least recently used first)", fmt.Sprintf("%q", m.order), fmt.Sprintf("%q", keys))
			}
			for j := range keys { // the caller owns the slice Keys returned
				keys[j] = "scribbled"
			}
		}
		return nil
	}
}

func simplerLRUOp(o sop) []sop {
	if o.kind == "Put" && o.val != 0 {
		p := o
		p.val = 0
		return []sop{p}
	}
	return nil
}

func TestLongRunsWithAwkwardKeysMatchTheReference(t *testing.T) {
	defer check.Recover(t)
	small := []int{math.MinInt, -1, 0, 1, 2, 3, 7, 8, 255}
	large := []int{256, 257, 1000} // past what 8 bits can count
	check.Seeded(t, 8, func(r *rand.Rand) error {
		// A small cache, then a large one filled, evicted from and turned
		// over several times.
		capacity := small[r.IntN(len(small))]
		if err := check.Minimize(genLRUOps(r, capacity, 2000), simplerLRUOp, runLRUOps(capacity)); err != nil {
			return err
		}
		capacity = large[r.IntN(len(large))]
		return check.Minimize(genLRUOps(r, capacity, 6*capacity), simplerLRUOp, runLRUOps(capacity))
	})
}
