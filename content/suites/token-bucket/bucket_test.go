//go:build dslearnsuite

package tokenbucket_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dslearn/dslearn/exercises/token-bucket"
	"github.com/dslearn/dslearn/internal/check"
)

const defaultRuns = 30

// rates the randomized tests draw from, as exact fractions p/q tokens per
// second.
var rates = [][2]int64{
	{1, 1}, {2, 1}, {3, 1}, {10, 1}, {100, 1},
	{5, 2}, {13, 4}, {7, 10}, {1, 3}, {1, 4}, {1, 10}, {2, 3},
}

func pickConfig(r *rand.Rand) (p, q int64, burst int) {
	pq := rates[r.IntN(len(rates))]
	burst = 1 + r.IntN(6)
	if r.IntN(4) == 0 {
		burst = 1 + r.IntN(20)
	}
	return pq[0], pq[1], burst
}

// baseTime is an arbitrary moment in the past: the limiter must not care
// what the clock says, only how it moves.
func baseTime(r *rand.Rand) time.Time {
	return time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC).Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
}

// gap draws the time to the next call, in whole milliseconds: often none
// (bursts at one instant), often a fraction of a token, sometimes a long
// idle; with back set, now and then a step backwards.
func gap(r *rand.Rand, m *model, back bool) time.Duration {
	tt := m.tokenTime() / int64(ms)
	burst := m.cap / m.unit
	x := r.IntN(100)
	var d int64
	switch {
	case back && x < 12:
		d = -(1 + r.Int64N(3*tt))
	case x < 30:
		d = 0
	case x < 60:
		d = 1 + r.Int64N(tt/2)
	case x < 82:
		d = tt/2 + r.Int64N(2*tt)
	case x < 95:
		d = r.Int64N((burst + 2) * tt)
	default:
		d = (burst + 1) * tt * (1 + r.Int64N(20))
	}
	return time.Duration(d) * ms
}

// pickN draws a request size: mostly 1, sometimes up to burst, sometimes
// more than burst, now and then 0.
func pickN(r *rand.Rand, burst int) int {
	if burst == 0 {
		return 1
	}
	x := r.IntN(100)
	switch {
	case x < 65:
		return 1
	case x < 87:
		return 1 + r.IntN(burst)
	case x < 95:
		return burst + 1 + r.IntN(3)
	default:
		return 0
	}
}

// randomSetup draws a configuration and a start time.
func randomSetup(r *rand.Rand) setup {
	p, q, burst := pickConfig(r)
	return setup{p: p, q: q, burst: burst, base: baseTime(r)}
}

// randomSteps draws the next step of a random schedule: the first at the
// start, then after a random gap, with a random size.
func randomSteps(r *rand.Rand, back bool) func(i int, s *sim) step {
	var at time.Duration
	return func(i int, s *sim) step {
		if i > 0 {
			at += gap(r, s.m, back)
		}
		return step{at: at, n: pickN(r, s.burst)}
	}
}

var sizes = []int{6, 20, 60, 200}

type row struct {
	at   time.Duration
	n    int
	want bool
	why  string
}

type table struct {
	name  string
	rate  float64
	burst int
	rows  []row
}

const ms = time.Millisecond

var tables = []table{
	{"rate 2 per second, burst 3", 2, 3, []row{
		{0, 1, true, "the bucket starts full, with 3 tokens"},
		{0, 1, true, "2 tokens left"},
		{0, 1, true, "1 token left"},
		{0, 1, false, "the bucket is empty"},
		{250 * ms, 1, false, "only 0.5 token refilled in 250ms"},
		{500 * ms, 1, true, "exactly 1 token refilled in 500ms"},
		{500 * ms, 1, false, "empty again"},
		{1500 * ms, 2, true, "2 tokens refilled in 1s"},
		{1500 * ms, 1, false, "empty again"},
		{11500 * ms, 4, false, "4 is more than the burst of 3: never allowed"},
		{11500 * ms, 3, true, "10s idle would refill 20 tokens, but the bucket holds at most 3"},
		{11500 * ms, 1, false, "the cap kept only 3, all taken"},
	}},
	{"rate 0.5 per second (one token every 2s), burst 1", 0.5, 1, []row{
		{0, 1, true, "the bucket starts full, with 1 token"},
		{time.Second, 1, false, "half a token refilled"},
		{2 * time.Second, 1, true, "a whole token refilled"},
		{3500 * ms, 1, false, "0.75 token refilled"},
		{4 * time.Second, 1, true, "the fractions add up to 1 token"},
		{4 * time.Second, 1, false, "empty again"},
	}},
	{"rate 0 (never refills), burst 2", 0, 2, []row{
		{0, 1, true, "the bucket starts full, with 2 tokens"},
		{0, 1, true, "1 token left"},
		{0, 1, false, "the bucket is empty"},
		{time.Hour, 1, false, "a rate of 0 never refills"},
	}},
	{"rate 5 per second, burst 0", 5, 0, []row{
		{0, 1, false, "a bucket of capacity 0 holds nothing"},
		{time.Hour, 1, false, "refills are capped at 0"},
		{time.Hour, 0, true, "n <= 0 is always allowed"},
	}},
	{"requests for 0 or fewer tokens, rate 1, burst 1", 1, 1, []row{
		{0, 0, true, "n <= 0 is always allowed"},
		{0, -1, true, "n <= 0 is always allowed"},
		{0, 1, true, "the bucket's one token is still there"},
		{0, 1, false, "the bucket is empty"},
		{0, 0, true, "n <= 0 is allowed even with an empty bucket"},
	}},
	{"a request for 0 tokens still brings the bucket up to date, rate 1, burst 1", 1, 1, []row{
		{0, 1, true, "the bucket starts full, with 1 token"},
		{time.Second, 0, true, "n <= 0 is always allowed; 1 token refilled by now"},
		{500 * ms, 1, true, "an earlier time adds nothing, and the token refilled by +1s is there"},
		{500 * ms, 1, false, "the bucket is empty"},
	}},
	{"the clock steps back, rate 1, burst 2", 1, 2, []row{
		{10 * time.Second, 2, true, "the bucket starts full, with 2 tokens"},
		{5 * time.Second, 1, false, "an earlier time counts as no time passing"},
		{10 * time.Second, 1, false, "the 5s between the two calls must not be counted as refill"},
		{10500 * ms, 1, false, "0.5 token refilled since 10s"},
		{11 * time.Second, 1, true, "1 token refilled since 10s"},
		{11 * time.Second, 1, false, "empty again"},
	}},
}

func rowCall(x row) string {
	return fmt.Sprintf("%-14s %s", fmtAt(x.at), callString(x.n))
}

func TestSmallCasesAllowAndDenyExactly(t *testing.T) {
	defer check.Recover(t)
	base := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, tc := range tables {
		t.Run(tc.name, func(t *testing.T) {
			defer check.Recover(t)
			lim := tokenbucket.New(tc.rate, tc.burst)
			var done strings.Builder
			for _, x := range tc.rows {
				now := base.Add(x.at)
				var got bool
				if x.n == 1 {
					got = lim.Allow(now)
				} else {
					got = lim.AllowN(now, x.n)
				}
				if got != x.want {
					t.Fatal(check.Mismatch(fmt.Sprintf(
						"New(%v, %d), then these calls (times relative to the start):\n%s>  %s  (%s)",
						tc.rate, tc.burst, done.String(), rowCall(x), x.why), x.want, got))
				}
				fmt.Fprintf(&done, "   %s → %v\n", rowCall(x), got)
			}
		})
	}
}

func TestDecisionsFollowExactTokenAccounting(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range sizes {
			su := randomSetup(r)
			if err := su.decisionError(su.generate(size, randomSteps(r, false)), false, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestNeverAdmitsMoreThanBurstPlusRateTimesWindow(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range []int{8, 30, 100, 300} {
			su := randomSetup(r)
			s := su.start()
			next := randomSteps(r, false)
			steps := make([]step, size)
			for i := range steps {
				steps[i] = next(i, s)
				steps[i].n = 1 + r.IntN(su.burst)
				s.do(steps[i])
			}
			if err := su.windowError(steps); err != nil {
				return err
			}
		}
		return nil
	})
}

// windowViolation checks every window [t_i, t_j] between two admitted calls
// and returns the one with the fewest calls that admitted more than
// burst + rate×T tokens (with the lesson's 1e-6 tolerance), or -1, -1.
func windowViolation(s *sim) (int, int) {
	adm, m := s.admitted, s.m
	bi, bj := -1, -1
	for i := range adm {
		var sum int64
		for j := i; j < len(adm); j++ {
			sum += int64(adm[j].n)
			T := int64(adm[j].at - adm[i].at)
			if sum*m.unit > m.cap+m.p*T+m.eps() {
				if bi < 0 || j-i < bj-bi {
					bi, bj = i, j
				}
				break
			}
		}
	}
	return bi, bj
}

func (su setup) replayAll(steps []step) *sim {
	s := su.start()
	for _, st := range steps {
		s.do(st)
	}
	return s
}

// windowError replays steps and, if some window admitted too much, shrinks
// the schedule and reports the smallest such window.
func (su setup) windowError(steps []step) error {
	fails := func(cand []step) (bool, []step) {
		s := su.replayAll(cand)
		if _, j := windowViolation(s); j >= 0 {
			return true, cand[:s.admitted[j].idx+1]
		}
		return false, nil
	}
	ok, kept := fails(steps)
	if !ok {
		return nil
	}
	su, steps = su.rebase(shrink(kept, fails))
	s := su.replayAll(steps)
	bi, bj := windowViolation(s)
	adm := s.admitted
	var sum int
	var b strings.Builder
	for _, c := range s.trace {
		mark := ""
		if c.got && c.n > 0 && c.at >= adm[bi].at && c.idx <= adm[bj].idx {
			mark = "*"
			sum += c.n
		}
		b.WriteString(c.line(mark))
		b.WriteByte('\n')
	}
	T := adm[bj].at - adm[bi].at
	bound := float64(su.burst) + rateOf(su.p, su.q)*T.Seconds()
	return check.Mismatch(fmt.Sprintf(
		"%s, then these calls (times relative to the start):\n%s"+
			"the calls marked * were allowed between %s and %s, a window of T = %v; "+
			"a token bucket admits at most burst + rate × T = %d + %s × %s = %s tokens in any window of length T",
		newCall(su.p, su.q, su.burst), b.String(), fmtAt(adm[bi].at), fmtAt(adm[bj].at), T,
		su.burst, rateShort(su.p, su.q), fmtTokens(T.Seconds()), fmtTokens(bound)),
		fmt.Sprintf("at most %s tokens", fmtTokens(bound)), fmt.Sprintf("%d tokens", sum))
}

func TestNoFractionalTokensLostOverALongRun(t *testing.T) {
	defer check.Recover(t)
	runs := []struct {
		p, q  int64
		burst int
		every time.Duration
		n     int
	}{
		{3, 1, 5, 100 * ms, 1},
		{5, 2, 4, time.Second, 3},
		{7, 10, 1, 37 * ms, 1},
		{1, 3, 2, 250 * ms, 1},
	}
	base := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, c := range runs {
		lim := tokenbucket.New(rateOf(c.p, c.q), c.burst)
		m := newModel(c.p, c.q, c.burst)
		steps := int(time.Hour / c.every)
		var got, want int
		var first string
		for i := range steps {
			at := time.Duration(i) * c.every
			now := base.Add(at)
			var ok bool
			if c.n == 1 {
				ok = lim.Allow(now)
			} else {
				ok = lim.AllowN(now, c.n)
			}
			m.advance(now)
			v := m.verdict(c.n)
			if first == "" && ((v == mustAllow && !ok) || (v == mustDeny && ok)) {
				first = fmt.Sprintf("the first wrong answer was call #%d, %s at %s: the bucket held %s tokens by exact accounting, so expected %v, got %v",
					i+1, callString(c.n), fmtAt(at), fmtTokens(m.held()), v == mustAllow, ok)
			}
			if ok {
				got += c.n
			}
			if v == mustAllow || (v == either && ok) {
				want += c.n
				m.take(c.n)
			}
		}
		if first != "" {
			t.Error(check.Mismatch(fmt.Sprintf(
				"%s, then %s every %v for one hour (%d calls): tokens admitted in total (fractions of a token must carry over from call to call, never be rounded away)\n%s",
				newCall(c.p, c.q, c.burst), callString(c.n), c.every, steps, first), want, got))
		}
	}
}

func TestIdleBucketIsCappedAtBurst(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		su := randomSetup(r)
		tt := time.Duration(newModel(su.p, su.q, su.burst).tokenTime())
		steps := []step{{0, su.burst, "the bucket starts full"}}
		at := (tt * time.Duration(su.burst+1+r.IntN(1000))).Round(ms)
		for i := range su.burst + 1 {
			note := ""
			if i == 0 {
				note = "after a long idle the bucket holds burst tokens, no more"
			}
			steps = append(steps, step{at, 1, note})
		}
		at += time.Duration(1+r.IntN(48)) * time.Hour
		steps = append(steps, step{at, su.burst, "after hours idle: full again"}, step{at, 1, ""})
		return su.decisionError(steps, true, nil)
	})
}

func TestRequestLargerThanBurstIsRejectedWithoutConsuming(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		su := randomSetup(r)
		tt := time.Duration(newModel(su.p, su.q, su.burst).tokenTime())
		steps := []step{
			{0, su.burst + 1 + r.IntN(3), "more than burst: rejected"},
			{0, su.burst, "the rejected call took nothing"},
		}
		at := (tt * time.Duration(10*su.burst+10+r.IntN(1000))).Round(ms)
		for range 1 + r.IntN(3) {
			steps = append(steps, step{at, su.burst + 1 + r.IntN(2*su.burst+2), "more than burst, even after a long idle"})
		}
		steps = append(steps, step{at, su.burst, "the rejected calls took nothing"}, step{at, 1, ""})
		return su.decisionError(steps, true, nil)
	})
}

func TestRejectedCallChangesNothing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range sizes {
			su := randomSetup(r)
			next := randomSteps(r, false)
			steps := su.generate(size, func(i int, s *sim) step {
				st := next(i, s)
				if r.IntN(5) < 2 {
					st.n = rejectedN(r, s.m, s.base.Add(st.at))
				}
				return st
			})
			err := su.decisionError(steps, false, func(trace []call) string {
				for _, c := range trace[:len(trace)-1] {
					if !c.got {
						return "a rejected call takes no tokens at all, not even part of them"
					}
				}
				return ""
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// rejectedN picks a request the bucket cannot grant at now: more than it
// holds (by more than the tolerance), sometimes more than burst.
func rejectedN(r *rand.Rand, m *model, now time.Time) int {
	burst := int(m.cap / m.unit)
	lo := int((m.peek(now)+m.eps())/m.unit) + 1
	if lo > burst {
		return burst + 1
	}
	return lo + r.IntN(burst+2-lo)
}

func TestTimeGoingBackwardsMintsNothing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range sizes {
			su := randomSetup(r)
			tt := time.Duration(newModel(su.p, su.q, su.burst).tokenTime())
			back := -(2*tt + time.Duration(r.Int64N(int64(10*time.Hour)))).Round(ms)
			fixed := []step{
				{0, su.burst, "empties the bucket"},
				{back, 1, "the clock stepped back"},
				{0, 1, "the clock is back where it was"},
			}
			next := randomSteps(r, true)
			steps := su.generate(size+len(fixed), func(i int, s *sim) step {
				if i < len(fixed) {
					return fixed[i]
				}
				return next(i-len(fixed)+1, s)
			})
			err := su.decisionError(steps, true, func(trace []call) string {
				latest := trace[0].at
				for _, c := range trace {
					if c.at < latest {
						return "a time before the latest one seen counts as no time passing: it adds no tokens, and the latest time seen stays where it was"
					}
					latest = max(latest, c.at)
				}
				return ""
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// concurrently makes k calls to Allow at the same instant from k goroutines
// released together, and returns how many were allowed.
func concurrently(lim *tokenbucket.Limiter, now time.Time, k int) (int, error) {
	start := make(chan struct{})
	results := make(chan error, k)
	var mu sync.Mutex
	allowed := 0
	for range k {
		go func() {
			<-start
			results <- check.Safely(func() error {
				if lim.Allow(now) {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
				return nil
			})
		}()
	}
	close(start)
	var first error
	for range k {
		if err := <-results; err != nil && first == nil {
			first = err
		}
	}
	return allowed, first
}

func TestExactlyBurstOfConcurrentCallersSucceed(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		rate := []float64{0.5, 1, 2, 4}[r.IntN(4)]
		burst, extra := 1+r.IntN(40), 1+r.IntN(16)
		lim := tokenbucket.New(rate, burst)
		t0 := baseTime(r)
		got, err := concurrently(lim, t0, burst+extra)
		if err != nil {
			return err
		}
		if got != burst {
			return check.Mismatch(fmt.Sprintf(
				"New(%v, %d), then %d goroutines call Allow at the same instant: how many are allowed (the limiter must be safe for concurrent use)",
				rate, burst, burst+extra), burst, got)
		}
		secs := 1 + r.IntN(4)
		want := min(burst, int(rate*float64(secs)))
		got, err = concurrently(lim, t0.Add(time.Duration(secs)*time.Second), want+extra)
		if err != nil {
			return err
		}
		if got != want {
			return check.Mismatch(fmt.Sprintf(
				"New(%v, %d), %d goroutines called Allow at one instant, then %ds later (when the bucket holds %v tokens) %d goroutines call Allow at the same instant: how many are allowed",
				rate, burst, burst+extra, secs, min(float64(burst), rate*float64(secs)), want+extra), want, got)
		}
		return nil
	})
}

// TestEachTokenIsTakenOnceUnderContention keeps three goroutines on the
// same bucket until it refuses a call, then moves them all to the next one,
// over two thousand buckets: each time a bucket runs out, every caller is
// calling it. A limiter whose check and take are not one atomic step (two
// lock sections, or a check outside the lock) lets two callers both see the
// last tokens and both take them. The race detector cannot see that bug
// (every access holds the lock); only an interleaving shows it, and every
// bucket gives it another chance.
func TestEachTokenIsTakenOnceUnderContention(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		const buckets, k = 2000, 3
		rate := []float64{0, 0.5, 1, 2}[r.IntN(4)]
		// Each call asks for the one token of a bucket that holds one, or
		// for the whole of a larger bucket: either way each bucket allows
		// exactly one call at one instant.
		burst := 1 + r.IntN(4)
		n := []int{1, burst}[r.IntN(2)]
		if n == 1 {
			burst = 1
		}
		t0 := baseTime(r)
		lims := make([]*tokenbucket.Limiter, buckets)
		for i := range lims {
			lims[i] = tokenbucket.New(rate, burst)
		}
		allowed := make([]atomic.Int32, buckets)
		var cur atomic.Int32 // the bucket every goroutine calls
		start := make(chan struct{})
		results := make(chan error, k)
		for range k {
			go func() {
				<-start
				results <- check.Safely(func() error {
					for {
						i := cur.Load()
						if i >= buckets {
							return nil
						}
						// A refusal means the bucket is empty; so does a
						// second allowed call (which also stops a limiter
						// that never refuses).
						if !lims[i].AllowN(t0, n) || allowed[i].Add(1) > 1 {
							cur.CompareAndSwap(i, i+1)
						}
					}
				})
			}()
		}
		close(start)
		var first error
		for range k {
			if err := <-results; err != nil && first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
		for i := range allowed {
			if got := allowed[i].Load(); got != 1 {
				return check.Mismatch(fmt.Sprintf(
					"%d buckets made with New(%v, %d), all called at the same instant; %d goroutines call AllowN(now, %d) on the first bucket until it refuses one, then all move on to the next: a bucket holding %d tokens allows exactly one such call, but bucket %d allowed a different number of calls (two callers must never both take the same tokens: the check and the take are one step under one lock)",
					buckets, rate, burst, k, n, burst, i+1), 1, got)
			}
		}
		return nil
	})
}

func TestConcurrentCallersNeverExceedTheBound(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		p, q, burst := pickConfig(r)
		m := newModel(p, q, burst)
		lim := tokenbucket.New(rateOf(p, q), burst)
		t0 := baseTime(r)
		span := 20 * m.tokenTime()
		const workers, calls = 8, 100
		start := make(chan struct{})
		type result struct {
			tokens   int64
			min, max int64
			err      error
		}
		results := make(chan result, workers)
		for range workers {
			seed := r.Uint64()
			go func() {
				<-start
				wr := check.Rand(seed)
				res := result{min: span, max: 0}
				res.err = check.Safely(func() error {
					for range calls {
						at := wr.Int64N(span/int64(ms)+1) * int64(ms)
						n := 1 + wr.IntN(2)
						res.min, res.max = min(res.min, at), max(res.max, at)
						if lim.AllowN(t0.Add(time.Duration(at)), n) {
							res.tokens += int64(n)
						}
					}
					return nil
				})
				results <- res
			}()
		}
		close(start)
		var total, lo, hi int64 = 0, span, 0
		for range workers {
			res := <-results
			if res.err != nil {
				return res.err
			}
			total += res.tokens
			lo, hi = min(lo, res.min), max(hi, res.max)
		}
		T := time.Duration(hi - lo)
		if total*m.unit > m.cap+m.p*int64(T)+m.eps() {
			bound := float64(burst) + rateOf(p, q)*T.Seconds()
			return check.Mismatch(fmt.Sprintf(
				"%s, then %d goroutines each make %d calls of AllowN (n = 1 or 2) at random times within a window of %v: tokens admitted in total, at most burst + rate × T = %s (the limiter must be safe for concurrent use, and calls arriving out of time order mint nothing)",
				newCall(p, q, burst), workers, calls, T, fmtTokens(bound)),
				fmt.Sprintf("at most %s", fmtTokens(bound)), total)
		}
		return nil
	})
}
