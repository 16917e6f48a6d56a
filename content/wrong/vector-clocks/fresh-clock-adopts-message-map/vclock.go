// Known wrong: A fresh clock has no map yet, and its first Receive adopts the caller's message map as the clock, then ticks it.
// Package vclock implements vector clocks: a map from process ID to a count
// of that process's events, which captures exactly the happened-before
// relation. Event a happened before event b if and only if a's vector clock
// is less than b's; two events are concurrent if and only if their clocks
// are incomparable.
//
// VC is a clock value, compared with Compare and combined with Merge. Clock
// is the running vector clock of one process: Tick for a local event, Send
// for the sending of a message (attach the returned VC to the message), and
// Receive with the attached VC when the message arrives.
package vclock

import (
	"fmt"
	"sync"
)

// VC is a vector clock value: for each process ID, the number of that
// process's events it covers. A missing entry means 0, so {a:1} and
// {a:1 b:0} are the same clock. A nil VC is the all-zero clock.
//
// A VC is an ordinary map: reading it from several goroutines at once is
// safe, writing it while anyone else uses it is not. The functions and
// methods of this package never modify a VC passed to them and never keep
// one; every VC they return is a new map owned by the caller.
type VC map[string]uint64

// Order is how two vector clocks relate.
type Order int

// The four possible results of Compare.
const (
	// Before: a < b. Every entry of a is <= the same entry of b, and at
	// least one is strictly smaller.
	Before Order = iota + 1
	// After: a > b, that is, b < a.
	After
	// Equal: every entry is the same (missing entries count as 0).
	Equal
	// Concurrent: neither is <= the other. Some entry of a is larger and
	// some entry of b is larger.
	Concurrent
)

// String returns the constant's name, such as "Before".
func (o Order) String() string {
	switch o {
	case Before:
		return "Before"
	case After:
		return "After"
	case Equal:
		return "Equal"
	case Concurrent:
		return "Concurrent"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// Compare reports how a relates to b: Before if a < b, After if a > b,
// Equal if every entry is equal, Concurrent otherwise. Entries missing from
// either map count as 0, so a key present in only one of them still takes
// part. Compare(b, a) is always the mirror image of Compare(a, b) (Before
// and After swap, Equal and Concurrent stay). Neither argument is modified.
func Compare(a, b VC) Order {
	aBigger, bBigger := false, false
	// A key missing on one side reads as 0 there, so walking both maps
	// covers every entry that can differ.
	for k, av := range a {
		if bv := b[k]; av > bv {
			aBigger = true
		} else if av < bv {
			bBigger = true
		}
	}
	for k, bv := range b {
		if av := a[k]; bv > av {
			bBigger = true
		} else if bv < av {
			aBigger = true
		}
	}
	switch {
	case aBigger && bBigger:
		return Concurrent
	case aBigger:
		return After
	case bBigger:
		return Before
	default:
		return Equal
	}
}

// Merge returns the entrywise maximum of a and b: for every process ID k,
// Merge(a, b)[k] == max(a[k], b[k]), missing entries counting as 0. It is
// the least clock that is >= both. The result is a new, non-nil map that
// shares nothing with a or b, and neither argument is modified.
func Merge(a, b VC) VC {
	out := make(VC, max(len(a), len(b)))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v > out[k] {
			out[k] = v
		}
	}
	return out
}

// Clock is the vector clock of one process, identified by the ID given to
// New. Create it with New; the zero Clock is not usable. A Clock is safe for
// concurrent use by multiple goroutines: each method is atomic with respect
// to the others. Every VC it returns is a snapshot, a new map that the
// caller owns and that later calls never change.
type Clock struct {
	id string
	// mu guards vc: each operation reads and writes it as one step.
	mu sync.Mutex
	vc VC
}

// New returns the clock of the process id, with every entry 0.
func New(id string) *Clock {
	return &Clock{id: id}
}

// Now returns a snapshot of the clock without changing it.
func (c *Clock) Now() VC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshot()
}

// Tick records a local event: it increments the process's own entry by one
// and returns a snapshot of the new clock, the event's timestamp.
func (c *Clock) Tick() VC {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.vc == nil {
		c.vc = VC{}
	}
	c.vc[c.id]++
	return c.snapshot()
}

// Send records the sending of a message: exactly like Tick, it increments
// the process's own entry by one and returns a snapshot of the new clock,
// which is both the send event's timestamp and the VC to attach to the
// message.
func (c *Clock) Send() VC {
	return c.Tick()
}

// Receive records the receipt of a message carrying the vector clock msg:
// first every entry becomes the maximum of its own value and msg's (msg may
// name processes this clock has never heard of), then the process's own
// entry is incremented by one. It returns a snapshot of the new clock, the
// receive event's timestamp. msg is neither modified nor kept. (In a real
// execution msg's entry for this process never exceeds the clock's own: a
// message cannot know more about a process than the process itself.)
func (c *Clock) Receive(msg VC) VC {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Merge copies, so the clock never holds on to the caller's map.
	if c.vc == nil {
		c.vc = msg
	} else {
		c.vc = Merge(c.vc, msg)
	}
	// The receipt is an event of this process, so it counts too; without
	// it the receive would be indistinguishable from the previous event.
	c.vc[c.id]++
	return c.snapshot()
}

// snapshot copies the clock so that callers can keep or modify what they
// get back. The caller must hold c.mu.
func (c *Clock) snapshot() VC {
	out := make(VC, len(c.vc))
	for k, v := range c.vc {
		out[k] = v
	}
	return out
}
