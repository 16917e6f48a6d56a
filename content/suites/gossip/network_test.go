//go:build dslearnsuite

package gossip_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/gossip"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// rumour is the item the dissemination checks spread.
var rumour = gossip.Item{Key: "news", Version: 1, Value: "hello"}

func TestEveryNodeLearnsTheRumourWithinLogRounds(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cases := []struct{ n, fanout int }{{6, 2}, {10, 3}, {40, 2}, {100, 3}}
		// The big clusters cost more; each seed draws one of them now and then.
		switch r.IntN(10) {
		case 0:
			cases = append(cases, struct{ n, fanout int }{1000, 1})
		case 1:
			cases = append(cases, struct{ n, fanout int }{1000, 2})
		}
		for _, c := range cases {
			limit := roundLimit(c.n)
			// Rounds outlasts the limit: this checks speed, not stopping.
			cfg := gossip.Config{Fanout: c.fanout, Rounds: limit + 1}
			cl := newCluster(r.Uint64(), c.n, cfg, simnet.Config{})
			origin := simnet.NodeID(1 + r.IntN(c.n))
			cl.put(origin, rumour)
			done := false
			for !done && cl.net.Now() < limit {
				if err := cl.tick(); err != nil {
					return fmt.Errorf("%d nodes, Config%+v: %v", c.n, cfg, err)
				}
				done = len(cl.missing(rumour)) == 0
			}
			if !done {
				miss := cl.missing(rumour)
				msg := fmt.Sprintf("%d nodes, Config%+v, rumour put at node %d: after %d ticks (2*(log2 N + ln N) + 4), %d node(s) still do not hold %v: %s",
					c.n, cfg, origin, limit, len(miss), rumour, idList(miss))
				if c.n <= 10 {
					msg += "\n" + diagram(cl.net, 30)
				}
				return errors.New(msg)
			}
		}
		return nil
	})
}

func TestEachNodeContactsAtMostFanoutPeersPerTick(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 5 + r.IntN(30)
		cfg := gossip.Config{Fanout: 1 + r.IntN(3), Rounds: 2 + r.IntN(4)}
		cl := newCluster(r.Uint64(), n, cfg, simnet.Config{DropRate: 0.1, DuplicateRate: 0.1, MaxDelay: 2})
		for k := range 3 {
			id := simnet.NodeID(1 + r.IntN(n))
			cl.put(id, gossip.Item{Key: fmt.Sprintf("k%d", k), Version: 1, Value: "v"})
		}
		_, err := cl.runUntilQuiet(100)
		if err == nil {
			err = checkContacts(cl.net, cfg.Fanout)
		}
		if err != nil {
			return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
		}
		return nil
	})
}

func TestSpreadingStopsAndTheNetworkFallsSilent(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 8 + r.IntN(60)
		cfg := gossip.Config{Fanout: 2 + r.IntN(2), Rounds: 4 + r.IntN(4)}
		cl := newCluster(r.Uint64(), n, cfg, simnet.Config{})
		cl.put(simnet.NodeID(1+r.IntN(n)), rumour)
		// The tick at which each node first held the rumour.
		learned := map[simnet.NodeID]int{}
		// Run until the network is quiet, then a while longer.
		quietFor := 0
		for cl.net.Now() < 100 && quietFor < 10 {
			if err := cl.tick(); err != nil {
				return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
			}
			if st := cl.net.Stats(); st.SentPerTick[st.Ticks] == 0 && st.InFlight == 0 {
				quietFor++
			} else {
				quietFor = 0
			}
			for i, node := range cl.nodes {
				id := simnet.NodeID(i + 1)
				if _, ok := learned[id]; !ok {
					if got, ok := node.Get(rumour.Key); ok && got == rumour {
						learned[id] = cl.net.Now()
					}
				}
			}
		}
		// A node that learned during tick t spreads in ticks t..t+Rounds-1
		// (the origin, which learned by Put before tick 1, in 1..Rounds).
		for _, e := range cl.net.Trace() {
			if e.Kind != simnet.EventSend {
				continue
			}
			from := e.From
			start, ok := learned[from]
			if !ok {
				return fmt.Errorf("%d nodes, Config%+v: node %d sent %s at tick %d without ever holding the rumour", n, cfg, from, e.Body, e.Tick)
			}
			start = max(start, 1)
			if e.Tick >= start+cfg.Rounds {
				st := cl.net.Stats()
				return fmt.Errorf("%d nodes, Config%+v: node %d learned the rumour at tick %d but still sent %s at tick %d; it must stop after Rounds=%d ticks, so the network falls silent (%d messages sent in %d ticks; %d in the last tick)",
					n, cfg, from, learned[from], e.Body, e.Tick, cfg.Rounds, st.Sent, st.Ticks, st.SentPerTick[st.Ticks])
			}
		}
		return nil
	})
}

func TestTotalMessagesStayFarBelowBroadcast(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range []int{20, 100} {
			cfg := gossip.Config{Fanout: 2, Rounds: 6}
			cl := newCluster(r.Uint64(), n, cfg, simnet.Config{DuplicateRate: 0.2})
			cl.put(simnet.NodeID(1+r.IntN(n)), rumour)
			quiet, err := cl.runUntilQuiet(100)
			if err != nil {
				return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
			}
			if !quiet {
				st := cl.net.Stats()
				return fmt.Errorf("%d nodes, Config%+v, one rumour: the network never fell silent (%d messages in %d ticks, %d in the last tick)", n, cfg, st.Sent, st.Ticks, st.SentPerTick[st.Ticks])
			}
			// Every node spreads the rumour once, for Rounds ticks, to at
			// most Fanout peers.
			bound := n * cfg.Fanout * cfg.Rounds
			if st := cl.net.Stats(); st.Sent > bound {
				return fmt.Errorf("%d nodes, Config%+v, one rumour: %d messages were sent; at most N*Fanout*Rounds = %d are allowed (broadcasting to all %d peers for Rounds ticks would send %d)",
					n, cfg, st.Sent, bound, n-1, n*(n-1)*cfg.Rounds)
			}
		}
		return nil
	})
}

func TestRumourReachesEveryoneDespiteMessageLoss(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 30 + r.IntN(50)
		cfg := gossip.Config{Fanout: 3, Rounds: 12}
		loss := 0.2 + 0.1*r.Float64()
		cl := newCluster(r.Uint64(), n, cfg, simnet.Config{DropRate: loss, DuplicateRate: 0.05, MaxDelay: 2})
		origin := simnet.NodeID(1 + r.IntN(n))
		cl.put(origin, rumour)
		quiet, err := cl.runUntilQuiet(120)
		if err != nil {
			return fmt.Errorf("%d nodes, Config%+v, %.0f%% loss: %v", n, cfg, loss*100, err)
		}
		if miss := cl.missing(rumour); len(miss) > 0 {
			st := cl.net.Stats()
			return fmt.Errorf("%d nodes, Config%+v, %.0f%% of messages lost, rumour put at node %d: after %d ticks (%d messages sent, %d lost), %d node(s) never learned it: %s",
				n, cfg, loss*100, origin, st.Ticks, st.Sent, st.Dropped, len(miss), idList(miss))
		}
		if !quiet {
			return fmt.Errorf("%d nodes, Config%+v, %.0f%% loss: every node learned the rumour, but the network never fell silent", n, cfg, loss*100)
		}
		return nil
	})
}

func TestRumourCrossesAHealedPartition(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 20 + r.IntN(40)
		cfg := gossip.Config{Fanout: 2, Rounds: 10}
		cl := newCluster(r.Uint64(), n, cfg, simnet.Config{MaxDelay: 1})
		perm := r.Perm(n)
		var a, b []simnet.NodeID
		for i, p := range perm {
			if i < n/2 {
				a = append(a, simnet.NodeID(p+1))
			} else {
				b = append(b, simnet.NodeID(p+1))
			}
		}
		slices.Sort(a)
		slices.Sort(b)
		cl.net.Partition(a, b)
		origin := a[r.IntN(len(a))]
		cl.put(origin, rumour)
		cut := 3 + r.IntN(3)
		for range cut {
			if err := cl.tick(); err != nil {
				return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
			}
		}
		for _, id := range b {
			if got, ok := cl.node(id).Get(rumour.Key); ok {
				return fmt.Errorf("node %d learned %v across a partition", id, got)
			}
		}
		cl.net.Heal()
		if _, err := cl.runUntilQuiet(100); err != nil {
			return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
		}
		if miss := cl.missing(rumour); len(miss) > 0 {
			return fmt.Errorf("%d nodes, Config%+v, partitioned into %s and %s, rumour put at node %d; healed after %d ticks while nodes were still spreading; once the network fell silent, %d node(s) never learned it: %s",
				n, cfg, idList(a), idList(b), origin, cut, len(miss), idList(miss))
		}
		return nil
	})
}

func TestNewestVersionWinsEverywhere(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 8 + r.IntN(17)
		cfg := gossip.Config{Fanout: 3, Rounds: 8}
		cl := newCluster(r.Uint64(), n, cfg, simnet.Config{DropRate: 0.05, DuplicateRate: 0.2, MaxDelay: 3})
		written := map[string][]gossip.Item{}
		var puts []string
		for tick := range 10 {
			for range r.IntN(3) {
				it := gossip.Item{
					Key:     []string{"x", "y"}[r.IntN(2)],
					Version: 1 + r.Uint64N(5),
					Value:   []string{"a", "b", "c"}[r.IntN(3)],
				}
				id := simnet.NodeID(1 + r.IntN(n))
				// A write is only issued if it is new at its node, as a
				// client would: it must be newer than what that node holds.
				if cur, ok := cl.node(id).Get(it.Key); ok && !(it.Version > cur.Version || (it.Version == cur.Version && it.Value > cur.Value)) {
					it.Version = cur.Version + 1
				}
				cl.put(id, it)
				written[it.Key] = append(written[it.Key], it)
				puts = append(puts, fmt.Sprintf("tick %d: node %d Put %v", tick, id, it))
			}
			if err := cl.tick(); err != nil {
				return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
			}
		}
		if _, err := cl.runUntilQuiet(60); err != nil {
			return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
		}
		for _, key := range []string{"x", "y"} {
			if len(written[key]) == 0 {
				continue
			}
			want := maxItem(written[key])
			if miss := cl.missing(want); len(miss) > 0 {
				held := "nothing"
				if got, ok := cl.node(miss[0]).Get(key); ok {
					held = got.String()
				}
				return fmt.Errorf("%d nodes, Config%+v, with writes\n    %s\n  the newest item for %q is %v, but %d node(s) ended with something else, e.g. node %d holds %s",
					n, cfg, joinLines(puts), key, want, len(miss), miss[0], held)
			}
		}
		return nil
	})
}

func joinLines(ls []string) string {
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += "\n    "
		}
		out += l
	}
	return out
}

func TestEveryDeliveryOrderEndsWithTheNewestVersion(t *testing.T) {
	defer check.Recover(t)
	writes := []gossip.Item{
		{Key: "k", Version: 1, Value: "z"},
		{Key: "k", Version: 2, Value: "a"},
		{Key: "k", Version: 2, Value: "b"},
	}
	want := maxItem(writes)
	cfg := gossip.Config{Fanout: 2, Rounds: 1}
	const ticks = 3
	setup := func() *netw {
		cl := newCluster(1, 3, cfg, simnet.Config{})
		for i, it := range writes {
			cl.put(simnet.NodeID(i+1), it)
		}
		return cl.net
	}
	err := simnet.Explore(simnet.ExploreOptions{Ticks: ticks, MaxDuplicates: 2, MaxPaths: 100000}, setup, func(n *netw) error {
		if n.Now() < ticks {
			return nil
		}
		for _, id := range n.IDs() {
			got, _ := n.Node(id).(*gossip.Node).Get("k")
			if got != want {
				return fmt.Errorf("3 nodes, Config%+v; nodes 1, 2, 3 Put %v, %v, %v; messages delivered in every order, up to two of them twice: at the end node %d holds %v, but every node must hold the newest, %v",
					cfg, writes[0], writes[1], writes[2], id, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(exploreFailure(err))
	}
}

// exploreFailure reports a failed exploration. A failing path is marked for
// replay: the replay command runs the exploration again, which is
// deterministic and reaches the same path first.
func exploreFailure(err error) string {
	var xe *simnet.ExploreError
	if errors.As(err, &xe) {
		return fmt.Sprintf("%v\n(explored path %d, at tick %d; choices %v)\n%s\n%s%d", xe.Err, xe.Path, xe.Tick, xe.Choices, indent(xe.Diagram), check.SeedMarker, xe.Path)
	}
	return err.Error()
}

func TestTheSameSeedGivesTheSameTrace(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		seed := r.Uint64()
		n := 8 + r.IntN(20)
		cfg := gossip.Config{Fanout: 2, Rounds: 4}
		var traces [2][]simnet.Event
		for i := range traces {
			cl := newCluster(seed, n, cfg, simnet.Config{DropRate: 0.1, MaxDelay: 1})
			cl.put(1, gossip.Item{Key: "a", Version: 1, Value: "1"})
			cl.put(simnet.NodeID(n), gossip.Item{Key: "b", Version: 1, Value: "2"})
			for range 20 {
				if err := cl.tick(); err != nil {
					return fmt.Errorf("%d nodes, Config%+v: %v", n, cfg, err)
				}
			}
			traces[i] = cl.net.Trace()
		}
		for i := range min(len(traces[0]), len(traces[1])) {
			if traces[0][i].String() != traces[1][i].String() {
				return fmt.Errorf("%d nodes, Config%+v, the same seeds for the network and every node's generator, run twice: event %d differs:\n    first run:  %v\n    second run: %v\n  a node must draw all its randomness from the generator given to New, and its messages must not depend on map iteration order",
					n, cfg, i+1, traces[0][i], traces[1][i])
			}
		}
		if len(traces[0]) != len(traces[1]) {
			return fmt.Errorf("%d nodes, Config%+v, the same seeds run twice: %d events the first time, %d the second; a node must draw all its randomness from the generator given to New",
				n, cfg, len(traces[0]), len(traces[1]))
		}
		return nil
	})
}
