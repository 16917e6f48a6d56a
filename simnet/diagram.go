package simnet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxDiagramWidth is the widest line Diagram draws.
const MaxDiagramWidth = 100

// maxFlying is how many messages in flight a diagram draws.
const maxFlying = 8

// minLabel is the room a diagram keeps for labels; with less, it falls back
// to a list.
const minLabel = 24

// Diagram draws the trace as a plain-ASCII sequence diagram for a terminal,
// one column per node, one line per event, oldest first:
//
//	tick | 1   2   3
//	-----+------------
//	   1 | o-->|   |    Election
//	   2 | |<--o   |    Answer
//	   2 | o------>x    Election [lost]
//	   3 | |   |   X    node 3 crashed
//
// An arrow goes from the sender (o) to the receiver (> or <) and is drawn at
// the tick the copy was delivered; a label "(sent t)" marks a copy that was
// delayed, "[copy]" a duplicate, and x a copy that was dropped, with the
// reason. X marks a crash, R a restart, P a pause and W the resume; a
// crashed node's column is dotted.
// Sends are not drawn separately; messages still in flight at the end are
// drawn last (at most 8), without a tick, labelled "[in flight, sent t]". Lines are at most MaxDiagramWidth wide;
// when there are too many nodes for columns the trace is listed instead.
// With maxEvents > 0 and more events than that, only the first and last
// events are drawn, maxEvents in all, and the gap is marked.
func (n *Network[M]) Diagram(maxEvents int) string { return n.DiagramFunc(maxEvents, nil) }

// DiagramFunc is Diagram restricted to the events keep returns true for
// (nil keeps all), for example to leave out heartbeats.
func (n *Network[M]) DiagramFunc(maxEvents int, keep func(Event) bool) string {
	// Columns: every node, plus any other ID a drawn message names.
	colSet := map[NodeID]bool{}
	for _, id := range n.ids {
		colSet[id] = true
	}
	var shown []int // indexes into n.log of drawn events
	events := make([]Event, len(n.log))
	for i, r := range n.log {
		if r.kind == kSend || r.kind == kDuplicate {
			continue
		}
		e := n.event(r)
		if keep != nil && !keep(e) {
			continue
		}
		events[i] = e
		shown = append(shown, i)
		if r.kind == kDeliver || r.kind == kDrop {
			colSet[e.From] = true
			colSet[e.To] = true
		}
	}
	// Copies still on their way, drawn after the events.
	var flying []Event
	for _, f := range n.inFlight() {
		e := Event{Tick: f.sentAt, Kind: EventSend, From: f.msg.From, To: f.msg.To,
			Body: fmt.Sprintf("%v", f.msg.Body), Msg: f.msg, Seq: f.seq, SentAt: f.sentAt, Dup: f.dup}
		if keep != nil && !keep(e) {
			continue
		}
		flying = append(flying, e)
		colSet[e.From] = true
		colSet[e.To] = true
	}
	cols := make([]NodeID, 0, len(colSet))
	for id := range colSet {
		cols = append(cols, id)
	}
	slices.Sort(cols)

	cw := 4
	for _, id := range cols {
		if l := len(strconv.Itoa(int(id))) + 2; l > cw {
			cw = l
		}
	}
	tw := max(4, len(strconv.Itoa(n.now)))
	prefix := tw + 3 // "tick | "
	list := prefix+len(cols)*cw+minLabel > MaxDiagramWidth

	// Which of the shown events to draw.
	omitAt, omitted := -1, 0
	if maxEvents > 0 && len(shown) > maxEvents {
		head := maxEvents / 2
		omitted = len(shown) - maxEvents
		omitAt = head
		shown = append(shown[:head:head], shown[head+omitted:]...)
	}
	draw := map[int]bool{}
	for _, i := range shown {
		draw[i] = true
	}

	var b strings.Builder
	pos := map[NodeID]int{}
	for i, id := range cols {
		pos[id] = i*cw + 1
	}
	if !list {
		hdr := []byte(strings.Repeat(" ", len(cols)*cw))
		for _, id := range cols {
			copy(hdr[pos[id]:], strconv.Itoa(int(id)))
		}
		fmt.Fprintf(&b, "%*s |%s\n", tw, "tick", strings.TrimRight(string(hdr), " "))
		b.WriteString(strings.Repeat("-", tw+1) + "+" + strings.Repeat("-", len(cols)*cw) + "\n")
	}

	alive := map[NodeID]bool{}
	for _, id := range n.ids {
		alive[id] = true
	}
	// line draws one event: an arrow for a message, a mark for a crash or
	// restart, the lifelines of the nodes otherwise.
	line := func(tick string, e Event, label string) {
		if list {
			l := fmt.Sprintf("%*s  ", tw, tick)
			switch e.Kind {
			case EventDeliver, EventDrop, EventSend:
				l += fmt.Sprintf("%d -> %d  ", e.From, e.To)
			}
			b.WriteString(clip(l+label, MaxDiagramWidth) + "\n")
			return
		}
		row := []byte(strings.Repeat(" ", len(cols)*cw))
		for _, id := range cols {
			switch {
			case n.nodes[id] == nil:
			case alive[id]:
				row[pos[id]] = '|'
			default:
				row[pos[id]] = '.'
			}
		}
		switch e.Kind {
		case EventDeliver, EventDrop, EventSend:
			pa, pb := pos[e.From], pos[e.To]
			lo, hi := min(pa, pb), max(pa, pb)
			for p := lo + 1; p < hi; p++ {
				row[p] = '-'
			}
			row[pa] = 'o'
			switch {
			case e.Kind == EventDrop:
				row[pb] = 'x'
			case pa == pb:
				row[pa] = '@'
			case pb > pa:
				row[pb] = '>'
			default:
				row[pb] = '<'
			}
		case EventCrash:
			row[pos[e.Node]] = 'X'
		case EventRestart:
			row[pos[e.Node]] = 'R'
		case EventPause:
			row[pos[e.Node]] = 'P'
		case EventResume:
			row[pos[e.Node]] = 'W'
		}
		l := fmt.Sprintf("%*s |%s ", tw, tick, string(row))
		b.WriteString(strings.TrimRight(clip(l+label, MaxDiagramWidth), " ") + "\n")
	}

	drawn := 0
	for i, r := range n.log {
		switch r.kind {
		case kCrash:
			alive[r.msg.To] = false
		case kRestart:
			alive[r.msg.To] = true
		}
		if !draw[i] {
			continue
		}
		if drawn == omitAt {
			fmt.Fprintf(&b, "%*s  ... %d events not shown ...\n", tw, "", omitted)
		}
		drawn++
		e := events[i]
		line(strconv.Itoa(e.Tick), e, eventLabel(e))
	}
	for i, e := range flying {
		if i == maxFlying && len(flying) > maxFlying+1 {
			fmt.Fprintf(&b, "%*s  ... %d more in flight\n", tw, "", len(flying)-i)
			break
		}
		label := e.Body + fmt.Sprintf(" [in flight, sent %d]", e.SentAt)
		if e.Dup {
			label += " [copy]"
		}
		line("", e, label)
	}
	return b.String()
}

func eventLabel(e Event) string {
	switch e.Kind {
	case EventCrash:
		return fmt.Sprintf("node %d crashed", e.Node)
	case EventRestart:
		return fmt.Sprintf("node %d restarted", e.Node)
	case EventPartition:
		return "partition " + groupsString(e.Groups)
	case EventHeal:
		return "partition healed"
	case EventPause:
		return fmt.Sprintf("node %d paused", e.Node)
	case EventResume:
		return fmt.Sprintf("node %d resumed", e.Node)
	case EventBlock:
		return fmt.Sprintf("messages %d -> %d blocked", e.From, e.To)
	case EventUnblock:
		return fmt.Sprintf("messages %d -> %d unblocked", e.From, e.To)
	}
	s := e.Body
	if e.Kind == EventDeliver && e.SentAt != e.Tick-1 {
		s += fmt.Sprintf(" (sent %d)", e.SentAt)
	}
	if e.Dup {
		s += " [copy]"
	}
	if e.Kind == EventDrop {
		s += " [" + e.Reason + "]"
	}
	return s
}

// clip shortens s to at most w characters, marking the cut.
func clip(s string, w int) string {
	if len(s) <= w {
		return s
	}
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	return string(r[:w-3]) + "..."
}
