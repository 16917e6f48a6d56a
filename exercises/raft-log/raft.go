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
// The lesson's section "The exercise" states every rule; this file repeats
// them next to the code they belong to, with their names (E1…E10 for the
// election, L1…L11 for the log, P1…P4 for persistence). Functions marked
// "lesson 14 on" are not called by the suite of lesson 13: leave them
// panicking until then.
//
// This lesson extends your code of raft-election: run `dslearn carry
// raft-log` to copy your raft-election files here (add --from-reference to
// start from the reference solution of raft-election once you have passed
// it).
package raft

import (
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

// Node is one Raft server. Use NewNode. Add whatever fields you need (the
// paper's Figure 2 lists the state). A Node is not safe for concurrent use;
// the network calls it one call at a time. Keep all of a node's state in
// its Node value: two Node values never share anything (no package-level
// variables), and anything the caller does to a message or to what Log
// returns never changes the node.
type Node struct {
	// your fields here
}

// NewNode returns the node id of a cluster of peers: the ID of every node of
// the cluster, id included, in any order (IDs are > 0). A majority of the
// cluster is len(peers)/2+1 nodes.
//
// E1: the node starts as a Follower in term 0, with no vote and no leader
// known, and draws its first election timeout. Its random source is
// rand.New(rand.NewPCG(cfg.Seed, uint64(id))) (math/rand/v2), used for
// nothing else; a timeout is min + r.IntN(max-min+1), with min and max
// cfg.ElectionTimeoutMin and cfg.ElectionTimeoutMax (max < min counts as
// max == min). Every reset of the election timer draws a new timeout.
//
// Send messages to the other peers in increasing order of ID, so that a run
// is the same every time for the same seeds.
//
// Lesson 15 on (P3): if cfg.Storage holds a saved state (Load() != nil),
// the node starts from it: currentTerm, votedFor and the log are restored;
// everything else starts as in E1 (Follower, no leader known, commitIndex
// and lastApplied 0, so the node applies again from index 1 as it learns
// what is committed). With an empty Storage, or none, it starts as in E1.
func NewNode(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Node {
	panic("not implemented yet: NewNode")
}

// State returns the node's currentTerm and its role.
func (n *Node) State() (term int, role Role) {
	panic("not implemented yet: State")
}

// Leader returns the leader of the current term as far as this node knows,
// and true: itself if it is the Leader, else the sender of the last
// AppendEntries it accepted in its current term. It returns 0, false when it
// knows none: at the start, after any change of term until it accepts an
// AppendEntries of the new term, and while it is a Candidate (E9).
func (n *Node) Leader() (simnet.NodeID, bool) {
	panic("not implemented yet: Leader")
}

// VotedFor returns the peer this node voted for in its current term
// (itself if it is a Candidate or a Leader), or 0 if none.
func (n *Node) VotedFor() simnet.NodeID {
	panic("not implemented yet: VotedFor")
}

// Tick is called once per tick and returns the messages to send. It adds
// one to the node's tick count; the election timer counts the ticks since
// its last reset in every role (a Leader just does not act on it).
//
// E2: a Follower or Candidate whose timer has run for its timeout (ticks
// since the last reset >= timeout) starts an election: currentTerm++, role
// Candidate, it votes for itself, forgets the leader, resets its timer, and
// sends RequestVote{Term, LastLogIndex, LastLogTerm} to every other peer.
// A cluster of one becomes Leader at once (as in E6).
//
// E3: the election timer is reset ONLY when the node starts an election,
// when it grants a vote (E5), and when it receives an AppendEntries whose
// Term >= its currentTerm (E8). Stepping down because of a higher term does
// not by itself reset it: a Leader that steps down (E4) and then neither
// grants a vote nor accepts an AppendEntries starts an election once that
// timer, running since it started the election it won, reaches its timeout
// (at its next Tick if it led at least that long).
//
// E7: a Leader sends AppendEntries to every other peer every
// HeartbeatInterval ticks, counted from the last round it sent (the first
// round is the one sent on becoming Leader, E6): the round goes out on the
// Tick that makes the count reach HeartbeatInterval. Rule L6's extra
// AppendEntries to one peer is not a round and does not restart the count.
//
// E10: nothing else sends messages: a Follower or Candidate whose timer has
// not run out sends nothing on Tick.
//
// Lesson 14 on (L7, L9): a Leader's Tick also runs the commit rule L7 (in a
// cluster of one no reply ever comes, so an entry is committed at the next
// Tick after Submit) and applies what became committed.
//
// Lesson 15 on (P2): if the call changed currentTerm, votedFor or the log,
// it saves them to cfg.Storage before it returns.
func (n *Node) Tick() []simnet.Message[Msg] {
	panic("not implemented yet: Tick")
}

// Receive handles one message and returns the messages to send. Replies go
// to m.From.
//
// E4: any message (request or reply) with Term > currentTerm first makes
// the node set currentTerm = Term, votedFor = none, role Follower, leader
// unknown; then it handles the message.
//
// E5, a RequestVote: with Term < currentTerm, reply
// RequestVoteReply{Term: currentTerm, VoteGranted: false}. Otherwise grant
// the vote iff votedFor is none or the candidate itself (and, lesson 14 on,
// the candidate's log is at least as up-to-date as the node's, L8); on
// granting, set votedFor = candidate and reset the election timer. Always
// reply {Term: currentTerm, VoteGranted}. A duplicate RequestVote from the
// candidate the node voted for is granted again (and resets the timer again).
//
// L8 (lesson 14 on): the candidate's log is at least as up-to-date iff its
// LastLogTerm > the term of the node's last entry, or the terms are equal
// and its LastLogIndex >= the node's lastLogIndex.
//
// E6, a RequestVoteReply: a Candidate counts the replies with VoteGranted
// and Term == currentTerm from distinct peers, its own vote included; when
// they reach a majority of the cluster (len(peers)/2+1) it becomes Leader
// (leader = itself) and at once sends AppendEntries to every other peer (its
// first round, E7; lesson 14 on, the AppendEntries of L2). Replies of an
// older term, and replies to anyone not a Candidate, are ignored, and so is
// a reply from an ID that is not another peer of the cluster (it counts for
// nothing: not as a vote, and from lesson 14 not for L5 or L6).
//
// E8, an AppendEntries: with Term < currentTerm, reply
// AppendEntriesReply{Term: currentTerm, Success: false, Index: 0} and change
// nothing else. Otherwise (Term == currentTerm after E4) a Candidate becomes
// Follower, the leader is the sender, the election timer is reset; then
// (lesson 14 on) the log rules L3 and L4; then reply. In lesson 13, where
// logs are always empty, the reply is {Term: currentTerm, Success: true,
// Index: 0}.
//
// L3 (lesson 14 on): if PrevLogIndex > lastLogIndex, or the term of the
// entry at PrevLogIndex is not PrevLogTerm, reply {Success: false, Index:
// min(PrevLogIndex-1, lastLogIndex)} (the log is not changed).
//
// L4 (lesson 14 on): otherwise walk Entries (the first is at index
// PrevLogIndex+1): where the log holds an entry with a DIFFERENT term,
// delete it and everything after it and append the rest of Entries; an
// entry with the same term is kept (a late or duplicated AppendEntries never
// truncates entries that match). Then if LeaderCommit > commitIndex, set
// commitIndex = min(LeaderCommit, PrevLogIndex+len(Entries)) unless that is
// smaller (commitIndex never decreases), and apply (L9). Reply
// {Success: true, Index: PrevLogIndex+len(Entries)}.
//
// L5 (lesson 14 on), a successful AppendEntriesReply of the Leader's
// current term from peer p: matchIndex[p] = max(matchIndex[p], Index),
// nextIndex[p] = max(nextIndex[p], Index+1); then advance commitIndex (L7)
// and apply (L9). Nothing more is sent to p until the next round (E7).
//
// L6 (lesson 14 on), a failed AppendEntriesReply of the Leader's current
// term from p: nextIndex[p] = max(matchIndex[p]+1, min(nextIndex[p]-1,
// Index+1)), and a new AppendEntries (L2) goes to p at once, in this call.
//
// Replies of another term, and AppendEntriesReply to anyone not a Leader,
// are ignored (after E4).
//
// L2 (lesson 14 on): every AppendEntries to peer p carries PrevLogIndex =
// nextIndex[p]-1, PrevLogTerm = the term of that entry (0 for index 0),
// Entries = a copy of the log from nextIndex[p] to its end (may be empty),
// LeaderCommit = commitIndex. On becoming Leader, nextIndex[p] =
// lastLogIndex+1 and matchIndex[p] = 0 for every other peer p.
//
// L7 (lesson 14 on): a Leader sets commitIndex to the largest N >
// commitIndex such that the entry at N has Term == currentTerm and a
// majority of the cluster has matchIndex >= N (the Leader counts itself,
// with its lastLogIndex). Entries of earlier terms are committed only
// together with such an N (the paper's Figure 8).
//
// L9 (lesson 14 on): whenever commitIndex > lastApplied, call
// cfg.Apply(i, entry) (if not nil) for i = lastApplied+1 … commitIndex in
// order, each index exactly once per Node value, before Receive or Tick
// returns.
//
// Lesson 15 on (P2): if the call changed currentTerm, votedFor or the log,
// it saves them to cfg.Storage before it returns, so before any message it
// returns is sent.
func (n *Node) Receive(m simnet.Message[Msg]) []simnet.Message[Msg] {
	panic("not implemented yet: Receive")
}

// Submit (lesson 14 on) proposes a command (L1). On a Leader it appends
// Entry{currentTerm, command} to its log and returns the entry's index,
// currentTerm and true. It sends nothing: the entry leaves with the next
// AppendEntries the leader sends to each peer. On a node that is not Leader
// it changes nothing and returns 0, currentTerm, false.
//
// Leaders do NOT append a no-op entry on election (L11): the log holds
// exactly the submitted commands.
//
// Lesson 15 on (P2): appending saves the persistent state before Submit
// returns.
func (n *Node) Submit(command string) (index, term int, ok bool) {
	panic("not implemented yet: Submit")
}

// Log (lesson 14 on) returns a copy of the log: the entry of index i is
// Log()[i-1]. Changing the copy never changes the node (L10), nor does
// changing the Entries of a message after the node sent or received it.
func (n *Node) Log() []Entry {
	panic("not implemented yet: Log")
}

// CommitIndex (lesson 14 on) returns the index of the highest entry the
// node knows to be committed (0 if none).
func (n *Node) CommitIndex() int {
	panic("not implemented yet: CommitIndex")
}
