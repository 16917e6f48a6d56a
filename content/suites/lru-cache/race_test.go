//go:build dslearnsuite

package lru_test

import (
	"fmt"
	"slices"
	"sync"
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
