//go:build dslearnsuite

package tokenbucket_test

import (
	"sync/atomic"
	"testing"

	"github.com/dslearn/dslearn/exercises/token-bucket"
	"github.com/dslearn/dslearn/internal/check"
)

// This check runs many goroutines against one limiter for many calls, so
// that two calls contend for its lock as often as they can. It is in the
// file whose name sorts last.

func TestABucketThatNeverRunsOutAdmitsEveryConcurrentCall(t *testing.T) {
	defer check.Recover(t)
	// Eight goroutines make 2,000 calls each at one instant on a bucket of
	// a billion tokens: none may be refused. Each call is one step under
	// the lock, so a busy lock means waiting for it, never a refusal.
	const workers, calls, burst = 8, 2000, 1_000_000_000
	lim := tokenbucket.New(1, burst)
	now := baseTime(check.Rand(1))
	var refused atomic.Int64
	start := make(chan struct{})
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			<-start
			errs <- check.Safely(func() error {
				for i := range calls {
					ok := false
					if (w+i)%2 == 0 {
						ok = lim.Allow(now)
					} else {
						ok = lim.AllowN(now, 3)
					}
					if !ok {
						refused.Add(1)
					}
				}
				return nil
			})
		}()
	}
	close(start)
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := refused.Load(); n != 0 {
		t.Fatalf("New(1, %d), all calls at one instant: %d goroutines made %d calls each of Allow and AllowN(now, 3), at most %d tokens in all, and %d calls were refused; a bucket that holds enough tokens admits every call (wait for a busy lock, do not give up on it)",
			burst, workers, calls, workers*calls*3, n)
	}
}
