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

func TestEachCallSavesExactlyWhenItChangesTheTermTheVoteOrTheLog(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		ids := randomIDs(r, 3)
		v, a, b := ids[0], ids[1], ids[2]
		c := newCluster(r, ids, quietConfig(), simnet.Config{Seed: r.Uint64()})
		t0 := edgeTerms[r.IntN(len(edgeTerms))]
		cmds := edgeCommands()
		e1 := raft.Entry{Term: t0, Command: cmds[r.IntN(len(cmds))]}
		e2 := raft.Entry{Term: t0, Command: cmds[r.IntN(len(cmds))]}
		e3 := raft.Entry{Term: t0 + 2, Command: cmds[r.IntN(len(cmds))]}
		steps := []struct {
			what  string
			from  id
			body  raft.Msg
			ticks int
			save  bool
		}{
			{"a RequestVote of a higher term (term and vote change)", a, raft.Msg{Kind: raft.RequestVote, Term: t0}, 0, true},
			{"the same RequestVote again (granted again, nothing changes)", a, raft.Msg{Kind: raft.RequestVote, Term: t0}, 0, false},
			{"a RequestVote of another candidate in the same term (refused)", b, raft.Msg{Kind: raft.RequestVote, Term: t0}, 0, false},
			{"a heartbeat of the term's leader (only the leader and timer change)", a, raft.Msg{Kind: raft.AppendEntries, Term: t0}, 0, false},
			{"AppendEntries with two new entries", a, raft.Msg{Kind: raft.AppendEntries, Term: t0, Entries: []raft.Entry{e1, e2}}, 0, true},
			{"the same AppendEntries again (the entries match and are kept)", a, raft.Msg{Kind: raft.AppendEntries, Term: t0, Entries: []raft.Entry{e1, e2}}, 0, false},
			{"a heartbeat that commits both entries (commitIndex is not saved)", a, raft.Msg{Kind: raft.AppendEntries, Term: t0, PrevLogIndex: 2, PrevLogTerm: t0, LeaderCommit: 2}, 0, false},
			{"ticks before the election timeout", 0, raft.Msg{}, 5, false},
			{"a stale RequestVoteReply", b, raft.Msg{Kind: raft.RequestVoteReply, Term: t0 - 1, VoteGranted: true}, 0, false},
			{"a stale AppendEntries (refused)", b, raft.Msg{Kind: raft.AppendEntries, Term: t0 - 1}, 0, false},
			{"a heartbeat of a higher term (the term changes)", b, raft.Msg{Kind: raft.AppendEntries, Term: t0 + 2, PrevLogIndex: 2, PrevLogTerm: t0}, 0, true},
			{"an AppendEntriesReply, though not a leader", a, raft.Msg{Kind: raft.AppendEntriesReply, Term: t0 + 2, Success: true, Index: 2}, 0, false},
			{"AppendEntries that replaces entry 2 with one of a newer term", b, raft.Msg{Kind: raft.AppendEntries, Term: t0 + 2, PrevLogIndex: 1, PrevLogTerm: t0, Entries: []raft.Entry{e3}}, 0, true},
			{"a RequestVote of a higher term from a candidate with an empty log (refused, but the term changes)", a, raft.Msg{Kind: raft.RequestVote, Term: t0 + 3}, 0, true},
			{"a RequestVote of another candidate in that term, with an up-to-date log (granted: the vote changes)", b, raft.Msg{Kind: raft.RequestVote, Term: t0 + 3, LastLogIndex: 2, LastLogTerm: t0 + 2}, 0, true},
		}
		store := c.nodes[v].store
		for i, s := range steps {
			before := store.Saves()
			desc := ""
			if s.ticks > 0 {
				p := c.net.Node(v).(*probe)
				for range s.ticks {
					p.Tick()
				}
				desc = fmt.Sprintf("%d calls of Tick()", s.ticks)
			} else {
				if _, err := c.deliver(v, s.from, s.body); err != nil {
					return err
				}
				desc = fmt.Sprintf("Receive(%s from %d)", msgString(s.body), s.from)
			}
			if c.err != nil {
				return c.err
			}
			saved := store.Saves() > before
			if saved != s.save {
				want := "no call of Storage.Save (nothing persistent changed)"
				if s.save {
					want = "a call of Storage.Save before the call returns"
				}
				return c.failf("step %d, %s: node %d, %s\nexpected: %s (rule P2)\nactual:   %d call(s) of Save; the node now has term %d, votedFor %d, log %s",
					i+1, s.what, v, desc, want, store.Saves()-before, c.nodes[v].inc.term, c.nodes[v].inc.vote, logString(c.nodes[v].inc.log))
			}
		}
		return nil
	})
}

func TestSubmitSavesTheNewEntryBeforeItReturns(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := raft.Config{ElectionTimeoutMin: 3, ElectionTimeoutMax: 6, HeartbeatInterval: 2}
		c := newCluster(r, randomIDs(r, 1), cfg, simnet.Config{Seed: r.Uint64()})
		x := c.ids[0]
		if _, err := c.electLeader(20, "a cluster of one node"); err != nil {
			return err
		}
		for i, cmd := range edgeCommands() {
			before := c.nodes[x].store.Saves()
			if _, _, ok := c.submit(x, cmd); !ok {
				return c.failf("Submit on the leader of a cluster of one returned ok false")
			}
			if c.err != nil {
				return c.err
			}
			if c.nodes[x].store.Saves() == before {
				return c.failf("Submit number %d on leader %d appended an entry but did not call Storage.Save before returning (rule P2)", i+1, x)
			}
			c.crash(x, true)
			c.restart(x)
			if c.err != nil {
				return c.err
			}
			if err := c.run(1 + r.IntN(10)); err != nil {
				return err
			}
			if _, err := c.electLeader(20, "the cluster of one, restarted"); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestAQuietClusterSavesNothing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(3), DuplicateRate: 0.2, MaxExtraCopies: 2}
		c := newCluster(r, randomIDs(r, []int{1, 3, 5}[r.IntN(3)]), randomConfig(r, netCfg.MaxDelay), netCfg)
		cfg := c.nodes[c.ids[0]].cfg
		bound := 20 * cfg.ElectionTimeoutMax
		l, err := c.electLeader(bound, "a healthy cluster")
		if err != nil {
			return err
		}
		k := 1 + r.IntN(5)
		for i := range k {
			c.submit(l, fmt.Sprintf("c%d", i))
		}
		if err := c.waitApplied(k, bound, "commands submitted on a healthy network"); err != nil {
			return err
		}
		// Let the last AppendEntries and replies settle.
		if err := c.run(4 * (cfg.HeartbeatInterval + netCfg.MaxDelay + 1)); err != nil {
			return err
		}
		before := map[id]int{}
		for _, x := range c.ids {
			before[x] = c.nodes[x].store.Saves()
		}
		quiet := 30 * cfg.HeartbeatInterval
		c.note("quiet from here: only heartbeats")
		if err := c.run(quiet); err != nil {
			return err
		}
		for _, x := range c.ids {
			if n := c.nodes[x].store.Saves() - before[x]; n != 0 {
				return c.failf("a stable cluster with leader %d ran %d quiet ticks (heartbeats only, no term, vote or log change)\nexpected: no call of Storage.Save (rule P2)\nactual:   node %d called Save %d times",
					l, quiet, x, n)
			}
		}
		return nil
	})
}
