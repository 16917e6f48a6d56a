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

// storageBound is the most a Storage may hold for a log: a constant plus,
// per entry, a few dozen bytes and six per command byte (enough for any
// reasonable encoding, JSON's \u escapes included). A Storage that keeps
// growing while the log does not (a history of states, a log appended to
// itself) goes beyond it.
func storageBound(log []raft.Entry) int {
	n := 256
	for _, e := range log {
		n += 48 + 6*len(e.Command)
	}
	return n
}

func TestALongRunWithAboutAHundredRestartsKeepsEveryGuaranteeAndTheStorageSmall(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 1, func(r *rand.Rand) error {
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: 1 + r.IntN(2), DropRate: 0.02, DuplicateRate: 0.03, MaxExtraCopies: 2}
		c := newCluster(r, randomIDs(r, 5), raft.DefaultConfig(), netCfg)
		c.light, c.restoreP, c.shortCommands = true, 0.01, true
		f := faults{crash: 0.07, replyCrash: 0.004, tickCrash: 0.015, crashAll: 0.001, maxDown: 15,
			partition: 0.005, block: 0.01, pause: 0.005, submit: 0.6}
		const ticks, every = 1200, 200
		restarts := func() int {
			n := 0
			for _, x := range c.ids {
				n += c.nodes[x].restart
			}
			return n
		}
		for step := 0; step < ticks; step += every {
			if err := runChaos(c, r, f, every); err != nil {
				return fmt.Errorf("a run of %d ticks with %d restarts and %d commands so far:\n%w", c.net.Now(), restarts(), c.submitted, err)
			}
			for _, x := range c.ids {
				m := c.nodes[x]
				log := m.inc.node.Log()
				if size, most := m.store.Size(), storageBound(log); size > most {
					return c.failf("after tick %d node %d's Storage holds %d bytes for a log of %d entries (%d bytes of commands); "+
						"the Storage holds currentTerm, votedFor and the log, replaced as a whole by each Save (rule P1): expected at most %d bytes",
						c.net.Now(), x, size, len(log), commandBytes(log), most)
				}
			}
		}
		// The run must have been what it claims: many restarts and commands.
		if restarts() < 60 || len(c.committed) < 300 {
			return c.failf("after %d ticks with faults, %d restarts and %d commands submitted, only %d entries were committed (expected at least 300 on a cluster of five that is mostly up)",
				ticks, restarts(), c.submitted, len(c.committed))
		}
		return nil
	})
}

func commandBytes(log []raft.Entry) int {
	n := 0
	for _, e := range log {
		n += len(e.Command)
	}
	return n
}
