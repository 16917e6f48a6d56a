//go:build dslearnsuite

package lru_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/dslearn/dslearn/exercises/lru-cache"
	"github.com/dslearn/dslearn/internal/check"
)

// perfKind is what one operation of the timing workload does.
type perfKind int

const (
	perfGet perfKind = iota
	perfPut
	perfPeek
	perfRemovePut // Remove the key, then Put it back: the cache stays full
	perfLen
)

// perfOp is one operation of the timing workload, generated before the clock
// starts so that only the cache is timed.
type perfOp struct {
	kind perfKind
	key  int
}

// workload returns n operations on a full cache whose newest key is *next-1:
// mostly Gets and overwrites of recently used keys, plus Puts of new keys
// (each evicts the least recently used entry), Gets, Peeks and Removes (each
// followed by a Put of the same key) of keys anywhere in the cache, and Len.
// An O(1) cache does the same work for each of them whatever its size; a
// cache that scans or shifts its entries pays for its size.
func workload(r *rand.Rand, next *int, capacity, n int) []perfOp {
	ops := make([]perfOp, n)
	for i := range ops {
		switch x := r.IntN(20); {
		case x < 9:
			ops[i] = perfOp{perfGet, *next - 1 - r.IntN(32)}
		case x < 14:
			ops[i] = perfOp{perfPut, *next - 1 - r.IntN(32)}
		case x < 15:
			ops[i] = perfOp{perfPut, *next}
			*next++
		case x < 16:
			ops[i] = perfOp{perfGet, *next - 1 - r.IntN(capacity)}
		case x < 17:
			ops[i] = perfOp{perfPeek, *next - 1 - r.IntN(capacity)}
		case x < 19:
			ops[i] = perfOp{perfRemovePut, *next - 1 - r.IntN(capacity)}
		default:
			ops[i] = perfOp{perfLen, 0}
		}
	}
	return ops
}

// runOps runs ops on c and returns the time taken. If the budget runs out it
// stops early and returns ok == false. It reads the clock after every
// operation, small and large caches alike, so that a slow cache is given up
// on at once.
func runOps(c *lru.Cache[int, int], ops []perfOp, budget time.Duration) (d time.Duration, done int, ok bool) {
	start := time.Now()
	for i, op := range ops {
		switch op.kind {
		case perfGet:
			c.Get(op.key)
		case perfPut:
			c.Put(op.key, op.key)
		case perfPeek:
			c.Peek(op.key)
		case perfRemovePut:
			c.Remove(op.key)
			c.Put(op.key, op.key)
		default:
			c.Len()
		}
		if d = time.Since(start); d > budget {
			return d, i + 1, false
		}
	}
	return d, len(ops), true
}

// fillPerPut fills a new cache of the given capacity with keys
// 0..capacity-1 and returns the time per Put.
func fillPerPut(capacity int) time.Duration {
	c := lru.New[int, int](capacity, nil)
	start := time.Now()
	for i := 0; i < capacity; i++ {
		c.Put(i, i)
	}
	return time.Since(start) / time.Duration(capacity)
}

// bestFillPerPut is the best of a few fills of a 1000-entry cache.
func bestFillPerPut() time.Duration {
	best := time.Duration(1 << 62)
	for i := 0; i < 3; i++ {
		best = min(best, fillPerPut(1000))
	}
	return best
}

// fill puts keys 0..capacity-1 into c in small batches. It gives up with
// an error, rather than run for hours, when Put is clearly not O(1): when
// the best of the recent batches is more than 20 times slower per Put than
// a fresh 1000-entry cache (taking the best keeps machine noise out), or
// when at the rate so far the fill would take minutes.
func fill(c *lru.Cache[int, int], capacity int) error {
	const size, window = 256, 16
	var recent [window]time.Duration
	begin := time.Now()
	for b := 0; b*size < capacity; b++ {
		start := time.Now()
		for i := b * size; i < min((b+1)*size, capacity); i++ {
			c.Put(i, i)
		}
		recent[b%window] = time.Since(start)
		n := (b + 1) * size
		if n >= 4096 && n&(n-1) == 0 { // at powers of two
			best := slices.Min(recent[:])
			small := bestFillPerPut()
			if per := best / size; per > 20*small {
				return fmt.Errorf("filling a cache of capacity %d with new keys: with %d entries in it, Put took %v (best of the last %d batches of %d Puts), while a Put into a 1000-entry cache takes %v: Put must not scan the entries (O(1) per operation)",
					capacity, n, per, window, size, small)
			}
		}
		if el := time.Since(begin); el > 10*time.Second && el/time.Duration(n)*time.Duration(capacity) > 2*time.Minute {
			return fmt.Errorf("filling a cache of capacity %d with new keys: the first %d Puts took %v, so all of them would take %v: Put must not scan the entries (O(1) per operation)",
				capacity, n, el.Round(time.Millisecond), (el / time.Duration(n) * time.Duration(capacity)).Round(time.Second))
		}
	}
	return nil
}

// The complexity check compares the time per operation of full caches of
// three sizes, each about 32 times the one before. A cache that scans its
// entries gets about 32 times slower with each step; an O(1) cache only
// loses to the memory hierarchy (a million entries do not fit in a
// processor cache): the reference solution measured 1.9× and 1.7× per step
// and 3.1× in all without the race detector on a busy two-core machine,
// and 1.3× in all with it. The limits sit far from both.
const (
	stepLimit  = 6.0  // from one size to the next
	totalLimit = 10.0 // from the smallest to the largest
)

func TestOperationsTakeConstantTime(t *testing.T) {
	defer check.Recover(t)
	const (
		batch   = 512
		minReps = 5
		maxReps = 200
	)
	sizes := []int{1000, 31623, 1000000}
	r := check.Rand(1)

	caches := make([]*lru.Cache[int, int], len(sizes))
	next := make([]int, len(sizes))
	for i, n := range sizes {
		caches[i] = lru.New[int, int](n, nil)
		// The garbage collector would scan the growing cache again and
		// again while it fills; a few hundred MB of garbage is cheaper.
		gc := debug.SetGCPercent(-1)
		err := fill(caches[i], n)
		debug.SetGCPercent(gc)
		if err != nil {
			t.Fatal(err)
		}
		next[i] = n
	}
	runtime.GC() // start timing with no collection pending

	// Alternate the sizes so that all see the same machine; keep the best
	// batch of each, since noise only ever adds time. Stop as soon as every
	// size has been seen keeping up.
	best := make([]time.Duration, len(sizes))
	givenUp := make([]time.Duration, len(sizes)) // fastest per operation of a stopped batch
	for i := range best {
		best[i], givenUp[i] = 1<<62, 1<<62
	}
	ratio := func(i, j int) float64 { return float64(best[j]) / float64(best[i]) }
	fine := func() bool {
		return ratio(0, 1) <= stepLimit && ratio(1, 2) <= stepLimit && ratio(0, 2) <= totalLimit
	}
	reps := 0
	measuring := time.Now()
	for reps < minReps || !fine() {
		if reps >= maxReps || reps >= minReps && time.Since(measuring) > 3*time.Second {
			break
		}
		reps++
		for i := range sizes {
			budget := time.Hour
			if i > 0 {
				budget = time.Duration(stepLimit * float64(best[i-1]))
			}
			d, done, ok := runOps(caches[i], workload(r, &next[i], sizes[i], batch), budget)
			if ok {
				best[i] = min(best[i], d)
			} else {
				givenUp[i] = min(givenUp[i], d/time.Duration(done))
			}
		}
	}
	if fine() {
		return
	}
	per := func(i int) string {
		if best[i] < 1<<62 {
			return fmt.Sprintf("%v", best[i]/batch)
		}
		return fmt.Sprintf("no batch finished within %v× the smaller cache's time (the fastest stopped batch took %v per operation)", stepLimit, givenUp[i])
	}
	t.Fatal(check.Mismatch(fmt.Sprintf(
		"time per operation in full caches of %d, %d and %d entries (best of %d batches of %d operations: Gets and overwrites of recent keys, Puts of new keys, which evict, Gets, Peeks and Removes of any key, each Remove followed by a Put of that key, and Len): Get, Peek, Put, eviction, Remove and Len must be O(1), independent of the number of entries; a scan of the entries makes each size about 32 times slower than the one before",
		sizes[0], sizes[1], sizes[2], reps, batch),
		fmt.Sprintf("at most %v× slower from one size to the next and %v× from the smallest to the largest", stepLimit, totalLimit),
		fmt.Sprintf("%s, %s and %s per operation", per(0), per(1), per(2))))
}
