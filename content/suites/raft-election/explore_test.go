//go:build dslearnsuite

package raft_test

import (
	"errors"
	"fmt"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// explore runs a cluster of three along every path simnet.Explore can take
// within opts, comparing every call with the rules and checking election
// safety after every tick.
func explore(cfg raft.Config, ncfg simnet.Config, opts simnet.ExploreOptions) (simnet.ExploreReport, error) {
	var x *run
	setup := func() *simnet.Network[raft.Msg] {
		x = newRun(check.Rand(1), []id{1, 2, 3}, cfg, ncfg, true)
		return x.net
	}
	return simnet.ExploreWithReport(opts, setup, func(*simnet.Network[raft.Msg]) error { return x.failure() })
}

func exploreFailure(err error, what string) string {
	var ee *simnet.ExploreError
	if errors.As(err, &ee) {
		// The replay command runs the exploration again, which is
		// deterministic and reaches the same path first.
		return fmt.Sprintf("%s: on one explored path (number %d, at tick %d):\n%v\n%s%d", what, ee.Path, ee.Tick, ee.Err, check.SeedMarker, ee.Path)
	}
	return fmt.Sprintf("%s: %v", what, err)
}

// exploreConfig is the explored cluster's: nodes 1, 2 and 3, timeouts of 2
// or 3 ticks and Seed 10, with which nodes 1 and 2 both time out at tick 2
// and node 3 at tick 3, so that two candidates of term 1 race for node 3's
// vote; heartbeats every 3 ticks.
var exploreConfig = raft.Config{ElectionTimeoutMin: 2, ElectionTimeoutMax: 3, HeartbeatInterval: 3, Seed: 10}

// TestEveryDeliveryOrderKeepsEveryRuleAndOneLeaderPerTerm explores a
// cluster of three, with two candidates racing for the third vote, along
// every order in which the messages due at one tick can arrive, and also
// with any one message lost, or any one node crashed at any point: after
// every call every node follows the rules, and no term ever has two leaders.
func TestEveryDeliveryOrderKeepsEveryRuleAndOneLeaderPerTerm(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		name string
		opts simnet.ExploreOptions
	}{
		{"every delivery order, 7 ticks", simnet.ExploreOptions{Ticks: 7}},
		{"every delivery order with any one message lost, 6 ticks", simnet.ExploreOptions{Ticks: 6, MaxDrops: 1}},
		{"every delivery order with any one node crashed at any point, 6 ticks", simnet.ExploreOptions{Ticks: 6, Crashable: []id{1, 2, 3}, MaxCrashes: 1}},
	}
	for _, c := range cases {
		// The bounds make each exploration complete in under 1000 paths;
		// reaching the cap fails (ErrPathCap) rather than passing unproven.
		c.opts.MaxPaths = 2000
		if _, err := explore(exploreConfig, simnet.Config{}, c.opts); err != nil {
			t.Fatal(exploreFailure(err, fmt.Sprintf("cluster [1 2 3], ElectionTimeoutMin 2, ElectionTimeoutMax 3, HeartbeatInterval 3, Seed 10, %s", c.name)))
		}
	}
}
