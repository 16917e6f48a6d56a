package simnet

import (
	"fmt"
	"slices"
)

// Block makes the link from one node to another fail in that direction only:
// from now on a message from `from` to `to` is lost when it is sent, and one
// already in flight is lost when it would be delivered, while messages from
// `to` to `from` still arrive (a one-way partition, such as a firewall rule
// or a full send queue on one side). Unblock or Heal removes it. Blocking a
// node from itself does nothing.
func (n *Network[M]) Block(from, to NodeID) {
	if from == to {
		return
	}
	if n.blocked == nil {
		n.blocked = map[[2]NodeID]bool{}
	}
	if n.blocked[[2]NodeID{from, to}] {
		return
	}
	n.blocked[[2]NodeID{from, to}] = true
	n.record(record[M]{kind: kBlock, msg: Message[M]{From: from, To: to}})
}

// Unblock removes a Block from `from` to `to`; the partition, if any, stays.
func (n *Network[M]) Unblock(from, to NodeID) {
	if !n.blocked[[2]NodeID{from, to}] {
		return
	}
	delete(n.blocked, [2]NodeID{from, to})
	n.record(record[M]{kind: kUnblock, msg: Message[M]{From: from, To: to}})
}

// Pause stops node id without crashing it, like a long garbage-collection
// pause or a stopped process: it is not ticked, and messages that reach it
// are held, not lost, until Resume; its state is kept. Messages it sent
// before the pause still arrive. A paused node is Alive. Pausing a paused or
// crashed node does nothing. It panics if id is not a node.
func (n *Network[M]) Pause(id NodeID) {
	s := n.mustNode(id, "Pause")
	if !s.alive || s.paused {
		return
	}
	s.paused = true
	n.record(record[M]{kind: kPause, msg: Message[M]{To: id}})
}

// Resume ends a Pause: the node is ticked again from the next tick on, and
// the messages held for it are delivered during the next tick, in an order
// drawn from the seed like any messages due at one tick (unless a
// partition, block or crash stops them then). Crash
// and Restart also end a pause; the held messages are then dropped. Resuming
// a node that is not paused does nothing.
func (n *Network[M]) Resume(id NodeID) {
	s := n.mustNode(id, "Resume")
	if !s.paused {
		return
	}
	s.paused = false
	n.record(record[M]{kind: kResume, msg: Message[M]{To: id}})
	n.release(id, false)
}

// Paused reports whether id is a paused node.
func (n *Network[M]) Paused(id NodeID) bool {
	s, ok := n.nodes[id]
	return ok && s.paused
}

// release takes the copies held for id off the hold: dropped when the node
// crashed, else due at the next tick.
func (n *Network[M]) release(id NodeID, crashed bool) {
	keep := n.held[:0]
	var mine []flight[M]
	for _, f := range n.held {
		if f.msg.To == id {
			mine = append(mine, f)
		} else {
			keep = append(keep, f)
		}
	}
	n.held = keep
	for _, f := range mine {
		n.nflight--
		if crashed {
			n.drop(f, rCrashed)
			continue
		}
		f.due = n.now + 1
		f.latest = f.due
		n.enqueue(f)
		n.nflight++
	}
}

// BodyChange reports a message body that changed between the moment it was
// sent and its delivery: the sender (or someone it shared the body with)
// modified a map, slice or pointer it had already handed to the network.
type BodyChange struct {
	Seq      int    // the message's number, as in Event.Seq
	From, To NodeID // the message's sender and receiver
	SentAt   int    // the tick it was sent at
	Tick     int    // the tick the change was noticed (the delivery)
	Sent     string // the body when it was sent, formatted with %v
	Now      string // the body at delivery, formatted with %v
}

func (c BodyChange) String() string {
	return fmt.Sprintf("the body of the message %d->%d sent at tick %d changed before it was delivered at tick %d: sent %s, changed to %s",
		c.From, c.To, c.SentAt, c.Tick, c.Sent, c.Now)
}

// CopyBodies makes every message body behave as on a real network, where a
// message is bytes on a wire: the network takes its own copy of a body
// (clone) when the message is sent, and every receiver gets a fresh copy of
// that, so neither a sender that later changes what it sent nor a receiver
// that changes what it received can affect anyone else. clone must copy
// every map, slice and pointer the body holds. With same non-nil, every
// delivery also compares the body the sender handed over with the copy
// taken at send time; when they differ (the sender changed a body after
// sending it, for example by reusing a buffer), the change is recorded in
// BodyChanges and the copy taken at send time is delivered. Call it before
// the first message is sent.
func (n *Network[M]) CopyBodies(clone func(M) M, same func(a, b M) bool) {
	n.clone, n.same = clone, same
}

// BodyChanges returns the changes to sent bodies noticed so far (see
// CopyBodies), oldest first, one per delivered copy.
func (n *Network[M]) BodyChanges() []BodyChange { return slices.Clone(n.changes) }

func (n *Network[M]) checkBody(f flight[M]) {
	if n.same == nil || n.same(f.orig, f.msg.Body) {
		return
	}
	n.changes = append(n.changes, BodyChange{Seq: f.seq, From: f.msg.From, To: f.msg.To, SentAt: f.sentAt, Tick: n.now,
		Sent: fmt.Sprintf("%v", f.msg.Body), Now: fmt.Sprintf("%v", f.orig)})
}
