//go:build dslearnsuite

package election_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	election "github.com/dslearn/dslearn/exercises/leader-election"
	"github.com/dslearn/dslearn/simnet"
)

// defaultRuns is how many seeds every randomized property tries.
const defaultRuns = 30

type id = simnet.NodeID

// setup is one cluster configuration: its node IDs (sorted), the network's
// largest delay D, and the nodes' timeouts, which always satisfy the
// lesson's constraints for D.
type setup struct {
	ids   []id
	D     int
	fixed bool // every message takes exactly D ticks of delay (explorations)
	cfg   election.Config
}

// randomSetup draws a cluster of n nodes with distinct, non-contiguous IDs
// and timeouts that satisfy the lesson's constraints.
func randomSetup(r *rand.Rand, n int) setup {
	d := r.IntN(3)
	h := d + 1 + r.IntN(2)
	if r.IntN(2) == 0 {
		// A long interval: a node learns the leader from a Heartbeat only
		// after up to H+D ticks, so what the lesson says must come sooner
		// (a restarted node told by the leader's Coordinator) shows.
		h += d + 2 + r.IntN(3)
	}
	cfg := election.Config{
		HeartbeatInterval: h,
		LeaderTimeout:     h + d + 1 + r.IntN(3),
		AnswerTimeout:     2*d + 2 + r.IntN(2),
	}
	cfg.CoordinatorTimeout = cfg.AnswerTimeout + 2*d + 2 + r.IntN(3)
	return setup{ids: randomIDs(r, n), D: d, cfg: cfg}
}

func randomIDs(r *rand.Rand, n int) []id {
	seen := map[id]bool{}
	var ids []id
	for len(ids) < n {
		x := id(1 + r.IntN(6*n))
		if !seen[x] {
			seen[x] = true
			ids = append(ids, x)
		}
	}
	slices.Sort(ids)
	return ids
}

// Bounds the lesson states, for a cluster whose largest delay is D.
func (s setup) startBound() int  { return s.D + 2 } // top node live at start
func (s setup) followBound() int { return s.D + 1 } // after a declaration
func (s setup) crashBound() int { // after the leader's crash or a partition
	return s.cfg.LeaderTimeout + s.cfg.AnswerTimeout + 2*s.D + 1
}
func (s setup) healBound() int { return s.cfg.HeartbeatInterval + s.D + 1 }

// quiet is long enough for any state to settle.
func (s setup) quiet() int {
	c := s.cfg
	return 2*(c.LeaderTimeout+c.CoordinatorTimeout+c.AnswerTimeout) + 6*s.D + 10
}

func (s setup) String() string {
	return fmt.Sprintf("nodes %v, network delay 0..%d ticks, %+v", s.ids, s.D, s.cfg)
}

// cluster runs a setup on a reliable simulated network and checks the
// election's safety properties after every tick.
type cluster struct {
	s     setup
	net   *simnet.Network[election.Kind]
	r     *rand.Rand
	nodes map[id]*election.Node

	since       map[id]int            // tick a live node was first seen leading (in its current stint)
	restarted   map[id]bool           // nodes restarted at least once
	lastJoin    int                   // last tick at which separated nodes were reconnected
	group       map[id]int            // current partition, nil when there is none
	sent        map[election.Kind]int // messages sent by nodes since tick countedFrom
	countedFrom int
	sentBy      map[id]map[election.Kind]int
	bad         error // first message that breaks the protocol's shape
	notes       []string
}

func minDelay(s setup) int {
	if s.fixed {
		return s.D
	}
	return 0
}

func newCluster(s setup, r *rand.Rand) *cluster {
	c := &cluster{
		s:         s,
		r:         r,
		net:       simnet.New[election.Kind](simnet.Config{Seed: r.Uint64(), MinDelay: minDelay(s), MaxDelay: s.D}),
		nodes:     map[id]*election.Node{},
		since:     map[id]int{},
		restarted: map[id]bool{},
		lastJoin:  -1 << 20,
		sent:      map[election.Kind]int{},
		sentBy:    map[id]map[election.Kind]int{},
	}
	for _, x := range s.ids {
		c.net.Add(x, c.newNode(x))
	}
	return c
}

// newNode builds node x with the cluster's IDs in a random order.
func (c *cluster) newNode(x id) *probe {
	peers := slices.Clone(c.s.ids)
	c.r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
	n := election.NewNode(x, peers, c.s.cfg)
	c.nodes[x] = n
	return &probe{c: c, id: x, node: n}
}

// probe passes every call to the learner's node and inspects what it sends.
type probe struct {
	c    *cluster
	id   id
	node *election.Node
}

func (p *probe) Receive(m simnet.Message[election.Kind]) []simnet.Message[election.Kind] {
	out := p.node.Receive(m)
	p.c.saw(p.id, out, fmt.Sprintf("handling %v from node %d", m.Body, m.From))
	return out
}

func (p *probe) Tick() []simnet.Message[election.Kind] {
	out := p.node.Tick()
	p.c.saw(p.id, out, "in Tick")
	return out
}

func (c *cluster) saw(from id, out []simnet.Message[election.Kind], when string) {
	for _, m := range out {
		c.sent[m.Body]++
		if c.sentBy[from] == nil {
			c.sentBy[from] = map[election.Kind]int{}
		}
		c.sentBy[from][m.Body]++
		if c.bad != nil {
			continue
		}
		bad := ""
		switch {
		case m.Body < election.Election || m.Body > election.Heartbeat:
			bad = fmt.Sprintf("a message of unknown kind %d", int(m.Body))
		case m.To == from:
			bad = fmt.Sprintf("%v to itself; a node never sends to itself", m.Body)
		case !slices.Contains(c.s.ids, m.To):
			bad = fmt.Sprintf("%v to node %d, which is not a peer", m.Body, m.To)
		case m.Body == election.Election && m.To < from:
			bad = fmt.Sprintf("Election to node %d, which has a lower ID; Election goes only to higher IDs", m.To)
		case m.Body == election.Answer && m.To > from:
			bad = fmt.Sprintf("Answer to node %d, which has a higher ID; a node answers only Elections from lower IDs", m.To)
		case m.Body == election.Coordinator && m.To > from:
			bad = fmt.Sprintf("Coordinator to node %d, which has a higher ID; Coordinator goes only to lower IDs", m.To)
		}
		if bad != "" {
			c.bad = c.failf("at tick %d node %d (%s) sent %s", c.net.Now(), from, when, bad)
		}
	}
}

// leader asks live node x whom it follows.
func (c *cluster) leader(x id) (id, bool) { return c.nodes[x].Leader() }

func (c *cluster) connected(a, b id) bool {
	return c.group == nil || c.group[a] == c.group[b]
}

// tick runs one tick and checks safety:
//   - no node follows a node with a lower ID than its own (or a non-peer);
//   - two live nodes that can talk to each other lead at once only while the
//     higher one's Coordinator is still on its way (at most D ticks after it
//     declared), or just after a heal (at most H+D ticks).
func (c *cluster) tick() error {
	c.net.Tick()
	return c.observe()
}

// observe checks safety after a tick (run by tick, or by an exploration).
func (c *cluster) observe() error {
	if c.bad != nil {
		return c.bad
	}
	now := c.net.Now()
	var leading []id
	for _, x := range c.s.ids {
		if !c.net.Alive(x) {
			delete(c.since, x)
			continue
		}
		l, ok := c.leader(x)
		if !ok {
			delete(c.since, x)
			continue
		}
		if !slices.Contains(c.s.ids, l) {
			return c.failf("after tick %d node %d follows node %d, which is not a peer", now, x, l)
		}
		if l < x {
			return c.failf("after tick %d node %d follows node %d, which has a lower ID: a node follows only a higher node (or leads itself)", now, x, l)
		}
		if l != x {
			delete(c.since, x)
			continue
		}
		if _, ok := c.since[x]; !ok {
			c.since[x] = now
		}
		leading = append(leading, x)
	}
	for i, x := range leading {
		for _, y := range leading[i+1:] {
			if !c.connected(x, y) {
				continue
			}
			if (c.restarted[y] && now-c.since[y] <= c.s.D) || now-c.lastJoin <= c.s.cfg.HeartbeatInterval+c.s.D {
				continue
			}
			if c.since[x] <= c.lastJoin && c.since[y] <= c.lastJoin {
				return c.failf("after tick %d nodes %d and %d, which can talk to each other, both believe they are the leader, "+
					"%d ticks after the partition healed: within HeartbeatInterval = %d ticks node %d sends a Heartbeat, "+
					"which reaches node %d within MaxDelay+1 = %d more ticks, and node %d must then step down",
					now, x, y, now-c.lastJoin, c.s.cfg.HeartbeatInterval, y, x, c.s.D+1, x)
			}
			if !c.restarted[y] {
				return c.failf("after tick %d nodes %d and %d, which can talk to each other, both believe they are the leader "+
					"(node %d since tick %d, node %d since tick %d). Node %d has been alive all along, so it answers every Election "+
					"from node %d within 2*MaxDelay+2 <= AnswerTimeout ticks: node %d may never declare itself while node %d is alive",
					now, x, y, x, c.since[x], y, c.since[y], y, x, x, y)
			}
			return c.failf("after tick %d nodes %d and %d, which can talk to each other, both believe they are the leader "+
				"(node %d since tick %d, node %d since tick %d): a lower node must step down as soon as a higher leader's "+
				"Coordinator or Heartbeat reaches it, at most MaxDelay+1 = %d ticks after the higher one declared",
				now, x, y, x, c.since[x], y, c.since[y], c.s.D+1)
		}
	}
	return nil
}

func (c *cluster) run(ticks int) error {
	for range ticks {
		if err := c.tick(); err != nil {
			return err
		}
	}
	return nil
}

func (c *cluster) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf("before tick %d: ", c.net.Now()+1)+fmt.Sprintf(format, args...))
}

func (c *cluster) crash(x id) {
	c.note("node %d crashed", x)
	c.net.Crash(x)
}

// restart replaces x by a new node (nothing survives a crash).
func (c *cluster) restart(x id) {
	c.note("node %d restarted (a new NewNode)", x)
	c.restarted[x] = true
	c.net.Restart(x, c.newNode(x))
}

func (c *cluster) partition(groups ...[]id) {
	c.note("partition %v", groups)
	if c.group != nil {
		c.lastJoin = c.net.Now()
	}
	c.group = map[id]int{}
	for i, g := range groups {
		for _, x := range g {
			c.group[x] = i
		}
	}
	c.net.Partition(groups...)
}

func (c *cluster) heal() {
	c.note("partition healed")
	c.group = nil
	c.lastJoin = c.net.Now()
	c.net.Heal()
}

func (c *cluster) live(among []id) []id {
	var out []id
	for _, x := range among {
		if c.net.Alive(x) {
			out = append(out, x)
		}
	}
	return out
}

// highestLive is the highest live ID among the given nodes (0 if none).
func (c *cluster) highestLive(among []id) id {
	l := c.live(among)
	if len(l) == 0 {
		return 0
	}
	return slices.Max(l)
}

// followers returns which of the live nodes among do not follow want, as
// "node: belief" strings.
func (c *cluster) notFollowing(want id, among []id) []string {
	var out []string
	for _, x := range c.live(among) {
		if l, ok := c.leader(x); !ok || l != want {
			out = append(out, fmt.Sprintf("node %d: %s", x, c.belief(x)))
		}
	}
	return out
}

func (c *cluster) belief(x id) string {
	if !c.net.Alive(x) {
		return "crashed"
	}
	l, ok := c.leader(x)
	switch {
	case !ok:
		return "no leader"
	case l == x:
		return "leader"
	}
	return fmt.Sprintf("follows %d", l)
}

// runUntilAllFollow runs until every live node among follows want, for at
// most within ticks, checking safety on the way.
func (c *cluster) runUntilAllFollow(want id, among []id, within int, why string) error {
	deadline := c.net.Now() + within
	for {
		if len(c.notFollowing(want, among)) == 0 {
			return nil
		}
		if c.net.Now() >= deadline {
			return c.failf("%s\nexpected by tick %d: every live node of %v follows node %d\nactual: %s",
				why, deadline, among, want, strings.Join(c.notFollowing(want, among), ", "))
		}
		if err := c.tick(); err != nil {
			return err
		}
	}
}

// stable runs ticks and fails if any live node's belief changes.
func (c *cluster) stable(ticks int, why string) error {
	before := c.beliefs()
	for range ticks {
		if err := c.tick(); err != nil {
			return err
		}
		if now := c.beliefs(); now != before {
			return c.failf("%s\nexpected every node to keep its belief (%s)\nactual after tick %d: %s",
				why, before, c.net.Now(), now)
		}
	}
	return nil
}

func (c *cluster) beliefs() string {
	var parts []string
	for _, x := range c.s.ids {
		parts = append(parts, fmt.Sprintf("%d: %s", x, c.belief(x)))
	}
	return strings.Join(parts, ", ")
}

func (c *cluster) electionMessages() int {
	return c.sent[election.Election] + c.sent[election.Answer] + c.sent[election.Coordinator]
}

func (c *cluster) counts() string {
	return fmt.Sprintf("Election %d, Answer %d, Coordinator %d, Heartbeat %d",
		c.sent[election.Election], c.sent[election.Answer], c.sent[election.Coordinator], c.sent[election.Heartbeat])
}

func (c *cluster) resetCounts() {
	c.sent = map[election.Kind]int{}
	c.sentBy = map[id]map[election.Kind]int{}
	c.countedFrom = c.net.Now()
}

// failf describes a failure with the cluster, what happened to it, every
// node's belief and the message diagram (heartbeats left out).
func (c *cluster) failf(format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	fmt.Fprintf(&b, "\n\ncluster: %s", c.s)
	for _, n := range c.notes {
		b.WriteString("\n  " + n)
	}
	fmt.Fprintf(&b, "\nbeliefs after tick %d: %s", c.net.Now(), c.beliefs())
	fmt.Fprintf(&b, "\nmessages sent since tick %d: %s", c.countedFrom, c.counts())
	recent := max(c.net.Now()-c.s.D-2, 0)
	fmt.Fprintf(&b, "\n\nmessages (Heartbeats only from tick %d on):\n", recent)
	b.WriteString(c.net.DiagramFunc(40, func(e simnet.Event) bool {
		return e.Msg == nil || e.Kind == simnet.EventSend || e.Tick >= recent ||
			e.Msg.(simnet.Message[election.Kind]).Body != election.Heartbeat
	}))
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

func sortedKeys(m map[id]bool) []id {
	var out []id
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
