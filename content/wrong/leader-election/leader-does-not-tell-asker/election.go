// Known wrong: A leader that receives an Election only answers it and sends no Coordinator, so a restarted lower node learns who leads only from the next Heartbeat.
// Package election is a Bully leader election (Garcia-Molina, 1982) written
// as a node of the simulated network simnet: every node runs the same code,
// and the live node with the highest ID becomes the leader.
//
// A node reacts to two things only: a message arrived (Receive) or one tick
// of logical time passed (Tick). It keeps its own tick count and measures
// every timeout with it; it has no goroutines and no real clock.
package election

import (
	"slices"

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

// role is where a node is in the protocol.
type role int

const (
	starting  role = iota // not ticked yet: holds an election at its first Tick
	electing              // sent Elections, waiting for an Answer
	waiting               // got an Answer, waiting for a Coordinator
	following             // knows a leader above itself
	leading               // is the leader
)

// Node is one participant of the Bully election. Use NewNode.
// A Node is not safe for concurrent use; the network calls it one call at a time.
type Node struct {
	id     simnet.NodeID
	higher []simnet.NodeID // peers with a higher ID: Election goes to them
	lower  []simnet.NodeID // peers with a lower ID: Coordinator goes to them
	others []simnet.NodeID // every peer but itself: Heartbeat goes to them
	cfg    Config

	clock  int // ticks seen so far
	role   role
	leader simnet.NodeID // meaningful when following or leading
	since  int           // clock when the current role's timer started
}

// NewNode returns a node with the given ID in a cluster of peers (the ID of
// every node of the cluster, id included, in any order). The node knows no
// leader yet: it holds an election at its first Tick. A restarted node is a
// new NewNode: nothing survives a crash.
func NewNode(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Node {
	n := &Node{id: id, cfg: cfg}
	ps := slices.Clone(peers)
	slices.Sort(ps)
	for _, p := range slices.Compact(ps) {
		switch {
		case p > id:
			n.higher = append(n.higher, p)
		case p < id:
			n.lower = append(n.lower, p)
		}
		if p != id {
			n.others = append(n.others, p)
		}
	}
	return n
}

// Leader returns the node this node currently follows, or its own ID if it
// is the leader, and true; or 0, false while it knows no leader (before its
// first Tick, and while it holds an election).
func (n *Node) Leader() (simnet.NodeID, bool) {
	if n.role == following || n.role == leading {
		return n.leader, true
	}
	return 0, false
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
	n.clock++
	elapsed := n.clock - n.since
	switch n.role {
	case starting:
		// Bully: a node that (re)starts holds an election, so a recovered
		// higher node takes over from a lower leader.
		return n.startElection()
	case electing:
		if elapsed >= n.cfg.AnswerTimeout {
			// No higher node answered in time: all of them are down.
			return n.declare()
		}
	case waiting:
		if elapsed >= n.cfg.CoordinatorTimeout {
			// The node that answered died before announcing itself.
			return n.startElection()
		}
	case following:
		if elapsed >= n.cfg.LeaderTimeout {
			return n.startElection()
		}
	case leading:
		if elapsed >= n.cfg.HeartbeatInterval {
			n.since = n.clock
			return n.sendAll(n.others, Heartbeat)
		}
	}
	return nil
}

// Receive handles one message and returns the messages to send:
//   - Election from a lower node: reply Answer; a leader also replies
//     Coordinator (so a restarted node learns who leads).
//   - Answer while holding an election: stop waiting for answers and wait
//     for a Coordinator (CoordinatorTimeout) instead.
//   - Coordinator or Heartbeat from a lower node: a leader replies with a
//     Coordinator; anyone else ignores it.
//   - Coordinator or Heartbeat from a higher node: from your leader, it
//     restarts your LeaderTimeout; from a node higher than your leader (or
//     if you have none, or you lead), follow it; from a node between you
//     and your leader, ignore it.
func (n *Node) Receive(m simnet.Message[Kind]) []simnet.Message[Kind] {
	switch m.Body {
	case Election:
		if m.From > n.id {
			return nil // Elections only ever go upwards.
		}
		out := []simnet.Message[Kind]{{To: m.From, Body: Answer}}
		if false && n.role == leading {
			// The asker (typically a restarted node) learns who leads now,
			// without disturbing anyone else.
			out = append(out, simnet.Message[Kind]{To: m.From, Body: Coordinator})
		}
		return out
	case Answer:
		if n.role == electing && m.From > n.id {
			// Someone above is alive and will take over: stop waiting for
			// answers, wait for its Coordinator instead.
			n.role = waiting
			n.since = n.clock
		}
	case Coordinator, Heartbeat:
		return n.claim(m.From)
	}
	return nil
}

// claim handles "from is the leader" (a Coordinator or a Heartbeat).
func (n *Node) claim(from simnet.NodeID) []simnet.Message[Kind] {
	switch {
	case from < n.id:
		// A lower node believes it leads. Only the leader answers it, by
		// bullying it with its own Coordinator; anyone else leaves that to
		// their leader (or to their election, which will end the same way).
		if n.role == leading {
			return []simnet.Message[Kind]{{To: from, Body: Coordinator}}
		}
	case n.role == following && from == n.leader:
		n.since = n.clock // the leader is alive: restart the timer
	case n.role == following && from < n.leader:
		// A stale claim from below our leader (sent before it learned of a
		// higher leader): ignore it, or nodes would flip back and forth.
	default:
		// A higher node leads: follow it (a leader steps down, an election
		// in progress ends).
		n.role = following
		n.leader = from
		n.since = n.clock
	}
	return nil
}

// startElection sends Election to every higher peer, or wins at once if
// there is none.
func (n *Node) startElection() []simnet.Message[Kind] {
	if len(n.higher) == 0 {
		return n.declare()
	}
	n.role = electing
	n.since = n.clock
	return n.sendAll(n.higher, Election)
}

// declare makes the node the leader and tells every lower peer.
func (n *Node) declare() []simnet.Message[Kind] {
	n.role = leading
	n.leader = n.id
	n.since = n.clock
	return n.sendAll(n.lower, Coordinator)
}

func (n *Node) sendAll(to []simnet.NodeID, k Kind) []simnet.Message[Kind] {
	out := make([]simnet.Message[Kind], 0, len(to))
	for _, p := range to {
		out = append(out, simnet.Message[Kind]{To: p, Body: k})
	}
	return out
}
