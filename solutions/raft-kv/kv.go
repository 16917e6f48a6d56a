package raft

import (
	"encoding/json"
	"fmt"

	"github.com/dslearn/dslearn/simnet"
)

// This file is lesson 16's: a key-value store replicated with the Raft
// node of raft.go (lesson 15's, unchanged). The rule names in the comments
// (K1…K7) are those of the lesson's section "The exercise". Every server of the cluster runs a Server; clients send it a
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

// Server is one server of the key-value store. A Server is not safe for
// concurrent use.
type Server struct {
	node *Node
	data map[string]string // the applied key-value state

	// sessions holds, per client, the highest Seq applied and its reply:
	// the exactly-once table (K4). It is rebuilt, like data, by applying
	// the log.
	sessions map[int64]Reply

	// waiting maps the index of an entry this server submitted as Leader to
	// the client that waits for its reply (K3).
	waiting map[int]waiter

	// replies collects the Replies produced while the node applies entries,
	// until the Receive or Tick that applied them returns them.
	replies []simnet.Message[KVMsg]
}

// waiter is a request waiting for its entry to be applied.
type waiter struct {
	client simnet.NodeID // where the reply goes
	id     int64         // ClientID of the request
	seq    int64
}

// NewServer returns the server id of a cluster of peers, with its Raft node.
func NewServer(id simnet.NodeID, peers []simnet.NodeID, cfg Config) *Server {
	s := &Server{
		data:     map[string]string{},
		sessions: map[int64]Reply{},
		waiting:  map[int]waiter{},
	}
	callerApply := cfg.Apply
	cfg.Apply = func(index int, e Entry) {
		s.apply(index, e)
		if callerApply != nil {
			callerApply(index, e)
		}
	}
	s.node = NewNode(id, peers, cfg)
	return s
}

// Raft returns the server's Raft node.
func (s *Server) Raft() *Node { return s.node }

// Value returns the applied value of key.
func (s *Server) Value(key string) (string, bool) {
	v, ok := s.data[key]
	return v, ok
}

// Tick ticks the node (K1).
func (s *Server) Tick() []simnet.Message[KVMsg] {
	return s.wrap(s.node.Tick())
}

// Receive passes Raft messages to the node (K1) and handles Requests
// (K2–K4).
func (s *Server) Receive(m simnet.Message[KVMsg]) []simnet.Message[KVMsg] {
	switch {
	case m.Body.Raft != nil:
		return s.wrap(s.node.Receive(simnet.Message[Msg]{From: m.From, To: m.To, Body: *m.Body.Raft}))
	case m.Body.Request != nil:
		return s.request(m.From, *m.Body.Request)
	}
	return nil
}

// wrap puts the node's messages in KVMsg.Raft and appends the replies that
// applying entries produced (K1, K3).
func (s *Server) wrap(msgs []simnet.Message[Msg]) []simnet.Message[KVMsg] {
	out := make([]simnet.Message[KVMsg], 0, len(msgs)+len(s.replies))
	for _, m := range msgs {
		body := m.Body
		out = append(out, simnet.Message[KVMsg]{From: m.From, To: m.To, Body: KVMsg{Raft: &body}})
	}
	out = append(out, s.replies...)
	s.replies = nil
	return out
}

// reply addresses a Reply to a client, naming the leader this server knows.
func (s *Server) reply(to simnet.NodeID, r Reply) simnet.Message[KVMsg] {
	r.Leader, _ = s.node.Leader()
	return simnet.Message[KVMsg]{From: s.node.id, To: to, Body: KVMsg{Reply: &r}}
}

// request handles a client's Request: only a Leader puts it in the log
// (K2, K3), unless it was applied already (K4).
func (s *Server) request(from simnet.NodeID, r Request) []simnet.Message[KVMsg] {
	if _, role := s.node.State(); role != Leader {
		return []simnet.Message[KVMsg]{s.reply(from, Reply{ClientID: r.ClientID, Seq: r.Seq, Err: ErrWrongLeader})}
	}
	if last, ok := s.sessions[r.ClientID]; ok && r.Seq <= last.Seq {
		if r.Seq < last.Seq {
			return nil // the client has this answer already and moved on
		}
		return []simnet.Message[KVMsg]{s.reply(from, last)}
	}
	command, err := json.Marshal(r)
	if err != nil {
		panic("raft: encoding a request: " + err.Error())
	}
	index, _, _ := s.node.Submit(string(command))
	s.waiting[index] = waiter{client: from, id: r.ClientID, seq: r.Seq}
	return nil
}

// apply applies one committed entry to the key-value state, once per
// client and Seq (K4, K5), and answers the client waiting for that index,
// if any (K3).
func (s *Server) apply(index int, e Entry) {
	var r Request
	if err := json.Unmarshal([]byte(e.Command), &r); err != nil {
		panic("raft: decoding a committed request: " + err.Error())
	}
	if last, ok := s.sessions[r.ClientID]; !ok || r.Seq > last.Seq {
		result := Reply{ClientID: r.ClientID, Seq: r.Seq, Err: OK}
		switch r.Op {
		case Get:
			v, found := s.data[r.Key]
			if !found {
				result.Err = ErrNoKey
			}
			result.Value = v
		case Put:
			s.data[r.Key] = r.Value
		case Append:
			s.data[r.Key] += r.Value
		}
		s.sessions[r.ClientID] = result
	}

	w, ok := s.waiting[index]
	if !ok {
		return
	}
	delete(s.waiting, index)
	switch last := s.sessions[w.id]; {
	case r.ClientID != w.id || r.Seq != w.seq:
		// Another leader's entry took the index: ours was lost.
		s.replies = append(s.replies, s.reply(w.client, Reply{ClientID: w.id, Seq: w.seq, Err: ErrWrongLeader}))
	case last.Seq == w.seq:
		s.replies = append(s.replies, s.reply(w.client, last))
	}
	// Otherwise the client has moved on to a later Seq: no reply.
}
