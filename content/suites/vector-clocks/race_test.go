//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// This file runs last: a data race makes the race detector fail the test,
// and a crash here must not hide the results of the other tests.

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	defer check.Recover(t)
	// A lock around only part of an update loses a call only when another
	// goroutine runs in between, so the run is repeated on fresh clocks.
	const workers, calls, rounds = 6, 200, 40
	for range rounds {
		if err := concurrentRound(workers, calls); err != nil {
			t.Fatal(err)
		}
	}
}

// concurrentRound has workers goroutines make calls calls each on one
// New("a") and checks that every call was one atomic step.
func concurrentRound(workers, calls int) error {
	c := vclock.New("a")
	own := make([][]uint64, workers) // entry a of every VC a goroutine got back
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = check.Safely(func() error {
				peer := fmt.Sprintf("g%d", w)
				for i := range calls {
					var got vclock.VC
					switch (w + i) % 3 {
					case 0:
						got = c.Tick()
					case 1:
						got = c.Send()
					default:
						got = c.Receive(vclock.VC{peer: uint64(i)})
					}
					own[w] = append(own[w], got["a"])
					// Read every snapshot while other goroutines change the
					// clock: fine for copies, a data race for shared maps.
					sum := uint64(0)
					for _, v := range got {
						sum += v
					}
					for _, v := range c.Now() {
						sum += v
					}
					_ = sum
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	total := workers * calls
	what := fmt.Sprintf(`%d goroutines each made %d calls of Tick, Send and Receive on one shared New("a")`, workers, calls)
	for _, seq := range own {
		for i := 1; i < len(seq); i++ {
			if seq[i] <= seq[i-1] {
				return check.Mismatch(what+fmt.Sprintf("; entry a of the VCs one goroutine got back did not increase (call %d, then call %d)", i, i+1),
					fmt.Sprintf("more than %d", seq[i-1]), seq[i])
			}
		}
	}
	all := slices.Concat(own...)
	slices.Sort(all)
	for i, v := range all {
		if v != uint64(i+1) {
			return check.Mismatch(what+fmt.Sprintf("; each call adds exactly one to entry a, so together they must return every value of a from 1 to %d exactly once (a lost or doubled increment means two calls were not atomic)", total),
				fmt.Sprintf("a:%d returned once", i+1), fmt.Sprintf("values around it: %v", all[max(0, i-2):min(len(all), i+3)]))
		}
	}
	want := vclock.VC{"a": uint64(total)}
	for w := range workers {
		// The largest i with (w+i)%3 == 2 below calls.
		last := calls - 1
		for (w+last)%3 != 2 {
			last--
		}
		want[fmt.Sprintf("g%d", w)] = uint64(last)
	}
	if now := c.Now(); !same(now, want) {
		return check.Mismatch(what+"; Now() afterwards (entry gN is the largest value goroutine N sent)", show(want), show(now))
	}
	return nil
}

func TestCompareAndMergeMayShareArgumentsAcrossGoroutines(t *testing.T) {
	defer check.Recover(t)
	a, b := vc("a:3 b:1 c:0"), vc("a:1 b:4 d:2")
	want := mergeModel(a, b)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = check.Safely(func() error {
				for range 100 {
					if got := vclock.Compare(a, b); got != vclock.Concurrent {
						return check.Mismatch(fmt.Sprintf("Compare(%s, %s), called from several goroutines at once", show(a), show(b)), vclock.Concurrent, got)
					}
					if got := vclock.Merge(a, b); !same(got, want) {
						return check.Mismatch(fmt.Sprintf("Merge(%s, %s), called from several goroutines at once", show(a), show(b)), show(want), show(got))
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
}
