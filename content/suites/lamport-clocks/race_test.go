//go:build dslearnsuite

package lamport_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// This file runs last: a data race makes the race detector fail the test,
// and a crash here must not hide the results of the other tests.

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	defer check.Recover(t)
	// A lock around only part of an update loses a call only when another
	// goroutine runs in between, so the run is repeated on fresh clocks.
	const workers, calls, rounds = 8, 300, 80
	for range rounds {
		if err := concurrentRound(workers, calls); err != nil {
			t.Fatal(err)
		}
	}
}

// concurrentRound has workers goroutines make calls calls each on one
// fresh Clock and checks that every call was one atomic step.
func concurrentRound(workers, calls int) error {
	var c lamport.Clock
	got := make([][]uint64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = check.Safely(func() error {
				for i := range calls {
					// Receive(0) ticks exactly like Tick and Send, so every
					// call adds exactly one, whatever the interleaving.
					switch (w + i) % 3 {
					case 0:
						got[w] = append(got[w], c.Tick())
					case 1:
						got[w] = append(got[w], c.Send())
					default:
						got[w] = append(got[w], c.Receive(0))
					}
					c.Now()
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
	what := fmt.Sprintf("%d goroutines each made %d calls of Tick, Send and Receive(0) on one shared Clock", workers, calls)
	for _, times := range got {
		for i := 1; i < len(times); i++ {
			if times[i] <= times[i-1] {
				return check.Mismatch(what+fmt.Sprintf("; one goroutine's calls returned times that did not increase (call %d, then call %d)", i, i+1),
					fmt.Sprintf("more than %d", times[i-1]), times[i])
			}
		}
	}
	all := slices.Concat(got...)
	slices.Sort(all)
	for i, v := range all {
		if v != uint64(i+1) {
			return check.Mismatch(what+"; each call adds exactly one, so together they must return every time from 1 to "+fmt.Sprint(total)+" exactly once (a lost or doubled increment means two calls were not atomic)",
				fmt.Sprintf("time %d returned once", i+1), fmt.Sprintf("times around %d: %v", i+1, all[max(0, i-2):min(len(all), i+3)]))
		}
	}
	if now := c.Now(); now != uint64(total) {
		return check.Mismatch(what+"; Now() afterwards", total, now)
	}
	return nil
}
