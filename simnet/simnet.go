package simnet

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
)

// NodeID names a node. Any int works; IDs that are not nodes of the network
// (a client, the test itself) may still appear as the sender of a message
// injected with Send.
type NodeID int

// Message is one message on the network. M is the exercise's payload type.
type Message[M any] struct {
	From, To NodeID
	Body     M
}

// Node is the logic of one node. It has no goroutines and no real time: the
// network calls it, one call at a time, and sends the messages it returns.
// The network sets From of every returned message to the node's own ID.
type Node[M any] interface {
	// Receive handles a message that arrived; it returns messages to send.
	Receive(m Message[M]) []Message[M]
	// Tick is called once per unit of logical time; it returns messages to send.
	Tick() []Message[M]
}

// Config sets the network's faults and randomness. The zero Config is a
// reliable network that delivers every message at the next tick (in a random
// order among the messages due at that tick).
type Config struct {
	// Seed decides every random choice of the network.
	Seed uint64
	// DropRate is the probability that a sent message is lost.
	DropRate float64
	// DuplicateRate is the probability that a sent (and not lost) message is
	// delivered twice; each copy gets its own delay.
	DuplicateRate float64
	// MinDelay and MaxDelay bound the delay of a message in ticks: a message
	// sent at tick t with delay d is delivered during tick t+1+d, d uniform in
	// [MinDelay, MaxDelay]. 0, 0 means the next tick. Different delays reorder
	// messages. MaxDelay < MinDelay is treated as MaxDelay == MinDelay.
	MinDelay, MaxDelay int
	// MaxExtraCopies is how many extra copies duplication may make of one
	// message (0 means 1): after each extra copy, another one is made with
	// probability DuplicateRate, until there are this many. Each copy gets
	// its own delay. While exploring, ExploreOptions.MaxDuplicates still
	// bounds the extra copies of a whole path.
	MaxExtraCopies int
}

// Stats counts what the network did so far.
type Stats struct {
	// Sent counts messages handed to the network, by nodes and by Send
	// (a duplicate copy is not counted again here).
	Sent int
	// Delivered counts Receive calls made (a duplicate counts twice).
	Delivered int
	// Dropped counts copies that never arrived: lost, cut off by a partition,
	// or addressed to a crashed or unknown node.
	Dropped int
	// Duplicated counts the extra copies the network created.
	Duplicated int
	// InFlight counts copies sent but neither delivered nor dropped yet.
	InFlight int
	// Ticks is the number of ticks run (Now()).
	Ticks int
	// SentBy counts sent messages by sender.
	SentBy map[NodeID]int
	// ReceivedBy counts delivered copies by receiver.
	ReceivedBy map[NodeID]int
	// SentPerTick[t] counts messages sent at tick t: index 0 holds messages
	// injected before the first tick, index t those sent during tick t (and
	// injected while Now() == t). Its length is Ticks+1.
	SentPerTick []int
	// DeliveredPerTick[t] counts copies delivered during tick t (index 0 is
	// always 0). Its length is Ticks+1.
	DeliveredPerTick []int
	// ActiveTicks counts ticks in which at least one message was sent: the
	// number of communication rounds used.
	ActiveTicks int
}

// flight is one copy of a message on its way.
type flight[M any] struct {
	msg    Message[M]
	seq    int // message number, shared by a message's copies
	sentAt int
	due    int
	latest int  // exploring: the last tick it may arrive at
	dup    bool // the extra copy made by duplication
	orig   M    // with CopyBodies: the body the sender handed over (msg.Body is the copy taken then)
}

type slot[M any] struct {
	node   Node[M]
	alive  bool
	paused bool
}

// Network is a simulated network of nodes exchanging messages of type M.
// Create one with New. It is not safe for concurrent use.
type Network[M any] struct {
	cfg   Config
	rng   *rand.Rand
	ex    *exploration // non-nil while Explore runs this network
	now   int
	nodes map[NodeID]*slot[M]
	ids   []NodeID // sorted

	unsent  []flight[M]   // sent, fate (loss, delay, duplication) not yet decided
	pending [][]flight[M] // by due tick
	spare   [][]flight[M] // emptied buckets of pending, for reuse
	nflight int
	seq     int

	group   map[NodeID]int // partition: group index of each listed node; nil when healed
	parts   [][][]NodeID   // the groups of every Partition call, for the trace
	blocked map[[2]NodeID]bool
	held    []flight[M] // copies that arrived at a paused node, in arrival order

	clone   func(M) M // CopyBodies
	same    func(a, b M) bool
	changes []BodyChange

	log   []record[M]
	stats Stats

	onReceive func(Message[M])
}

// New returns an empty network configured by cfg.
func New[M any](cfg Config) *Network[M] {
	if cfg.MaxDelay < cfg.MinDelay {
		cfg.MaxDelay = cfg.MinDelay
	}
	if cfg.MinDelay < 0 {
		panic("simnet: negative MinDelay")
	}
	return &Network[M]{
		cfg:   cfg,
		rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5851f42d4c957f2d)),
		nodes: map[NodeID]*slot[M]{},
		log:   make([]record[M], 0, 64),
		stats: Stats{
			SentBy:           map[NodeID]int{},
			ReceivedBy:       map[NodeID]int{},
			SentPerTick:      append(make([]int, 0, 32), 0),
			DeliveredPerTick: append(make([]int, 0, 32), 0),
		},
	}
}

// Add puts a live node with the given ID on the network. It panics if the ID
// is already taken.
func (n *Network[M]) Add(id NodeID, node Node[M]) {
	if _, ok := n.nodes[id]; ok {
		panic(fmt.Sprintf("simnet: node %d added twice", id))
	}
	n.nodes[id] = &slot[M]{node: node, alive: true}
	i, _ := slices.BinarySearch(n.ids, id)
	n.ids = slices.Insert(n.ids, i, id)
}

// Node returns the current node value with the given ID (the one given to
// Add or to the latest Restart), or nil if there is none. A crashed node is
// still returned.
func (n *Network[M]) Node(id NodeID) Node[M] {
	if s, ok := n.nodes[id]; ok {
		return s.node
	}
	return nil
}

// IDs returns the IDs of all nodes, live or crashed, in increasing order.
func (n *Network[M]) IDs() []NodeID { return slices.Clone(n.ids) }

// Send injects messages as if sent now (at tick Now()) by their From, which
// need not be a node of the network (a client, the test). They are subject to
// the same faults as messages sent by nodes.
func (n *Network[M]) Send(msgs ...Message[M]) {
	for _, m := range msgs {
		n.send(m)
	}
}

// send records a message and queues it for its fate to be decided.
func (n *Network[M]) send(m Message[M]) {
	n.seq++
	n.stats.Sent++
	n.stats.SentBy[m.From]++
	n.stats.SentPerTick[n.now]++
	f := flight[M]{msg: m, seq: n.seq, sentAt: n.now}
	if n.clone != nil {
		f.orig = m.Body
		f.msg.Body = n.clone(m.Body)
		m = f.msg
	}
	n.record(record[M]{kind: kSend, msg: m, seq: f.seq, sentAt: n.now})
	if !n.connected(m.From, m.To) {
		n.drop(f, rPartition)
		return
	}
	n.unsent = append(n.unsent, f)
}

// decide fixes the fate of every message whose fate is not decided yet:
// lost, or scheduled once or twice with a delay.
func (n *Network[M]) decide() {
	for len(n.unsent) > 0 {
		f := n.unsent[0]
		n.unsent = n.unsent[1:]
		if n.lose() {
			n.drop(f, rLost)
			continue
		}
		n.schedule(f)
		for k := 0; k < max(n.cfg.MaxExtraCopies, 1) && n.duplicate(); k++ {
			n.stats.Duplicated++
			c := f
			c.dup = true
			n.record(record[M]{kind: kDuplicate, msg: f.msg, seq: f.seq, sentAt: f.sentAt})
			n.schedule(c)
		}
	}
	n.unsent = n.unsent[:0]
}

func (n *Network[M]) schedule(f flight[M]) {
	if n.ex != nil {
		// Exploring: the copy becomes due at its earliest tick, and at each
		// tick until its latest one the exploration chooses whether it
		// arrives now or later (see exploreDue). Choosing at delivery time
		// rather than here means a path that stops early never branches on
		// delays it would not have seen.
		f.due = f.sentAt + 1 + n.cfg.MinDelay
		f.latest = f.sentAt + 1 + n.cfg.MaxDelay
	} else {
		f.due = f.sentAt + 1 + n.delay()
	}
	n.enqueue(f)
	n.nflight++
}

func (n *Network[M]) enqueue(f flight[M]) {
	for len(n.pending) <= f.due {
		n.pending = append(n.pending, nil)
	}
	b := n.pending[f.due]
	if b == nil && len(n.spare) > 0 {
		b = n.spare[len(n.spare)-1]
		n.spare = n.spare[:len(n.spare)-1]
	}
	n.pending[f.due] = append(b, f)
}

func (n *Network[M]) lose() bool {
	if n.ex != nil {
		return n.ex.lose()
	}
	return n.cfg.DropRate > 0 && n.rng.Float64() < n.cfg.DropRate
}

func (n *Network[M]) duplicate() bool {
	if n.ex != nil {
		return n.ex.duplicate()
	}
	return n.cfg.DuplicateRate > 0 && n.rng.Float64() < n.cfg.DuplicateRate
}

func (n *Network[M]) delay() int {
	w := n.cfg.MaxDelay - n.cfg.MinDelay + 1
	if w <= 1 {
		return n.cfg.MinDelay
	}
	return n.cfg.MinDelay + n.rng.IntN(w)
}

func (n *Network[M]) drop(f flight[M], reason uint8) {
	n.stats.Dropped++
	n.record(record[M]{kind: kDrop, msg: f.msg, seq: f.seq, sentAt: f.sentAt, dup: f.dup, reason: reason})
}

// Tick runs one tick: Now() advances by one, every message due now is
// delivered (in an order drawn from the seed), then every live node's Tick is
// called in increasing ID order. Messages the nodes return are scheduled.
func (n *Network[M]) Tick() {
	n.decide()
	n.now++
	n.stats.Ticks = n.now
	n.stats.SentPerTick = append(n.stats.SentPerTick, 0)
	n.stats.DeliveredPerTick = append(n.stats.DeliveredPerTick, 0)

	var due []flight[M]
	if n.now < len(n.pending) {
		due = n.pending[n.now]
		n.pending[n.now] = nil
	}
	if n.ex != nil {
		due = n.exploreDue(due)
		n.nflight -= len(due)
		due = n.exploreOrder(due)
	} else {
		n.nflight -= len(due)
		n.rng.Shuffle(len(due), func(i, j int) { due[i], due[j] = due[j], due[i] })
	}
	for _, f := range due {
		if n.ex != nil {
			n.exploreCrash(f.msg.To)
		}
		n.deliver(f)
	}
	if cap(due) > 0 {
		n.spare = append(n.spare, due[:0])
	}
	for _, id := range n.ids {
		if n.ex != nil {
			n.exploreCrash(id)
		}
		s := n.nodes[id]
		if !s.alive || s.paused {
			continue
		}
		n.emit(id, s.node.Tick())
	}
	if n.stats.SentPerTick[n.now] > 0 {
		n.stats.ActiveTicks++
	}
}

func (n *Network[M]) deliver(f flight[M]) {
	s, ok := n.nodes[f.msg.To]
	switch {
	case !ok:
		n.drop(f, rUnknown)
	case !s.alive:
		n.drop(f, rCrashed)
	case !n.connected(f.msg.From, f.msg.To):
		n.drop(f, rPartition)
	case s.paused:
		n.held = append(n.held, f)
		n.nflight++
	default:
		n.stats.Delivered++
		n.stats.ReceivedBy[f.msg.To]++
		n.stats.DeliveredPerTick[n.now]++
		n.record(record[M]{kind: kDeliver, msg: f.msg, seq: f.seq, sentAt: f.sentAt, dup: f.dup})
		m := f.msg
		if n.clone != nil {
			n.checkBody(f)
			m.Body = n.clone(f.msg.Body)
		}
		n.emit(f.msg.To, s.node.Receive(m))
		if n.onReceive != nil {
			n.onReceive(m)
		}
	}
}

// OnReceive sets a function called right after each Receive call returns
// and the messages it returned are sent, before anything else happens; nil
// removes it. m is the message as the node received it. A test may Crash the
// receiver there, to model a process that died right after replying: what
// it saved to its Storage survives, anything it meant to save later does
// not. Messages already due at this tick for a node crashed there are lost,
// like any message to a crashed node.
func (n *Network[M]) OnReceive(f func(m Message[M])) { n.onReceive = f }

// emit sends what node id returned, with From set to id, in increasing
// order of receiver (stable), so that the order in which a node lists its
// messages (say, by iterating over a map) does not change the run.
func (n *Network[M]) emit(id NodeID, out []Message[M]) {
	byTo := func(a, b Message[M]) int { return cmp.Compare(a.To, b.To) }
	if !slices.IsSortedFunc(out, byTo) {
		out = slices.Clone(out)
		slices.SortStableFunc(out, byTo)
	}
	for _, m := range out {
		m.From = id
		n.send(m)
	}
	n.decide()
}

// Run runs the given number of ticks.
func (n *Network[M]) Run(ticks int) {
	for range ticks {
		n.Tick()
	}
}

// RunUntil runs ticks until done returns true, checking it before the first
// tick and after every tick, for at most maxTicks ticks. It reports whether
// done returned true.
func (n *Network[M]) RunUntil(done func() bool, maxTicks int) bool {
	for range maxTicks {
		if done() {
			return true
		}
		n.Tick()
	}
	return done()
}

// Now returns the number of ticks run so far.
func (n *Network[M]) Now() int { return n.now }

// Crash stops node id: it is no longer ticked, messages delivered to it from
// now on are dropped, and messages it already sent still arrive. Crashing a
// crashed node does nothing. It panics if id is not a node.
func (n *Network[M]) Crash(id NodeID) {
	s := n.mustNode(id, "Crash")
	if !s.alive {
		return
	}
	s.alive = false
	n.record(record[M]{kind: kCrash, msg: Message[M]{To: id}})
	if s.paused {
		s.paused = false
		n.release(id, true)
	}
}

// Restart puts a new, live node value in the place of node id (crashing the
// old one first if it is alive). Messages still in flight to id are delivered
// to the new node. It panics if id is not a node.
func (n *Network[M]) Restart(id NodeID, node Node[M]) {
	s := n.mustNode(id, "Restart")
	if s.alive {
		n.Crash(id)
	}
	s.node = node
	s.alive = true
	n.record(record[M]{kind: kRestart, msg: Message[M]{To: id}})
}

func (n *Network[M]) mustNode(id NodeID, op string) *slot[M] {
	s, ok := n.nodes[id]
	if !ok {
		panic(fmt.Sprintf("simnet: %s(%d): no such node", op, id))
	}
	return s
}

// Alive reports whether id is a node that is not crashed.
func (n *Network[M]) Alive(id NodeID) bool {
	s, ok := n.nodes[id]
	return ok && s.alive
}

// Partition splits the network: from now on only IDs in the same group can
// exchange messages (a message crossing groups is lost when sent, and one
// already in flight is lost when it would be delivered). An ID named in no
// group is alone in a group of its own. A later Partition replaces this one.
// It panics if an ID is named twice.
func (n *Network[M]) Partition(groups ...[]NodeID) {
	g := map[NodeID]int{}
	var cp [][]NodeID
	for i, grp := range groups {
		for _, id := range grp {
			if _, dup := g[id]; dup {
				panic(fmt.Sprintf("simnet: Partition names node %d twice", id))
			}
			g[id] = i
		}
		s := slices.Clone(grp)
		slices.Sort(s)
		cp = append(cp, s)
	}
	n.group = g
	n.parts = append(n.parts, cp)
	n.record(record[M]{kind: kPartition, part: len(n.parts) - 1})
}

// Heal removes the partition and every one-way block (see Block): every ID
// can reach every other again.
func (n *Network[M]) Heal() {
	if n.group == nil && len(n.blocked) == 0 {
		return
	}
	n.group = nil
	n.blocked = nil
	n.record(record[M]{kind: kHeal})
}

// Connected reports whether a message from a to b can cross the current
// partition (always true when there is none; a node can always reach itself).
func (n *Network[M]) Connected(a, b NodeID) bool { return n.connected(a, b) }

func (n *Network[M]) connected(a, b NodeID) bool {
	if a == b {
		return true
	}
	if n.blocked[[2]NodeID{a, b}] {
		return false
	}
	if n.group == nil {
		return true
	}
	ga, oka := n.group[a]
	gb, okb := n.group[b]
	return oka && okb && ga == gb
}

// Stats returns the counts so far. The result does not alias the network.
func (n *Network[M]) Stats() Stats {
	s := n.stats
	s.InFlight = n.nflight + len(n.unsent)
	s.SentBy = cloneMap(s.SentBy)
	s.ReceivedBy = cloneMap(s.ReceivedBy)
	s.SentPerTick = slices.Clone(s.SentPerTick)
	s.DeliveredPerTick = slices.Clone(s.DeliveredPerTick)
	return s
}

func cloneMap(m map[NodeID]int) map[NodeID]int {
	c := make(map[NodeID]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// InFlight returns the copies of messages sent but neither delivered nor
// dropped yet, ordered by due tick, then by when they were sent.
func (n *Network[M]) InFlight() []Message[M] {
	fs := n.inFlight()
	out := make([]Message[M], len(fs))
	for i, f := range fs {
		out[i] = f.msg
	}
	return out
}

func (n *Network[M]) inFlight() []flight[M] {
	var fs []flight[M]
	fs = append(fs, n.unsent...)
	fs = append(fs, n.held...)
	for _, p := range n.pending {
		fs = append(fs, p...)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].due != fs[j].due {
			return fs[i].due < fs[j].due
		}
		return fs[i].seq < fs[j].seq
	})
	return fs
}

// CountSent returns how many messages sent so far (by nodes or Send) satisfy
// keep; a duplicate copy is not counted again.
func (n *Network[M]) CountSent(keep func(Message[M]) bool) int {
	c := 0
	for _, r := range n.log {
		if r.kind == kSend && keep(r.msg) {
			c++
		}
	}
	return c
}

// Sent returns every message sent so far (by nodes or Send), in order.
func (n *Network[M]) Sent() []Message[M] {
	var out []Message[M]
	for _, r := range n.log {
		if r.kind == kSend {
			out = append(out, r.msg)
		}
	}
	return out
}
