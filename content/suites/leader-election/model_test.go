//go:build dslearnsuite

package election_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	election "github.com/dslearn/dslearn/exercises/leader-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// mnode is the lesson's node, rule for rule ("The exercise"): the oracle
// every learner node is compared with after every call.
type mnode struct {
	id     id
	peers  []id
	cfg    election.Config
	count  int
	state  string // starting, electing, waiting, following, leading
	leader id
	since  int // count when the current timer started
}

func newMNode(x id, peers []id, cfg election.Config) *mnode {
	return &mnode{id: x, peers: slices.Clone(peers), cfg: cfg, state: "starting"}
}

func (n *mnode) leaderOf() (id, bool) {
	if n.state == "following" || n.state == "leading" {
		return n.leader, true
	}
	return 0, false
}

func (n *mnode) to(k election.Kind, pick func(p id) bool) []simnet.Message[election.Kind] {
	var out []simnet.Message[election.Kind]
	for _, p := range n.peers {
		if p != n.id && pick(p) {
			out = append(out, simnet.Message[election.Kind]{To: p, Body: k})
		}
	}
	return out
}

func (n *mnode) declare() []simnet.Message[election.Kind] {
	n.state, n.leader, n.since = "leading", n.id, n.count
	return n.to(election.Coordinator, func(p id) bool { return p < n.id })
}

func (n *mnode) hold() []simnet.Message[election.Kind] {
	if !slices.ContainsFunc(n.peers, func(p id) bool { return p > n.id }) {
		return n.declare()
	}
	n.state, n.since = "electing", n.count
	return n.to(election.Election, func(p id) bool { return p > n.id })
}

func (n *mnode) tick() []simnet.Message[election.Kind] {
	n.count++
	e := n.count - n.since
	switch {
	case n.state == "starting":
		return n.hold()
	case n.state == "electing" && e >= n.cfg.AnswerTimeout:
		return n.declare()
	case n.state == "waiting" && e >= n.cfg.CoordinatorTimeout:
		return n.hold()
	case n.state == "following" && e >= n.cfg.LeaderTimeout:
		return n.hold()
	case n.state == "leading" && e >= n.cfg.HeartbeatInterval:
		n.since = n.count
		return n.to(election.Heartbeat, func(id) bool { return true })
	}
	return nil
}

func (n *mnode) receive(m simnet.Message[election.Kind]) []simnet.Message[election.Kind] {
	j := m.From
	switch m.Body {
	case election.Election:
		if j < n.id {
			out := []simnet.Message[election.Kind]{{To: j, Body: election.Answer}}
			if n.state == "leading" {
				out = append(out, simnet.Message[election.Kind]{To: j, Body: election.Coordinator})
			}
			return out
		}
	case election.Answer:
		if n.state == "electing" && j > n.id {
			n.state, n.since = "waiting", n.count
		}
	case election.Coordinator, election.Heartbeat:
		switch {
		case j < n.id:
			if n.state == "leading" {
				return []simnet.Message[election.Kind]{{To: j, Body: election.Coordinator}}
			}
		case n.state == "following" && j == n.leader:
			n.since = n.count
		case n.state == "following" && j < n.leader:
		default:
			n.state, n.leader, n.since = "following", j, n.count
		}
	}
	return nil
}

// mrun runs learner nodes next to their models on a faulty network.
type mrun struct {
	ids    []id
	cfg    election.Config
	net    *simnet.Network[election.Kind]
	nodes  map[id]*election.Node
	models map[id]*mnode
	steps  []string
	err    error
}

type twin struct {
	x  *mrun
	id id
}

func sortKinds(ms []simnet.Message[election.Kind]) []simnet.Message[election.Kind] {
	ms = slices.Clone(ms)
	for i := range ms {
		ms[i].From = 0
	}
	slices.SortFunc(ms, func(a, b simnet.Message[election.Kind]) int {
		if c := cmp.Compare(a.To, b.To); c != 0 {
			return c
		}
		return cmp.Compare(a.Body, b.Body)
	})
	return ms
}

func kindList(ms []simnet.Message[election.Kind]) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	var s []string
	for _, m := range sortKinds(ms) {
		s = append(s, fmt.Sprintf("%v to %d", m.Body, m.To))
	}
	return strings.Join(s, ", ")
}

func (w *twin) compare(call string, got, want []simnet.Message[election.Kind]) {
	x := w.x
	if x.err != nil {
		return
	}
	m := x.models[w.id]
	if !slices.Equal(sortKinds(got), sortKinds(want)) {
		x.err = check.Mismatch(fmt.Sprintf("at tick %d node %d (by the rules now %s, its own tick count %d), %s, returned", x.net.Now(), w.id, m.state, m.count, call), kindList(want), kindList(got))
		return
	}
	wl, wok := m.leaderOf()
	gl, gok := x.nodes[w.id].Leader()
	if wl != gl || wok != gok {
		x.err = check.Mismatch(fmt.Sprintf("at tick %d node %d, %s: Leader() (the lesson's rules leave it %s)", x.net.Now(), w.id, call, m.state),
			fmt.Sprintf("(%d, %v)", wl, wok), fmt.Sprintf("(%d, %v)", gl, gok))
	}
}

func (w *twin) Receive(m simnet.Message[election.Kind]) []simnet.Message[election.Kind] {
	want := w.x.models[w.id].receive(m)
	got := w.x.nodes[w.id].Receive(m)
	w.compare(fmt.Sprintf("handling %v from node %d", m.Body, m.From), got, want)
	return got
}

func (w *twin) Tick() []simnet.Message[election.Kind] {
	want := w.x.models[w.id].tick()
	got := w.x.nodes[w.id].Tick()
	w.compare("in Tick", got, want)
	return got
}

func (x *mrun) add(r *rand.Rand, v id) {
	peers := slices.Clone(x.ids)
	r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
	given := slices.Clone(peers)
	x.nodes[v] = election.NewNode(v, given, x.cfg)
	if x.err == nil && !slices.Equal(given, peers) {
		x.err = check.Mismatch(fmt.Sprintf("NewNode(%d, peers, cfg) must leave the peers slice as it was given (the caller may use it for every node)", v), peers, given)
	}
	for i := range given { // the caller reuses its slice: the node must have copied it
		given[i] = v
	}
	x.models[v] = newMNode(v, peers, x.cfg)
}

func (x *mrun) step(format string, args ...any) {
	x.steps = append(x.steps, fmt.Sprintf("before tick %d: ", x.net.Now()+1)+fmt.Sprintf(format, args...))
}

// modelIDs draws n distinct IDs, edges included: 0, negative, huge, both
// ends of int64 (so that IDs compared by subtraction overflow) and the
// width boundaries.
func modelIDs(r *rand.Rand, n int) []id {
	pool := []id{math.MinInt64, math.MinInt64 + 1, -1 << 40, -1 << 31, -1, 0, 1, 2, 3, 7, 1 << 20, 1<<31 - 1, 1 << 32, 1 << 40, 1<<53 + 1, 1<<62 + 1, math.MaxInt64 - 1, math.MaxInt64}
	seen := map[id]bool{}
	var out []id
	for len(out) < n {
		v := pool[r.IntN(len(pool))]
		if r.IntN(2) == 0 {
			v = id(r.IntN(200) - 50)
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// modelScenario runs n nodes for ticks ticks with random crashes, restarts,
// pauses, partitions, one-way blocks, loss and repeated duplicates (the
// node's rules hold whatever the network does), comparing every call.
func modelScenario(r *rand.Rand, n, ticks int) error {
	s := randomSetup(r, n)
	x := &mrun{ids: modelIDs(r, n), cfg: s.cfg, nodes: map[id]*election.Node{}, models: map[id]*mnode{}}
	if r.IntN(3) == 0 { // timeouts exactly at their bounds
		d := s.D
		x.cfg = election.Config{HeartbeatInterval: d + 1, LeaderTimeout: 2*d + 2, AnswerTimeout: 2*d + 2, CoordinatorTimeout: 4*d + 4}
	}
	nc := simnet.Config{Seed: r.Uint64(), MaxDelay: s.D, DropRate: []float64{0, 0, 0.1}[r.IntN(3)],
		DuplicateRate: []float64{0, 0, 0.3}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
	x.net = simnet.New[election.Kind](nc)
	for _, v := range x.ids {
		x.add(r, v)
		x.net.Add(v, &twin{x: x, id: v})
	}
	for t := 0; t < ticks && x.err == nil; t++ {
		v := x.ids[r.IntN(n)]
		if r.IntN(12) == 0 && x.net.Alive(v) {
			// Crash the node that leads most often: a waiting node's
			// Coordinator then never comes.
			if l, ok := x.nodes[v].Leader(); ok && x.net.Alive(l) {
				v = l
			}
		}
		switch k := r.IntN(40); {
		case k <= 1 && x.net.Alive(v):
			x.step("node %d crashed", v)
			x.net.Crash(v)
		case k <= 3 && !x.net.Alive(v):
			x.step("node %d restarted (a new NewNode)", v)
			x.add(r, v)
			x.net.Restart(v, &twin{x: x, id: v})
		case k == 4:
			if x.net.Paused(v) {
				x.step("node %d resumed", v)
				x.net.Resume(v)
			} else {
				x.step("node %d paused (not crashed: it keeps its state and tick count; messages to it wait)", v)
				x.net.Pause(v)
			}
		case k == 5:
			w := x.ids[r.IntN(n)]
			x.step("messages %d -> %d blocked (one way)", v, w)
			x.net.Block(v, w)
		case k == 6 && n > 1:
			a, b := split(r, x.ids)
			x.step("partition %v %v", a, b)
			x.net.Partition(a, b)
		case k <= 9:
			x.step("partition healed, blocks removed")
			x.net.Heal()
		}
		x.net.Tick()
	}
	if x.err != nil {
		var b strings.Builder
		fmt.Fprintf(&b, "%v\n\nnodes %v, network delay 0..%d, loss %v, duplicates %v, %+v\nwhat the test did (besides ticking):", x.err, x.ids, nc.MaxDelay, nc.DropRate, nc.DuplicateRate, x.cfg)
		steps := x.steps
		if len(steps) > 20 {
			fmt.Fprintf(&b, "\n    ... %d earlier steps", len(steps)-20)
			steps = steps[len(steps)-20:]
		}
		for _, st := range steps {
			b.WriteString("\n    " + st)
		}
		b.WriteString("\nmessages:\n" + x.net.Diagram(40))
		return fmt.Errorf("%s", b.String())
	}
	return nil
}

// TestEveryNodeFollowsTheLessonsRulesAfterEveryCall compares every node,
// after every Tick and every Receive, with the lesson's rules: the messages
// it returns and Leader(), on random runs of growing size with crashes,
// restarts, pauses, partitions, one-way blocks, loss and duplicates, node
// IDs at the edges (0, negative, huge) and timeouts at their bounds.
func TestEveryNodeFollowsTheLessonsRulesAfterEveryCall(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, sz := range []struct{ n, ticks int }{{1, 20}, {2, 40}, {3, 80}, {5, 150}, {8, 200}} {
			if err := modelScenario(r, sz.n, sz.ticks); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestOneNodeFollowsTheRulesForAnySequenceOfCalls calls one node directly
// with random sequences of Ticks and messages of every kind from every
// other peer, whatever its state, and compares each call with the rules.
func TestOneNodeFollowsTheRulesForAnySequenceOfCalls(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for n := 1; n <= 6; n++ {
			s := randomSetup(r, n)
			x := &mrun{ids: modelIDs(r, n), cfg: s.cfg, nodes: map[id]*election.Node{}, models: map[id]*mnode{},
				net: simnet.New[election.Kind](simnet.Config{})}
			v := x.ids[r.IntN(n)]
			x.add(r, v)
			w := &twin{x: x, id: v}
			// Half the runs send only Elections and Answers, so that a node
			// cycles through electing, waiting and its Coordinator timeout.
			kinds := []election.Kind{election.Election, election.Answer, election.Coordinator, election.Heartbeat}
			if r.IntN(2) == 0 {
				kinds = kinds[:2]
			}
			var calls []string
			for range 300 {
				if r.IntN(5) < 2 || n == 1 {
					calls = append(calls, "Tick()")
					w.Tick()
				} else {
					from := x.ids[r.IntN(n)]
					if from == v {
						continue
					}
					k := kinds[r.IntN(len(kinds))]
					calls = append(calls, fmt.Sprintf("Receive(%v from %d)", k, from))
					w.Receive(simnet.Message[election.Kind]{From: from, To: v, Body: k})
				}
				if x.err != nil {
					if len(calls) > 30 {
						calls = append([]string{fmt.Sprintf("... %d earlier calls", len(calls)-30)}, calls[len(calls)-30:]...)
					}
					return fmt.Errorf("%v\n\nnode %d, peers %v, %+v, called directly:\n    %s", x.err, v, x.ids, x.cfg, strings.Join(calls, "\n    "))
				}
			}
		}
		return nil
	})
}

// TestLongRunsFollowTheLessonsRules runs many elections (a thousand ticks)
// in clusters of up to 30 nodes.
func TestLongRunsFollowTheLessonsRules(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 3, func(r *rand.Rand) error {
		return modelScenario(r, 10+r.IntN(21), 1000)
	})
}
