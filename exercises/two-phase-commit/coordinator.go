package twopc

import "github.com/dslearn/dslearn/simnet"

// Coordinator runs two-phase commit for the transactions it is asked to
// begin. It is a simnet node: the network calls Receive and Tick, one call
// at a time. Add the fields you need.
type Coordinator struct {
}

// NewCoordinator returns the coordinator with node ID id. It keeps its
// durable state in log and gives up on missing votes voteTimeout ticks
// after Begin (voteTimeout >= 1).
//
// log may hold the records of an earlier life of this coordinator (it is
// being restarted after a crash): every transaction with a Committed record
// is Committed, and stays so. Transactions that were Pending when it
// crashed are forgotten; presumed abort makes them aborted.
func NewCoordinator(id simnet.NodeID, log *Log, voteTimeout int) *Coordinator {
	panic("not implemented yet: NewCoordinator")
}

// Begin starts transaction tx, which applies writes[p] at each participant
// p (every participant has at least one write). The client calls it
// between ticks, once per transaction ID. It returns one Prepare per
// participant, in increasing ID order (IDs are any int64), From the
// coordinator's ID, carrying that participant's writes; the caller sends
// them. The transaction is then Pending.
func (c *Coordinator) Begin(tx TxID, writes map[simnet.NodeID][]Write) []Message {
	panic("not implemented yet: Coordinator.Begin")
}

// Receive handles a vote (Yes or No) for transaction T from node m.From.
//
//   - T is decided: answer the sender with the decision (Commit or Abort).
//   - T is unknown (no record of it, e.g. it was Pending when this
//     coordinator crashed): answer Abort. This is presumed abort.
//   - T is Pending: No decides Abort; Yes is recorded once per participant,
//     and the Yes of the last participant still missing decides Commit.
//
// Deciding sends the decision to every participant of T. Before returning
// any Commit for T, the same call appends Record{State: Committed, Tx: T}
// to the log (the commit point). Logging an abort is optional.
//
// Votes from nodes that are not participants of T, and messages of other
// kinds, are ignored.
func (c *Coordinator) Receive(m Message) []Message {
	panic("not implemented yet: Coordinator.Receive")
}

// Tick is one unit of time. A transaction still Pending on the
// voteTimeout-th Tick after its Begin is aborted during that Tick: a
// missing vote counts as No. (With voteTimeout 4: Pending after three
// Ticks, Aborted after the fourth.)
func (c *Coordinator) Tick() []Message {
	panic("not implemented yet: Coordinator.Tick")
}

// Decision returns what the coordinator knows of tx: Pending while it
// collects votes, Committed or Aborted once decided, Unknown if it has no
// record of tx. Committed never changes, also across restarts, and an
// aborted transaction is never committed.
func (c *Coordinator) Decision(tx TxID) State {
	panic("not implemented yet: Coordinator.Decision")
}
