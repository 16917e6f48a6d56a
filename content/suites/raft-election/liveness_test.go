//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The liveness bounds, for DefaultConfig (election timeouts of 10 to 20
// ticks, a heartbeat every 3) on a network that delivers every message
// within 1 to 3 ticks (simnet MaxDelay 2) and may duplicate it. The reference
// meets each with a wide margin on every seed the audit runs.
const (
	// electBound: once every node is up and connected and no message is
	// lost, a single leader, known to every node, within this many ticks.
	electBound = 150
	// reelectBound: after the leader crashes, with a majority still up, a
	// new leader known to every live node within this many ticks.
	reelectBound = 150
	// stableTicks: how long a leader, once elected, must keep its term
	// while nothing fails.
	stableTicks = 1000
)

// liveNet is the network of the liveness tests: delays of 0 to 2 ticks
// (reordering), duplicates, no loss of its own.
func liveNet(r *rand.Rand) simnet.Config {
	return simnet.Config{Seed: r.Uint64(), MaxDelay: 2, DuplicateRate: 0.1, MaxExtraCopies: 2}
}

func liveConfig(r *rand.Rand) raft.Config {
	cfg := raft.DefaultConfig()
	cfg.Seed = r.Uint64()
	return cfg
}

// untilLeader runs until every live node knows the same leader, for at most
// bound ticks, and returns it with the ticks it took.
func (x *run) untilLeader(bound int, why string) (id, int, error) {
	start := x.net.Now()
	for {
		if l, ok := x.leaderNow(); ok {
			return l, x.net.Now() - start, nil
		}
		if x.net.Now()-start >= bound {
			return 0, 0, x.report(fmt.Errorf("%s\nexpected: one Leader, known to every live node (State and Leader()), by tick %d\nactual:   none after %d ticks",
				why, start+bound, bound))
		}
		if err := x.tick(); err != nil {
			return 0, 0, err
		}
	}
}

// stabilize ends every fault: no loss, no partition or block, every paused
// node resumed and every crashed node restarted.
func (x *run) stabilize() {
	x.lossy = 0
	x.step("faults end: partition healed, blocks removed, no more loss; every paused node resumed and every crashed node restarted")
	x.net.Heal()
	for _, v := range x.ids {
		switch {
		case x.net.Paused(v):
			x.net.Resume(v)
		case !x.net.Alive(v):
			x.life[v]++
			x.net.Restart(v, x.build(v))
		}
	}
}

// TestASingleLeaderIsElectedWithin150TicksOnceFaultsStop runs clusters of
// 1 to 7 nodes through 200 ticks of faults (loss, partitions, one-way
// blocks, pauses, crashes and restarts), then ends them all: within 150
// ticks (DefaultConfig, MaxDelay 2) one node leads and every node knows it.
func TestASingleLeaderIsElectedWithin150TicksOnceFaultsStop(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			x := newRun(r, edgeIDs(r, n), liveConfig(r), liveNet(r), true)
			x.lossy = 0.2
			x.step("every message a node sends is lost with probability 0.2 (such a loss is not drawn)")
			if err := x.chaos(200, true); err != nil {
				return err
			}
			x.stabilize()
			if _, _, err := x.untilLeader(electBound, fmt.Sprintf(
				"Faults stopped at tick %d: every node is up, no message is lost, and each arrives within 3 ticks. Timeouts are drawn from [10, 20] at random, so candidates soon stop splitting the vote.",
				x.net.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestANewLeaderIsElectedWithin150TicksAfterTheLeaderCrashes crashes the
// leader of a settled cluster of 3 to 7 nodes (and, in half the runs, as
// many followers as leave a bare majority) again and again while a
// majority is up: each time, within 150 ticks, a new leader of a higher term
// is known to every live node.
func TestANewLeaderIsElectedWithin150TicksAfterTheLeaderCrashes(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range []int{3, 5, 7} {
			x := newRun(r, edgeIDs(r, n), liveConfig(r), liveNet(r), true)
			l, _, err := x.untilLeader(electBound, "All nodes started together on a network that loses nothing.")
			if err != nil {
				return err
			}
			down := 0
			for down+1 <= (n-1)/2 {
				if err := x.ticks(r.IntN(30)); err != nil {
					return err
				}
				term, _ := x.nodes[l].State()
				x.crash(l)
				down++
				for down+1 <= (n-1)/2 && r.IntN(2) == 0 {
					for _, v := range x.ids {
						if x.net.Alive(v) {
							x.crash(v)
							down++
							break
						}
					}
				}
				var err error
				l, _, err = x.untilLeader(reelectBound, fmt.Sprintf("The leader of term %d crashed; %d of the %d nodes are still up, a majority, and no message is lost. "+
					"Their timers run out within ElectionTimeoutMax ticks of the leader's last AppendEntries, and they elect a new leader.", term, n-down, n))
				if err != nil {
					return err
				}
				if t2, _ := x.nodes[l].State(); t2 <= term {
					return x.report(fmt.Errorf("the leader of term %d crashed; the new leader %d has term %d, expected a higher term", term, l, t2))
				}
			}
		}
		return nil
	})
}

// TestAStableLeaderKeepsItsTermAndSendsOneRoundPerHeartbeatInterval: once a
// leader is elected and nothing fails, for 1000 ticks no node starts an
// election, the leader keeps its term, it sends AppendEntries to each of the
// n-1 other peers exactly every HeartbeatInterval ticks, and each follower
// sends one AppendEntriesReply per AppendEntries it receives, nothing else.
func TestAStableLeaderKeepsItsTermAndSendsOneRoundPerHeartbeatInterval(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 2, func(r *rand.Rand) error {
		for _, n := range modelSizes {
			cfg := liveConfig(r)
			cfg.HeartbeatInterval = 1 + r.IntN(4)
			x := newRun(r, edgeIDs(r, n), cfg, simnet.Config{Seed: r.Uint64(), MaxDelay: 2}, false)
			l, _, err := x.untilLeader(electBound, "All nodes started together on a network that loses nothing.")
			if err != nil {
				return err
			}
			if err := x.ticks(5); err != nil { // the winning election's last messages
				return err
			}
			term, _ := x.nodes[l].State()
			x.count()
			h := cfg.HeartbeatInterval
			last := -1
			for i := 0; i < stableTicks; i++ {
				before := x.sentBy[l][raft.AppendEntries]
				if err := x.tick(); err != nil {
					return err
				}
				if sent := x.sentBy[l][raft.AppendEntries] - before; sent != 0 {
					if sent != n-1 || (last >= 0 && x.net.Now()-last != h) {
						return x.report(fmt.Errorf("Leader %d of term %d, HeartbeatInterval %d, nothing failing: a round of AppendEntries to each of the %d other peers every %d ticks (rule E7); "+
							"at tick %d it sent %d AppendEntries, %d ticks after its previous round", l, term, h, n-1, h, x.net.Now(), sent, x.net.Now()-last))
					}
					last = x.net.Now()
				}
				if lead, ok := x.leaderNow(); !ok || lead != l {
					return x.report(fmt.Errorf("Leader %d of term %d was known to every node and nothing failed since; %d ticks later that changed: "+
						"its AppendEntries reach every follower every %d+2 ticks at most, less than ElectionTimeoutMin = %d, so no timer runs out", l, term, i+1, h, cfg.ElectionTimeoutMin))
				}
			}
			for _, v := range x.ids {
				if v == l {
					continue
				}
				for k, c := range x.sentBy[v] {
					if k != raft.AppendEntriesReply && c > 0 {
						return x.report(fmt.Errorf("follower %d, with a stable leader and nothing failing, sent %d %v in %d ticks: it only answers the leader's AppendEntries (rule E10)", v, c, k, stableTicks))
					}
				}
			}
			if rv := x.sent[raft.RequestVote]; rv > 0 {
				return x.report(fmt.Errorf("with a stable leader and nothing failing, %d RequestVote were sent in %d ticks", rv, stableTicks))
			}
			rounds := x.sentBy[l][raft.AppendEntries] / max(1, n-1)
			if lo, hi := stableTicks/h-1, stableTicks/h+1; n > 1 && (rounds < lo || rounds > hi) {
				return x.report(fmt.Errorf("Leader %d, HeartbeatInterval %d: in %d ticks it sent %d rounds of AppendEntries, expected %d to %d (rule E7)", l, h, stableTicks, rounds, lo, hi))
			}
			if replies, aes := x.sent[raft.AppendEntriesReply], x.sentBy[l][raft.AppendEntries]; replies > aes+3*(n-1) || replies < aes-3*(n-1) {
				return x.report(fmt.Errorf("in %d ticks leader %d sent %d AppendEntries and its followers sent %d AppendEntriesReply: one reply per AppendEntries received (rule E8)", stableTicks, l, aes, replies))
			}
		}
		return nil
	})
}
