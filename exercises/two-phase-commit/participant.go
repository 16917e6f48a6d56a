package twopc

import "github.com/dslearn/dslearn/simnet"

// VoteFunc is a participant's own opinion of a transaction it is asked to
// prepare (a constraint check, a full disk...): true means it is willing to
// commit tx with these writes.
type VoteFunc func(tx TxID, writes []Write) bool

// Participant holds some keys and takes part in the transactions that
// write them. It is a simnet node: the network calls Receive and Tick, one
// call at a time. Add the fields you need.
type Participant struct {
}

// NewParticipant returns a participant that votes with vote, sends its
// votes to coordinator, keeps its durable state in log, and while Prepared
// re-sends its Yes every retryEvery ticks (retryEvery >= 1).
//
// log may hold the records of an earlier life of this participant (it is
// being restarted after a crash). The new participant rebuilds everything
// from it: the committed values (Committed transactions applied in log
// order), the outcome of every transaction it recorded, and every
// transaction still Prepared, with its locks taken again, still waiting for
// the decision.
func NewParticipant(coordinator simnet.NodeID, log *Log, retryEvery int, vote VoteFunc) *Participant {
	panic("not implemented yet: NewParticipant")
}

// Receive handles the coordinator's messages for transaction T.
//
//   - Prepare for a T it has a record of: answer from the record, Yes if
//     Prepared or Committed, No if Aborted. So a participant that voted No
//     never votes Yes on T, and one that voted Yes never says No while it
//     is Prepared.
//   - Prepare for a new T: if a key it writes is locked by another
//     transaction, or vote(T, writes) returns false, log
//     Record{State: Aborted, Tx: T} and send No. Otherwise lock every key
//     it writes, log Record{State: Prepared, Tx: T, Writes: writes}, and
//     send Yes. Locks are never waited for: a conflict is a No.
//   - Commit of a Prepared T: log Record{State: Committed, Tx: T}, apply
//     its writes, release its locks. Any other Commit is ignored.
//   - Abort of a Prepared T: log Record{State: Aborted, Tx: T}, release its
//     locks, discard its writes. Abort of a T it has no record of: log
//     Aborted too (a late Prepare then gets No). Otherwise ignored.
//   - Any other message (a Yes or No) is ignored.
//
// Votes go to the coordinator given to NewParticipant.
func (p *Participant) Receive(m Message) []Message {
	panic("not implemented yet: Participant.Receive")
}

// Tick is one unit of time. While T is Prepared, the participant sends Yes
// for T again every retryEvery ticks (counting Tick calls since it last
// sent Yes for T, or since the participant was restarted if it has not
// sent one in this life); the coordinator answers with its decision. A
// Prepared participant never decides on its own, however long it waits.
func (p *Participant) Tick() []Message {
	panic("not implemented yet: Participant.Tick")
}

// Read returns the value of the last committed write of key at this
// participant, and false if no committed transaction wrote it. The writes
// of a transaction are invisible until it commits here.
func (p *Participant) Read(key string) (string, bool) {
	panic("not implemented yet: Participant.Read")
}

// LockedBy returns the transaction holding the lock on key, if any. Only a
// Prepared transaction holds locks.
func (p *Participant) LockedBy(key string) (TxID, bool) {
	panic("not implemented yet: Participant.LockedBy")
}

// Status returns what the participant knows of tx: Prepared, Committed,
// Aborted, or Unknown if it has no record of tx.
func (p *Participant) Status(tx TxID) State {
	panic("not implemented yet: Participant.Status")
}
