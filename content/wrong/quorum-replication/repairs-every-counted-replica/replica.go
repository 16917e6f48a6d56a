package quorum

import "github.com/dslearn/dslearn/simnet"

// Replica is one copy of the store.
type Replica struct {
	store map[string]Entry
}

// NewReplica returns a replica that holds nothing.
func NewReplica() *Replica {
	return &Replica{store: make(map[string]Entry)}
}

// Receive handles one message and returns the replies to send. A reply goes
// To m.From, From m.To, and echoes m.Body.Op and m.Body.Key.
//
//   - PutReq: store Key=Value at Version if the replica holds nothing for
//     Key or holds an older (numerically smaller) version; otherwise keep
//     what it holds. Either way reply one PutAck echoing Version, because
//     the replica now holds that version or a newer one.
//   - Repair: the same rule for storing, and no reply.
//   - GetReq: reply one GetReply with Found, Version and Value of what the
//     replica holds for Key (Found false, Version 0, Value "" if nothing).
//   - Any other kind: ignore it and return nothing.
//
// A message delivered twice is handled twice (and so answered twice).
func (r *Replica) Receive(m simnet.Message[Msg]) []simnet.Message[Msg] {
	b := m.Body
	reply := func(body Msg) []simnet.Message[Msg] {
		body.Op, body.Key = b.Op, b.Key
		return []simnet.Message[Msg]{{From: m.To, To: m.From, Body: body}}
	}
	switch b.Kind {
	case PutReq:
		r.apply(b.Key, b.Version, b.Value)
		// Acknowledge even a write that lost to a newer one: the replica
		// holds that version "or newer", which is all the writer needs.
		return reply(Msg{Kind: PutAck, Version: b.Version})
	case Repair:
		// Repairs obey the same rule as writes: between the reply that made
		// this replica look stale and the repair's arrival, a newer write
		// may have landed here, and it must not be overwritten.
		r.apply(b.Key, b.Version, b.Value)
		return nil
	case GetReq:
		e, ok := r.store[b.Key]
		return reply(Msg{Kind: GetReply, Found: ok, Version: e.Version, Value: e.Value})
	}
	return nil
}

// apply stores the write only if it is newer than what is held, so that a
// replica never moves backwards whatever order messages arrive in.
func (r *Replica) apply(key string, version int, value string) {
	if cur, ok := r.store[key]; ok && !newer(version, cur.Version) {
		return
	}
	r.store[key] = Entry{Version: version, Value: value}
}

// newer reports whether version a is newer than version b. Versions are
// numbers: 10 is newer than 9.
func newer(a, b int) bool { return a > b }

// Tick does nothing: a replica only reacts to messages.
func (r *Replica) Tick() []simnet.Message[Msg] { return nil }

// Lookup returns what the replica holds for key, and false if it holds
// nothing.
func (r *Replica) Lookup(key string) (Entry, bool) {
	e, ok := r.store[key]
	return e, ok
}
