//go:build dslearnsuite

package raft_test

import (
	"errors"
	"fmt"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The explored cluster: nodes 1, 2 and 3; node 1 times out after exactly
// two ticks, the others never within the exploration, so node 1 runs for
// leader (again and again if messages are lost); the command "x" is
// submitted to the first leader as soon as it leads.
const (
	exploreTicks     = 12
	exploreHeartbeat = 2
)

func exploreConfig(x id) raft.Config {
	c := raft.Config{ElectionTimeoutMin: 2, ElectionTimeoutMax: 2, HeartbeatInterval: exploreHeartbeat, Seed: uint64(x)}
	if x != 1 {
		c.ElectionTimeoutMin, c.ElectionTimeoutMax = 100, 100
	}
	return c
}

// explore runs the tiny cluster along every path within opts, checking the
// five guarantees (and every call against the rules) after every tick; with
// mustCommit, every path must end with "x" applied on every node.
func explore(opts simnet.ExploreOptions, maxDelay int, mustCommit bool) (simnet.ExploreReport, error) {
	var c *cluster
	submitted := false
	setup := func() *simnet.Network[wire] {
		c = newClusterWith(check.Rand(1), []id{1, 2, 3}, timing{min: 2, max: 100, h: exploreHeartbeat}, simnet.Config{MaxDelay: maxDelay}, exploreConfig)
		submitted = false
		return c.net
	}
	checkPath := func(n *simnet.Network[wire]) error {
		if err := c.observe(); err != nil {
			return err
		}
		if !submitted {
			if _, role := c.twins[1].node.State(); role == raft.Leader {
				c.twins[1].Submit("x")
				submitted = true
				if err := c.twins[1].err; err != nil {
					return err
				}
			}
		}
		if n.Now() == opts.Ticks && mustCommit {
			for _, x := range c.ids {
				if c.appliedBy[x] < 1 {
					return fmt.Errorf("after %d ticks node %d has not applied \"x\", submitted to leader 1 when it won: with at most one message lost or duplicated, "+
						"the leader's next rounds (every %d ticks) carry it until a majority has it (L2, L5, L7), and then the new LeaderCommit (L4)",
						opts.Ticks, x, exploreHeartbeat)
				}
			}
		}
		return nil
	}
	return simnet.ExploreWithReport(opts, setup, checkPath)
}

func exploreFailure(err error, what string) string {
	var ee *simnet.ExploreError
	if errors.As(err, &ee) {
		// The replay command runs the exploration again, which is
		// deterministic and reaches the same path first.
		return fmt.Sprintf("%s: on one explored path, %v\n(explored path %d, at tick %d; AE = AppendEntries, RV = RequestVote)\n%s\n%s%d",
			what, ee.Err, ee.Path, ee.Tick, ee.Diagram, check.SeedMarker, ee.Path)
	}
	return fmt.Sprintf("%s: %v", what, err)
}

// TestEveryDeliveryOrderOfATinyClusterKeepsTheGuarantees explores every
// order of delivery of a three-node cluster in which node 1 is elected and
// replicates one command, with one message lost at every possible point,
// or one duplicated, or delays of 0 or 1 tick. The five guarantees and
// every rule hold on every path, and the command ends applied everywhere.
// The exploration must finish (it fails if it reaches its path cap).
func TestEveryDeliveryOrderOfATinyClusterKeepsTheGuarantees(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		name       string
		opts       simnet.ExploreOptions
		maxDelay   int
		mustCommit bool
	}{
		{"one message lost", simnet.ExploreOptions{Ticks: exploreTicks, MaxDrops: 1, MaxPaths: 20000}, 0, true},
		{"one message duplicated", simnet.ExploreOptions{Ticks: exploreTicks - 2, MaxDuplicates: 1, MaxPaths: 20000}, 0, true},
		{"every delay of 0 or 1 tick (the first 9 choices of each path)", simnet.ExploreOptions{Ticks: exploreTicks, MaxDepth: 9, MaxPaths: 20000}, 1, false},
	}
	for _, tc := range cases {
		rep, err := explore(tc.opts, tc.maxDelay, tc.mustCommit)
		if err != nil {
			t.Fatal(exploreFailure(err, fmt.Sprintf("every order of delivery of a 3-node cluster electing node 1 and replicating one command, %s", tc.name)))
		}
		if !rep.Complete {
			t.Fatalf("the exploration (%s) stopped after %d paths without trying them all", tc.name, rep.Paths)
		}
		t.Logf("%s: %d paths", tc.name, rep.Paths)
	}
}
