package raft

import (
	"fmt"
	"github.com/dslearn/dslearn/simnet"
)

// This file is lesson 16's: a key-value store replicated with your Raft
// node. Every server of the cluster runs a Server; clients send it a
// Request and get a Reply. The store is linearizable: every operation,
// reads included, goes through the Raft log, and each client's operations
// take effect exactly once however often it retries them (K6).

// Op is what a Request asks for.
type Op int

// The three operations.
const (
	// Get reads the value of Key.
	Get Op = iota + 1
	// Put sets Key to Value.
	Put
	// Append appends Value to the value of Key (a missing key counts as "").
	Append
)

// String returns the name of the operation ("Get", "Put", "Append").
func (o Op) String() string {
	switch o {
	case Get:
		return "Get"
	case Put:
		return "Put"
	case Append:
		return "Append"
	}
	return "Op(?)"
}

// Err is the outcome of a Request.
type Err string

// The outcomes.
const (
	// OK: the operation took effect (Put, Append) or found its key (Get).
	OK Err = "OK"
	// ErrNoKey: a Get of a key that holds no value; Value is "".
	ErrNoKey Err = "ErrNoKey"
	// ErrWrongLeader: this server cannot answer; try the server in
	// Reply.Leader if it is not 0, else another one.
	ErrWrongLeader Err = "ErrWrongLeader"
)

// Request is a client's operation. A client numbers its requests Seq = 1,
// 2, 3…, sends one at a time, and sends the same request (same Seq) again,
// to the same or another server, until it gets a Reply whose Err is not
// ErrWrongLeader.
type Request struct {
	ClientID int64
	Seq      int64
	Op       Op
	Key      string
	Value    string
}

// Reply answers the Request with the same ClientID and Seq. Value is the
// value read by a Get with Err OK ("" otherwise). Leader is the leader the
// server knows (itself if it is the leader), or 0 if it knows none.
type Reply struct {
	ClientID int64
	Seq      int64
	Err      Err
	Value    string
	Leader   simnet.NodeID
}

// KVMsg is the body of every message of the key-value cluster: exactly one
// field is set. Raft carries the messages between the servers' Raft nodes;
// Request goes from a client to a server and Reply back.
type KVMsg struct {
	Raft    *Msg
	Request *Request
	Reply   *Reply
}

// String shows the field that is set, so that a KVMsg prints readably (in a
// simnet Diagram, for example). It is given complete.
func (m KVMsg) String() string {
	switch {
	case m.Raft != nil:
		return fmt.Sprintf("Raft%+v", *m.Raft)
	case m.Request != nil:
		return fmt.Sprintf("Request%+v", *m.Request)
	case m.Reply != nil:
		return fmt.Sprintf("Reply%+v", *m.Reply)
	}
	return "KVMsg{}"
}

// Server is one server of the key-value store: a Raft node and the state
// built by applying its committed entries. Use NewServer. Add whatever
// fields you need. A Server is not safe for concurrent use.
type Server struct {
	// your fields here
}

// NewServer returns the server id of a cluster of peers (the ID of every
// server, id included, in any order). It builds its Raft node with
// NewNode(id, peers, cfg), with cfg.Apply replaced by the server's own
// apply function; if the caller's cfg.Apply is not nil, it is called too,
// after the server's own apply of the same entry.
//
// K7: a restarted server is a new NewServer given the same cfg.Storage: it
// starts with an empty store and rebuilds its key-value state and its
// exactly-once table by applying the log again as its node learns what is
// committed (no snapshots in this course).
func NewServer(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Server {
	panic("not implemented yet: NewServer")
}

// Raft returns the server's Raft node.
func (s *Server) Raft() *Node {
	panic("not implemented yet: Raft")
}

// Value returns the value of key in the server's applied state, and whether
// the key holds a value (for tests).
func (s *Server) Value(key string) (string, bool) {
	panic("not implemented yet: Value")
}

// Tick ticks the server's Raft node and returns its messages, each wrapped
// in a KVMsg (K1), followed by the Replies of requests whose entries the
// tick applied (K3).
func (s *Server) Tick() []simnet.Message[KVMsg] {
	panic("not implemented yet: Tick")
}

// Receive handles one message and returns the messages to send.
//
// K1, a Raft message: pass it to the node (with the same From and To) and
// return the node's messages wrapped in KVMsg.Raft, followed by the Replies
// of requests whose entries this call applied (K3).
//
// K2, a Request to a server whose node is not Leader: reply at once
// Reply{ClientID, Seq, Err: ErrWrongLeader, Leader: the leader the node
// knows, or 0}.
//
// K3, a Request to a Leader: every operation, Get included, goes through
// the log: Submit an encoding of the request (your choice of encoding) and
// remember which client waits for that index. When the entry at that index
// is applied, reply to the client (the Reply goes to the Request's m.From);
// if the entry applied there is not this request (the server lost its
// leadership and another leader's entry took the index), reply
// ErrWrongLeader instead. Otherwise the reply is the remembered Reply of the
// client's highest applied Seq (K4), the request's own result, unless that
// Seq is already higher (a late copy reached the log after the client moved
// on): then there is no reply. A server that loses its leadership does not
// need to answer its waiting requests before their indexes are applied:
// clients retry after a timeout.
//
// K4, exactly once: the server remembers, per client, the highest Seq
// applied and its Reply. Applying an entry whose Seq is <= the highest
// applied for its client changes nothing (it is a retry that reached the
// log twice). A Request to a Leader whose Seq equals the highest applied
// for its client is answered at once from the remembered Reply, with no new
// entry; a Request whose Seq is lower (the client already has its answer
// and moved on) is ignored: no entry, no reply. A non-Leader answers
// ErrWrongLeader in every case (K2).
//
// K5, applying: Get of a missing key gives ErrNoKey and Value ""; Get of a
// key gives OK and its value; Put sets the key; Append appends to its value
// (a missing key counts as ""); both give OK. Every server applies every
// committed entry, so all of them hold the same state; only the one that
// Submitted the request replies to the client.
//
// Messages of any other kind (a Reply, an empty KVMsg) are ignored.
func (s *Server) Receive(m simnet.Message[KVMsg]) []simnet.Message[KVMsg] {
	panic("not implemented yet: Receive")
}
