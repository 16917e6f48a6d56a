//go:build dslearnsuite

package gossip_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/gossip"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// model is what the lesson's rules say one node holds and spreads: the
// held item of every key, and how many more Ticks each key is spread for.
type model struct {
	held map[string]gossip.Item
	left map[string]int
}

func newModel() *model { return &model{held: map[string]gossip.Item{}, left: map[string]int{}} }

func newer(a, b gossip.Item) bool {
	if a.Version != b.Version {
		return a.Version > b.Version
	}
	return a.Value > b.Value
}

// learn applies Put or a received item: a new item replaces the held one
// and starts a fresh spreading period; anything else changes nothing.
func (m *model) learn(it gossip.Item, rounds int) {
	if h, ok := m.held[it.Key]; ok && !newer(it, h) {
		return
	}
	m.held[it.Key] = it
	m.left[it.Key] = rounds
}

// tick returns the items a Tick must send, sorted by key, and ages them.
func (m *model) tick() []gossip.Item {
	var hot []gossip.Item
	for k, n := range m.left {
		if n > 0 {
			m.left[k] = n - 1
			hot = append(hot, m.held[k])
		}
	}
	slices.SortFunc(hot, func(a, b gossip.Item) int { return strings.Compare(a.Key, b.Key) })
	return hot
}

// Edge values: keys with upper case, non-ASCII, separators and the empty
// string; versions at every width boundary a shortcut could narrow them to.
var (
	edgeKeys     = []string{"", "k", "K", "k2", "é", "日本", "a#b", "a,b", "a b", "a=b", "a@1", "\x00", "zz"}
	edgeValues   = []string{"", "a", "b", "B", "é", "a b", "v#1", "\xff"}
	edgeVersions = []uint64{0, 1, 2, 9, 10, 255, 256, 65535, 65536, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32,
		1<<53 + 1, 1<<63 - 1, 1 << 63, 1<<63 + 1, math.MaxUint64 - 1, math.MaxUint64}
)

func edgeItem(r *rand.Rand, keys []string) gossip.Item {
	return gossip.Item{Key: keys[r.IntN(len(keys))], Version: edgeVersions[r.IntN(len(edgeVersions))],
		Value: edgeValues[r.IntN(len(edgeValues))]}
}

// modelRun is one randomized run: learner nodes on a faulty network, each
// followed by its model, compared after every call.
type modelRun struct {
	cfg    gossip.Config
	ids    []simnet.NodeID
	others map[simnet.NodeID][]simnet.NodeID
	nodes  map[simnet.NodeID]*gossip.Node
	models map[simnet.NodeID]*model
	keys   []string
	net    *netw
	steps  []string // what the run did, for the report
	err    error
}

// oracle wraps a learner node; the network calls it.
type oracle struct {
	run *modelRun
	id  simnet.NodeID
}

func cloneMsg(m gossip.Msg) gossip.Msg { return gossip.Msg{Items: slices.Clone(m.Items)} }
func sameMsg(a, b gossip.Msg) bool     { return slices.Equal(a.Items, b.Items) }

func (o *oracle) Receive(m msg) []msg {
	x := o.run
	for _, it := range m.Body.Items {
		x.models[o.id].learn(it, x.cfg.Rounds)
	}
	desc := fmt.Sprintf("after receiving %v from node %d", m.Body, m.From)
	out := x.nodes[o.id].Receive(m)
	if len(out) != 0 {
		x.fail("node %d, handling %v from node %d, returned %d messages; Receive always returns none (spreading happens in Tick)", o.id, m.Body, m.From, len(out))
		return nil
	}
	// The delivered body is the receiver's own: scribble on it, as a
	// network stack reusing its receive buffer would. A node must have
	// copied what it keeps.
	for i := range m.Body.Items {
		m.Body.Items[i] = gossip.Item{Key: "scribbled", Version: math.MaxUint64, Value: "scribbled"}
	}
	x.compare(o.id, desc)
	return nil
}

func (o *oracle) Tick() []msg {
	x := o.run
	want := x.models[o.id].tick()
	out := x.nodes[o.id].Tick()
	if x.err != nil {
		return nil
	}
	others := x.others[o.id]
	switch {
	case len(want) == 0 || len(others) == 0:
		if len(out) != 0 {
			x.fail("at tick %d node %d is spreading no item (every item it holds became new more than Rounds = %d of its Ticks ago), yet its Tick sent %d messages, the first %v",
				x.net.Now(), o.id, x.cfg.Rounds, len(out), out[0].Body)
		}
	default:
		k := min(x.cfg.Fanout, len(others))
		seen := map[simnet.NodeID]bool{}
		for _, m := range out {
			switch {
			case !slices.Contains(others, m.To):
				x.fail("at tick %d node %d sent to %d, which is not one of its other peers %v", x.net.Now(), o.id, m.To, others)
			case seen[m.To]:
				x.fail("at tick %d node %d sent twice to node %d in one Tick; the peers of a Tick are distinct", x.net.Now(), o.id, m.To)
			case !slices.Equal(m.Body.Items, want):
				x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d node %d sent node %d a message; it must carry exactly the items it is spreading (each new here within its last Rounds = %d Ticks), sorted by key",
					x.net.Now(), o.id, m.To, x.cfg.Rounds), gossip.Msg{Items: want}, m.Body))
			}
			seen[m.To] = true
		}
		if x.err == nil && len(out) != k {
			x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d node %d is spreading %v; with Fanout = %d and %d other peers, the number of messages its Tick sends",
				x.net.Now(), o.id, gossip.Msg{Items: want}, x.cfg.Fanout, len(others)), k, len(out)))
		}
	}
	x.compare(o.id, fmt.Sprintf("after its Tick at tick %d", x.net.Now()))
	return out
}

// compare checks every key's Get against the model.
func (x *modelRun) compare(id simnet.NodeID, when string) {
	if x.err != nil {
		return
	}
	m := x.models[id]
	for _, k := range x.keys {
		want, wok := m.held[k]
		got, ok := x.nodes[id].Get(k)
		if ok != wok || got != want {
			x.fail("%s", check.Mismatch(fmt.Sprintf("node %d, %s: Get(%q) (a node holds, for each key, the newest item it was given by Put or received; Newer compares versions as numbers, then values)", id, when, k),
				itemOrNone(want, wok), itemOrNone(got, ok)))
			return
		}
	}
}

func itemOrNone(it gossip.Item, ok bool) string {
	if !ok {
		return "(nothing, false)"
	}
	return fmt.Sprintf("%q@%d=%q", it.Key, it.Version, it.Value)
}

func (x *modelRun) fail(format string, args ...any) {
	if x.err == nil {
		x.err = fmt.Errorf(format, args...)
	}
}

func (x *modelRun) step(format string, args ...any) {
	x.steps = append(x.steps, fmt.Sprintf("tick %d: ", x.net.Now())+fmt.Sprintf(format, args...))
}

// report describes a failure: the configuration, the schedule so far and
// the trace.
func (x *modelRun) report(nc simnet.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n\n%d nodes %v, Config%+v, network %+v\nwhat the test did (besides ticking):", x.err, len(x.ids), x.ids, x.cfg, nc)
	steps := x.steps
	if len(steps) > 25 {
		fmt.Fprintf(&b, "\n    ... %d earlier steps", len(steps)-25)
		steps = steps[len(steps)-25:]
	}
	for _, s := range steps {
		b.WriteString("\n    " + s)
	}
	b.WriteString("\n" + diagram(x.net, 40))
	return fmt.Errorf("%s", b.String())
}

// randomIDs draws n distinct node IDs, edges included (0, negative, huge).
func randomIDs(r *rand.Rand, n int) []simnet.NodeID {
	pool := []simnet.NodeID{0, -1, 1, 2, 3, 7, 1 << 20, 1<<31 - 1, 1 << 40, -(1 << 40)}
	seen := map[simnet.NodeID]bool{}
	var ids []simnet.NodeID
	for len(ids) < n {
		x := pool[r.IntN(len(pool))]
		if r.IntN(2) == 0 {
			x = simnet.NodeID(r.IntN(1000) - 100)
		}
		if !seen[x] {
			seen[x] = true
			ids = append(ids, x)
		}
	}
	return ids
}

// modelScenario runs n nodes for ticks ticks with puts spread over the
// first part, random faults (loss, delays, repeated duplicates, one-way
// blocks, pauses) and compares every node with its model after every call.
func modelScenario(r *rand.Rand, n, ticks, puts int) error {
	fanout := 1 + r.IntN(4)
	if r.IntN(6) == 0 { // a fanout above any cluster: push to every peer
		fanout = []int{math.MaxInt, 1<<53 + 1, 1 << 31}[r.IntN(3)]
	}
	x := &modelRun{
		cfg:    gossip.Config{Fanout: fanout, Rounds: 1 + r.IntN(6)},
		ids:    randomIDs(r, n),
		others: map[simnet.NodeID][]simnet.NodeID{},
		nodes:  map[simnet.NodeID]*gossip.Node{},
		models: map[simnet.NodeID]*model{},
	}
	x.keys = slices.Clone(edgeKeys[:2+r.IntN(len(edgeKeys)-1)])
	nc := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(4), DropRate: []float64{0, 0, 0.1, 0.3}[r.IntN(4)],
		DuplicateRate: []float64{0, 0.2, 0.5}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
	x.net = simnet.New[gossip.Msg](nc)
	x.net.CopyBodies(cloneMsg, sameMsg)
	for _, id := range x.ids {
		peers := slices.Clone(x.ids)
		if r.IntN(2) == 0 { // peers may or may not include the node itself
			peers = slices.DeleteFunc(peers, func(p simnet.NodeID) bool { return p == id })
		}
		r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
		given := slices.Clone(peers)
		x.nodes[id] = gossip.New(id, given, x.cfg, rand.New(rand.NewPCG(r.Uint64(), uint64(id))))
		for i := range given { // the caller reuses its slice: the node must have copied it
			given[i] = id
		}
		x.others[id] = slices.DeleteFunc(peers, func(p simnet.NodeID) bool { return p == id })
		x.models[id] = newModel()
		x.net.Add(id, &oracle{run: x, id: id})
	}
	for t := 0; t < ticks && x.err == nil; t++ {
		if t < ticks*2/3 && r.IntN(ticks) < 2*puts {
			id := x.ids[r.IntN(n)]
			it := edgeItem(r, x.keys)
			x.step("node %d: Put(%q, %q, %d)", id, it.Key, it.Value, it.Version)
			x.models[id].learn(it, x.cfg.Rounds)
			x.nodes[id].Put(it.Key, it.Value, it.Version)
			x.compare(id, fmt.Sprintf("after Put(%q, %q, %d)", it.Key, it.Value, it.Version))
		}
		if n > 1 && r.IntN(20) == 0 {
			a, b := x.ids[r.IntN(n)], x.ids[r.IntN(n)]
			if a != b {
				x.step("messages %d -> %d blocked (one way)", a, b)
				x.net.Block(a, b)
			}
		}
		if r.IntN(25) == 0 {
			x.step("blocks removed")
			x.net.Heal()
		}
		if id := x.ids[r.IntN(n)]; r.IntN(15) == 0 {
			if x.net.Paused(id) {
				x.step("node %d resumed", id)
				x.net.Resume(id)
			} else {
				x.step("node %d paused (not crashed: it keeps its state, and messages to it wait)", id)
				x.net.Pause(id)
			}
		}
		x.net.Tick()
		if ch := x.net.BodyChanges(); x.err == nil && len(ch) > 0 {
			x.fail("node %d changed a message after returning it from Tick or Receive: %v. A node must not reuse or modify a slice it has sent",
				ch[0].From, ch[0])
		}
	}
	if x.err == nil {
		// Failures stop: every node resumes, and the network falls silent
		// (the model has checked every message on the way).
		for _, id := range x.ids {
			x.net.Resume(id)
		}
		x.net.Heal()
		x.step("everything resumed, blocks removed")
		silent := func() bool {
			st := x.net.Stats()
			return x.err != nil || (st.SentPerTick[st.Ticks] == 0 && st.InFlight == 0)
		}
		if !x.net.RunUntil(silent, 4000) {
			x.fail("4000 ticks after the last fault nodes still send: an item is spread for Rounds = %d ticks after it became new, then never again", x.cfg.Rounds)
		}
	}
	if x.err != nil {
		return x.report(nc)
	}
	return nil
}

// TestEveryNodeMatchesTheLessonsRulesAfterEveryStep drives every node and a
// model of the lesson's rules with the same random schedule (puts of edge
// keys and versions, loss, delays, repeated duplicates, one-way blocks,
// pauses) and compares, after every Receive, Tick and Put, what each node
// holds and exactly what it sends. Runs grow in size, so the first failure
// reported is a short one.
func TestEveryNodeMatchesTheLessonsRulesAfterEveryStep(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, sz := range []struct{ n, ticks, puts int }{{1, 12, 3}, {2, 20, 4}, {3, 30, 6}, {5, 40, 8}, {8, 60, 12}} {
			if err := modelScenario(r, sz.n, sz.ticks, sz.puts); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestLongRunsWithManyWritesMatchTheModel: hundreds of writes over many
// rounds, long enough to cross any small fixed buffer or cache.
func TestLongRunsWithManyWritesMatchTheModel(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 6, func(r *rand.Rand) error {
		return modelScenario(r, 4+r.IntN(4), 600, 300)
	})
}
