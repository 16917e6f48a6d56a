//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The bound the lesson states: once faults stop (every node up, the
// network healed, nothing lost; delays at most MaxDelay = D ticks):
// a client that submits its command to whichever node leads (again to each
// new leader, since an entry of an older term commits only with one of the
// new term, rule L7) sees it committed within commitBound ticks.
func commitBound(cfg raft.Config, d int) int {
	return 4*cfg.ElectionTimeoutMax + 2*cfg.HeartbeatInterval + 4*(d+1)
}

func TestAfterFaultsStopACommandCommitsWithinTheBound(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, defaultRuns, func(r *rand.Rand) error {
		n := []int{1, 3, 5}[r.IntN(3)]
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(3), DuplicateRate: []float64{0, 0.03, 0.1}[r.IntN(3)], MaxExtraCopies: 2}
		cfg := randomConfig(r, netCfg.MaxDelay)
		c := newCluster(r, randomIDs(r, n), cfg, netCfg)
		c.restoreP = 0.1
		d := netCfg.MaxDelay
		for round := range 2 {
			if err := runChaos(c, r, heavy(r), 60+r.IntN(60)); err != nil {
				return err
			}
			if err := c.stopFaults(); err != nil {
				return err
			}
			start := c.net.Now()
			cmd := fmt.Sprintf("after faults %d", round)
			from := len(c.committed)
			type try struct {
				l    id
				term int
			}
			tried := map[try]bool{}
			var tries []string
			done := func() bool {
				if c.err != nil {
					return true
				}
				for _, e := range c.committed[from:] {
					if e.Command == cmd {
						return true
					}
				}
				if l, ok := c.leader(); ok {
					term, _ := c.nodes[l].inc.node.State()
					if !tried[try{l, term}] {
						tried[try{l, term}] = true
						if idx, _, ok := c.submit(l, cmd); ok {
							tries = append(tries, fmt.Sprintf("tick %d: to node %d, leader of term %d (index %d)", c.net.Now(), l, term, idx))
						}
					}
				}
				return false
			}
			if !c.net.RunUntil(done, commitBound(cfg, d)) {
				return c.failf("round %d: faults stopped at tick %d (every node restarted from its Storage, network healed, no more losses); %q was submitted to each new leader: %v\n"+
					"expected: committed within 4 × ElectionTimeoutMax + 2 × HeartbeatInterval + 4 × (MaxDelay+1) = %d ticks\nactual:   not committed after %d ticks",
					round+1, start, cmd, tries, commitBound(cfg, d), c.net.Now()-start)
			}
			if err := c.check(); err != nil {
				return err
			}
		}
		return nil
	})
}
