// Package tokenbucket is a token-bucket rate limiter: a bucket holds up to
// burst tokens, refills continuously at rate tokens per second, and a request
// for n tokens is allowed only if n tokens are in the bucket right now.
//
// Time is never read from the wall clock: every call says what time it is.
// That makes the limiter deterministic and lets the tests replay an hour of
// traffic in a few milliseconds.
package tokenbucket

import (
	"sync"
	"time"
)

// Limiter is a token bucket of capacity burst that refills at rate tokens
// per second. It is safe for concurrent use by multiple goroutines.
//
// The accounting it must follow exactly:
//
//   - The bucket starts full: the first call sees burst tokens, whatever its
//     time.
//   - Every call, whatever n and whatever the answer, first brings the
//     bucket up to date: if now is after the latest time the limiter has
//     seen, it adds rate × (now − latest) tokens (time in seconds), capped
//     at burst, and now becomes the latest time seen. Fractions of a token
//     are kept, never rounded away.
//   - A time not after the latest time seen adds nothing and leaves the
//     latest time where it is: a clock stepping backwards mints nothing, and
//     no interval is ever counted twice.
//   - Then the call takes n tokens if the bucket holds at least n, and
//     otherwise takes nothing at all.
//   - Tokens may be kept as a float64. The tests compute the exact count
//     and accept either answer only when it is within 1e-6 of n; but a full
//     bucket holds exactly burst, so the cap must give burst itself.
type Limiter struct {
	mu     sync.Mutex
	rate   float64   // tokens per second
	burst  int       // capacity
	tokens float64   // tokens in the bucket at time last
	last   time.Time // latest time seen; the zero Time before the first call
}

// New returns a full bucket holding burst tokens that refills at rate tokens
// per second. rate must be finite and >= 0 (0 means it never refills);
// burst must be >= 0 (0 means no request for one token or more is ever
// allowed).
func New(rate float64, burst int) *Limiter {
	// Leaving last at the zero Time is harmless: the first call refills a
	// full bucket, and the cap keeps it at burst.
	return &Limiter{rate: rate, burst: burst, tokens: float64(burst)}
}

// Allow is AllowN(now, 1).
func (l *Limiter) Allow(now time.Time) bool {
	return l.AllowN(now, 1)
}

// AllowN brings the bucket up to date with now (see Limiter), then reports
// whether it holds at least n tokens, and takes them if so. A rejected call
// takes no tokens at all, not even the ones that were there. Consequently
// n > burst is always rejected. n <= 0 is always allowed and takes nothing.
func (l *Limiter) AllowN(now time.Time, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()

	// Bringing the bucket up to date is safe even when the answer is no:
	// refilling to t1 and then to t2 leaves the same bucket as refilling
	// straight to t2, because the cap is applied after each addition.
	l.advance(now)
	if n <= 0 {
		return true
	}
	if n > l.burst || l.tokens < float64(n) {
		return false
	}
	l.tokens -= float64(n)
	return true
}

// advance refills the bucket for the time between last and now. A time that
// is not after last adds nothing and leaves last alone: moving last back
// would let the interval between the two times be refilled a second time.
func (l *Limiter) advance(now time.Time) {
	if !now.After(l.last) {
		return
	}
	elapsed := now.Sub(l.last) // saturates instead of overflowing
	l.last = now
	// min against burst itself (not tokens + (burst - tokens), which can
	// round): a full bucket must hold exactly burst.
	l.tokens = min(float64(l.burst), l.tokens+tokensIn(elapsed, l.rate))
}

// tokensIn is how many tokens accumulate in d at rate tokens per second.
// Whole seconds and the nanosecond remainder are converted separately so
// that long durations lose no precision in the fractional part.
func tokensIn(d time.Duration, rate float64) float64 {
	sec := float64(d/time.Second) * rate
	nsec := float64(d%time.Second) * rate
	return sec + nsec/1e9
}
