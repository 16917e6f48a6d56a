package hb

import (
	"testing"

	"github.com/dslearn/dslearn/internal/check"
)

// The oracle itself must be right: happened-before is a strict partial
// order containing program order and every send-before-receive.
func TestHappenedBeforeIsTheSmallestOrderOfTheExecution(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		x := RandomExecution(check.Rand(seed), 3, 24)
		n := len(x.Events)
		lastOf := map[int]int{}
		sendOf := map[int]int{}
		for j, e := range x.Events {
			if x.HappenedBefore(j, j) {
				t.Fatalf("seed %d: event %d happened before itself", seed, j)
			}
			if i, ok := lastOf[e.Proc]; ok && !x.HappenedBefore(i, j) {
				t.Fatalf("seed %d: program order %d → %d missing", seed, i, j)
			}
			lastOf[e.Proc] = j
			switch e.Kind {
			case Send:
				sendOf[e.Msg] = j
			case Receive:
				if !x.HappenedBefore(sendOf[e.Msg], j) {
					t.Fatalf("seed %d: send %d → receive %d missing", seed, sendOf[e.Msg], j)
				}
			}
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if x.HappenedBefore(i, j) && x.HappenedBefore(j, i) {
					t.Fatalf("seed %d: %d and %d each happened before the other", seed, i, j)
				}
				for k := 0; k < n; k++ {
					if x.HappenedBefore(i, j) && x.HappenedBefore(j, k) && !x.HappenedBefore(i, k) {
						t.Fatalf("seed %d: not transitive at %d → %d → %d", seed, i, j, k)
					}
				}
			}
		}
	}
}
