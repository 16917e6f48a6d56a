// Known wrong: a participant that votes No remembers it in memory but does not log Aborted, so after a restart a late Prepare gets Yes.
package twopc

import (
	"slices"

	"github.com/dslearn/dslearn/simnet"
)

// VoteFunc is a participant's own opinion of a transaction it is asked to
// prepare (a constraint check, a full disk...): true means it is willing to
// commit tx with these writes.
type VoteFunc func(tx TxID, writes []Write) bool

// Participant holds some keys and takes part in the transactions that
// write them. It is a simnet node: the network calls Receive and Tick, one
// call at a time.
type Participant struct {
	coordinator simnet.NodeID
	log         *Log
	retryEvery  int
	vote        VoteFunc

	data  map[string]string // committed values only
	locks map[string]TxID   // key -> the prepared transaction holding it
	txs   map[TxID]*ptx
}

// ptx is what the participant knows of one transaction.
type ptx struct {
	state  State // Prepared, Committed or Aborted
	writes []Write
	since  int // Tick calls since the Yes vote was last sent
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
	p := &Participant{
		coordinator: coordinator,
		log:         log,
		retryEvery:  retryEvery,
		vote:        vote,
		data:        map[string]string{},
		locks:       map[string]TxID{},
		txs:         map[TxID]*ptx{},
	}
	// Replaying the log in order applies commits in the order they
	// happened, so later writes win as they did before the crash.
	for _, r := range log.Records() {
		switch r.State {
		case Prepared:
			p.txs[r.Tx] = &ptx{state: Prepared, writes: r.Writes}
		case Committed:
			if t := p.txs[r.Tx]; t != nil {
				p.apply(r.Tx, t)
			}
		case Aborted:
			p.txs[r.Tx] = &ptx{state: Aborted}
		}
	}
	for tx, t := range p.txs {
		if t.state == Prepared {
			for _, w := range t.writes {
				p.locks[w.Key] = tx
			}
		}
	}
	return p
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
//
// Votes go to the coordinator given to NewParticipant.
func (p *Participant) Receive(m Message) []Message {
	tx := m.Body.Tx
	t := p.txs[tx]
	switch m.Body.Kind {
	case Prepare:
		if t != nil {
			if t.state == Aborted {
				return p.reply(No, tx)
			}
			return p.reply(Yes, tx)
		}
		if p.conflicts(m.Body.Writes) || !p.vote(tx, m.Body.Writes) {
			// Before voting Yes a participant may abort on its own.
			p.txs[tx] = &ptx{state: Aborted}
			return p.reply(No, tx)
		}
		// Log before voting: after a Yes the participant must be able to
		// commit even if it crashes, so the writes must be durable.
		p.log.Append(Record{State: Prepared, Tx: tx, Writes: m.Body.Writes})
		t = &ptx{state: Prepared, writes: slices.Clone(m.Body.Writes)}
		p.txs[tx] = t
		for _, w := range t.writes {
			p.locks[w.Key] = tx
		}
		return p.reply(Yes, tx)
	case Commit:
		if t != nil && t.state == Prepared {
			p.log.Append(Record{State: Committed, Tx: tx})
			p.apply(tx, t)
		}
	case Abort:
		switch {
		case t == nil:
			p.log.Append(Record{State: Aborted, Tx: tx})
			p.txs[tx] = &ptx{state: Aborted}
		case t.state == Prepared:
			p.log.Append(Record{State: Aborted, Tx: tx})
			p.unlock(tx, t)
			t.state, t.writes = Aborted, nil
		}
	}
	return nil
}

// Tick is one unit of time. While T is Prepared, the participant sends Yes
// for T again every retryEvery ticks (counting Tick calls since it last
// sent Yes for T); the coordinator answers with its decision. A Prepared
// participant never decides on its own, however long it waits.
func (p *Participant) Tick() []Message {
	var out []Message
	for tx, t := range p.txs {
		if t.state != Prepared {
			continue
		}
		t.since++
		if t.since >= p.retryEvery {
			t.since = 0
			out = append(out, Message{To: p.coordinator, Body: Msg{Kind: Yes, Tx: tx}})
		}
	}
	// Deterministic order of the messages (map iteration is random).
	slices.SortFunc(out, func(a, b Message) int {
		switch {
		case a.Body.Tx < b.Body.Tx:
			return -1
		case a.Body.Tx > b.Body.Tx:
			return 1
		}
		return 0
	})
	return out
}

// Read returns the value of the last committed write of key at this
// participant, and false if no committed transaction wrote it. The writes
// of a transaction are invisible until it commits here.
func (p *Participant) Read(key string) (string, bool) {
	v, ok := p.data[key]
	return v, ok
}

// LockedBy returns the transaction holding the lock on key, if any. Only a
// Prepared transaction holds locks.
func (p *Participant) LockedBy(key string) (TxID, bool) {
	tx, ok := p.locks[key]
	return tx, ok
}

// Status returns what the participant knows of tx: Prepared, Committed,
// Aborted, or Unknown if it has no record of tx.
func (p *Participant) Status(tx TxID) State {
	if t := p.txs[tx]; t != nil {
		return t.state
	}
	return Unknown
}

func (p *Participant) reply(k Kind, tx TxID) []Message {
	if t := p.txs[tx]; t != nil && k == Yes {
		t.since = 0 // the vote just went out; the next retry waits a full period
	}
	return []Message{{To: p.coordinator, Body: Msg{Kind: k, Tx: tx}}}
}

func (p *Participant) conflicts(ws []Write) bool {
	for _, w := range ws {
		if _, locked := p.locks[w.Key]; locked {
			return true
		}
	}
	return false
}

// apply makes a Prepared transaction's writes visible and frees its keys.
func (p *Participant) apply(tx TxID, t *ptx) {
	for _, w := range t.writes {
		p.data[w.Key] = w.Value
	}
	p.unlock(tx, t)
	t.state, t.writes = Committed, nil
}

func (p *Participant) unlock(tx TxID, t *ptx) {
	for _, w := range t.writes {
		if p.locks[w.Key] == tx {
			delete(p.locks, w.Key)
		}
	}
}
