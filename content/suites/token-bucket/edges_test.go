//go:build dslearnsuite

package tokenbucket_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dslearn/dslearn/exercises/token-bucket"
	"github.com/dslearn/dslearn/internal/check"
)

// Long schedules at the edges, judged by the same exact accounting: rates
// from one token a million seconds to 2^31 a second, bursts from 0 to
// 2^31+1, gaps from a nanosecond to over a year (and steps back), request
// sizes at every width an int could be narrowed to, and start times from
// 1970 to the last instant time.Duration can reach from year 1.

// edgeRates are p/q tokens per second.
var edgeRates = [][2]int64{
	{1, 1_000_000}, {1, 3600}, {1, 3}, {3, 1}, {1000, 1}, {1_000_000_000, 1}, {1<<31 - 1, 1},
}

// edgeBursts returns bursts whose capacity, in the model's units, fits an
// int64.
func edgeBurst(r *rand.Rand, q int64) int {
	small := []int{0, 1, 2, 3, 255, 256, 257}
	large := []int{65535, 65536, 65537, 1<<31 - 1, 1 << 31, 1<<31 + 1}
	limit := math.MaxInt64 / (q * int64(time.Second)) / 2
	if r.IntN(2) == 0 {
		// The largest edge that fits, or one of the others that fit.
		for i := len(large) - 1; i >= 0; i-- {
			if int64(large[i]) <= limit && (i == 0 || r.IntN(2) == 0 || int64(large[i-1]) > limit) {
				return large[i]
			}
		}
	}
	return small[r.IntN(len(small))]
}

var edgeBases = []time.Time{
	time.Unix(0, 0).UTC(),
	time.Date(2001, 2, 3, 4, 5, 6, 999_999_999, time.UTC),
	time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 2, 29, 23, 59, 59, 0, time.FixedZone("UTC+14", 14*3600)),
}

func edgeGap(r *rand.Rand, m *model) time.Duration {
	tt := time.Duration(m.unit / max(m.p, 1))
	gaps := []time.Duration{
		0, 0, 0, 1, 999, time.Microsecond, 999 * time.Microsecond, time.Millisecond, time.Millisecond + 1,
		tt - 1, tt, tt + 1, tt / 2, 3 * tt, time.Hour + 1, 3 * time.Hour, 10000 * time.Hour,
		(1<<31 + 1) * time.Millisecond, (1<<32 + 1) * time.Millisecond, // past int32 milliseconds
		-1, -time.Millisecond, -time.Hour,
	}
	d := gaps[r.IntN(len(gaps))]
	if d > 0 && d < 1 {
		d = 1
	}
	return d
}

func edgeN(r *rand.Rand, burst int) int {
	ns := []int{1, 1, 1, 2, 0, -1, math.MinInt, burst, burst, burst - 1, burst + 1, 255, 256, 257, 65536, 1<<31 - 1, 1 << 31, 1<<32 + 1, math.MaxInt}
	return ns[r.IntN(len(ns))]
}

func TestEdgeConfigurationsFollowExactTokenAccounting(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 10, func(r *rand.Rand) error {
		// Several configurations a seed; short schedules first, so that a
		// failure is found small.
		for _, size := range []int{30, 300, 600, 1200} {
			pq := edgeRates[r.IntN(len(edgeRates))]
			if r.IntN(8) == 0 {
				pq = [2]int64{0, 1} // never refills
			}
			su := setup{p: pq[0], q: pq[1], burst: edgeBurst(r, pq[1]), base: edgeBases[r.IntN(len(edgeBases))]}
			var at time.Duration
			next := func(i int, s *sim) step {
				if i > 0 {
					at += edgeGap(r, s.m)
				}
				return step{at: at, n: edgeN(r, s.burst)}
			}
			if err := su.decisionError(su.generate(size, next), false, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestBurstsAtTheTopOfIntHoldExactlyThemselves(t *testing.T) {
	defer check.Recover(t)
	// With rate 0 nothing refills, so the first calls see the bucket New
	// made: full, with burst tokens. float64(burst) is exact or rounds up
	// to 2^63; narrowed through an int on the way it wraps negative.
	now := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, burst := range []int{1<<53 + 1, math.MaxInt - 1023, math.MaxInt - 1, math.MaxInt} {
		lim := tokenbucket.New(0, burst)
		if !lim.Allow(now) {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(0, %d), then Allow(now): a new bucket is full", burst), true, false))
		}
		lim = tokenbucket.New(0, burst)
		if !lim.AllowN(now, burst) {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(0, %d), then AllowN(now, %d): a new bucket holds burst tokens", burst, burst), true, false))
		}
		if lim.Allow(now) {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(0, %d), AllowN(now, %d) allowed, then Allow(now): the bucket was emptied and rate 0 refills nothing", burst, burst), false, true))
		}
	}
}
