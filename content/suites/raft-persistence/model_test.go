//go:build dslearnsuite

package raft_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
)

type rmsg = message

// mnode is the lessons' node, rule for rule (E1–E10, L1–L11): the oracle
// every incarnation is compared with after every call. A restarted
// incarnation's model starts from the persistent state the previous model
// had (P1, P3); everything else starts as in E1. Its election timeouts are
// drawn as the lesson says, from its own source
// rand.New(rand.NewPCG(Seed, uint64(id))), min + r.IntN(max-min+1) at each
// reset.
type mnode struct {
	id     id
	others []id // every peer but itself, sorted
	size   int  // the cluster's size
	cfg    raft.Config
	term   int
	role   raft.Role
	voted  id
	leader id
	ticks  int
	rng    *rand.Rand
	reset0 int // tick count at the last reset of the election timer
	tmo    int // the timeout drawn then
	draws  int // how many timeouts were drawn
	votes  map[id]bool
	log    []raft.Entry
	commit int
	apply  int // lastApplied
	next   map[id]int
	match  map[id]int
	round  int    // tick count of the leader's last AppendEntries round
	why    string // why the election timer window is what it is
}

func newMNode(x id, peers []id, cfg raft.Config) *mnode {
	m := &mnode{id: x, size: len(peers), cfg: cfg, role: raft.Follower, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(x)))}
	for _, p := range peers {
		if p != x {
			m.others = append(m.others, p)
		}
	}
	slices.Sort(m.others)
	m.reset("it was created")
	return m
}

func (m *mnode) reset(why string) {
	lo, hi := m.cfg.ElectionTimeoutMin, max(m.cfg.ElectionTimeoutMin, m.cfg.ElectionTimeoutMax)
	m.reset0, m.tmo = m.ticks, lo+m.rng.IntN(hi-lo+1)
	m.draws++
	m.why = fmt.Sprintf("its election timer was last reset at its tick %d (%s), with the timeout %d: draw number %d of rand.New(rand.NewPCG(Seed, uint64(id))), each ElectionTimeoutMin + r.IntN(ElectionTimeoutMax-ElectionTimeoutMin+1) (E1)",
		m.ticks, why, m.tmo, m.draws)
}

func (m *mnode) lastTerm() int { return m.termAt(len(m.log)) }

func (m *mnode) termAt(i int) int {
	if i <= 0 || i > len(m.log) {
		return 0
	}
	return m.log[i-1].Term
}

func (m *mnode) majority() int { return m.size/2 + 1 }

func (m *mnode) leaderOf() (id, bool) { return m.leader, m.leader != 0 }

// stepDown is E4.
func (m *mnode) stepDown(term int) {
	if term <= m.term {
		return
	}
	if m.role == raft.Leader {
		// A leader's timer keeps counting from the election it won, and
		// stepping down does not reset it (E3).
		m.why += fmt.Sprintf("; it stopped leading at its tick %d, which does not reset the timer (E3)", m.ticks)
	}
	m.term, m.voted, m.role, m.leader = term, 0, raft.Follower, 0
}

func (m *mnode) appendTo(p id) rmsg {
	prev := m.next[p] - 1
	return rmsg{To: p, Body: raft.Msg{Kind: raft.AppendEntries, Term: m.term, PrevLogIndex: prev, PrevLogTerm: m.termAt(prev),
		Entries: m.log[prev:len(m.log):len(m.log)], LeaderCommit: m.commit}} // never written to
}

func (m *mnode) broadcast() []rmsg {
	m.round = m.ticks
	var out []rmsg
	for _, p := range m.others {
		out = append(out, m.appendTo(p))
	}
	return out
}

func (m *mnode) becomeLeader() []rmsg {
	m.role, m.leader = raft.Leader, m.id
	m.next, m.match = map[id]int{}, map[id]int{}
	for _, p := range m.others {
		m.next[p] = len(m.log) + 1
	}
	return m.broadcast()
}

func (m *mnode) startElection() []rmsg {
	m.term++
	m.role, m.voted, m.leader = raft.Candidate, m.id, 0
	m.votes = map[id]bool{m.id: true}
	m.reset("it started an election")
	if len(m.votes) >= m.majority() {
		return m.becomeLeader()
	}
	var out []rmsg
	for _, p := range m.others {
		out = append(out, rmsg{To: p, Body: raft.Msg{Kind: raft.RequestVote, Term: m.term, LastLogIndex: len(m.log), LastLogTerm: m.lastTerm()}})
	}
	return out
}

// advance is L7.
func (m *mnode) advance() {
	for n := len(m.log); n > m.commit && m.log[n-1].Term == m.term; n-- {
		count := 1
		for _, p := range m.others {
			if m.match[p] >= n {
				count++
			}
		}
		if count >= m.majority() {
			m.commit = n
			return
		}
	}
}

// applies is L9: what the node must apply before the call returns.
func (m *mnode) applies() []applied {
	var out []applied
	for m.apply < m.commit {
		m.apply++
		out = append(out, applied{m.apply, m.log[m.apply-1]})
	}
	return out
}

// tick is E2 and E7. started says whether the learner's node started an
// election in this Tick; it is checked against the timer's window.
func (m *mnode) tick(started bool) ([]rmsg, string) {
	m.ticks++
	if m.role == raft.Leader {
		m.advance() // in a cluster of one, Tick is where entries commit
		if m.ticks-m.round >= m.cfg.HeartbeatInterval {
			return m.broadcast(), ""
		}
		return nil, ""
	}
	due := m.ticks-m.reset0 >= m.tmo
	switch {
	case started && !due:
		return nil, fmt.Sprintf("node %d started an election at its tick %d, only %d ticks after %s (E2, E3)",
			m.id, m.ticks, m.ticks-m.reset0, strings.TrimPrefix(m.why, "its election timer was "))
	case !started && due:
		return nil, fmt.Sprintf("node %d, a %v, did not start an election at its tick %d, %d ticks after %s (E2)",
			m.id, m.role, m.ticks, m.ticks-m.reset0, strings.TrimPrefix(m.why, "its election timer was "))
	case started:
		return m.startElection(), ""
	}
	return nil, ""
}

func (m *mnode) receive(in rmsg) []rmsg {
	b := in.Body
	m.stepDown(b.Term)
	reply := func(body raft.Msg) []rmsg { return []rmsg{{To: in.From, Body: body}} }
	switch b.Kind {
	case raft.RequestVote:
		if b.Term < m.term {
			return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: m.term})
		}
		upToDate := b.LastLogTerm > m.lastTerm() || (b.LastLogTerm == m.lastTerm() && b.LastLogIndex >= len(m.log))
		grant := (m.voted == 0 || m.voted == in.From) && upToDate
		if grant {
			m.voted = in.From
			m.reset(fmt.Sprintf("it granted its vote to node %d", in.From))
		}
		return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: m.term, VoteGranted: grant})
	case raft.RequestVoteReply:
		if m.role == raft.Candidate && b.Term == m.term && b.VoteGranted && slices.Contains(m.others, in.From) {
			m.votes[in.From] = true
			if len(m.votes) >= m.majority() {
				return m.becomeLeader()
			}
		}
	case raft.AppendEntries:
		if b.Term < m.term {
			return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term})
		}
		m.role, m.leader = raft.Follower, in.From
		m.reset(fmt.Sprintf("it accepted an AppendEntries of term %d from node %d", b.Term, in.From))
		if b.PrevLogIndex > len(m.log) || m.termAt(b.PrevLogIndex) != b.PrevLogTerm {
			return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term, Index: min(b.PrevLogIndex-1, len(m.log))})
		}
		for j, e := range b.Entries {
			i := b.PrevLogIndex + 1 + j
			if i <= len(m.log) {
				if m.log[i-1].Term == e.Term {
					continue
				}
				m.log = m.log[: i-1 : i-1]
			}
			m.log = append(m.log, b.Entries[j:]...)
			break
		}
		last := b.PrevLogIndex + len(b.Entries)
		if b.LeaderCommit > m.commit {
			m.commit = max(m.commit, min(b.LeaderCommit, last))
		}
		return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term, Success: true, Index: last})
	case raft.AppendEntriesReply:
		if m.role != raft.Leader || b.Term != m.term {
			return nil
		}
		p := in.From
		if _, ok := m.next[p]; !ok {
			return nil
		}
		if b.Success {
			m.match[p] = max(m.match[p], b.Index)
			m.next[p] = max(m.next[p], b.Index+1)
			m.advance()
			return nil
		}
		m.next[p] = max(m.match[p]+1, min(m.next[p]-1, b.Index+1))
		return []rmsg{m.appendTo(p)}
	}
	return nil
}

// submit is L1: it appends and does nothing else (a leader alone in its
// cluster commits the entry at its next Tick).
func (m *mnode) submit(cmd string) (int, int, bool) {
	if m.role != raft.Leader {
		return 0, m.term, false
	}
	m.log = append(m.log, raft.Entry{Term: m.term, Command: cmd})
	return len(m.log), m.term, true
}

type applied struct {
	index int
	entry raft.Entry
}

func (a applied) String() string { return fmt.Sprintf("Apply(%d, %s)", a.index, entryString(a.entry)) }

// restoreModel is the model of a node restarted from a Storage holding
// the persistent state of its previous model (P3).
func restoreModel(x id, peers []id, cfg raft.Config, term int, voted id, log []raft.Entry) *mnode {
	m := newMNode(x, peers, cfg)
	m.term, m.voted, m.log = term, voted, slices.Clone(log)
	return m
}

var kindRules = map[raft.Kind]string{
	raft.RequestVote:        "E4, E5 and the vote restriction L8",
	raft.RequestVoteReply:   "E4 and E6 (a new leader sends AppendEntries as L2 says)",
	raft.AppendEntries:      "E8, then L3 and L4 (and L9 for what it applies)",
	raft.AppendEntriesReply: "E4, then L5 and L7 on success, L6 on failure (and L9 for what it applies)",
}

// compareModel compares an incarnation with its model after a call; it
// returns "" when they agree, else what differs.
func compareModel(inc *incarnation, out, want []rmsg, logRead bool) (what string, wantV, gotV any) {
	m := inc.model
	if !sameMsgs(out, want) {
		return "the messages it returned", msgsString(want), msgsString(out)
	}
	if inc.term != m.term || inc.role != m.role {
		return "State()", fmt.Sprintf("(%d, %v)", m.term, m.role), fmt.Sprintf("(%d, %v)", inc.term, inc.role)
	}
	if inc.vote != m.voted {
		return "VotedFor()", m.voted, inc.vote
	}
	wl, wok := m.leaderOf()
	if gl, gok := inc.node.Leader(); gl != wl || gok != wok {
		return "Leader() (E9)", fmt.Sprintf("(%d, %v)", wl, wok), fmt.Sprintf("(%d, %v)", gl, gok)
	}
	if logRead && !slices.Equal(inc.log, m.log) {
		return "Log()", logString(m.log), logString(inc.log)
	}
	if c := inc.node.CommitIndex(); c != m.commit {
		return "CommitIndex()", m.commit, c
	}
	m.applies()
	if len(inc.applied) != m.apply {
		return fmt.Sprintf("the number of entries applied by this node value (everything up to the commit index %d, in order, once each; L9)", m.commit), m.apply, len(inc.applied)
	}
	return "", nil, nil
}

// sameMsgs compares two sets of messages field by field.
func sameMsgs(a, b []rmsg) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(x, y rmsg) int {
		return cmp.Or(cmp.Compare(x.To, y.To), cmp.Compare(x.Body.Kind, y.Body.Kind), cmp.Compare(x.Body.PrevLogIndex, y.Body.PrevLogIndex),
			cmp.Compare(x.Body.Index, y.Body.Index), cmp.Compare(len(x.Body.Entries), len(y.Body.Entries)))
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, key)
	slices.SortFunc(b, key)
	for i := range a {
		x, y := a[i].Body, b[i].Body
		if a[i].To != b[i].To || !slices.Equal(x.Entries, y.Entries) {
			return false
		}
		if x.Kind != y.Kind || x.Term != y.Term || x.LastLogIndex != y.LastLogIndex || x.LastLogTerm != y.LastLogTerm ||
			x.VoteGranted != y.VoteGranted || x.PrevLogIndex != y.PrevLogIndex || x.PrevLogTerm != y.PrevLogTerm ||
			x.LeaderCommit != y.LeaderCommit || x.Success != y.Success || x.Index != y.Index {
			return false
		}
	}
	return true
}

// msgsString lists messages sorted by receiver, then by content.
func msgsString(ms []rmsg) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b rmsg) int {
		return cmp.Or(cmp.Compare(a.To, b.To), cmp.Compare(fmt.Sprintf("%+v", a.Body), fmt.Sprintf("%+v", b.Body)))
	})
	var parts []string
	for _, m := range ms {
		parts = append(parts, fmt.Sprintf("to %d: %s", m.To, msgString(m.Body)))
	}
	return strings.Join(parts, "\n            ")
}
