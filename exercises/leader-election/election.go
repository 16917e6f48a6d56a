// Package election is a Bully leader election (Garcia-Molina, 1982) written
// as a node of the simulated network simnet: every node runs the same code,
// and the live node with the highest ID becomes the leader.
//
// A node reacts to two things only: a message arrived (Receive) or one tick
// of logical time passed (Tick). It keeps its own tick count and measures
// every timeout with it; it has no goroutines and no real clock.
//
// The lesson's section "The exercise" states every rule; this file repeats
// them next to the code they belong to.
package election

import (
	"github.com/dslearn/dslearn/simnet"
)

// Kind is the payload of every message of the election: what the message says.
type Kind int

// The four kinds of message.
const (
	// Election asks every higher node "is anyone above me alive?".
	// It is sent only to peers with a higher ID.
	Election Kind = iota + 1
	// Answer replies to an Election: "I am alive and above you; stand down".
	// It is sent only to the lower node whose Election it answers.
	Answer
	// Coordinator announces "I am the leader". It is sent only to peers
	// with a lower ID.
	Coordinator
	// Heartbeat is the leader's periodic "I am still the leader", sent to
	// every other peer. It is handled exactly like a Coordinator.
	Heartbeat
)

// String returns the name of the kind ("Election", "Answer", ...).
func (k Kind) String() string {
	switch k {
	case Election:
		return "Election"
	case Answer:
		return "Answer"
	case Coordinator:
		return "Coordinator"
	case Heartbeat:
		return "Heartbeat"
	}
	return "Kind(?)"
}

// Config holds the node's timeouts, all counted in the node's own ticks
// (the number of times Tick has been called on it).
type Config struct {
	// HeartbeatInterval: a leader sends Heartbeat to every other peer when
	// this many ticks have passed since it last sent a Coordinator or
	// Heartbeat round (so it sends one every HeartbeatInterval ticks).
	HeartbeatInterval int
	// LeaderTimeout: a follower that has heard nothing from its leader
	// (no Coordinator, no Heartbeat) for this many ticks holds an election.
	LeaderTimeout int
	// AnswerTimeout: a node holding an election that has received no Answer
	// this many ticks after sending its Election messages declares itself
	// the leader.
	AnswerTimeout int
	// CoordinatorTimeout: a node that received an Answer and then no
	// Coordinator for this many ticks holds a new election.
	CoordinatorTimeout int
}

// DefaultConfig returns timeouts that work on a network delivering every
// message within one tick of delay (simnet.Config{MaxDelay: 1}).
func DefaultConfig() Config {
	return Config{HeartbeatInterval: 3, LeaderTimeout: 6, AnswerTimeout: 4, CoordinatorTimeout: 10}
}

// Node is one participant of the Bully election. Use NewNode. Add whatever
// fields you need. A Node is not safe for concurrent use; the network calls
// it one call at a time.
type Node struct {
	// your fields here
}

// NewNode returns a node with the given ID in a cluster of peers (the ID of
// every node of the cluster, id included, in any order). The node knows no
// leader yet: it holds an election at its first Tick. A restarted node is a
// new NewNode: nothing survives a crash.
func NewNode(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Node {
	panic("not implemented yet: NewNode")
}

// Leader returns the node this node currently follows, or its own ID if it
// is the leader, and true; or 0, false while it knows no leader (before its
// first Tick, and while it holds an election).
func (n *Node) Leader() (simnet.NodeID, bool) {
	panic("not implemented yet: Leader")
}

// Tick is called once per tick. It adds one to the node's tick count, then
// acts on whichever timer ran out:
//   - a node that has not ticked before holds an election;
//   - a node holding an election with no Answer after AnswerTimeout ticks
//     declares itself leader;
//   - a node that got an Answer but no Coordinator for CoordinatorTimeout
//     ticks holds a new election;
//   - a follower that heard nothing from its leader for LeaderTimeout ticks
//     holds an election;
//   - a leader sends Heartbeat to every other peer every HeartbeatInterval
//     ticks.
//
// Holding an election means: forget the leader and send Election to every
// higher peer, or, if there is no higher peer, declare yourself at once.
// Declaring means: become the leader and send Coordinator to every lower
// peer. It returns the messages to send.
func (n *Node) Tick() []simnet.Message[Kind] {
	panic("not implemented yet: Tick")
}

// Receive handles one message and returns the messages to send:
//   - Election from a lower node: reply Answer; a leader also replies
//     Coordinator (so a restarted node learns who leads). An Election from
//     a higher node is ignored.
//   - Answer from a higher node while holding an election: stop waiting for
//     answers and wait for a Coordinator (CoordinatorTimeout) instead. Any
//     other Answer is ignored.
//   - Coordinator or Heartbeat from a lower node: a leader replies with a
//     Coordinator; anyone else ignores it.
//   - Coordinator or Heartbeat from a higher node: from your leader, it
//     restarts your LeaderTimeout; from a node higher than your leader (or
//     if you have none, or you lead), follow it; from a node between you
//     and your leader, ignore it.
func (n *Node) Receive(m simnet.Message[Kind]) []simnet.Message[Kind] {
	panic("not implemented yet: Receive")
}
