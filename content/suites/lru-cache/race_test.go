//go:build dslearnsuite

package lru_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dslearn/dslearn/exercises/lru-cache"
	"github.com/dslearn/dslearn/internal/check"
)

// This file's name sorts last, so that its test runs after the others: a
// cache without locking can crash the whole test binary here ("concurrent
// map writes"), and the other checks should have had their say by then.

func TestSafeForConcurrentUse(t *testing.T) {
	defer check.Recover(t)
	const (
		workers   = 4
		perWorker = 3000
		capacity  = 64
	)
	var (
		mu       sync.Mutex
		evicted  = map[int]int{}
		badValue error
	)
	c := lru.New[int, int](capacity, func(k, v int) {
		mu.Lock()
		defer mu.Unlock()
		evicted[k]++
		if v != 10*k && badValue == nil {
			badValue = check.Mismatch(fmt.Sprintf("value passed to onEvict for key %d", k), 10*k, v)
		}
	})
	removed := make([][]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = check.Safely(func() error {
				r := check.Rand(uint64(w + 1))
				// Each worker puts its own keys, each exactly once, so every
				// key put must end evicted, removed or present: once.
				for i := 0; i < perWorker; i++ {
					k := w*perWorker + i
					c.Put(k, 10*k)
					old := w*perWorker + r.IntN(i+1)
					switch r.IntN(6) {
					case 0, 1:
						if v, ok := c.Get(old); ok && v != 10*old {
							return check.Mismatch(fmt.Sprintf("Get(%d) while other goroutines use the cache", old), 10*old, v)
						}
					case 2:
						c.Peek(old)
					case 3:
						if c.Remove(old) {
							removed[w] = append(removed[w], old)
						}
					case 4:
						if n := c.Len(); n > capacity {
							return check.Mismatch("Len() while other goroutines use the cache", fmt.Sprintf("at most %d", capacity), n)
						}
					default:
						if len(c.Keys()) > capacity {
							return fmt.Errorf("Keys() returned more than %d keys while other goroutines used the cache", capacity)
						}
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if badValue != nil {
		t.Fatal(badValue)
	}
	fate := map[int]int{}
	for k, n := range evicted {
		fate[k] += n
	}
	for _, rs := range removed {
		for _, k := range rs {
			fate[k]++
		}
	}
	keys := c.Keys()
	if len(keys) != c.Len() {
		t.Fatal(check.Mismatch("len(Keys()) after concurrent use", c.Len(), len(keys)))
	}
	for _, k := range keys {
		fate[k]++
	}
	for k := 0; k < workers*perWorker; k++ {
		if fate[k] != 1 {
			t.Fatalf("%d goroutines each put %d keys of their own, once each, into a cache of capacity %d (with Gets, Peeks and Removes mixed in); afterwards key %d had had %d onEvict calls and %d Removes that returned true, and present in Keys(): %v; every key put must end up exactly one of evicted (one onEvict call), removed or present",
				workers, perWorker, capacity, k, evicted[k], fate[k]-evicted[k]-btoi(slices.Contains(keys, k)), slices.Contains(keys, k))
		}
	}
}

// together runs f(0..n-1) in n goroutines released at once, and returns the
// first error or panic.
func together(n int, f func(w int) error) error {
	start := make(chan struct{})
	errs := make(chan error, n)
	for w := 0; w < n; w++ {
		go func() {
			<-start
			errs <- check.Safely(func() error { return f(w) })
		}()
	}
	close(start)
	var first error
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// The goroutines of each phase below share no lock but the cache's, so the
// race detector reports any two of their accesses to the cache's memory that
// the cache does not order, however the goroutines happen to be scheduled.
func TestReadsAreSafeForConcurrentUse(t *testing.T) {
	defer check.Recover(t)
	const (
		capacity = 64
		workers  = 4
		perOps   = 500
	)
	c := lru.New[int, int](capacity, nil)
	for k := 0; k < capacity; k++ {
		c.Put(k, 10*k)
	}
	// Only Gets, from several goroutines at once: a hit moves its entry to
	// the front, so Get writes, and Gets must exclude each other (a read
	// lock is not enough).
	if err := together(workers, func(w int) error {
		r := check.Rand(uint64(w + 1))
		for i := 0; i < perOps; i++ {
			k := r.IntN(capacity)
			if v, ok := c.Get(k); !ok || v != 10*k {
				return check.Mismatch(fmt.Sprintf("Get(%d) while %d goroutines call only Get on a full cache of capacity %d", k, workers, capacity), fmt.Sprintf("%d, true", 10*k), fmt.Sprintf("%d, %v", v, ok))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Peeks and Lens while one goroutine Puts: Peek changes nothing, but it
	// reads what Put writes, so it needs the lock too. The goroutines that
	// Peek call nothing else, so that no other call orders them after a Put.
	if err := together(workers, func(w int) error {
		r := check.Rand(uint64(100 + w))
		for i := 0; i < perOps; i++ {
			k := r.IntN(2 * capacity)
			switch {
			case w == 0:
				c.Put(k, 10*k)
			case w == 1:
				if n := c.Len(); n > capacity {
					return check.Mismatch("Len() while another goroutine calls Put", fmt.Sprintf("at most %d", capacity), n)
				}
			default:
				if v, ok := c.Peek(k); ok && v != 10*k {
					return check.Mismatch(fmt.Sprintf("Peek(%d) while another goroutine calls Put", k), fmt.Sprintf("%d, true or 0, false", 10*k), fmt.Sprintf("%d, %v", v, ok))
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentCallsOnTheSameKeysKeepTheCacheConsistent(t *testing.T) {
	defer check.Recover(t)
	// Several goroutines Put, Get and Remove the same keys at once. Each
	// call is one atomic step, so afterwards no key is listed twice,
	// Len() is the number of keys listed, every value is one that was
	// put, and of several goroutines removing one present key exactly one
	// is told it was there.
	const workers, keys, rounds = 8, 100, 150
	for round := range rounds {
		capacity := []int{keys / 2, keys, 2 * keys}[round%3]
		c := lru.New[int, int](capacity, nil)
		if err := together(workers, func(w int) error {
			for i := range keys {
				k := (i * 7) % keys // every goroutine the same key at the same step
				c.Put(k, 10*k)
				if v, ok := c.Get((k + 1) % keys); ok && v != 10*((k+1)%keys) {
					return check.Mismatch(fmt.Sprintf("Get(%d) while %d goroutines put the same keys", (k+1)%keys, workers), 10*((k+1)%keys), v)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("round %d: %d goroutines each put keys 0..%d (value 10·key) into one cache of capacity %d at the same time", round, workers, keys-1, capacity)
		ks := c.Keys()
		seen := map[int]bool{}
		for _, k := range ks {
			if seen[k] {
				t.Fatalf("%s; afterwards Keys() lists key %d twice: %v (a check for the key and the insert must be one step under one lock)", what, k, ks)
			}
			seen[k] = true
			if v, ok := c.Peek(k); !ok || v != 10*k {
				t.Fatal(check.Mismatch(fmt.Sprintf("%s; afterwards Peek(%d) of a listed key", what, k), fmt.Sprintf("%d, true", 10*k), fmt.Sprintf("%d, %v", v, ok)))
			}
		}
		if n := c.Len(); n != len(ks) || n > capacity {
			t.Fatal(check.Mismatch(what+"; afterwards Len() and len(Keys())", fmt.Sprintf("equal, at most %d", capacity), fmt.Sprintf("%d and %d", n, len(ks))))
		}
		if len(ks) == 0 {
			continue
		}
		k := ks[round%len(ks)]
		var told atomic.Int32
		if err := together(workers, func(int) error {
			if c.Remove(k) {
				told.Add(1)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := told.Load(); n != 1 {
			t.Fatalf("%s; then %d goroutines call Remove(%d) at once on the present key: %d of them got true, exactly one must (a lookup and the unlink must be one step under one lock)", what, workers, k, n)
		}
	}
}
