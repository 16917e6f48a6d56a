//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/internal/check"
)

// latencyBound is the longest an operation may take, from the tick its
// client first sends it to the tick the answer arrives, once every server
// knows the leader and every message takes exactly one tick, with no loss:
// a round trip to a follower that names the leader (2), the request to the
// leader (1), at most HeartbeatInterval-1 ticks until the entry leaves with
// the leader's next AppendEntries, a round trip to the followers (2) and the
// reply (1): HeartbeatInterval+5 at worst, and two ticks of slack.
const latencyBound = heartbeat + 7

func TestEveryOperationCompletesWithinABoundOnAStableNetwork(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 4, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, 0)
		if err != nil {
			return err
		}
		var hist []*record
		keys := pickKeys(r, 3)
		var clients []*client
		cids := clientIDs(r, 5)
		for i := range 5 {
			rng := subRand(r)
			// No retry on a timeout: every answer must come on its own.
			c := cl.addClient(i, cids[i], 1, rng, 1<<30, &hist, workloadOps(rng, i, 12, keys, false))
			c.think = 3
			clients = append(clients, c)
		}
		cl.net.RunUntil(func() bool {
			for _, c := range clients {
				if !c.idle() || c.err != nil {
					return c.err != nil
				}
			}
			return true
		}, 30*latencyBound*len(clients))
		if cl.err != nil {
			return cl.err
		}
		for _, h := range hist {
			if !h.done {
				return fmt.Errorf("%d servers, leader %d known to all, messages take one tick, nothing lost; five clients, one request at a time each: %s\n(every operation completes within %d ticks here)\n%s", n, lead, h, latencyBound, cl.diagram())
			}
			if h.ret-h.call > latencyBound {
				return fmt.Errorf("%d servers, leader %d known to all, messages take one tick, nothing lost; five clients, one request at a time each: %s: it took %d ticks; with HeartbeatInterval %d every operation completes within %d (a round trip to a follower that names the leader, one to the leader, at most HeartbeatInterval ticks until the next AppendEntries carries the entry, one round trip to a majority)\n%s",
					n, lead, h, h.ret-h.call, heartbeat, latencyBound, cl.diagram())
			}
		}
		for _, c := range clients {
			if c.err != nil {
				return c.err
			}
		}
		return linearizable(t.Name(), fmt.Sprintf("%d servers, stable network", n), hist)
	})
}
