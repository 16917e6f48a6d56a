//go:build dslearnsuite

// The hidden suite of lesson 13, raft-election. Every test states one rule or
// bound of the lesson (E1-E10). The oracle is mnode below, the lesson's rules
// as code: it draws the same timeouts as the learner's node must (the lesson
// fixes the source and the draw), so after every Receive and Tick the suite
// compares the messages returned, State, Leader and VotedFor exactly
// (harness_test.go), and checks election safety after every call.
//
// Files: model_test.go (the oracle), harness_test.go (clusters on simnet,
// faults, reports), rules_test.go (the oracle on random runs and random
// calls), timers_test.go (timers and elections, call by call), liveness_test.go
// (bounds on elections and traffic), edges_test.go (determinism, edge seeds
// and IDs, message bodies, names), explore_test.go (every delivery order of a
// three-node cluster).
package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/simnet"
)

type id = simnet.NodeID

type message = simnet.Message[raft.Msg]

// mnode is the lesson's node, rule for rule (E1 to E10): the oracle every
// learner node is compared with after every call. It draws its election
// timeouts as the lesson says, from its own source
// rand.New(rand.NewPCG(Seed, uint64(id))), min + r.IntN(max-min+1) at each
// reset of the timer, so it knows the exact tick of every election.
type mnode struct {
	id    id
	peers []id // the cluster, id included, in the caller's order
	cfg   raft.Config
	rng   *rand.Rand

	term   int
	voted  id
	role   raft.Role
	leader id

	ticks    int // Tick calls so far
	reset    int // ticks at the last reset of the election timer
	timeout  int // the timeout drawn at that reset
	draws    int // how many timeouts were drawn
	lastBeat int // ticks at the leader's last round of AppendEntries
	votes    map[id]bool
}

func newMNode(x id, peers []id, cfg raft.Config) *mnode {
	n := &mnode{id: x, peers: slices.Clone(peers), cfg: cfg, role: raft.Follower,
		rng: rand.New(rand.NewPCG(cfg.Seed, uint64(x)))}
	n.resetTimer()
	return n
}

// timeoutRange is [ElectionTimeoutMin, ElectionTimeoutMax], a max below the
// min counting as the min.
func timeoutRange(c raft.Config) (int, int) {
	return c.ElectionTimeoutMin, max(c.ElectionTimeoutMin, c.ElectionTimeoutMax)
}

func (n *mnode) majority() int { return len(n.peers)/2 + 1 }

func (n *mnode) others(b raft.Msg) []message {
	var out []message
	for _, p := range n.peers {
		if p != n.id {
			out = append(out, message{From: n.id, To: p, Body: b})
		}
	}
	return out
}

func (n *mnode) resetTimer() {
	lo, hi := timeoutRange(n.cfg)
	n.reset = n.ticks
	n.timeout = lo + n.rng.IntN(hi-lo+1)
	n.draws++
}

// due says whether a Follower or Candidate starts an election at the Tick
// just counted (E2): the timer counts in every role, a Leader only ignores it.
func (n *mnode) due() bool { return n.role != raft.Leader && n.ticks-n.reset >= n.timeout }

// startElection is E2.
func (n *mnode) startElection() []message {
	n.term++
	n.role = raft.Candidate
	n.voted = n.id
	n.leader = 0
	n.votes = map[id]bool{n.id: true}
	n.resetTimer()
	if len(n.votes) >= n.majority() {
		return n.becomeLeader()
	}
	return n.others(raft.Msg{Kind: raft.RequestVote, Term: n.term})
}

func (n *mnode) becomeLeader() []message {
	n.role = raft.Leader
	n.leader = n.id
	return n.heartbeat()
}

func (n *mnode) heartbeat() []message {
	n.lastBeat = n.ticks
	return n.others(raft.Msg{Kind: raft.AppendEntries, Term: n.term})
}

// tick is Tick, after the caller counted it in ticks.
func (n *mnode) tick() []message {
	if n.role == raft.Leader {
		if n.ticks-n.lastBeat >= n.cfg.HeartbeatInterval {
			return n.heartbeat()
		}
		return nil
	}
	if n.due() {
		return n.startElection()
	}
	return nil
}

func (n *mnode) receive(m message) []message {
	b := m.Body
	if b.Term > n.term {
		n.term, n.voted, n.role, n.leader = b.Term, 0, raft.Follower, 0
	}
	reply := func(r raft.Msg) []message { return []message{{From: n.id, To: m.From, Body: r}} }
	switch b.Kind {
	case raft.RequestVote:
		if b.Term < n.term {
			return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: n.term})
		}
		grant := n.voted == 0 || n.voted == m.From
		if grant {
			n.voted = m.From
			n.resetTimer()
		}
		return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: n.term, VoteGranted: grant})
	case raft.RequestVoteReply:
		if n.role == raft.Candidate && b.Term == n.term && b.VoteGranted && m.From != n.id && slices.Contains(n.peers, m.From) {
			n.votes[m.From] = true
			if len(n.votes) >= n.majority() {
				return n.becomeLeader()
			}
		}
	case raft.AppendEntries:
		if b.Term < n.term {
			return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: n.term})
		}
		if n.role == raft.Candidate {
			n.role = raft.Follower
		}
		n.leader = m.From
		n.resetTimer()
		return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: n.term, Success: true})
	}
	return nil
}

func (n *mnode) leaderOf() (id, bool) {
	if n.leader == 0 {
		return 0, false
	}
	return n.leader, true
}

// snap is what the model holds before a call, for reports.
type snap struct {
	role                                   raft.Role
	term                                   int
	voted, leader                          id
	sinceReset, timeout, draws, sinceRound int
}

func (n *mnode) snap() snap {
	return snap{n.role, n.term, n.voted, n.leader, n.ticks - n.reset, n.timeout, n.draws, n.ticks - n.lastBeat}
}

func (s snap) String() string {
	st := fmt.Sprintf("by the rules a %v of term %d", s.role, s.term)
	if s.voted != 0 {
		st += fmt.Sprintf(" that voted for %d", s.voted)
	}
	if s.leader != 0 && s.role != raft.Leader {
		st += fmt.Sprintf(" following %d", s.leader)
	}
	if s.role == raft.Leader {
		return st + fmt.Sprintf(", its last round of AppendEntries %d ticks ago", s.sinceRound)
	}
	return st + fmt.Sprintf(", its election timer reset %d ticks ago with timeout %d (draw number %d of its source)", s.sinceReset, s.timeout, s.draws)
}

// body formats a message body with its non-zero fields, in the lesson's terms.
func body(b raft.Msg) string {
	f := []string{fmt.Sprintf("Term %d", b.Term)}
	add := func(cond bool, s string, args ...any) {
		if cond {
			f = append(f, fmt.Sprintf(s, args...))
		}
	}
	add(b.LastLogIndex != 0, "LastLogIndex %d", b.LastLogIndex)
	add(b.LastLogTerm != 0, "LastLogTerm %d", b.LastLogTerm)
	add(b.VoteGranted, "VoteGranted")
	add(b.PrevLogIndex != 0, "PrevLogIndex %d", b.PrevLogIndex)
	add(b.PrevLogTerm != 0, "PrevLogTerm %d", b.PrevLogTerm)
	add(len(b.Entries) != 0, "%d Entries", len(b.Entries))
	add(b.LeaderCommit != 0, "LeaderCommit %d", b.LeaderCommit)
	add(b.Success, "Success")
	add(b.Index != 0, "Index %d", b.Index)
	return fmt.Sprintf("%v{%s}", b.Kind, strings.Join(f, ", "))
}

// msgList formats messages as a sorted list, so that two lists compare as
// sets (with repetitions).
func msgList(ms []message) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fmt.Sprintf("%s to %d", body(m.Body), m.To)
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func roleState(term int, role raft.Role) string { return fmt.Sprintf("(term %d, %v)", term, role) }

func leaderString(l id, ok bool) string { return fmt.Sprintf("(%d, %v)", l, ok) }
