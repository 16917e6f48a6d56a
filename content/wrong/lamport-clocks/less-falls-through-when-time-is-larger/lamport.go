// Known wrong: Less returns true when a's time is smaller but falls through to the process comparison when it is larger.
// Package lamport implements Lamport logical clocks: a counter per process
// that gives every event a timestamp such that if event a happened before
// event b, a's timestamp is smaller than b's.
//
// Each process owns one Clock and calls Tick for a local event, Send for
// the sending of a message (attaching the returned time to the message) and
// Receive with that attached time when the message arrives. Stamp pairs a
// time with the process it was taken on, giving the total order Lamport
// derives from the clocks.
package lamport

import "sync"

// Clock is the Lamport clock of one process. The zero value is a clock at
// time 0, ready to use. A Clock is safe for concurrent use by multiple
// goroutines; every method is atomic with respect to the others. A Clock
// must not be copied after first use.
type Clock struct {
	// mu makes each read-modify-write of time one atomic step, so that
	// concurrent callers never lose an increment or see a time twice.
	mu   sync.Mutex
	time uint64
}

// Now returns the clock's current time without changing it. A fresh clock
// reads 0.
func (c *Clock) Now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.time
}

// Tick records a local event: it advances the clock by one and returns the
// new time, which is the event's timestamp.
func (c *Clock) Tick() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.time++
	return c.time
}

// Send records the sending of a message. Sending is an event like any
// other, so it advances the clock by one exactly as Tick does; the returned
// time is the send event's timestamp and the value to attach to the message.
func (c *Clock) Send() uint64 {
	// Same rule as Tick; a separate name keeps call sites honest about
	// which events carry their time to another process.
	return c.Tick()
}

// Receive records the receipt of a message that carries timestamp msg: it
// sets the clock to max(current time, msg) + 1 and returns the new time,
// which is the receive event's timestamp. It ticks even when msg is smaller
// than or equal to the current time.
func (c *Clock) Receive(msg uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The +1 matters in both cases: the receipt must come after the send
	// (time > msg) and after this process's previous event (time > old).
	c.time = max(c.time, msg) + 1
	return c.time
}

// Stamp identifies an event in Lamport's total order: the Lamport time of
// the event and the ID of the process it happened on. Within one process
// times strictly increase, so no two events of an execution share a Stamp.
type Stamp struct {
	Time    uint64
	Process string
}

// Less reports whether a comes before b in the total order: the smaller Time
// first and, when the times are equal, the smaller Process ID (ordinary Go
// string comparison). It is a strict order: Less(a, a) is false, and for any
// two different stamps exactly one of a.Less(b) and b.Less(a) is true.
func (a Stamp) Less(b Stamp) bool {
	if a.Time < b.Time {
		return true
	}
	// Equal times mean the events are concurrent; any fixed order among
	// processes breaks the tie, and every process must use the same one.
	return a.Process < b.Process
}
