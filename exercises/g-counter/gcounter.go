// Package gcounter is a G-Counter, the grow-only counter of Shapiro et al.,
// "Conflict-free Replicated Data Types" (2011): a state-based CRDT that
// replicas can increment independently and merge in any order, any number
// of times, and still agree on the total.
//
// The state is a map from replica ID to the amount that replica has added.
// A replica only ever writes its own slot; merging takes the maximum of
// every slot; the value is the sum of all slots.
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
// never modifies a or b, and the result shares no memory with them (not
// even when one of them is empty).
//
// Join is commutative, associative and idempotent.
func Join(a, b State) State {
	panic("not implemented yet: Join")
}

// Counter is one replica of a G-Counter. It is not safe for concurrent use:
// each replica belongs to one goroutine, and replicas exchange states.
type Counter struct {
	// Add the fields you need.
}

// New returns a counter for the replica named id, with value 0. Counters
// share nothing: two counters, even with the same id, are separate replicas.
func New(id string) *Counter {
	panic("not implemented yet: New")
}

// Increment adds n to this replica's own slot (the one named by its id), and
// to no other. A negative n returns ErrNegativeIncrement and changes
// nothing; n == 0 changes nothing and returns nil.
func (c *Counter) Increment(n int64) error {
	panic("not implemented yet: Increment")
}

// Value returns the counter's value: the sum of every replica's slot.
func (c *Counter) Value() uint64 {
	panic("not implemented yet: Value")
}

// State returns a copy of the counter's full state. Changing the returned
// map does not change the counter, and later changes to the counter do not
// show up in it.
func (c *Counter) State() State {
	panic("not implemented yet: State")
}

// Merge joins other into this replica: afterwards every slot holds the
// larger of its old value and other's. Merge never modifies other and keeps
// no reference to it.
func (c *Counter) Merge(other State) {
	panic("not implemented yet: Merge")
}
