// Known wrong: the coordinator checks that a vote comes from a participant only for Yes, so a No from a node that is not a participant aborts the transaction.
package twopc

import (
	"slices"

	"github.com/dslearn/dslearn/simnet"
)

// Coordinator runs two-phase commit for the transactions it is asked to
// begin. It is a simnet node: the network calls Receive and Tick, one call
// at a time.
type Coordinator struct {
	id          simnet.NodeID
	log         *Log
	voteTimeout int
	// decided holds the outcome of every transaction this coordinator
	// knows the end of: from its log (commits) and from this life (aborts).
	decided map[TxID]State
	// pending holds the transactions still collecting votes. It lives in
	// memory only: a crash turns every pending transaction into one the
	// coordinator has no record of, which presumed abort resolves as Abort.
	pending map[TxID]*round
}

// round is the vote collection of one pending transaction.
type round struct {
	participants []simnet.NodeID // sorted
	yes          map[simnet.NodeID]bool
	ticks        int // Tick calls since Begin
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
	c := &Coordinator{
		id:          id,
		log:         log,
		voteTimeout: voteTimeout,
		decided:     map[TxID]State{},
		pending:     map[TxID]*round{},
	}
	for _, r := range log.Records() {
		if r.State == Committed || r.State == Aborted {
			c.decided[r.Tx] = r.State
		}
	}
	return c
}

// Begin starts transaction tx, which applies writes[p] at each participant
// p (every participant has at least one write). The client calls it
// between ticks, once per transaction ID. It returns one Prepare per
// participant, in increasing ID order, From the coordinator's ID, carrying
// that participant's writes; the caller sends them. The transaction is
// then Pending.
func (c *Coordinator) Begin(tx TxID, writes map[simnet.NodeID][]Write) []Message {
	if c.Decision(tx) != Unknown {
		return nil // IDs are unique; never run a transaction twice
	}
	r := &round{yes: map[simnet.NodeID]bool{}}
	for p := range writes {
		r.participants = append(r.participants, p)
	}
	slices.Sort(r.participants)
	c.pending[tx] = r
	out := make([]Message, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, Message{From: c.id, To: p, Body: Msg{Kind: Prepare, Tx: tx, Writes: slices.Clone(writes[p])}})
	}
	return out
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
	tx := m.Body.Tx
	if m.Body.Kind != Yes && m.Body.Kind != No {
		return nil
	}
	if st, ok := c.decided[tx]; ok {
		return []Message{decisionTo(m.From, tx, st)}
	}
	r, ok := c.pending[tx]
	if !ok {
		return []Message{decisionTo(m.From, tx, Aborted)}
	}
	if m.Body.Kind == No {
		return c.decide(tx, Aborted)
	}
	if !slices.Contains(r.participants, m.From) {
		return nil
	}
	// A set, not a counter: duplicates and re-sent votes count once.
	r.yes[m.From] = true
	if len(r.yes) == len(r.participants) {
		return c.decide(tx, Committed)
	}
	return nil
}

// Tick is one unit of time. A transaction still Pending on the
// voteTimeout-th Tick after its Begin is aborted during that Tick: a
// missing vote counts as No. (With voteTimeout 4: Pending after three
// Ticks, Aborted after the fourth.)
func (c *Coordinator) Tick() []Message {
	var expired []TxID
	for tx, r := range c.pending {
		r.ticks++
		if r.ticks >= c.voteTimeout {
			expired = append(expired, tx)
		}
	}
	slices.Sort(expired) // deterministic order of the messages
	var out []Message
	for _, tx := range expired {
		out = append(out, c.decide(tx, Aborted)...)
	}
	return out
}

// Decision returns what the coordinator knows of tx: Pending while it
// collects votes, Committed or Aborted once decided, Unknown if it has no
// record of tx. Committed never changes, also across restarts, and an
// aborted transaction is never committed.
func (c *Coordinator) Decision(tx TxID) State {
	if st, ok := c.decided[tx]; ok {
		return st
	}
	if _, ok := c.pending[tx]; ok {
		return Pending
	}
	return Unknown
}

// decide ends the vote of a pending transaction and tells every
// participant.
func (c *Coordinator) decide(tx TxID, st State) []Message {
	r := c.pending[tx]
	delete(c.pending, tx)
	if st == Committed {
		// The commit point: once this record is durable the transaction
		// is committed, whatever crashes next. It must be written before
		// any Commit leaves. An abort needs no record (presumed abort).
		c.log.Append(Record{State: Committed, Tx: tx})
	}
	c.decided[tx] = st
	out := make([]Message, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, decisionTo(p, tx, st))
	}
	return out
}

func decisionTo(to simnet.NodeID, tx TxID, st State) Message {
	k := Abort
	if st == Committed {
		k = Commit
	}
	return Message{To: to, Body: Msg{Kind: k, Tx: tx}}
}
