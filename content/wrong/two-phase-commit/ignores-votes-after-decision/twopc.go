// Package twopc implements two-phase commit with presumed abort on the
// course's simulated network: one Coordinator and several Participants,
// each a simnet node written as handlers, each with a durable Log that
// survives its crashes.
//
// A transaction writes keys held by several participants. The coordinator
// asks every participant to prepare; a participant that can commit locks
// the keys, logs its writes and votes Yes, and from then on must wait for
// the coordinator's decision. The coordinator commits only when every
// participant voted Yes: it logs Committed, then sends Commit. Any No, or a
// vote that does not arrive in time, aborts the transaction. A coordinator
// with no record of a transaction answers Abort (presumed abort).
//
// This file holds the vocabulary shared by both roles (messages, states,
// the log); it is complete. The protocol is yours to write in
// coordinator.go and participant.go.
package twopc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/simnet"
)

// TxID names a transaction. IDs are unique: the coordinator is never asked
// to begin the same transaction twice.
type TxID string

// Write sets Key to Value at one participant when its transaction commits.
type Write struct {
	Key, Value string
}

// String formats a write as key=value.
func (w Write) String() string { return w.Key + "=" + w.Value }

// Kind says what a message means.
type Kind int

// The messages of the protocol. Every message names its transaction in Tx.
const (
	// Prepare (coordinator → participant): "can you commit Tx?" Writes
	// holds the writes of Tx at the receiving participant.
	Prepare Kind = iota + 1
	// Yes (participant → coordinator): a vote to commit. A participant
	// that voted Yes also sends it again while it waits for the decision,
	// which asks the coordinator to repeat the decision.
	Yes
	// No (participant → coordinator): a vote to abort.
	No
	// Commit (coordinator → participant): the decision is commit.
	Commit
	// Abort (coordinator → participant): the decision is abort.
	Abort
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Prepare:
		return "Prepare"
	case Yes:
		return "Yes"
	case No:
		return "No"
	case Commit:
		return "Commit"
	case Abort:
		return "Abort"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Msg is the payload of every message of the protocol.
type Msg struct {
	Kind Kind
	Tx   TxID
	// Writes is set in Prepare messages only. A receiver must not modify
	// it: a duplicated message shares it with its copy.
	Writes []Write
}

// String formats a message for traces, e.g. "Prepare T1 [x=1 y=2]".
func (m Msg) String() string {
	if m.Kind == Prepare {
		return fmt.Sprintf("%v %s %s", m.Kind, m.Tx, formatWrites(m.Writes))
	}
	return fmt.Sprintf("%v %s", m.Kind, m.Tx)
}

func formatWrites(ws []Write) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// Message is a message of this protocol on the simulated network.
type Message = simnet.Message[Msg]

// State is what a node knows about a transaction.
type State int

// The states of a transaction.
const (
	// Unknown: the node has no record of the transaction.
	Unknown State = iota
	// Pending (coordinator only): Prepares are sent, votes are being
	// collected, no decision yet.
	Pending
	// Prepared (participant only): voted Yes, keys locked, waiting for the
	// decision.
	Prepared
	// Committed: the transaction committed.
	Committed
	// Aborted: the transaction aborted.
	Aborted
)

// String names the state.
func (s State) String() string {
	switch s {
	case Unknown:
		return "Unknown"
	case Pending:
		return "Pending"
	case Prepared:
		return "Prepared"
	case Committed:
		return "Committed"
	case Aborted:
		return "Aborted"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Record is one entry of a durable log: transaction Tx reached State.
// Writes is set only in a participant's Prepared record.
type Record struct {
	State  State
	Tx     TxID
	Writes []Write
}

// String formats a record, e.g. "Prepared T1 [x=1]" or "Committed T1".
func (r Record) String() string {
	if r.State == Prepared {
		return fmt.Sprintf("%v %s %s", r.State, r.Tx, formatWrites(r.Writes))
	}
	return fmt.Sprintf("%v %s", r.State, r.Tx)
}

// Log is a node's stable storage: an append-only list of records that
// survives the node's crash. The test harness keeps a node's Log when the
// node crashes and hands the same Log to the constructor of the node that
// replaces it. A record is durable as soon as Append returns, so a record
// appended during a Receive or Tick call is on disk before any message that
// call returns is sent.
//
// The zero Log is empty and ready to use. A Log is not safe for concurrent
// use (the simulated network calls one node at a time).
type Log struct {
	records []Record
}

// Append adds r at the end of the log. It keeps its own copy of r.Writes.
func (l *Log) Append(r Record) {
	r.Writes = slices.Clone(r.Writes)
	l.records = append(l.records, r)
}

// Records returns a copy of the log's records, oldest first.
func (l *Log) Records() []Record {
	out := make([]Record, len(l.records))
	for i, r := range l.records {
		r.Writes = slices.Clone(r.Writes)
		out[i] = r
	}
	return out
}

// Len returns the number of records in the log.
func (l *Log) Len() int { return len(l.records) }
