// Package raft is a Raft node (Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm", USENIX ATC 2014; its Figure 2 is the
// rulebook) written as a node of the simulated network simnet. You grow this
// one file across four lessons: the election (lesson 13, raft-election), log
// replication (lesson 14, raft-log), persistence (lesson 15,
// raft-persistence) and a key-value store on top of it (lesson 16, raft-kv).
//
// A node reacts to two things only: a message arrived (Receive) or one tick
// of logical time passed (Tick). It keeps its own tick count and measures
// every timeout with it; it has no goroutines and no real clock.
//
// This is the reference of lesson 13: the election only. Log replication
// (Submit, Log, CommitIndex) comes in lesson 14. The rule names in the
// comments (E1…E10) are those of the lesson's section "The exercise".
package raft

import (
	"math/rand/v2"
	"slices"

	"github.com/dslearn/dslearn/simnet"
)

// Role is what a node currently is in its term.
type Role int

// The three roles.
const (
	// Follower is where every node starts: it answers requests and waits
	// for a leader's AppendEntries.
	Follower Role = iota + 1
	// Candidate is a node asking for votes in an election it started.
	Candidate
	// Leader is the node that won its term's election: it sends
	// AppendEntries to every other peer.
	Leader
)

// String returns the name of the role ("Follower", "Candidate", "Leader").
func (r Role) String() string {
	switch r {
	case Follower:
		return "Follower"
	case Candidate:
		return "Candidate"
	case Leader:
		return "Leader"
	}
	return "Role(?)"
}

// Entry is one entry of the log: a command and the term of the leader that
// first appended it. Log indexes start at 1; index 0 means "before the log",
// and its term is 0.
type Entry struct {
	Term    int
	Command string
}

// Kind says what a Msg is.
type Kind int

// The four kinds of Raft message.
const (
	// RequestVote asks for a vote in the sender's term.
	RequestVote Kind = iota + 1
	// RequestVoteReply answers a RequestVote.
	RequestVoteReply
	// AppendEntries is the leader's message: a heartbeat, and from lesson 14
	// the entries a follower is missing.
	AppendEntries
	// AppendEntriesReply answers an AppendEntries.
	AppendEntriesReply
)

// String returns the name of the kind ("RequestVote", "RequestVoteReply",
// "AppendEntries", "AppendEntriesReply").
func (k Kind) String() string {
	switch k {
	case RequestVote:
		return "RequestVote"
	case RequestVoteReply:
		return "RequestVoteReply"
	case AppendEntries:
		return "AppendEntries"
	case AppendEntriesReply:
		return "AppendEntriesReply"
	}
	return "Kind(?)"
}

// Msg is the body of every Raft message. Fields a Kind does not use are
// zero.
type Msg struct {
	Kind Kind
	// Term is the sender's currentTerm, in every message.
	Term int
	// LastLogIndex and LastLogTerm (RequestVote) are the index and term of
	// the candidate's last log entry (0, 0 when its log is empty).
	LastLogIndex, LastLogTerm int
	// VoteGranted (RequestVoteReply) is the answer.
	VoteGranted bool
	// PrevLogIndex and PrevLogTerm (AppendEntries) are the index and term of
	// the entry just before Entries (0, 0 at the start of the log).
	PrevLogIndex, PrevLogTerm int
	// Entries (AppendEntries) are the entries to store, a copy of the
	// leader's log from PrevLogIndex+1 to its end; empty for a heartbeat.
	Entries []Entry
	// LeaderCommit (AppendEntries) is the leader's commitIndex.
	LeaderCommit int
	// Success (AppendEntriesReply) is the answer.
	Success bool
	// Index (AppendEntriesReply): on success, the index of the last entry
	// the follower now holds from this message (PrevLogIndex+len(Entries));
	// on failure, a hint for the leader (rule L3). Always 0 in lesson 13.
	Index int
}

// Config holds the node's settings. Times are counted in the node's own
// ticks (the number of times Tick has been called on it).
type Config struct {
	// ElectionTimeoutMin and ElectionTimeoutMax bound the election timeout:
	// each is drawn uniformly from [ElectionTimeoutMin, ElectionTimeoutMax]
	// (rule E1).
	ElectionTimeoutMin, ElectionTimeoutMax int
	// HeartbeatInterval: a leader sends AppendEntries to every other peer
	// every HeartbeatInterval ticks (rule E7).
	HeartbeatInterval int
	// Seed seeds the node's random source,
	// rand.New(rand.NewPCG(Seed, uint64(id))) from math/rand/v2.
	Seed uint64
	// Apply (lesson 14 on) is called with each committed entry and its
	// index, in index order (rule L9). It may be nil.
	Apply func(index int, e Entry)
	// Storage (lesson 15 on) is the node's stable storage. The persistent
	// state is currentTerm, votedFor and the log (P1), encoded as you like;
	// role, leader, commitIndex, lastApplied, nextIndex, matchIndex and the
	// timers are volatile and never saved. A call that changes the
	// persistent state saves it before it returns; a call that changes none
	// of it does not call Save (P2). nil means "no persistence": nothing is
	// saved (P4).
	Storage *simnet.Storage
}

// DefaultConfig returns timeouts that work on a network delivering every
// message within a few ticks (simnet.Config{MaxDelay: 2}): an election
// timeout of 10 to 20 ticks and a heartbeat every 3.
func DefaultConfig() Config {
	return Config{ElectionTimeoutMin: 10, ElectionTimeoutMax: 20, HeartbeatInterval: 3}
}

// Node is one Raft server. Its fields are the paper's Figure 2, plus the
// timers. A Node is not safe for concurrent use.
type Node struct {
	id     simnet.NodeID
	others []simnet.NodeID // every other peer, sorted: the order of sending
	cfg    Config
	rng    *rand.Rand

	// Persistent state (Figure 2).
	term     int
	votedFor simnet.NodeID // 0: none in this term
	log      []Entry       // log[i-1] is the entry of index i; empty until lesson 14

	// Volatile state.
	role   Role
	leader simnet.NodeID          // 0: none known in this term
	votes  map[simnet.NodeID]bool // Candidate: the peers that granted their vote

	elapsed        int // ticks since the election timer was last reset
	timeout        int // the current election timeout
	sinceHeartbeat int // Leader: ticks since its last round of AppendEntries
}

// NewNode returns the node id of a cluster of peers (id included, any
// order). It starts as a Follower of term 0 (E1).
func NewNode(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Node {
	others := slices.DeleteFunc(slices.Clone(peers), func(p simnet.NodeID) bool { return p == id })
	slices.Sort(others)
	n := &Node{
		id:     id,
		others: slices.Compact(others),
		cfg:    cfg,
		rng:    rand.New(rand.NewPCG(cfg.Seed, uint64(id))),
		role:   Follower,
	}
	n.resetTimer()
	return n
}

// State returns the node's currentTerm and role.
func (n *Node) State() (term int, role Role) { return n.term, n.role }

// Leader returns the leader of the current term as far as the node knows.
func (n *Node) Leader() (simnet.NodeID, bool) { return n.leader, n.leader != 0 }

// VotedFor returns the peer voted for in the current term, 0 if none.
func (n *Node) VotedFor() simnet.NodeID { return n.votedFor }

// majority is the number of nodes that make a majority of the cluster.
func (n *Node) majority() int { return (len(n.others)+1)/2 + 1 }

// isPeer tells whether id is another node of the cluster.
func (n *Node) isPeer(id simnet.NodeID) bool {
	_, found := slices.BinarySearch(n.others, id)
	return found
}

// resetTimer restarts the election timer with a new random timeout (E1, E3).
func (n *Node) resetTimer() {
	lo, hi := n.cfg.ElectionTimeoutMin, max(n.cfg.ElectionTimeoutMin, n.cfg.ElectionTimeoutMax)
	n.elapsed = 0
	n.timeout = lo + n.rng.IntN(hi-lo+1)
}

// lastLog returns the index and term of the last log entry (0, 0 if none).
func (n *Node) lastLog() (index, term int) {
	if len(n.log) == 0 {
		return 0, 0
	}
	return len(n.log), n.log[len(n.log)-1].Term
}

// msg addresses a message of the node's current term to a peer.
func (n *Node) msg(to simnet.NodeID, body Msg) simnet.Message[Msg] {
	body.Term = n.term
	return simnet.Message[Msg]{From: n.id, To: to, Body: body}
}

// Tick advances the timers: a Leader sends a round of AppendEntries every
// HeartbeatInterval ticks (E7); anyone else starts an election when its
// timer runs out (E2, E10).
func (n *Node) Tick() []simnet.Message[Msg] {
	n.elapsed++
	if n.role == Leader {
		n.sinceHeartbeat++
		if n.sinceHeartbeat < n.cfg.HeartbeatInterval {
			return nil
		}
		return n.broadcastAppend()
	}
	if n.elapsed < n.timeout {
		return nil
	}
	return n.startElection()
}

// startElection makes the node a Candidate of a new term that votes for
// itself and asks every other peer for its vote (E2).
func (n *Node) startElection() []simnet.Message[Msg] {
	n.term++
	n.role = Candidate
	n.votedFor = n.id
	n.leader = 0
	n.votes = map[simnet.NodeID]bool{n.id: true}
	n.resetTimer()
	if len(n.votes) >= n.majority() { // a cluster of one
		return n.becomeLeader()
	}
	index, term := n.lastLog()
	out := make([]simnet.Message[Msg], 0, len(n.others))
	for _, p := range n.others {
		out = append(out, n.msg(p, Msg{Kind: RequestVote, LastLogIndex: index, LastLogTerm: term}))
	}
	return out
}

// becomeLeader makes a Candidate that won its election the Leader, and
// sends its first round of AppendEntries (E6).
func (n *Node) becomeLeader() []simnet.Message[Msg] {
	n.role = Leader
	n.leader = n.id
	n.votes = nil
	return n.broadcastAppend()
}

// broadcastAppend sends a round of AppendEntries to every other peer and
// restarts the heartbeat count (E7).
func (n *Node) broadcastAppend() []simnet.Message[Msg] {
	n.sinceHeartbeat = 0
	out := make([]simnet.Message[Msg], 0, len(n.others))
	for _, p := range n.others {
		out = append(out, n.appendEntries(p))
	}
	return out
}

// appendEntries is the AppendEntries for peer p: in this lesson, a
// heartbeat with no entries.
func (n *Node) appendEntries(p simnet.NodeID) simnet.Message[Msg] {
	return n.msg(p, Msg{Kind: AppendEntries})
}

// Receive handles one message: a higher term makes the node a Follower of
// that term first (E4), then the message is handled by its kind.
func (n *Node) Receive(m simnet.Message[Msg]) []simnet.Message[Msg] {
	if m.Body.Term > n.term {
		n.term = m.Body.Term
		n.votedFor = 0
		n.role = Follower
		n.leader = 0
		n.votes = nil
	}
	switch m.Body.Kind {
	case RequestVote:
		return n.handleRequestVote(m)
	case RequestVoteReply:
		return n.handleVoteReply(m)
	case AppendEntries:
		return n.handleAppendEntries(m)
	case AppendEntriesReply:
		return n.handleAppendReply(m)
	}
	return nil
}

// handleRequestVote grants at most one vote per term (E5).
func (n *Node) handleRequestVote(m simnet.Message[Msg]) []simnet.Message[Msg] {
	b := m.Body
	granted := b.Term == n.term && (n.votedFor == 0 || n.votedFor == m.From)
	if granted {
		n.votedFor = m.From
		n.resetTimer()
	}
	return []simnet.Message[Msg]{n.msg(m.From, Msg{Kind: RequestVoteReply, VoteGranted: granted})}
}

// handleVoteReply counts the votes of a Candidate; a majority makes it the
// Leader (E6).
func (n *Node) handleVoteReply(m simnet.Message[Msg]) []simnet.Message[Msg] {
	b := m.Body
	if n.role != Candidate || b.Term != n.term || !b.VoteGranted || !n.isPeer(m.From) {
		return nil
	}
	n.votes[m.From] = true
	if len(n.votes) >= n.majority() {
		return n.becomeLeader()
	}
	return nil
}

// handleAppendEntries accepts the sender as the leader of the current term
// (E8, E9).
func (n *Node) handleAppendEntries(m simnet.Message[Msg]) []simnet.Message[Msg] {
	b := m.Body
	if b.Term < n.term {
		return []simnet.Message[Msg]{n.msg(m.From, Msg{Kind: AppendEntriesReply})}
	}
	n.role = Follower
	n.leader = m.From
	n.resetTimer()
	return []simnet.Message[Msg]{n.msg(m.From, Msg{Kind: AppendEntriesReply, Success: true})}
}

// handleAppendReply: in this lesson, replies only matter for their term
// (E4), which Receive has already handled.
func (n *Node) handleAppendReply(m simnet.Message[Msg]) []simnet.Message[Msg] {
	return nil
}

// Submit belongs to lesson 14.
func (n *Node) Submit(command string) (index, term int, ok bool) {
	panic("not implemented yet: Submit")
}

// Log belongs to lesson 14.
func (n *Node) Log() []Entry {
	panic("not implemented yet: Log")
}

// CommitIndex belongs to lesson 14.
func (n *Node) CommitIndex() int {
	panic("not implemented yet: CommitIndex")
}
