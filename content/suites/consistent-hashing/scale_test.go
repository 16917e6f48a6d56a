//go:build dslearnsuite

package hashring_test

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	hashring "github.com/dslearn/dslearn/exercises/consistent-hashing"
	"github.com/dslearn/dslearn/internal/check"
)

func TestGetTakesLogarithmicTime(t *testing.T) {
	defer check.Recover(t)
	const (
		smallNodes, smallReplicas = 10, 10   // 100 virtual nodes
		largeNodes, largeReplicas = 1000, 50 // 50,000 virtual nodes
		allowed                   = 20       // binary search: about 2.3×
	)
	build := func(nodes, replicas int) *hashring.Ring {
		names := make([]string, nodes)
		for i := range names {
			names[i] = fmt.Sprintf("node-%d", i)
		}
		ring := hashring.New(replicas, mixHash)
		ring.Add(names...) // one call: one sort
		return ring
	}
	small := build(smallNodes, smallReplicas)
	large := build(largeNodes, largeReplicas)
	keys := randomKeys(check.Rand(11), 200)
	sink := 0
	// perGet times one pass over keys and returns the time per Get. Short
	// passes are rarely interrupted by the machine's other work.
	perGet := func(ring *hashring.Ring) time.Duration {
		start := time.Now()
		for _, k := range keys {
			sink += len(ring.Get(k))
		}
		return time.Since(start) / time.Duration(len(keys))
	}
	// The fastest of several repetitions is the least disturbed. Stop as
	// soon as the ratio is clearly fine, or far too large to be noise.
	bestSmall, bestLarge := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for rep := range 15 {
		bestSmall = min(bestSmall, perGet(small))
		bestLarge = min(bestLarge, perGet(large))
		if rep >= 2 && bestLarge <= allowed*bestSmall || bestLarge > 10*allowed*bestSmall {
			break
		}
	}
	if sink == 0 {
		t.Fatal("Get returned only empty names on non-empty rings")
	}
	t.Logf("Get: %v per call with %d virtual nodes, %v with %d", bestSmall, smallNodes*smallReplicas, bestLarge, largeNodes*largeReplicas)
	if bestLarge > allowed*bestSmall {
		ratio := float64(bestLarge) / float64(max(bestSmall, 1))
		t.Fatal(check.Mismatch(fmt.Sprintf("Get must find the virtual node by binary search, O(log V): a ring of %d virtual nodes should answer about log2(%d)/log2(%d) ≈ %.1f× as slowly as a ring of %d (the check allows %d×)\n  %d virtual nodes: %v per Get\n  %d virtual nodes: %v per Get\nslowdown",
			largeNodes*largeReplicas, largeNodes*largeReplicas, smallNodes*smallReplicas,
			math.Log2(largeNodes*largeReplicas)/math.Log2(smallNodes*smallReplicas), smallNodes*smallReplicas, allowed,
			smallNodes*smallReplicas, bestSmall, largeNodes*largeReplicas, bestLarge),
			fmt.Sprintf("at most %d×", allowed), fmt.Sprintf("%.0f×", ratio)))
	}
}

func TestRingIsSafeForConcurrentUse(t *testing.T) {
	defer check.Recover(t)
	base := []string{"a", "b", "c", "d"}
	ring := hashring.New(20, mixHash)
	ring.Add(base...)
	keys := randomKeys(check.Rand(5), 200)
	want, err := owners(ring, keys)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := check.Safely(f); err != nil {
				errs <- err
			}
		}()
	}
	for w := range 2 {
		run(func() error {
			for i := range 60 {
				x := fmt.Sprintf("extra-%d-%d", w, i%5)
				ring.Add(x)
				ring.Remove(x)
			}
			return nil
		})
	}
	for g := range 4 {
		run(func() error {
			for i := range 400 {
				k := keys[(i*7+g)%len(keys)]
				if got := ring.Get(k); got == "" {
					return fmt.Errorf("while other goroutines added and removed nodes, Get(%q) returned \"\" although a, b, c, d stayed on the ring", k)
				}
				got := ring.GetN(k, 3)
				if len(got) != 3 || got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
					return check.Mismatch(fmt.Sprintf("while other goroutines added and removed nodes, GetN(%q, 3)", k), "3 distinct nodes", show(got))
				}
				if n := len(ring.Nodes()); n < len(base) || n > len(base)+2 {
					return check.Mismatch("while two goroutines each added and removed one extra node at a time, len(Nodes())", "between 4 and 6", n)
				}
			}
			return nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := ring.Nodes(); !slices.Equal(got, base) {
		t.Fatal(check.Mismatch("after concurrent Add/Remove pairs of extra nodes: Nodes()", show(base), show(got)))
	}
	after, err := owners(ring, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if after[k] != want[k] {
			t.Fatal(check.Mismatch(fmt.Sprintf("after concurrent Add/Remove pairs of extra nodes, every key is back with its owner: Get(%q)", k), show(want[k]), show(after[k])))
		}
	}
}
