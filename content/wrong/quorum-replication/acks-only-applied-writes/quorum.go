// Package quorum replicates a key-value store over N replicas with read and
// write quorums, the scheme of Gifford's weighted voting (1979) and of
// Amazon's Dynamo (2007).
//
// Two kinds of node run on the simulated network (package simnet):
//
//   - a Replica stores, for every key, the value with the highest version it
//     has seen, and answers the coordinator's requests;
//   - a Coordinator runs the client's operations: Put sends the write to all
//     N replicas and succeeds once W distinct replicas have acknowledged it;
//     Get asks all N replicas and answers once R distinct replicas have
//     replied, with the highest version among those replies, then repairs
//     the stale replicas that replied.
//
// Versions are integers chosen by the client (like Cassandra's write
// timestamps): the caller of Put passes a version of at least 1 and never
// uses the same version twice for one key. Versions compare as numbers.
//
// Nodes are handlers: they never start goroutines and never read the clock.
// They learn that time passes only through Tick. A node is driven by one
// goroutine at a time and need not be safe for concurrent use.
package quorum

import (
	"fmt"

	"github.com/dslearn/dslearn/simnet"
)

// Kind says what a message asks or answers.
type Kind int

const (
	// PutReq (coordinator → replica) asks the replica to store Key=Value
	// at Version.
	PutReq Kind = iota + 1
	// PutAck (replica → coordinator) answers a PutReq: the replica now
	// holds Version or a newer version of Key. It echoes Op, Key and
	// Version of the request.
	PutAck
	// GetReq (coordinator → replica) asks what the replica holds for Key.
	GetReq
	// GetReply (replica → coordinator) answers a GetReq with what the
	// replica holds for Key: Found, Version and Value (Found false,
	// Version 0 and Value "" when it holds nothing). It echoes Op and Key.
	GetReply
	// Repair (coordinator → replica) is read repair: store Key=Value at
	// Version if that is newer than what the replica holds. It has no
	// reply.
	Repair
)

var kindNames = map[Kind]string{
	PutReq: "PutReq", PutAck: "PutAck", GetReq: "GetReq",
	GetReply: "GetReply", Repair: "Repair",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// OpID names one client operation (one Put or one Get) of a coordinator.
// A coordinator numbers its operations 1, 2, 3, … in the order Put and Get
// are called.
type OpID int

// Msg is the payload of every message of this exercise. Fields a kind does
// not use are left zero.
type Msg struct {
	Kind    Kind
	Op      OpID   // the operation this message belongs to; replies echo it
	Key     string // the key read or written; replies echo it
	Version int    // PutReq, Repair: version to store; PutAck: echoed; GetReply: version held (0 if none)
	Value   string // PutReq, Repair: value to store; GetReply: value held
	Found   bool   // GetReply only: whether the replica holds a value for Key
}

// String renders a message compactly for traces, e.g. "PutReq#1 x=a@3".
func (m Msg) String() string {
	switch m.Kind {
	case PutReq, Repair:
		return fmt.Sprintf("%v#%d %s=%s@%d", m.Kind, m.Op, m.Key, m.Value, m.Version)
	case PutAck:
		return fmt.Sprintf("%v#%d %s@%d", m.Kind, m.Op, m.Key, m.Version)
	case GetReq:
		return fmt.Sprintf("%v#%d %s", m.Kind, m.Op, m.Key)
	case GetReply:
		if !m.Found {
			return fmt.Sprintf("%v#%d %s=<none>", m.Kind, m.Op, m.Key)
		}
		return fmt.Sprintf("%v#%d %s=%s@%d", m.Kind, m.Op, m.Key, m.Value, m.Version)
	}
	return fmt.Sprintf("%v#%d %s", m.Kind, m.Op, m.Key)
}

// Entry is what a replica holds for one key.
type Entry struct {
	Version int
	Value   string
}

// Status is the state of an operation as the client sees it.
type Status int

const (
	// Pending: the operation has neither reached its quorum nor timed out.
	Pending Status = iota
	// OK: a Put was acknowledged by at least W distinct replicas, or a Get
	// was answered by at least R distinct replicas.
	OK
	// TimedOut: Timeout ticks passed before the quorum was reached. For a
	// Put the outcome is unknown: the write may have reached some replicas
	// and may be returned by later reads.
	TimedOut
)

func (s Status) String() string {
	switch s {
	case Pending:
		return "Pending"
	case OK:
		return "OK"
	case TimedOut:
		return "TimedOut"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is what the client learns about an operation.
type Result struct {
	Status Status
	// For a Get whose Status is OK: the reply with the highest version among
	// the R replies that completed it (Found false, Version 0, Value "" if
	// none of them held the key). Zero for a Put and for any other status.
	Found   bool
	Version int
	Value   string
}

// Config configures a coordinator.
type Config struct {
	// Replicas are the IDs of the N replicas, N = len(Replicas), all
	// distinct.
	Replicas []simnet.NodeID
	// R is how many distinct replicas must reply before a Get completes,
	// W how many must acknowledge before a Put completes; 1 <= R, W <= N.
	R, W int
	// Timeout is how many ticks an operation may stay Pending, at least 1.
	Timeout int
}
