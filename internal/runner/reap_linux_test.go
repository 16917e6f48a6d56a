//go:build linux

package runner

import (
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAConcurrentCheckNeverReapsAProcessJustStarted: when one check ends,
// it ends every orphan dslearn adopted during its run. A process another
// check has just started (a go command compiling, a test binary) is a child
// of dslearn too; it must never be taken for an orphan, even in the instant
// between its start and its record. (This once failed a course audit: a
// `go test -c` of one exercise killed as another's orphan.)
func TestAConcurrentCheckNeverReapsAProcessJustStarted(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	enableReaper()
	if !reaper.on {
		t.Skip("cannot become a child subreaper here")
	}
	stop := make(chan struct{})
	var reaps atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // another check ending, again and again
		defer wg.Done()
		since := time.Now()
		for {
			select {
			case <-stop:
				return
			default:
			}
			reapOrphans(since)
			reaps.Add(1)
			runtime.Gosched()
		}
	}()
	var killed atomic.Int64
	var starters sync.WaitGroup
	for range 2 {
		starters.Add(1)
		go func() {
			defer starters.Done()
			for range 25 {
				cmd := exec.Command(sleep, "0.01")
				if err := startTracked(cmd); err != nil {
					t.Error(err)
					return
				}
				if err := cmd.Wait(); err != nil {
					killed.Add(1)
				}
				untrack(cmd)
			}
		}()
	}
	starters.Wait()
	close(stop)
	wg.Wait()
	if n := killed.Load(); n > 0 {
		t.Errorf("%d of 50 processes started by this package were killed as orphans (%d reaps ran meanwhile)", n, reaps.Load())
	}
	if reaps.Load() == 0 {
		t.Error("no reap ran during the test: it proved nothing")
	}
}
