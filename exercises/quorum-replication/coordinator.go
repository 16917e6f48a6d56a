package quorum

import "github.com/dslearn/dslearn/simnet"

// Coordinator runs the client's Put and Get operations against the N
// replicas of its Config. Add the fields you need.
type Coordinator struct {
}

// NewCoordinator returns the coordinator with node ID id. It keeps its own
// copy of cfg.Replicas.
func NewCoordinator(id simnet.NodeID, cfg Config) *Coordinator {
	panic("not implemented yet: NewCoordinator")
}

// Put starts writing key=value at version (>= 1). It returns the new
// operation's ID and exactly N messages to send, one PutReq to each replica
// in the order of Config.Replicas, each From the coordinator's ID. The
// operation is Pending until W distinct replicas have acknowledged it (it
// is then OK) or Timeout ticks have passed (it is then TimedOut). A Put
// never sends anything else: no retries.
func (c *Coordinator) Put(key, value string, version int) (OpID, []simnet.Message[Msg]) {
	panic("not implemented yet: Coordinator.Put")
}

// Get starts reading key. It returns the new operation's ID and exactly N
// messages to send, one GetReq to each replica in the order of
// Config.Replicas, each From the coordinator's ID. The operation is Pending
// until R distinct replicas have replied (it is then OK) or Timeout ticks
// have passed (it is then TimedOut).
func (c *Coordinator) Get(key string) (OpID, []simnet.Message[Msg]) {
	panic("not implemented yet: Coordinator.Get")
}

// Receive handles one message from a replica and returns the messages to
// send, each From the coordinator's ID.
//
//   - A PutAck counts for the Put named by its Op if that Put is Pending and
//     this replica has not been counted for it yet; the W-th distinct
//     replica makes the Put OK.
//   - A GetReply counts the same way for a Pending Get; the R-th distinct
//     replica makes the Get OK. Its Result is then the reply with the
//     highest version among the R counted replies, and Receive returns one
//     Repair, with that key, version and value, to each counted replica
//     whose reply was older (a smaller version, or nothing found). If no
//     counted reply found the key, there is nothing to repair.
//   - Everything else is ignored and returns nothing: messages from nodes
//     that are not replicas, for unknown operations, of the wrong kind for
//     the operation, repeated replies from an already counted replica, and
//     replies that arrive after the operation finished (OK or TimedOut).
//     A finished operation never changes its Result.
func (c *Coordinator) Receive(m simnet.Message[Msg]) []simnet.Message[Msg] {
	panic("not implemented yet: Coordinator.Receive")
}

// Tick is one unit of time. Every Pending operation ages by one tick; an
// operation still Pending on the Timeout-th Tick after the Put or Get call
// that started it becomes TimedOut during that Tick. Tick sends nothing.
func (c *Coordinator) Tick() []simnet.Message[Msg] {
	panic("not implemented yet: Coordinator.Tick")
}

// Result reports what is known about op: its Status and, for a completed
// Get, the value read. An op this coordinator never started yields the zero
// Result.
func (c *Coordinator) Result(op OpID) Result {
	panic("not implemented yet: Coordinator.Result")
}
