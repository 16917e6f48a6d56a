//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

func TestHugeTermsAndNodeIDsSurviveARestartExactly(t *testing.T) {
	defer check.Recover(t)
	// Each case: a node adopts a term from a candidate's RequestVote,
	// grants its vote, crashes right after and restarts. An encoding that
	// narrows the term or the ID (an int32, a uint32, a float64) changes
	// them.
	cases := []struct {
		term      int
		candidate id
	}{
		{1<<31 - 1, 2},
		{1 << 31, 3},
		{1<<32 + 1, 1<<32 + 7},
		{1 << 40, 1<<33 + 5},
		{1<<53 + 1, 1<<53 + 1},
		{1<<62 + 3, math.MaxInt64},
		{math.MaxInt64 - 1, 1<<62 + 1},
	}
	for _, tc := range cases {
		r := check.Rand(uint64(tc.term))
		voter := id(1<<32 + 3)
		other := id(9)
		ids := []id{voter, tc.candidate, other}
		c := newCluster(r, ids, quietConfig(), simnet.Config{Seed: 1})
		out, err := c.deliver(voter, tc.candidate, raft.Msg{Kind: raft.RequestVote, Term: tc.term})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := replyTo(out, tc.candidate, raft.RequestVoteReply); err != nil || !rep.VoteGranted || rep.Term != tc.term {
			t.Fatalf("node %d (empty log) received RequestVote{Term %d} from node %d\nexpected: RequestVoteReply{Term %d, Granted true}\nactual:   %v %s", voter, tc.term, tc.candidate, tc.term, err, msgString(rep))
		}
		c.crash(voter, true)
		c.restart(voter) // compares term, vote and log with those before the crash
		if c.err != nil {
			t.Fatal(c.err)
		}
		// The entry's term is as large: AppendEntries of that term.
		e := raft.Entry{Term: tc.term, Command: "x"}
		if _, err := c.deliver(voter, tc.candidate, raft.Msg{Kind: raft.AppendEntries, Term: tc.term, Entries: []raft.Entry{e}}); err != nil {
			t.Fatal(err)
		}
		c.crash(voter, true)
		c.restart(voter)
		if c.err != nil {
			t.Fatal(c.err)
		}
		if inc := c.nodes[voter].inc; inc.term != tc.term || inc.vote != tc.candidate || !slices.Equal(inc.log, []raft.Entry{e}) {
			t.Fatal(check.Mismatch(fmt.Sprintf("node %d voted for node %d in term %d, stored an entry of that term, crashed and restarted from its Storage", voter, tc.candidate, tc.term),
				fmt.Sprintf("term %d, votedFor %d, log %s", tc.term, tc.candidate, logString([]raft.Entry{e})),
				fmt.Sprintf("term %d, votedFor %d, log %s", inc.term, inc.vote, logString(inc.log))))
		}
	}
}

func TestCommandsAtTheEdgesSurviveARestartExactly(t *testing.T) {
	defer check.Recover(t)
	ids := []id{5, 1 << 40, 77}
	c := newCluster(check.Rand(1), ids, quietConfig(), simnet.Config{Seed: 1})
	f, leader := ids[0], ids[1]
	var log []raft.Entry
	for i, cmd := range edgeCommands() {
		e := raft.Entry{Term: edgeTerms[i%len(edgeTerms)], Command: cmd}
		if len(log) > 0 {
			e.Term = max(e.Term, log[len(log)-1].Term)
		}
		prev := raft.Msg{Kind: raft.AppendEntries, Term: e.Term, PrevLogIndex: len(log), Entries: []raft.Entry{e}}
		if len(log) > 0 {
			prev.PrevLogTerm = log[len(log)-1].Term
		}
		out, err := c.deliver(f, leader, prev)
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := replyTo(out, leader, raft.AppendEntriesReply); err != nil || !rep.Success {
			t.Fatalf("node %d received %s from node %d\nexpected: AppendEntriesReply{Success true}\nactual:   %v %s", f, msgString(prev), leader, err, msgString(rep))
		}
		log = append(log, e)
		c.crash(f, true)
		c.restart(f) // compares the restored log with the one before the crash
		if c.err != nil {
			t.Fatal(c.err)
		}
	}
	if got := c.nodes[f].inc.log; !slices.Equal(got, log) {
		t.Fatal(check.Mismatch("the log after every restart", logString(log), logString(got)))
	}
}

func TestTheDefaultConfigAndNodeSeedsZeroAndMaxUint64WorkAcrossRestarts(t *testing.T) {
	defer check.Recover(t)
	got := raft.DefaultConfig()
	if got.ElectionTimeoutMin != 10 || got.ElectionTimeoutMax != 20 || got.HeartbeatInterval != 3 || got.Seed != 0 || got.Apply != nil || got.Storage != nil {
		t.Fatal(check.Mismatch("DefaultConfig()", "election timeout 10..20, heartbeat every 3, Seed 0, Apply nil, Storage nil",
			fmt.Sprintf("election timeout %d..%d, heartbeat every %d, Seed %d, Apply set: %v, Storage set: %v",
				got.ElectionTimeoutMin, got.ElectionTimeoutMax, got.HeartbeatInterval, got.Seed, got.Apply != nil, got.Storage != nil)))
	}
	for _, seed := range []uint64{0, math.MaxUint64} {
		check.SeededAtMost(t, 3, func(r *rand.Rand) error {
			netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: 1}
			c := newCluster(r, randomIDs(r, 3), raft.DefaultConfig(), netCfg)
			c.nodeSeed = func() uint64 { return seed }
			for _, x := range c.ids { // rebuild every node with that seed
				c.crash(x, false)
				c.restart(x)
			}
			if err := runChaos(c, r, faults{crash: 0.03, replyCrash: 0.01, maxDown: 10, submit: 0.4}, 100); err != nil {
				return fmt.Errorf("every node's Config.Seed is %d:\n%w", seed, err)
			}
			if err := c.stopFaults(); err != nil {
				return err
			}
			cfg := raft.DefaultConfig()
			l, err := c.electLeader(commitBound(cfg, 1), fmt.Sprintf("every node's Config.Seed is %d, faults stopped", seed))
			if err != nil {
				return err
			}
			idx, _, _ := c.submit(l, "last")
			return c.waitApplied(idx, commitBound(cfg, 1), fmt.Sprintf("every node's Config.Seed is %d; %q submitted to leader %d", seed, "last", l))
		})
	}
}

func TestALeaderOfAHugeTermSubmitsAndRestartsWithThatTermExactly(t *testing.T) {
	defer check.Recover(t)
	// Each case: node x adopts term T from a RequestVote, times out and
	// stands in T+1, wins with one granted vote, and accepts a command.
	// Submit must return T+1 exactly, and the entry keep it across a
	// restart: an int32, a uint32 or a float64 on the way changes it.
	for _, won := range []int{1 << 31, 1<<32 + 1, 1<<53 + 1, 1<<62 + 3, math.MaxInt64} {
		x, y := id(1<<32+3), id(2)
		ids := []id{x, y, 9}
		cfg := raft.Config{ElectionTimeoutMin: 5, ElectionTimeoutMax: 5, HeartbeatInterval: 1}
		c := newCluster(check.Rand(uint64(won)), ids, cfg, simnet.Config{Seed: 1})
		if _, err := c.deliver(x, y, raft.Msg{Kind: raft.RequestVote, Term: won - 1}); err != nil {
			t.Fatal(err)
		}
		p := c.net.Node(x).(*probe)
		for range cfg.ElectionTimeoutMax {
			p.Tick()
		}
		if c.err != nil {
			t.Fatal(c.err)
		}
		if term, role := c.nodes[x].inc.node.State(); term != won || role != raft.Candidate {
			t.Fatal(check.Mismatch(fmt.Sprintf("node %d adopted term %d from a RequestVote, then was ticked %d times (its election timeout is %d)", x, won-1, cfg.ElectionTimeoutMax, cfg.ElectionTimeoutMax),
				fmt.Sprintf("term %d, Candidate", won), fmt.Sprintf("term %d, %v", term, role)))
		}
		if _, err := c.deliver(x, y, raft.Msg{Kind: raft.RequestVoteReply, Term: won, VoteGranted: true}); err != nil {
			t.Fatal(err)
		}
		c.submit(x, "at a huge term") // compares (index, term, ok) with (1, won, true)
		if c.err != nil {
			t.Fatal(c.err)
		}
		c.crash(x, true)
		c.restart(x) // compares term, vote and log with those before the crash
		if c.err != nil {
			t.Fatal(c.err)
		}
		// Restarted, it is a Follower of that term: Submit refuses and
		// returns the term, exactly.
		c.submit(x, "to a follower") // compares (index, term, ok) with (0, won, false)
		if c.err != nil {
			t.Fatal(c.err)
		}
	}
}
