//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// clusterSizes are the sizes every randomized cluster test grows through, so
// that the first failure reported is on the smallest cluster that shows it.
var clusterSizes = []int{1, 2, 3, 4, 5, 7}

// modelSizes are the sizes of the runs compared with the model.
var modelSizes = []int{1, 2, 3, 5, 7}

// TestEveryNodeFollowsTheRulesAfterEveryCall compares every node, after
// every Tick and every Receive, with the lesson's rules E1-E10: the messages
// it returns (as a set), State, Leader and VotedFor, and that every election
// starts at a tick its timeout range allows. The runs grow from 1 to 7 nodes
// with edge IDs and timer settings, on a network with delays, reordering,
// loss and repeated duplicates, with crashes, restarts, pauses, partitions and
// one-way blocks.
func TestEveryNodeFollowsTheRulesAfterEveryCall(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range modelSizes {
			if n == 7 && r.IntN(3) > 0 {
				continue // the largest cluster on a third of the seeds
			}
			x := newRun(r, edgeIDs(r, n), faultyConfig(r), faultyNet(r), true)
			if err := x.chaos(40+15*n, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAtMostOneLeaderPerTermUnderEveryFault checks election safety after
// every call: in no term do two nodes ever lead, on networks that delay,
// reorder, lose and duplicate messages, with partitions, one-way blocks,
// pauses, crashes and restarts. (A restarted node starts again from term 0
// with no vote, so it may vote twice in one term; terms in which a node
// voted in two of its lives are not checked.)
func TestAtMostOneLeaderPerTermUnderEveryFault(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			cfg := raft.DefaultConfig()
			if r.IntN(2) == 0 {
				cfg = faultyConfig(r)
			}
			cfg.Seed = r.Uint64()
			x := newRun(r, edgeIDs(r, n), cfg, faultyNet(r), false)
			if err := x.chaos(200, r.IntN(2) == 0); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestLongRunsFollowTheRules runs clusters of 5 to 9 nodes for 2000 ticks
// under faults, comparing every call with the rules.
func TestLongRunsFollowTheRules(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 2, func(r *rand.Rand) error {
		x := newRun(r, edgeIDs(r, 5+r.IntN(5)), faultyConfig(r), faultyNet(r), true)
		return x.chaos(2000, true)
	})
}

// solo is one node called directly by the test, with the model beside it.
type solo struct {
	x     *run
	w     *twin
	v     id
	calls []call
}

// call is one call the test made to a solo node.
type call struct {
	tick bool
	from id
	b    raft.Msg
}

func (c call) String() string {
	if c.tick {
		return "Tick()"
	}
	return fmt.Sprintf("Receive(%s from %d)", body(c.b), c.from)
}

func newSolo(r *rand.Rand, ids []id, v id, cfg raft.Config) *solo {
	x := &run{ids: ids, cfg: cfg, r: r, model: true, solo: true, net: simnet.New[raft.Msg](simnet.Config{}),
		nodes: map[id]*raft.Node{}, models: map[id]*mnode{}, life: map[id]int{},
		leaders: map[int][]lead{}, voters: map[int]map[id]map[int]bool{}}
	x.count()
	return &solo{x: x, w: x.build(v), v: v}
}

func (s *solo) tick() []message {
	s.x.calls++
	s.calls = append(s.calls, call{tick: true})
	return s.w.Tick()
}

func (s *solo) receive(from id, b raft.Msg) []message {
	s.x.calls++
	s.calls = append(s.calls, call{from: from, b: b})
	return s.w.Receive(message{From: from, To: s.v, Body: b})
}

func (s *solo) failed() error {
	if s.x.err == nil {
		return nil
	}
	var calls []string
	if len(s.calls) > 30 {
		calls = append(calls, fmt.Sprintf("... %d earlier calls", len(s.calls)-30))
	}
	for _, c := range s.calls[max(0, len(s.calls)-30):] {
		if k := len(calls) - 1; c.tick && k >= 0 && strings.HasPrefix(calls[k], "Tick()") {
			n := 1
			fmt.Sscanf(strings.TrimPrefix(calls[k], "Tick()"), " x %d", &n)
			calls[k] = fmt.Sprintf("Tick() x %d", n+1)
			continue
		}
		calls = append(calls, c.String())
	}
	c := s.x.cfg
	return fmt.Errorf("%v\n\nnode %d, peers %v, ElectionTimeoutMin %d, ElectionTimeoutMax %d, HeartbeatInterval %d, Seed %d, called directly:\n    %s",
		s.x.err, s.v, s.x.ids, c.ElectionTimeoutMin, c.ElectionTimeoutMax, c.HeartbeatInterval, c.Seed, strings.Join(calls, "\n    "))
}

// randomMsg draws a message to node v of any kind, from any other peer, with
// a term around v's own (older, equal, newer, much newer).
func randomMsg(r *rand.Rand, s *solo) (id, raft.Msg) {
	var from id
	for from == 0 || from == s.v {
		from = s.x.ids[r.IntN(len(s.x.ids))]
	}
	term, role := s.x.nodes[s.v].State()
	t := term + []int{-2, -1, 0, 0, 0, 1, 1, 2}[r.IntN(8)]
	if r.IntN(30) == 0 {
		t = term + 1<<40 + r.IntN(3)
	}
	t = max(t, 0)
	k := raft.Kind(1 + r.IntN(4))
	// A second leader in the leader's own term cannot exist (election
	// safety), and the rules do not say what a leader does then.
	if k == raft.AppendEntries && role == raft.Leader && t == term {
		t++
	}
	b := raft.Msg{Kind: k, Term: t}
	switch k {
	case raft.RequestVoteReply:
		b.VoteGranted = r.IntN(3) > 0
	case raft.AppendEntriesReply:
		b.Success = r.IntN(2) == 0
	}
	return from, b
}

// TestOneNodeFollowsTheRulesForAnySequenceOfCalls calls one node directly
// with random sequences of Ticks and messages of every kind, of older, equal
// and newer terms, from every other peer, whatever its state, and compares
// every call with the rules.
func TestOneNodeFollowsTheRulesForAnySequenceOfCalls(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			ids := edgeIDs(r, n)
			s := newSolo(r, ids, ids[r.IntN(n)], faultyConfig(r))
			// Messages come in bursts, so that the node also sits through
			// whole timeouts.
			for range 400 {
				if n == 1 || r.IntN(3) > 0 {
					s.tick()
				} else {
					s.receive(randomMsg(r, s))
				}
				if err := s.failed(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
