package simnet

import (
	"fmt"
	"strings"
)

// EventKind says what happened in an Event.
type EventKind string

// The kinds of events in a trace.
const (
	EventSend      EventKind = "send"      // a message was handed to the network
	EventDeliver   EventKind = "deliver"   // a copy reached its receiver (Receive was called)
	EventDrop      EventKind = "drop"      // a copy will never arrive; Reason says why
	EventDuplicate EventKind = "duplicate" // the network made an extra copy of a message
	EventCrash     EventKind = "crash"     // Node crashed
	EventRestart   EventKind = "restart"   // Node restarted
	EventPartition EventKind = "partition" // the network split into Groups
	EventHeal      EventKind = "heal"      // the partition (and every block) was removed
	EventBlock     EventKind = "block"     // messages From -> To are lost from now on (one way)
	EventUnblock   EventKind = "unblock"   // the block From -> To was removed
	EventPause     EventKind = "pause"     // Node was paused (not crashed)
	EventResume    EventKind = "resume"    // Node resumed after a pause
)

// Reasons a message copy is dropped (Event.Reason).
const (
	ReasonLost      = "lost"        // the network lost it (Config.DropRate, or a lost message in Explore)
	ReasonPartition = "partitioned" // sender and receiver were in different groups
	ReasonCrashed   = "crashed"     // the receiver was crashed at delivery time
	ReasonUnknown   = "no such node"
)

// Event is one entry of a run's trace.
type Event struct {
	Tick int       // Now() when it happened
	Kind EventKind // what happened
	// From, To and Body describe the message of a send, deliver, drop or
	// duplicate event; Body is the payload formatted with %v.
	From, To NodeID
	Body     string
	// Msg is the message itself (a Message[M]) for message events, else nil.
	Msg any
	// Seq numbers messages in the order they were sent, from 1; the events
	// of one message (and of its duplicate) share it.
	Seq int
	// SentAt is the tick the message was sent at.
	SentAt int
	// Dup marks events of the extra copy made by duplication.
	Dup bool
	// Reason says why a copy was dropped (one of the Reason constants).
	Reason string
	// Node is the node of a crash or restart event.
	Node NodeID
	// Groups are the groups of a partition event.
	Groups [][]NodeID
}

// String formats the event on one line.
func (e Event) String() string {
	switch e.Kind {
	case EventCrash, EventRestart:
		return fmt.Sprintf("t=%d %s node %d", e.Tick, e.Kind, e.Node)
	case EventPartition:
		return fmt.Sprintf("t=%d partition %s", e.Tick, groupsString(e.Groups))
	case EventHeal:
		return fmt.Sprintf("t=%d heal", e.Tick)
	case EventPause, EventResume:
		return fmt.Sprintf("t=%d %s node %d", e.Tick, e.Kind, e.Node)
	case EventBlock, EventUnblock:
		return fmt.Sprintf("t=%d %s %d->%d", e.Tick, e.Kind, e.From, e.To)
	}
	s := fmt.Sprintf("t=%d %s #%d %d->%d %s", e.Tick, e.Kind, e.Seq, e.From, e.To, e.Body)
	if e.Dup {
		s += " (copy)"
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

func groupsString(gs [][]NodeID) string {
	var b strings.Builder
	for i, g := range gs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('{')
		for j, id := range g {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprint(&b, int(id))
		}
		b.WriteByte('}')
	}
	return b.String()
}

// record is the network's compact, typed form of an Event; bodies are only
// formatted when the trace is asked for, which keeps exploration fast.
type record[M any] struct {
	msg    Message[M] // for crash and restart, msg.To is the node
	tick   int
	seq    int
	sentAt int
	part   int // for partition events: index into Network.parts
	kind   uint8
	reason uint8
	dup    bool
}

// Internal codes of event kinds and drop reasons, in record.
const (
	kSend uint8 = iota
	kDeliver
	kDrop
	kDuplicate
	kCrash
	kRestart
	kPartition
	kHeal
	kBlock
	kUnblock
	kPause
	kResume
)

var kindNames = [...]EventKind{EventSend, EventDeliver, EventDrop, EventDuplicate,
	EventCrash, EventRestart, EventPartition, EventHeal, EventBlock, EventUnblock, EventPause, EventResume}

const (
	rNone uint8 = iota
	rLost
	rPartition
	rCrashed
	rUnknown
)

var reasonNames = [...]string{"", ReasonLost, ReasonPartition, ReasonCrashed, ReasonUnknown}

func (n *Network[M]) record(r record[M]) {
	r.tick = n.now
	n.log = append(n.log, r)
}

func (n *Network[M]) event(r record[M]) Event {
	e := Event{Tick: r.tick, Kind: kindNames[r.kind], Seq: r.seq, SentAt: r.sentAt, Dup: r.dup,
		Reason: reasonNames[r.reason]}
	switch r.kind {
	case kSend, kDeliver, kDrop, kDuplicate:
		e.From, e.To = r.msg.From, r.msg.To
		e.Body = fmt.Sprintf("%v", r.msg.Body)
		e.Msg = r.msg
	case kCrash, kRestart, kPause, kResume:
		e.Node = r.msg.To
	case kBlock, kUnblock:
		e.From, e.To = r.msg.From, r.msg.To
	case kPartition:
		e.Groups = n.parts[r.part]
	}
	return e
}

// Trace returns every event so far, in the order it happened: sends,
// deliveries, drops, duplications, crashes, restarts, partitions, heals,
// blocks and unblocks, pauses and resumes.
func (n *Network[M]) Trace() []Event {
	out := make([]Event, len(n.log))
	for i, r := range n.log {
		out[i] = n.event(r)
	}
	return out
}
