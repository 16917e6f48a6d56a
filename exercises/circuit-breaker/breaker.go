// Package breaker is a circuit breaker. It wraps the calls a program makes
// to a dependency and, once that dependency has failed FailureThreshold
// times in a row, stops calling it for a while (open), then lets a few
// trial calls through (half-open) to learn whether it has recovered.
//
// The breaker reads the time only through Config.Now, so tests control it.
package breaker

import (
	"errors"
	"fmt"
	"time"
)

// State is the state of a Breaker.
type State int

const (
	// Closed: calls go through, and consecutive failures are counted.
	Closed State = iota
	// Open: calls are rejected with ErrOpen without being made.
	Open
	// HalfOpen: a limited number of trial calls go through.
	HalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ErrOpen is what the breaker returns, without calling anything, when it
// rejects a call: while it is open, and while it is half-open with all its
// trial calls already admitted.
var ErrOpen = errors.New("breaker: circuit open")

// Config configures a Breaker.
type Config struct {
	// FailureThreshold is how many failures in a row, while closed, trip
	// the breaker open. Values below 1 mean 1.
	FailureThreshold int
	// OpenTimeout is how long the breaker stays open, counted from the
	// moment it opened, before it becomes half-open.
	OpenTimeout time.Duration
	// HalfOpenMaxTrials is how many trial calls the breaker admits while
	// half-open, and how many of them must succeed to close it. Values
	// below 1 mean 1.
	HalfOpenMaxTrials int
	// Now returns the current time. nil means time.Now.
	Now func() time.Time
	// OnStateChange, if not nil, is called exactly once for every change of
	// state, with the old and the new state, synchronously and in the order
	// the changes happen, under concurrent use too (call it before releasing
	// the lock under which the state changed). It is called while the
	// breaker holds its lock, so it must not call the breaker.
	OnStateChange func(from, to State)
}

// Breaker is a circuit breaker, safe for concurrent use by multiple
// goroutines. A new Breaker is closed.
//
// Closed: every call is admitted. A failure adds one to the count of
// consecutive failures and a success resets it to 0; when the count reaches
// FailureThreshold the breaker opens.
//
// Open: every call is rejected with ErrOpen. From OpenTimeout after the
// moment it opened (that instant included) the breaker is half-open; it
// notices the next time it looks at the clock, at the latest in the next
// State, Allow or Execute.
//
// Half-open: the first HalfOpenMaxTrials calls are admitted as trials and
// later ones are rejected with ErrOpen. A trial failure reopens the breaker,
// with a new timeout counted from that failure; once HalfOpenMaxTrials
// trials have succeeded, it closes, with a failure count of 0.
//
// Generations: every change of state starts a new generation. A result
// reported for a call admitted in an earlier generation is ignored.
type Breaker struct {
	// Add the fields you need.
}

// New returns a closed breaker configured by cfg.
func New(cfg Config) *Breaker {
	panic("not implemented yet: New")
}

// State returns the breaker's state now (an open breaker whose timeout has
// passed is half-open).
func (b *Breaker) State() State {
	panic("not implemented yet: State")
}

// Allow asks to make one call. If the breaker admits it, Allow returns a
// done function and a nil error: the caller makes the call, then reports its
// outcome with done(true) for a success or done(false) for a failure,
// exactly once. The outcome counts in the generation in which Allow admitted
// the call, and only if that generation is still current when done is
// called; the time of a failure is the time done is called. If the breaker
// rejects the call, Allow returns a nil done and ErrOpen.
func (b *Breaker) Allow() (done func(success bool), err error) {
	panic("not implemented yet: Allow")
}

// Execute calls fn if the breaker admits the call, and records the outcome
// when fn returns (so a failure happens at Now() then): a nil error is a
// success, any other error a failure. It returns fn's error unchanged. If
// the breaker rejects the call, Execute returns ErrOpen without calling fn.
// If fn panics, Execute records a failure and lets the panic go on: Execute
// panics with the same value.
func (b *Breaker) Execute(fn func() error) error {
	panic("not implemented yet: Execute")
}
