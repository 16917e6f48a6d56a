//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// twin is a Node value driven directly, with what it applied.
type twin struct {
	node    *raft.Node
	store   *simnet.Storage
	applied []string
}

func newTwin(x id, peers []id, cfg raft.Config) *twin {
	tw := &twin{store: simnet.NewStorage()}
	cfg.Storage = tw.store
	cfg.Apply = func(i int, e raft.Entry) { tw.applied = append(tw.applied, fmt.Sprintf("%d=%s", i, entryString(e))) }
	tw.node = raft.NewNode(x, peers, cfg)
	return tw
}

// view is everything the API shows of a node, and what its last call did.
func (tw *twin) view(out []message) string {
	term, role := tw.node.State()
	l, ok := tw.node.Leader()
	var msgs []string
	for _, m := range out {
		msgs = append(msgs, fmt.Sprintf("%s to %d", msgString(m.Body), m.To))
	}
	slices.Sort(msgs)
	return fmt.Sprintf("term %d, %v, votedFor %d, leader %d (%v), log %s, commit %d, applied %v, saves %d, returned [%s]",
		term, role, tw.node.VotedFor(), l, ok, logString(tw.node.Log()), tw.node.CommitIndex(), tw.applied, tw.store.Saves(), strings.Join(msgs, ", "))
}

// randomInput draws a message for node x from one of its peers, in terms
// near the node's, or a tick (From 0).
func randomInput(r *rand.Rand, x id, peers []id, term int, logLen int) message {
	others := slices.DeleteFunc(slices.Clone(peers), func(p id) bool { return p == x })
	from := others[r.IntN(len(others))]
	t := max(0, term+r.IntN(3)-1)
	switch r.IntN(6) {
	case 0, 1:
		return message{}
	case 2:
		return message{From: from, To: x, Body: raft.Msg{Kind: raft.RequestVote, Term: t, LastLogIndex: r.IntN(3), LastLogTerm: r.IntN(t + 1)}}
	case 3:
		var es []raft.Entry
		for range r.IntN(3) {
			es = append(es, raft.Entry{Term: t, Command: fmt.Sprintf("e%d", r.IntN(5))})
		}
		prev := r.IntN(logLen + 1)
		return message{From: from, To: x, Body: raft.Msg{Kind: raft.AppendEntries, Term: t, PrevLogIndex: prev, PrevLogTerm: r.IntN(t + 1), Entries: es, LeaderCommit: r.IntN(logLen + 2)}}
	case 4:
		return message{From: from, To: x, Body: raft.Msg{Kind: raft.RequestVoteReply, Term: t, VoteGranted: r.IntN(2) == 0}}
	}
	return message{From: from, To: x, Body: raft.Msg{Kind: raft.AppendEntriesReply, Term: t, Success: r.IntN(2) == 0, Index: r.IntN(logLen + 1)}}
}

func TestANodeRestartedWithANewEmptyStorageBehavesAsABrandNewNode(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// A cluster runs for a while, so that its node x has a term, a vote
		// and a log; then x is built again with a NEW empty Storage, next to
		// a brand-new node of the same ID and seed, while the old cluster
		// keeps running.
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(3)}
		c := newCluster(r, randomIDs(r, 3), randomConfig(r, netCfg.MaxDelay), netCfg)
		c.restoreP = 0
		if err := runChaos(c, r, faults{crash: 0.02, maxDown: 10, submit: 0.5}, 50+r.IntN(50)); err != nil {
			return err
		}
		x := c.ids[r.IntN(len(c.ids))]
		cfg := c.nodes[x].cfg
		cfg.Seed = r.Uint64()
		peers := slices.Clone(c.ids)
		again := newTwin(x, peers, cfg)
		fresh := newTwin(x, peers, cfg)
		oldTerm, _ := c.nodes[x].inc.node.State()
		steps := []string{fmt.Sprintf("node %d ran in a cluster up to term %d with %d log entries; then NewNode(%d, %v, cfg) with a new, empty Storage (A) and a brand-new node with the same arguments (B), while the cluster kept running:",
			x, oldTerm, len(c.nodes[x].inc.log), x, peers)}
		for _, tw := range []*twin{again, fresh} {
			term, role := tw.node.State()
			_, known := tw.node.Leader()
			if term != 0 || role != raft.Follower || tw.node.VotedFor() != 0 || len(tw.node.Log()) != 0 || tw.node.CommitIndex() != 0 || known {
				return check.Mismatch(strings.Join(steps, "\n")+"\na node built with an empty Storage starts as in E1 (rule P3)",
					"term 0, Follower, votedFor 0, no leader, empty log, commit 0", tw.view(nil))
			}
		}
		for i := range 150 {
			in := randomInput(r, x, peers, fresh.node.CommitIndex()+len(fresh.applied)+func() int { t, _ := fresh.node.State(); return t }(), len(fresh.node.Log()))
			var outA, outB []message
			if in.From == 0 {
				outA, outB = again.node.Tick(), fresh.node.Tick()
				steps = append(steps, "  Tick()")
			} else {
				outA, outB = again.node.Receive(in), fresh.node.Receive(in)
				steps = append(steps, fmt.Sprintf("  Receive(%s from %d)", msgString(in.Body), in.From))
			}
			if a, b := again.view(outA), fresh.view(outB); a != b {
				if len(steps) > 30 {
					steps = append(steps[:1], append([]string{fmt.Sprintf("  ... %d calls ...", len(steps)-30)}, steps[len(steps)-29:]...)...)
				}
				return check.Mismatch(strings.Join(steps, "\n")+fmt.Sprintf("\nafter call %d, A (restarted with a new empty Storage) and B (brand new) differ: state must live in the Node value and its Storage, not in package variables shared by Node values", i+1), "A like B: "+b, "A: "+a)
			}
			if i%10 == 0 {
				c.tick()
				c.err = nil // the old cluster only disturbs; its own checks do not matter here
			}
		}
		return nil
	})
}

// recordRun runs cluster seed s with faults for ticks, recording every call
// into every node; with other non-nil, other ticks in between (a second
// cluster with the same node IDs, with faults of its own).
func recordRun(s uint64, ids []id, ticks int, other *cluster) (string, error) {
	r := check.Rand(s)
	netCfg := randomNet(r)
	c := newCluster(r, ids, randomConfig(r, netCfg.MaxDelay), netCfg)
	c.calls = &strings.Builder{}
	c.restoreP = 0
	f := heavy(r)
	var blocked, oblocked [][2]id
	c.net.OnReceive(func(m message) {
		if c.net.Alive(m.To) && r.Float64() < f.replyCrash {
			c.crashFor(m.To, f.maxDown)
		}
	})
	for range ticks {
		if err := c.faultStep(r, f, &blocked); err != nil {
			return "", err
		}
		if err := c.tick(); err != nil {
			return "", err
		}
		if other != nil {
			other.faultStep(other.r, heavy(other.r), &oblocked)
			other.net.Tick()
		}
	}
	return c.calls.String(), nil
}

func TestTwoClustersWithTheSameNodeIDsDoNotInterfere(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 6, func(r *rand.Rand) error {
		ids := randomIDs(r, 3+2*r.IntN(2))
		s := r.Uint64()
		ticks := 120
		alone, err := recordRun(s, ids, ticks, nil)
		if err != nil {
			return fmt.Errorf("a cluster run on its own:\n%w", err)
		}
		o := check.Rand(r.Uint64())
		onet := randomNet(o)
		other := newCluster(o, ids, randomConfig(o, onet.MaxDelay), onet)
		other.checkCalls, other.restoreP = false, 0
		together, err := recordRun(s, ids, ticks, other)
		if err != nil {
			return fmt.Errorf("a cluster run next to another cluster with the same node IDs:\n%w", err)
		}
		if alone != together {
			a, b := strings.Split(alone, "\n"), strings.Split(together, "\n")
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			lo := max(0, i-5)
			return check.Mismatch(fmt.Sprintf("cluster %v ran %d ticks with faults, once on its own and once next to a second cluster with the same node IDs "+
				"(ticked in between, with crashes and restarts of its own); every call into the first cluster's nodes must give the same result "+
				"(state lives in each Node value and its own Storage, never in package variables). The calls, from the first difference's neighbourhood (tick, node, call -> messages returned):\n%s",
				ids, ticks, strings.Join(a[lo:i], "\n")),
				line(a, i), line(b, i))
		}
		return nil
	})
}

func line(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "(no more calls)"
}

func TestWithoutAStorageANodeSavesNothingAndBehavesAsWithOne(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 6, func(r *rand.Rand) error {
		// The same cluster, without crashes, once with a Storage per node and
		// once with Config.Storage nil: every call must give the same result
		// (rule P4: without a Storage nothing is saved, and lessons 13 and 14
		// behave as before).
		ids := randomIDs(r, []int{1, 3, 5}[r.IntN(3)])
		s := r.Uint64()
		run := func(withStorage bool) (string, error) {
			r := check.Rand(s)
			netCfg := randomNet(r)
			c := newCluster(r, ids, randomConfig(r, netCfg.MaxDelay), netCfg)
			c.calls = &strings.Builder{}
			c.restoreP = 0
			for _, x := range c.ids {
				c.nodes[x].store = nil
				if withStorage {
					c.nodes[x].store = simnet.NewStorage()
				}
				c.net.Restart(x, c.build(c.nodes[x]))
			}
			f := heavy(r)
			f.crash, f.replyCrash, f.tickCrash, f.crashAll = 0, 0, 0, 0
			if err := runChaos(c, r, f, 120); err != nil {
				return "", err
			}
			return c.calls.String(), nil
		}
		with, err := run(true)
		if err != nil {
			return fmt.Errorf("with a Storage per node:\n%w", err)
		}
		without, err := run(false)
		if err != nil {
			return fmt.Errorf("with Config.Storage nil:\n%w", err)
		}
		if with != without {
			a, b := strings.Split(with, "\n"), strings.Split(without, "\n")
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			lo := max(0, i-5)
			return check.Mismatch(fmt.Sprintf("cluster %v ran 120 ticks (no crashes) once with a Storage per node and once with Config.Storage nil; "+
				"the Storage must not change what a node does (rule P4). The calls before the first difference (tick, node, call -> messages returned | state after):\n%s",
				ids, strings.Join(a[lo:i], "\n")), "as with a Storage: "+line(a, i), "without a Storage: "+line(b, i))
		}
		return nil
	})
}
