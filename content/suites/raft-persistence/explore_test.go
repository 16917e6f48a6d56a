//go:build dslearnsuite

package raft_test

import (
	"errors"
	"fmt"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The explored cluster: three nodes whose election timeouts are fixed and
// different, so that the explored paths differ only in delivery orders and
// crash points.
var exploreIDs = []id{1, 2, 3}

func exploreConfig(x id) raft.Config {
	t := []int{0, 4, 7, 10}[x]
	return raft.Config{ElectionTimeoutMin: t, ElectionTimeoutMax: t, HeartbeatInterval: 2}
}

// exploreRestartAfter is how many ticks an explored crash lasts before the
// node is rebuilt from its Storage (simnet.Explore crashes nodes but never
// restarts them; the check does).
const exploreRestartAfter = 2

func TestEveryCrashPointAndDeliveryOrderOfASmallClusterKeepsEveryGuarantee(t *testing.T) {
	defer check.Recover(t)
	var c *cluster
	var down map[id]int
	var submitted map[[2]int]bool
	setup := func() *simnet.Network[raft.Msg] {
		c = newClusterWith(check.Rand(1), exploreIDs, exploreConfig, simnet.Config{})
		c.restoreP = 0 // every path already checks each restart against the state before the crash
		down = map[id]int{}
		submitted = map[[2]int]bool{}
		return c.net
	}
	checkPath := func(n *simnet.Network[raft.Msg]) error {
		if err := c.check(); err != nil {
			return err
		}
		for _, x := range c.ids {
			if n.Alive(x) {
				continue
			}
			if _, ok := down[x]; !ok {
				down[x] = n.Now()
				c.note("node %d crashed", x)
			}
			if n.Now()-down[x] >= exploreRestartAfter {
				delete(down, x)
				c.restart(x)
				if c.err != nil {
					return c.err
				}
			}
		}
		// A client submits one command to every new leader.
		if l, ok := c.leader(); ok {
			term, _ := c.nodes[l].inc.node.State()
			if k := [2]int{int(l), term}; !submitted[k] && len(submitted) < 2 {
				submitted[k] = true
				c.submit(l, fmt.Sprintf("cmd%d", len(submitted)))
			}
		}
		return c.err
	}
	opts := simnet.ExploreOptions{Ticks: 14, Crashable: exploreIDs, MaxCrashes: 1, MaxPaths: 200000}
	rep, err := simnet.ExploreWithReport(opts, setup, checkPath)
	if err != nil {
		var ee *simnet.ExploreError
		if errors.As(err, &ee) {
			t.Fatalf("on one explored path (every delivery order and every crash point of one node, crashed nodes restarted from their Storage %d ticks later), %v\n(explored path %d, at tick %d)\n%s%d",
				exploreRestartAfter, ee.Err, ee.Path, ee.Tick, check.SeedMarker, ee.Path)
		}
		t.Fatalf("exploring every delivery order and crash point: %v", err)
	}
	t.Logf("%d paths, longest %d choices", rep.Paths, rep.LongestPath)
}
