// Known wrong: Join returns the other argument itself when one of them is nil (a shortcut), so the result aliases its argument.
// Package gcounter implements a G-Counter, the grow-only counter of Shapiro
// et al., "Conflict-free Replicated Data Types" (2011): a state-based CRDT
// that replicas can increment independently and merge in any order, any
// number of times, and still agree on the total.
//
// The state is a map from replica ID to the number of increments that
// replica made. A replica only ever writes its own slot; merging takes the
// maximum of every slot; the value is the sum of all slots.
package gcounter

import "errors"

// ErrNegativeIncrement is returned by Increment when asked to add a negative
// amount. A G-Counter only grows; the counter is left unchanged.
var ErrNegativeIncrement = errors.New("gcounter: negative increment")

// State is the full state of a G-Counter: for every replica ID, how much
// that replica has added in total. A missing ID means 0, so a state with an
// entry {"a": 0} and a state without "a" are the same state.
type State map[string]uint64

// Join returns the least upper bound of a and b: a new state holding, for
// every replica ID present in either, the larger of the two counts. Join
// never modifies a or b, and the result shares no memory with them.
//
// Join is commutative, associative and idempotent, which is what lets
// replicas exchange states in any order, duplicated, and still converge.
func Join(a, b State) State {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := make(State, len(a)+len(b))
	for id, n := range a {
		out[id] = n
	}
	for id, n := range b {
		// Max, not sum: b may already contain increments that a has seen
		// (through another replica), and must not be counted twice.
		if n > out[id] {
			out[id] = n
		}
	}
	return out
}

// Counter is one replica of a G-Counter. It is not safe for concurrent use:
// each replica belongs to one goroutine, and replicas exchange states.
type Counter struct {
	id     string
	counts State
}

// New returns a counter for the replica named id, with value 0.
func New(id string) *Counter {
	return &Counter{id: id, counts: State{}}
}

// Increment adds n to this replica's own slot, and to no other. A negative n
// returns ErrNegativeIncrement and changes nothing; n == 0 changes nothing.
func (c *Counter) Increment(n int64) error {
	if n < 0 {
		return ErrNegativeIncrement
	}
	if n > 0 {
		c.counts[c.id] += uint64(n)
	}
	return nil
}

// Value returns the counter's value: the sum of every replica's slot.
func (c *Counter) Value() uint64 {
	var sum uint64
	for _, n := range c.counts {
		sum += n
	}
	return sum
}

// State returns a copy of the counter's full state. Changing the returned
// map does not change the counter, and later changes to the counter do not
// show up in it.
func (c *Counter) State() State {
	out := make(State, len(c.counts))
	for id, n := range c.counts {
		out[id] = n
	}
	return out
}

// Merge joins other into this replica: afterwards every slot holds the
// larger of its old value and other's. Merge never modifies other and keeps
// no reference to it.
func (c *Counter) Merge(other State) {
	// Join builds a fresh map, so nothing of other is kept.
	c.counts = Join(c.counts, other)
}
