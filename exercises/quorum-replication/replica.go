package quorum

import "github.com/dslearn/dslearn/simnet"

// Replica is one copy of the store. Add the fields you need.
type Replica struct {
}

// NewReplica returns a replica that holds nothing.
func NewReplica() *Replica {
	panic("not implemented yet: NewReplica")
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
	panic("not implemented yet: Replica.Receive")
}

// Tick does nothing: a replica only reacts to messages.
func (r *Replica) Tick() []simnet.Message[Msg] { return nil }

// Lookup returns what the replica holds for key, and false if it holds
// nothing.
func (r *Replica) Lookup(key string) (Entry, bool) {
	panic("not implemented yet: Replica.Lookup")
}
