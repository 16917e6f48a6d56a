package simnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// echo answers every message with a reply to its sender, until it has
// replied limit times; it counts ticks and remembers what it received.
type echo struct {
	limit int
	got   []Message[string]
	ticks int
}

func (e *echo) Receive(m Message[string]) []Message[string] {
	e.got = append(e.got, m)
	if len(e.got) > e.limit {
		return nil
	}
	return []Message[string]{{To: m.From, Body: fmt.Sprintf("re:%s", m.Body)}}
}

func (e *echo) Tick() []Message[string] { e.ticks++; return nil }

// silent records what it receives and never answers.
type silent struct{ got []Message[string] }

func (s *silent) Receive(m Message[string]) []Message[string] {
	s.got = append(s.got, m)
	return nil
}
func (s *silent) Tick() []Message[string] { return nil }

// chatty broadcasts one message to every peer on every tick.
type chatty struct {
	id    NodeID
	peers []NodeID
	t     int
}

func (c *chatty) Receive(m Message[string]) []Message[string] { return nil }
func (c *chatty) Tick() []Message[string] {
	c.t++
	var out []Message[string]
	for _, p := range c.peers {
		if p != c.id {
			out = append(out, Message[string]{To: p, Body: fmt.Sprintf("%d@%d", c.id, c.t)})
		}
	}
	return out
}

func msg(from, to NodeID, body string) Message[string] {
	return Message[string]{From: from, To: to, Body: body}
}

func TestZeroConfigDeliversAtNextTick(t *testing.T) {
	n := New[string](Config{})
	a, b := &echo{limit: 1}, &echo{limit: 0}
	n.Add(1, a)
	n.Add(2, b)
	n.Send(msg(1, 2, "hi"))
	if n.Now() != 0 || len(b.got) != 0 {
		t.Fatalf("Send delivered before any tick")
	}
	n.Tick()
	if len(b.got) != 1 || b.got[0] != msg(1, 2, "hi") {
		t.Fatalf("after tick 1, node 2 got %v, want [hi]", b.got)
	}
	if len(a.got) != 0 {
		t.Fatalf("reply arrived in the same tick")
	}
	n.Tick()
	if len(a.got) != 0 {
		t.Fatalf("node 2 has limit 0 and must not reply, node 1 got %v", a.got)
	}
	if a.ticks != 2 || b.ticks != 2 {
		t.Fatalf("ticks seen: %d %d, want 2 2", a.ticks, b.ticks)
	}
	n2 := New[string](Config{})
	c, d := &echo{limit: 5}, &echo{limit: 5}
	n2.Add(1, c)
	n2.Add(2, d)
	n2.Send(msg(1, 2, "x"))
	n2.Run(2)
	if len(c.got) != 1 || c.got[0] != msg(2, 1, "re:x") {
		t.Fatalf("request/response should take two ticks; node 1 got %v", c.got)
	}
}

func TestNetworkSetsFromOfNodeMessages(t *testing.T) {
	n := New[string](Config{})
	s := &silent{}
	n.Add(1, &spoofer{})
	n.Add(2, s)
	n.Run(2)
	if len(s.got) != 1 || s.got[0].From != 1 {
		t.Fatalf("got %v, want From 1", s.got)
	}
}

type spoofer struct{ done bool }

func (s *spoofer) Receive(Message[string]) []Message[string] { return nil }
func (s *spoofer) Tick() []Message[string] {
	if s.done {
		return nil
	}
	s.done = true
	return []Message[string]{{From: 99, To: 2, Body: "spoof"}}
}

func TestDelaysStayInRangeAndReorder(t *testing.T) {
	n := New[string](Config{Seed: 7, MinDelay: 2, MaxDelay: 5})
	s := &silent{}
	n.Add(1, s)
	const k = 400
	for i := range k {
		n.Send(msg(0, 1, fmt.Sprint(i)))
	}
	seen := map[int]int{}
	for tick := 1; tick <= 10; tick++ {
		before := len(s.got)
		n.Tick()
		seen[tick] = len(s.got) - before
	}
	for tick, c := range seen {
		if c > 0 && (tick < 3 || tick > 6) {
			t.Errorf("%d messages arrived at tick %d, want ticks 3..6 only", c, tick)
		}
		if c == 0 && tick >= 3 && tick <= 6 {
			t.Errorf("no message used delay %d", tick-1)
		}
	}
	if len(s.got) != k {
		t.Fatalf("delivered %d of %d", len(s.got), k)
	}
	inOrder := true
	for i, m := range s.got {
		if m.Body != fmt.Sprint(i) {
			inOrder = false
		}
	}
	if inOrder {
		t.Errorf("messages were never reordered")
	}
	// Messages due at the same tick are shuffled too.
	n2 := New[string](Config{Seed: 1})
	s2 := &silent{}
	n2.Add(1, s2)
	for i := range 20 {
		n2.Send(msg(0, 1, fmt.Sprint(i)))
	}
	n2.Tick()
	same := true
	for i, m := range s2.got {
		if m.Body != fmt.Sprint(i) {
			same = false
		}
	}
	if same {
		t.Errorf("messages due at the same tick arrived in send order")
	}
}

func TestDropAndDuplicateRates(t *testing.T) {
	n := New[string](Config{Seed: 3, DropRate: 0.3, DuplicateRate: 0.2})
	s := &silent{}
	n.Add(1, s)
	const k = 20000
	for range k {
		n.Send(msg(0, 1, "m"))
	}
	n.Run(2)
	st := n.Stats()
	if st.Sent != k {
		t.Fatalf("Sent = %d, want %d", st.Sent, k)
	}
	drop := float64(st.Dropped) / k
	dup := float64(st.Duplicated) / float64(k-st.Dropped)
	if drop < 0.28 || drop > 0.32 {
		t.Errorf("drop rate %.3f, want about 0.3", drop)
	}
	if dup < 0.18 || dup > 0.22 {
		t.Errorf("duplicate rate %.3f, want about 0.2", dup)
	}
	if st.Delivered != len(s.got) || st.Delivered != k-st.Dropped+st.Duplicated {
		t.Errorf("Delivered %d, received %d, want %d", st.Delivered, len(s.got), k-st.Dropped+st.Duplicated)
	}
}

func TestCountsAddUp(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		n := New[string](Config{Seed: seed, DropRate: 0.2, DuplicateRate: 0.2, MaxDelay: 3})
		ids := []NodeID{1, 2, 3, 4}
		for _, id := range ids {
			n.Add(id, &chatty{id: id, peers: ids})
		}
		for i := range 12 {
			n.Tick()
			if i == 3 {
				n.Crash(2)
				n.Partition([]NodeID{1, 2}, []NodeID{3, 4})
			}
			if i == 7 {
				n.Heal()
				n.Restart(2, &chatty{id: 2, peers: ids})
			}
			st := n.Stats()
			if st.Sent+st.Duplicated != st.Delivered+st.Dropped+st.InFlight {
				t.Fatalf("seed %d tick %d: sent %d + dup %d != delivered %d + dropped %d + in flight %d",
					seed, n.Now(), st.Sent, st.Duplicated, st.Delivered, st.Dropped, st.InFlight)
			}
			if st.InFlight != len(n.InFlight()) {
				t.Fatalf("InFlight %d, list %d", st.InFlight, len(n.InFlight()))
			}
			sum, per := 0, 0
			for _, c := range st.SentBy {
				sum += c
			}
			for _, c := range st.SentPerTick {
				per += c
			}
			if sum != st.Sent || per != st.Sent || len(st.SentPerTick) != n.Now()+1 {
				t.Fatalf("per-node %d / per-tick %d sums differ from Sent %d", sum, per, st.Sent)
			}
		}
		if got := n.CountSent(func(Message[string]) bool { return true }); got != n.Stats().Sent {
			t.Fatalf("CountSent(all) = %d, want %d", got, n.Stats().Sent)
		}
		if got := len(n.Sent()); got != n.Stats().Sent {
			t.Fatalf("len(Sent()) = %d, want %d", got, n.Stats().Sent)
		}
	}
}

func TestRoundsCountTicksWithTraffic(t *testing.T) {
	n := New[string](Config{})
	a, b := &echo{limit: 2}, &echo{limit: 2}
	n.Add(1, a)
	n.Add(2, b)
	n.Send(msg(1, 2, "x"))
	n.Run(10)
	st := n.Stats()
	// injected at 0, replies at ticks 1, 2, 3, 4.
	if st.ActiveTicks != 4 || st.Sent != 5 {
		t.Fatalf("ActiveTicks %d Sent %d, want 4 and 5 (%v)", st.ActiveTicks, st.Sent, st.SentPerTick)
	}
	if !reflect.DeepEqual(st.SentPerTick[:6], []int{1, 1, 1, 1, 1, 0}) {
		t.Fatalf("SentPerTick %v", st.SentPerTick)
	}
}

func TestSameSeedSameTrace(t *testing.T) {
	run := func(seed uint64) string {
		n := New[string](Config{Seed: seed, DropRate: 0.1, DuplicateRate: 0.1, MaxDelay: 2})
		ids := []NodeID{1, 2, 3}
		for _, id := range ids {
			n.Add(id, &chatty{id: id, peers: ids})
		}
		n.Run(5)
		n.Crash(3)
		n.Run(3)
		n.Restart(3, &chatty{id: 3, peers: ids})
		n.Run(4)
		var b strings.Builder
		for _, e := range n.Trace() {
			b.WriteString(e.String() + "\n")
		}
		return b.String()
	}
	a, b := run(42), run(42)
	if a != b {
		t.Fatalf("same seed gave different traces")
	}
	if a == run(43) {
		t.Fatalf("different seeds gave the same trace")
	}
}

func TestPartitionCutsAcrossGroupsOnly(t *testing.T) {
	n := New[string](Config{MaxDelay: 0})
	s := map[NodeID]*silent{}
	for id := NodeID(1); id <= 5; id++ {
		s[id] = &silent{}
		n.Add(id, s[id])
	}
	n.Send(msg(1, 4, "in flight"))
	n.Partition([]NodeID{1, 2}, []NodeID{3, 4})
	n.Send(msg(1, 2, "same"), msg(1, 3, "across"), msg(3, 4, "same2"), msg(5, 1, "alone"), msg(5, 5, "self"))
	n.Tick()
	if len(s[4].got) != 1 || s[4].got[0].Body != "same2" {
		t.Errorf("node 4 got %v, want only same2 (the in-flight message crosses the partition)", s[4].got)
	}
	if len(s[2].got) != 1 || len(s[3].got) != 0 || len(s[1].got) != 0 || len(s[5].got) != 1 {
		t.Errorf("deliveries under partition wrong: 1:%v 2:%v 3:%v 5:%v", s[1].got, s[2].got, s[3].got, s[5].got)
	}
	if n.Connected(1, 3) || !n.Connected(1, 2) || n.Connected(5, 1) || !n.Connected(5, 5) {
		t.Errorf("Connected disagrees with the partition")
	}
	n.Heal()
	n.Send(msg(1, 3, "healed"))
	n.Tick()
	if len(s[3].got) != 1 {
		t.Errorf("after Heal node 3 got %v", s[3].got)
	}
	st := n.Stats()
	if st.Dropped != 3 {
		t.Errorf("Dropped = %d, want 3", st.Dropped)
	}
}

func TestCrashedNodeNeitherReceivesNorTicksAndRestartReplacesIt(t *testing.T) {
	n := New[string](Config{MinDelay: 1, MaxDelay: 1})
	a, b := &echo{limit: 9}, &silent{}
	n.Add(1, a)
	n.Add(2, b)
	n.Send(msg(1, 2, "from 1 before crash"))
	n.Send(msg(2, 1, "to 1"))
	n.Crash(1)
	n.Crash(1) // no-op
	if n.Alive(1) || !n.Alive(2) || n.Alive(3) {
		t.Fatalf("Alive wrong")
	}
	n.Run(3)
	if len(a.got) != 0 || a.ticks != 0 {
		t.Fatalf("crashed node received %v / ticked %d", a.got, a.ticks)
	}
	if len(b.got) != 1 {
		t.Fatalf("message sent before the crash must arrive; got %v", b.got)
	}
	a2 := &echo{limit: 9}
	n.Send(msg(2, 1, "to new 1"))
	n.Restart(1, a2)
	if n.Node(1) != Node[string](a2) || !n.Alive(1) {
		t.Fatalf("Restart did not install the new node")
	}
	n.Run(2)
	if len(a2.got) != 1 || a2.ticks != 2 {
		t.Fatalf("restarted node got %v, ticks %d", a2.got, a2.ticks)
	}
	if st := n.Stats(); st.Dropped != 1 {
		t.Fatalf("Dropped %d, want 1", st.Dropped)
	}
	kinds := []EventKind{}
	for _, e := range n.Trace() {
		if e.Kind == EventCrash || e.Kind == EventRestart {
			kinds = append(kinds, e.Kind)
		}
	}
	if !reflect.DeepEqual(kinds, []EventKind{EventCrash, EventRestart}) {
		t.Fatalf("trace crash/restart events %v", kinds)
	}
}

func TestTicksCallNodesInIDOrder(t *testing.T) {
	n := New[string](Config{})
	var order []NodeID
	for _, id := range []NodeID{5, 1, 3} {
		n.Add(id, &orderNode{id: id, order: &order})
	}
	n.Tick()
	if !reflect.DeepEqual(order, []NodeID{1, 3, 5}) {
		t.Fatalf("tick order %v", order)
	}
	if !reflect.DeepEqual(n.IDs(), []NodeID{1, 3, 5}) {
		t.Fatalf("IDs %v", n.IDs())
	}
}

type orderNode struct {
	id    NodeID
	order *[]NodeID
}

func (o *orderNode) Receive(Message[string]) []Message[string] { return nil }
func (o *orderNode) Tick() []Message[string] {
	*o.order = append(*o.order, o.id)
	return nil
}

func TestRunUntil(t *testing.T) {
	n := New[string](Config{})
	if !n.RunUntil(func() bool { return true }, 0) || n.Now() != 0 {
		t.Fatalf("RunUntil with done true at once")
	}
	if !n.RunUntil(func() bool { return n.Now() == 4 }, 10) || n.Now() != 4 {
		t.Fatalf("RunUntil stopped at %d", n.Now())
	}
	if n.RunUntil(func() bool { return false }, 3) || n.Now() != 7 {
		t.Fatalf("RunUntil false ran to %d", n.Now())
	}
}

func TestDiagramDrawsColumnsWithinWidth(t *testing.T) {
	n := New[string](Config{Seed: 1, DropRate: 0.2, MaxDelay: 1})
	ids := []NodeID{1, 2, 3, 4}
	for _, id := range ids {
		n.Add(id, &chatty{id: id, peers: ids})
	}
	n.Run(2)
	n.Crash(4)
	n.Partition([]NodeID{1, 2}, []NodeID{3, 4})
	n.Run(2)
	d := n.Diagram(0)
	lines := strings.Split(strings.TrimRight(d, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "tick | 1   2   3   4") {
		t.Fatalf("header %q", lines[0])
	}
	for _, want := range []string{"node 4 crashed", "partition {1 2} {3 4}", "[partitioned]", ">", "<"} {
		if !strings.Contains(d, want) {
			t.Errorf("diagram lacks %q:\n%s", want, d)
		}
	}
	for _, l := range lines {
		if len(l) > MaxDiagramWidth {
			t.Errorf("line wider than %d: %q", MaxDiagramWidth, l)
		}
		for _, r := range l {
			if r > 126 {
				t.Errorf("non-ASCII in %q", l)
			}
		}
	}
	short := n.Diagram(6)
	if c := strings.Count(short, "\n"); c > 2+6+1+maxFlying+1 {
		t.Errorf("Diagram(6) has %d lines:\n%s", c, short)
	}
	if !strings.Contains(short, "events not shown") {
		t.Errorf("Diagram(6) does not mark the gap:\n%s", short)
	}
	only := n.DiagramFunc(0, func(e Event) bool { return e.Kind == EventCrash })
	if !strings.Contains(only, "node 4 crashed") || strings.Contains(only, "o-") || strings.Contains(only, "-o") {
		t.Errorf("DiagramFunc(crash only):\n%s", only)
	}
}

func TestDiagramListsLargeRuns(t *testing.T) {
	n := New[string](Config{Seed: 1})
	var ids []NodeID
	for id := NodeID(1); id <= 30; id++ {
		ids = append(ids, id)
	}
	for _, id := range ids {
		n.Add(id, &chatty{id: id, peers: ids[:3]})
	}
	n.Send(msg(1, 30, strings.Repeat("long body ", 20)))
	n.Run(2)
	d := n.Diagram(10)
	if strings.Contains(d, "tick |") {
		t.Fatalf("30 nodes should be listed, not drawn in columns:\n%s", d)
	}
	for _, l := range strings.Split(d, "\n") {
		if len(l) > MaxDiagramWidth {
			t.Errorf("line too wide: %q", l)
		}
	}
	if !strings.Contains(d, "1 -> 30") {
		t.Errorf("list lacks the message 1 -> 30:\n%s", d)
	}
}

// counterNode is node logic with an order-dependent bug: it declares "won"
// when the first message it receives is from node 3.
type voteNode struct {
	first NodeID
	won   bool
}

func (v *voteNode) Receive(m Message[string]) []Message[string] {
	if v.first == 0 {
		v.first = m.From
		v.won = m.From == 3
	}
	return nil
}
func (v *voteNode) Tick() []Message[string] { return nil }

func TestExploreRunsEveryOrderOfMessagesToOneNode(t *testing.T) {
	setup := func() *Network[string] {
		n := New[string](Config{})
		n.Add(1, &voteNode{})
		n.Send(msg(2, 1, "a"), msg(3, 1, "b"), msg(4, 1, "c"))
		return n
	}
	firsts := map[NodeID]int{}
	rep, err := ExploreWithReport(ExploreOptions{Ticks: 2}, setup, func(n *Network[string]) error {
		if n.Now() == 1 {
			firsts[n.Node(1).(*voteNode).first]++
		}
		return nil
	})
	if err != nil || !rep.Complete || rep.Paths != 6 {
		t.Fatalf("report %+v err %v, want 6 complete paths", rep, err)
	}
	if !reflect.DeepEqual(firsts, map[NodeID]int{2: 2, 3: 2, 4: 2}) {
		t.Fatalf("first senders over all paths %v", firsts)
	}
}

func TestExploreTreatsDeliveriesToDifferentNodesAsIndependent(t *testing.T) {
	setup := func() *Network[string] {
		n := New[string](Config{})
		for id := NodeID(1); id <= 3; id++ {
			n.Add(id, &silent{})
		}
		n.Send(msg(0, 1, "a"), msg(0, 2, "b"), msg(0, 3, "c"), msg(0, 3, "d"))
		return n
	}
	rep, err := ExploreWithReport(ExploreOptions{Ticks: 1}, setup, func(*Network[string]) error { return nil })
	if err != nil || rep.Paths != 2 || !rep.Complete {
		t.Fatalf("report %+v err %v, want 2 paths", rep, err)
	}
}

func TestExploreFindsOrderDependentBugAndReplaysIt(t *testing.T) {
	setup := func() *Network[string] {
		n := New[string](Config{})
		n.Add(1, &voteNode{})
		n.Send(msg(2, 1, "a"), msg(3, 1, "b"), msg(4, 1, "c"))
		return n
	}
	check := func(n *Network[string]) error {
		if n.Node(1).(*voteNode).won {
			return errors.New("node 1 declared victory")
		}
		return nil
	}
	err := Explore(ExploreOptions{Ticks: 3}, setup, check)
	var xe *ExploreError
	if !errors.As(err, &xe) {
		t.Fatalf("Explore returned %v, want an *ExploreError", err)
	}
	if xe.Err.Error() != "node 1 declared victory" || xe.Tick != 1 || xe.Path < 2 {
		t.Fatalf("ExploreError %+v", xe)
	}
	if !strings.Contains(xe.Diagram, "b") || !strings.Contains(err.Error(), "declared victory") {
		t.Fatalf("diagram/message lacks the failure:\n%s", err)
	}
	n, err2 := Replay(ExploreOptions{Ticks: 3}, xe.Choices, setup, check)
	if err2 == nil || n.Now() != 1 {
		t.Fatalf("Replay did not reproduce the failure: %v at %d", err2, n.Now())
	}
	n, err3 := Replay(ExploreOptions{Ticks: 3}, nil, setup, check)
	if err3 != nil || n.Now() != 3 {
		t.Fatalf("Replay of the first path: %v", err3)
	}
}

func TestExploreCoversDelaysDropsDuplicatesAndCrashes(t *testing.T) {
	two := func(cfg Config) func() *Network[string] {
		return func() *Network[string] {
			n := New[string](cfg)
			n.Add(1, &silent{})
			n.Add(2, &silent{})
			n.Send(msg(0, 1, "a"), msg(0, 2, "b"))
			return n
		}
	}
	ok := func(*Network[string]) error { return nil }
	cases := []struct {
		name  string
		cfg   Config
		opts  ExploreOptions
		paths int
	}{
		{"delays 0..2 for two messages", Config{MaxDelay: 2}, ExploreOptions{Ticks: 4}, 9},
		{"at most one of two lost", Config{}, ExploreOptions{Ticks: 2, MaxDrops: 1}, 3},
		{"any of two lost", Config{}, ExploreOptions{Ticks: 2, MaxDrops: 2}, 4},
		{"at most one duplicated", Config{}, ExploreOptions{Ticks: 2, MaxDuplicates: 1}, 3},
		// node 1 may crash before its delivery, or before its tick 1 or 2: 4 paths.
		{"crash points of one node", Config{}, ExploreOptions{Ticks: 2, Crashable: []NodeID{1}, MaxCrashes: 1}, 4},
		{"max depth 1", Config{MaxDelay: 2}, ExploreOptions{Ticks: 4, MaxDepth: 1}, 2},
		{"max paths, sampled", Config{MaxDelay: 2}, ExploreOptions{Ticks: 4, MaxPaths: 5, Sample: true}, 5},
	}
	for _, c := range cases {
		rep, err := ExploreWithReport(c.opts, two(c.cfg), ok)
		if err != nil || rep.Paths != c.paths {
			t.Errorf("%s: %+v, err %v; want %d paths", c.name, rep, err, c.paths)
		}
		if rep.Complete != (c.opts.MaxPaths == 0) {
			t.Errorf("%s: Complete = %v", c.name, rep.Complete)
		}
	}
}

func TestExploreStopPathEndsAPathAsSuccess(t *testing.T) {
	setup := func() *Network[string] {
		n := New[string](Config{MaxDelay: 1})
		n.Add(1, &silent{})
		n.Send(msg(0, 1, "a"))
		return n
	}
	ticks := 0
	err := Explore(ExploreOptions{Ticks: 10}, setup, func(n *Network[string]) error {
		ticks++
		if len(n.Node(1).(*silent).got) > 0 {
			return StopPath
		}
		return nil
	})
	if err != nil || ticks != 1+2 {
		t.Fatalf("err %v, %d checks, want nil and 3", err, ticks)
	}
}

func TestExploreCheckMayRestartNodes(t *testing.T) {
	// A node crashed by the exploration is restarted by check two ticks later.
	setup := func() *Network[string] {
		n := New[string](Config{})
		n.Add(1, &echo{limit: 100})
		n.Add(2, &echo{limit: 100})
		n.Send(msg(1, 2, "ping"))
		return n
	}
	restarts := 0
	err := Explore(ExploreOptions{Ticks: 6, Crashable: []NodeID{2}, MaxCrashes: 1}, setup, func(n *Network[string]) error {
		if !n.Alive(2) {
			restarts++
			n.Restart(2, &echo{limit: 100})
		}
		return nil
	})
	if err != nil || restarts == 0 {
		t.Fatalf("err %v, restarts %d", err, restarts)
	}
}

// ring passes a token around n nodes; used to measure exploration speed.
type ring struct {
	id, next NodeID
	seen     int
}

func (r *ring) Receive(m Message[int]) []Message[int] {
	r.seen++
	if m.Body <= 0 {
		return nil
	}
	return []Message[int]{{To: r.next, Body: m.Body - 1}}
}
func (r *ring) Tick() []Message[int] { return nil }

func exploreRing() func() *Network[int] {
	return func() *Network[int] {
		n := New[int](Config{MaxDelay: 1})
		for id := NodeID(1); id <= 4; id++ {
			n.Add(id, &ring{id: id, next: id%4 + 1})
		}
		n.Send(Message[int]{From: 1, To: 2, Body: 5}, Message[int]{From: 3, To: 4, Body: 5})
		return n
	}
}

func TestExploreIsFastAndDeterministic(t *testing.T) {
	check := func(n *Network[int]) error { return nil }
	rep1, err := ExploreWithReport(ExploreOptions{Ticks: 16}, exploreRing(), check)
	if err != nil || !rep1.Complete || rep1.Paths < 1000 {
		t.Fatalf("%+v %v: want a complete exploration of over 1000 paths", rep1, err)
	}
	rep2, _ := ExploreWithReport(ExploreOptions{Ticks: 16}, exploreRing(), check)
	if rep1 != rep2 {
		t.Fatalf("two explorations differ: %+v %+v", rep1, rep2)
	}
}

func BenchmarkExploreRing(b *testing.B) {
	check := func(n *Network[int]) error { return nil }
	paths := 0
	for range b.N {
		rep, _ := ExploreWithReport(ExploreOptions{Ticks: 16}, exploreRing(), check)
		paths = rep.Paths
	}
	b.ReportMetric(float64(paths), "paths/op")
}

func BenchmarkTick(b *testing.B) {
	n := New[string](Config{Seed: 1, MaxDelay: 2, DropRate: 0.05})
	var ids []NodeID
	for id := NodeID(1); id <= 10; id++ {
		ids = append(ids, id)
	}
	for _, id := range ids {
		n.Add(id, &chatty{id: id, peers: ids})
	}
	b.ResetTimer()
	for range b.N {
		n.Tick()
	}
}

// lister sends one message to each peer per tick, listing them in an order
// that depends on its own private generator.
type lister struct {
	peers []NodeID
	order *rand.Rand
}

func (l *lister) Receive(Message[string]) []Message[string] { return nil }
func (l *lister) Tick() []Message[string] {
	var out []Message[string]
	for _, i := range l.order.Perm(len(l.peers)) {
		out = append(out, Message[string]{To: l.peers[i], Body: fmt.Sprint("to ", l.peers[i])})
	}
	return out
}

func TestTheOrderANodeListsItsMessagesInDoesNotChangeTheRun(t *testing.T) {
	run := func(listing uint64) string {
		n := New[string](Config{Seed: 9, DropRate: 0.2, MaxDelay: 3})
		ids := []NodeID{1, 2, 3, 4}
		for _, id := range ids {
			n.Add(id, &lister{peers: ids, order: rand.New(rand.NewPCG(listing, uint64(id)))})
		}
		n.Run(8)
		var b strings.Builder
		for _, e := range n.Trace() {
			b.WriteString(e.String() + "\n")
		}
		return b.String()
	}
	if run(1) != run(2) {
		t.Fatal("the same seed gave different runs when nodes listed the same messages in different orders")
	}
}

func TestBlockCutsOneDirectionOnly(t *testing.T) {
	n := New[string](Config{MaxDelay: 1})
	a, b := &silent{}, &silent{}
	n.Add(1, a)
	n.Add(2, b)
	n.Send(msg(1, 2, "early")) // in flight when the block starts
	n.Block(1, 2)
	n.Send(msg(1, 2, "blocked"), msg(2, 1, "back"))
	if n.Connected(1, 2) || !n.Connected(2, 1) {
		t.Fatalf("Connected(1,2) = %v, Connected(2,1) = %v; want false, true", n.Connected(1, 2), n.Connected(2, 1))
	}
	n.Run(3)
	if len(b.got) != 0 || len(a.got) != 1 || a.got[0].Body != "back" {
		t.Fatalf("node 2 got %v (want nothing), node 1 got %v (want back)", b.got, a.got)
	}
	if s := n.Stats(); s.Dropped != 2 {
		t.Errorf("Dropped = %d, want 2 (one cut at send, one in flight)", s.Dropped)
	}
	n.Unblock(1, 2)
	n.Send(msg(1, 2, "after unblock"))
	n.Block(2, 1)
	n.Heal() // removes blocks too
	n.Send(msg(2, 1, "after heal"))
	n.Run(3)
	if len(b.got) != 1 || b.got[0].Body != "after unblock" || len(a.got) != 2 {
		t.Fatalf("after Unblock and Heal: node 2 got %v, node 1 got %v", b.got, a.got)
	}
	var kinds []EventKind
	for _, e := range n.Trace() {
		if e.Kind == EventBlock || e.Kind == EventUnblock || e.Kind == EventHeal {
			kinds = append(kinds, e.Kind)
			if e.Kind != EventHeal && e.String() == "" {
				t.Errorf("empty String for %v", e.Kind)
			}
		}
	}
	if want := []EventKind{EventBlock, EventUnblock, EventBlock, EventHeal}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("trace kinds %v, want %v", kinds, want)
	}
	if d := n.Diagram(0); !strings.Contains(d, "messages 1 -> 2 blocked") {
		t.Errorf("diagram does not show the block:\n%s", d)
	}
}

func TestPauseHoldsMessagesAndTicksUntilResume(t *testing.T) {
	n := New[string](Config{})
	e := &echo{limit: 100}
	s := &silent{}
	n.Add(1, e)
	n.Add(2, s)
	n.Send(msg(1, 2, "sent before pause")) // node 1's message still arrives
	n.Pause(1)
	n.Send(msg(2, 1, "x"), msg(2, 1, "y"))
	n.Run(5)
	if !n.Alive(1) || !n.Paused(1) {
		t.Fatalf("Alive %v Paused %v; a paused node is alive and paused", n.Alive(1), n.Paused(1))
	}
	if e.ticks != 0 || len(e.got) != 0 {
		t.Fatalf("paused node ticked %d times and got %v; want neither", e.ticks, e.got)
	}
	if len(s.got) != 1 {
		t.Fatalf("node 2 got %v, want the message sent before the pause", s.got)
	}
	if st := n.Stats(); st.InFlight != 2 || st.Dropped != 0 {
		t.Fatalf("InFlight %d Dropped %d while paused; want 2 held, none dropped", st.InFlight, st.Dropped)
	}
	if got := n.InFlight(); len(got) != 2 {
		t.Fatalf("InFlight() = %v, want the two held messages", got)
	}
	n.Resume(1)
	n.Tick()
	if e.ticks != 1 || len(e.got) != 2 || e.got[0].Body == e.got[1].Body {
		t.Fatalf("after Resume and one tick: ticks %d, got %v; want 1 tick and both x and y", e.ticks, e.got)
	}
	n.Tick()
	if len(s.got) != 3 {
		t.Fatalf("the resumed node's replies: node 2 got %v", s.got)
	}
	// A crash ends a pause and drops what was held.
	n.Pause(1)
	n.Send(msg(2, 1, "z"))
	n.Tick()
	n.Crash(1)
	if n.Paused(1) {
		t.Fatal("a crashed node is not paused")
	}
	if st := n.Stats(); st.InFlight != 0 || st.Dropped != 1 {
		t.Fatalf("after crashing a paused node: InFlight %d Dropped %d; want 0 and 1", st.InFlight, st.Dropped)
	}
	d := n.Diagram(0)
	if !strings.Contains(d, "node 1 paused") || !strings.Contains(d, "node 1 resumed") {
		t.Errorf("diagram does not show pause and resume:\n%s", d)
	}
}

func TestMaxExtraCopiesRepeatsDuplicates(t *testing.T) {
	for _, c := range []struct{ extra, copies int }{{0, 2}, {1, 2}, {3, 4}} {
		n := New[string](Config{Seed: 3, DuplicateRate: 1, MaxExtraCopies: c.extra, MaxDelay: 2})
		s := &silent{}
		n.Add(1, s)
		n.Send(msg(0, 1, "m"))
		n.Run(5)
		if len(s.got) != c.copies || n.Stats().Duplicated != c.copies-1 {
			t.Errorf("MaxExtraCopies %d: delivered %d copies (Duplicated %d), want %d", c.extra, len(s.got), n.Stats().Duplicated, c.copies)
		}
	}
	// With a rate below 1 the number of extra copies varies up to the cap.
	n := New[string](Config{Seed: 9, DuplicateRate: 0.5, MaxExtraCopies: 3})
	s := &silent{}
	n.Add(1, s)
	for range 400 {
		n.Send(msg(0, 1, "m"))
	}
	n.Run(2)
	if d := n.Stats().Duplicated; d < 300 || d > 500 {
		t.Errorf("400 messages, rate 0.5, up to 3 extra copies: %d extra copies, want about 0.5+0.25+0.125 per message", d)
	}
}

type bag struct{ items []int }

func TestCopyBodiesGivesEveryReceiverItsOwnCopyAndReportsChanges(t *testing.T) {
	clone := func(b bag) bag { return bag{items: append([]int(nil), b.items...)} }
	same := func(a, b bag) bool { return reflect.DeepEqual(a.items, b.items) }
	n := New[bag](Config{})
	var got [3][]int
	mut := &recvFunc{f: func(m Message[bag]) { got[1] = m.Body.items; m.Body.items[0] = 99 }}
	other := &recvFunc{f: func(m Message[bag]) { got[2] = m.Body.items }}
	n.Add(1, mut)
	n.Add(2, other)
	n.CopyBodies(clone, same)
	buf := bag{items: []int{1, 2}}
	n.Send(Message[bag]{From: 0, To: 1, Body: buf}, Message[bag]{From: 0, To: 2, Body: buf})
	buf.items[1] = 7 // the sender reuses its buffer after sending
	n.Tick()
	if !reflect.DeepEqual(got[1], []int{99, 2}) || !reflect.DeepEqual(got[2], []int{1, 2}) {
		t.Fatalf("node 1 got %v (after changing it), node 2 got %v; want [99 2] and [1 2]", got[1], got[2])
	}
	ch := n.BodyChanges()
	if len(ch) != 2 || ch[0].Sent != "{[1 2]}" || ch[0].Now != "{[1 7]}" || ch[0].From != 0 || ch[0].Tick != 1 {
		t.Fatalf("BodyChanges = %v, want both deliveries reporting [1 2] changed to [1 7]", ch)
	}
	if !strings.Contains(ch[0].String(), "changed") {
		t.Errorf("String() = %q", ch[0].String())
	}
	// Without CopyBodies, bodies are shared, as before.
	n2 := New[bag](Config{})
	var shared []int
	n2.Add(1, &recvFunc{f: func(m Message[bag]) { shared = m.Body.items }})
	b2 := bag{items: []int{1}}
	n2.Send(Message[bag]{To: 1, Body: b2})
	n2.Tick()
	b2.items[0] = 5
	if shared[0] != 5 || len(n2.BodyChanges()) != 0 {
		t.Fatalf("without CopyBodies the receiver shares the sender's slice; got %v", shared)
	}
}

type recvFunc struct{ f func(Message[bag]) }

func (r *recvFunc) Receive(m Message[bag]) []Message[bag] { r.f(m); return nil }
func (r *recvFunc) Tick() []Message[bag]                  { return nil }

func TestExploreFailsLoudlyAtItsPathCap(t *testing.T) {
	setup := func() *Network[string] {
		n := New[string](Config{MaxDelay: 2})
		n.Add(1, &silent{})
		n.Add(2, &silent{})
		n.Send(msg(0, 1, "a"), msg(0, 2, "b"))
		return n
	}
	ok := func(*Network[string]) error { return nil }
	err := Explore(ExploreOptions{Ticks: 4, MaxPaths: 5}, setup, ok)
	if !errors.Is(err, ErrPathCap) || !strings.Contains(err.Error(), "5 paths run") {
		t.Fatalf("Explore with a cap below the 9 paths returned %v; want ErrPathCap", err)
	}
	if rep, err := ExploreWithReport(ExploreOptions{Ticks: 4, MaxPaths: 5, Sample: true}, setup, ok); err != nil || rep.Complete || rep.Paths != 5 {
		t.Fatalf("sampled: %+v, %v; want 5 paths, incomplete, no error", rep, err)
	}
	if rep, err := ExploreWithReport(ExploreOptions{Ticks: 4, MaxPaths: 9}, setup, ok); err != nil || !rep.Complete {
		t.Fatalf("cap equal to the number of paths: %+v, %v; want complete", rep, err)
	}
}
