//go:build dslearnsuite

package gossip_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/gossip"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

const defaultRuns = 30

func TestNewerComparesVersionsNumericallyThenValues(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		a, b gossip.Item
		want bool
	}{
		{gossip.Item{Key: "k", Version: 2, Value: "a"}, gossip.Item{Key: "k", Version: 1, Value: "z"}, true},
		{gossip.Item{Key: "k", Version: 1, Value: "z"}, gossip.Item{Key: "k", Version: 2, Value: "a"}, false},
		{gossip.Item{Key: "k", Version: 10, Value: "a"}, gossip.Item{Key: "k", Version: 9, Value: "a"}, true},
		{gossip.Item{Key: "k", Version: 9, Value: "a"}, gossip.Item{Key: "k", Version: 10, Value: "a"}, false},
		{gossip.Item{Key: "k", Version: 3, Value: "b"}, gossip.Item{Key: "k", Version: 3, Value: "a"}, true},
		{gossip.Item{Key: "k", Version: 3, Value: "a"}, gossip.Item{Key: "k", Version: 3, Value: "b"}, false},
		{gossip.Item{Key: "k", Version: 3, Value: "a"}, gossip.Item{Key: "k", Version: 3, Value: "a"}, false},
		{gossip.Item{Key: "k", Version: 1 << 40, Value: ""}, gossip.Item{Key: "k", Version: 1<<40 - 1, Value: "zz"}, true},
	}
	for _, c := range cases {
		if got := gossip.Newer(c.a, c.b); got != c.want {
			t.Fatal(check.Mismatch(fmt.Sprintf("Newer(%v, %v) (the larger version wins; on equal versions the larger value; an item is not newer than itself)", c.a, c.b), c.want, got))
		}
	}
}

// lone returns a node with ID `id` among peers 1..n (itself included unless
// withoutSelf), for calling directly without a network.
func lone(r *rand.Rand, id simnet.NodeID, n int, cfg gossip.Config, withoutSelf bool) (*gossip.Node, []simnet.NodeID) {
	var peers []simnet.NodeID
	for i := 1; i <= n; i++ {
		if withoutSelf && simnet.NodeID(i) == id {
			continue
		}
		peers = append(peers, simnet.NodeID(i))
	}
	return gossip.New(id, slices.Clone(peers), cfg, rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))), peers
}

// checkPush checks one tick's messages: exactly min(fanout, others) of
// them, to distinct peers other than self, each carrying exactly items.
func checkPush(describe func() string, out []msg, self simnet.NodeID, peers []simnet.NodeID, fanout int, items []gossip.Item) error {
	var what string
	fail := func(f func() error) error {
		what = describe()
		return f()
	}
	others := 0
	for _, p := range peers {
		if p != self {
			others++
		}
	}
	want := min(fanout, others)
	if len(out) != want {
		return fail(func() error {
			return check.Mismatch(fmt.Sprintf("%s: a spreading node sends one message to each of min(Fanout=%d, %d other peers) peers per tick; number of messages", what, fanout, others), want, fmt.Sprintf("%d %v", len(out), out))
		})
	}
	seen := map[simnet.NodeID]bool{}
	for _, m := range out {
		switch {
		case m.To == self:
			return fail(func() error {
				return fmt.Errorf("%s: node %d sent a message to itself; a node never picks itself as a peer", what, self)
			})
		case !slices.Contains(peers, m.To):
			return fail(func() error {
				return fmt.Errorf("%s: node %d sent a message to %d, which is not one of its peers %v", what, self, m.To, peers)
			})
		case seen[m.To]:
			return fail(func() error {
				return fmt.Errorf("%s: node %d sent two messages to peer %d in one tick; the peers of one tick are distinct", what, self, m.To)
			})
		}
		seen[m.To] = true
		if !slices.Equal(m.Body.Items, items) {
			return fail(func() error {
				return check.Mismatch(fmt.Sprintf("%s: a message carries every item the node is spreading, in increasing key order; message to %d has", what, m.To), gossip.Msg{Items: items}, m.Body)
			})
		}
	}
	return nil
}

func TestPutThenTickPushesToFanoutDistinctPeers(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range []int{1, 2, 3, 5, 12} {
			for fanout := 1; fanout <= 4; fanout++ {
				cfg := gossip.Config{Fanout: fanout, Rounds: 3}
				id := simnet.NodeID(1 + r.IntN(n))
				node, peers := lone(r, id, n, cfg, r.IntN(2) == 0)
				if out := node.Tick(); len(out) != 0 {
					return fmt.Errorf("a node that knows nothing must send nothing on Tick; it sent %v", out)
				}
				it := gossip.Item{Key: "x", Version: 1 + r.Uint64N(9), Value: "v"}
				node.Put(it.Key, it.Value, it.Version)
				if got, ok := node.Get("x"); !ok || got != it {
					return check.Mismatch(fmt.Sprintf(`after Put("x", "v", %d), Get("x")`, it.Version), fmt.Sprintf("%v true", it), fmt.Sprintf("%v %v", got, ok))
				}
				what := func() string {
					return fmt.Sprintf("node %d with peers %v, Config%+v, after Put(%q, %q, %d), first Tick", id, peers, cfg, it.Key, it.Value, it.Version)
				}
				if err := checkPush(what, node.Tick(), id, peers, fanout, []gossip.Item{it}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func TestSpreadingLastsExactlyRoundsTicks(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, rounds := range []int{1, 2, 1 + r.IntN(8), 10 + r.IntN(20)} {
			cfg := gossip.Config{Fanout: 1 + r.IntN(3), Rounds: rounds}
			n := 2 + r.IntN(10)
			node, peers := lone(r, 1, n, cfg, false)
			it := gossip.Item{Key: "k", Version: 7, Value: "hello"}
			node.Put(it.Key, it.Value, it.Version)
			for tick := 1; tick <= rounds+5; tick++ {
				out := node.Tick()
				what := func() string {
					return fmt.Sprintf("node 1 with %d peers, Config%+v, after Put, tick %d", n, cfg, tick)
				}
				if tick <= rounds {
					if len(out) == 0 {
						return fmt.Errorf("%s: the node sent nothing, but it spreads a new item in each of its next Rounds=%d ticks", what(), rounds)
					}
					if err := checkPush(what, out, 1, peers, cfg.Fanout, []gossip.Item{it}); err != nil {
						return err
					}
				} else if len(out) != 0 {
					return fmt.Errorf("%s: the node sent %d messages (%v), but it stops spreading an item after Rounds=%d ticks", what(), len(out), out[0].Body, rounds)
				}
			}
		}
		return nil
	})
}

func TestOnlyNewerItemsAreStoredAndSpread(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := gossip.Config{Fanout: 2, Rounds: 2 + r.IntN(3)}
		node, peers := lone(r, 1, 6, cfg, false)
		from := simnet.NodeID(2 + r.IntN(5))
		recv := func(items ...gossip.Item) error {
			if out := node.Receive(msg{From: from, To: 1, Body: gossip.Msg{Items: items}}); len(out) != 0 {
				return fmt.Errorf("Receive returned %d messages (%v); gossip here is push only: Receive sends nothing, spreading happens in Tick", len(out), out)
			}
			return nil
		}
		quiet := func(what string) error {
			for range cfg.Rounds + 1 {
				node.Tick()
			}
			if out := node.Tick(); len(out) != 0 {
				return fmt.Errorf("%s: the node is still spreading (%v) more than Rounds=%d ticks later", what, out[0].Body, cfg.Rounds)
			}
			return nil
		}
		v := 5 + r.Uint64N(10)
		a := gossip.Item{Key: "a", Version: v, Value: "m"}
		b := gossip.Item{Key: "b", Version: 1, Value: "x"}
		if err := recv(b, a); err != nil {
			return err
		}
		steps := fmt.Sprintf("Receive(push %v %v)", b, a)
		if err := checkPush(func() string { return "after " + steps + ", first Tick" }, node.Tick(), 1, peers, 2, []gossip.Item{a, b}); err != nil {
			return err
		}
		if err := quiet("after " + steps); err != nil {
			return err
		}
		// Older and equal items change nothing and do not restart spreading.
		for _, stale := range []gossip.Item{
			{Key: "a", Version: v - 1, Value: "zzz"},
			{Key: "a", Version: v, Value: "a"},
			{Key: "a", Version: v, Value: "m"},
		} {
			if err := recv(stale); err != nil {
				return err
			}
			what := fmt.Sprintf("node holding %v, after Receive(push %v)", a, stale)
			if got, _ := node.Get("a"); got != a {
				return check.Mismatch(what+`: an item that is not newer is ignored; Get("a")`, a, got)
			}
			if out := node.Tick(); len(out) != 0 {
				return fmt.Errorf("%s: the node spread %v again; only an item that is new to the node starts a new spreading period (otherwise the rumour never dies out)", what, out[0].Body)
			}
			node.Put(stale.Key, stale.Value, stale.Version)
			if got, _ := node.Get("a"); got != a {
				return check.Mismatch(fmt.Sprintf("node holding %v, after Put(%q, %q, %d): Put follows the same rule; Get(\"a\")", a, stale.Key, stale.Value, stale.Version), a, got)
			}
			if out := node.Tick(); len(out) != 0 {
				return fmt.Errorf("node holding %v, after Put(%q, %q, %d) of an item that is not newer, the node spread %v", a, stale.Key, stale.Value, stale.Version, out[0].Body)
			}
		}
		// A newer item replaces the old one and is spread for Rounds ticks.
		newer := gossip.Item{Key: "a", Version: v, Value: "n"}
		if r.IntN(2) == 0 {
			newer = gossip.Item{Key: "a", Version: v + 1 + r.Uint64N(5), Value: "b"}
		}
		if err := recv(newer); err != nil {
			return err
		}
		what := fmt.Sprintf("node holding %v and %v, after Receive(push %v)", a, b, newer)
		if got, _ := node.Get("a"); got != newer {
			return check.Mismatch(what+`: a newer item replaces the old one; Get("a")`, newer, got)
		}
		for tick := 1; tick <= cfg.Rounds; tick++ {
			if err := checkPush(func() string { return fmt.Sprintf("%s, tick %d", what, tick) }, node.Tick(), 1, peers, 2, []gossip.Item{newer}); err != nil {
				return err
			}
		}
		return quiet(what)
	})
}

func TestMergesAreOrderIndependent(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for size := 2; size <= 12; size += 2 {
			// Items for a few keys; versions collide on purpose, values too.
			var items []gossip.Item
			for range size {
				items = append(items, gossip.Item{
					Key:     string(rune('p' + r.IntN(3))),
					Version: 1 + r.Uint64N(4),
					Value:   string(rune('a' + r.IntN(3))),
				})
			}
			want := map[string]gossip.Item{}
			for _, it := range items {
				if w, ok := want[it.Key]; !ok || maxItem([]gossip.Item{w, it}) == it {
					want[it.Key] = it
				}
			}
			for attempt := range 4 {
				order := slices.Clone(items)
				r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				node, _ := lone(r, 1, 4, gossip.Config{Fanout: 1, Rounds: 1}, false)
				var log []string
				for i := 0; i < len(order); {
					k := 1 + r.IntN(3)
					batch := order[i:min(i+k, len(order))]
					i += len(batch)
					if attempt == 0 && len(batch) == 1 {
						node.Put(batch[0].Key, batch[0].Value, batch[0].Version)
						log = append(log, fmt.Sprintf("Put(%v)", batch[0]))
					} else {
						node.Receive(msg{From: 2, To: 1, Body: gossip.Msg{Items: slices.Clone(batch)}})
						log = append(log, fmt.Sprintf("Receive(push %v)", batch))
					}
					if r.IntN(2) == 0 {
						node.Tick()
					}
				}
				for _, key := range []string{"p", "q", "r"} {
					w, ok := want[key]
					got, gok := node.Get(key)
					if gok != ok || got != w {
						return check.Mismatch(fmt.Sprintf("after %v, the newest item of each key wins (larger version, then larger value), whatever the order; Get(%q)", log, key),
							fmt.Sprintf("%v %v", w, ok), fmt.Sprintf("%v %v", got, gok))
					}
				}
			}
		}
		return nil
	})
}

func TestPeersAreChosenAtRandomAfreshEachTick(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		const n, ticks = 10, 400
		for _, fanout := range []int{1, 3} {
			id := simnet.NodeID(1 + r.IntN(n))
			node, peers := lone(r, id, n, gossip.Config{Fanout: fanout, Rounds: ticks}, false)
			// With Fanout 1 the rumour comes from a peer, which must be
			// chosen as often as any other: the choice is uniform among
			// all the other peers, the source included.
			learned := "after Put(\"k\", \"v\", 1)"
			if fanout == 1 {
				src := simnet.NodeID(1 + (int(id)+r.IntN(n-1))%n)
				node.Receive(msg{From: src, To: id, Body: gossip.Msg{Items: []gossip.Item{{Key: "k", Version: 1, Value: "v"}}}})
				learned = fmt.Sprintf("after Receive(push k@1=v) from peer %d", src)
			} else {
				node.Put("k", "v", 1)
			}
			counts := map[simnet.NodeID]int{}
			pairs := map[string]bool{}
			prev := ""
			var first []string
			for tick := 1; tick <= ticks; tick++ {
				out := node.Tick()
				what := func() string { return fmt.Sprintf("node %d of peers 1..%d, Fanout %d, tick %d", id, n, fanout, tick) }
				if err := checkPush(what, out, id, peers, fanout, []gossip.Item{{Key: "k", Version: 1, Value: "v"}}); err != nil {
					return err
				}
				var tos []simnet.NodeID
				for _, m := range out {
					counts[m.To]++
					tos = append(tos, m.To)
				}
				slices.Sort(tos)
				cur := fmt.Sprint(tos)
				if len(first) < 8 {
					first = append(first, cur)
				}
				pairs[prev+" "+cur] = true
				prev = cur
			}
			// Each of the n-1 others is expected fanout*ticks/(n-1) times.
			exp := float64(fanout*ticks) / float64(n-1)
			for p := simnet.NodeID(1); p <= n; p++ {
				if p == id {
					continue
				}
				if c := float64(counts[p]); c < exp/4 || c > exp*2.5 {
					return fmt.Errorf("node %d of peers 1..%d with Fanout %d, %s, over %d ticks, picked peer %d %d times; uniform random peers (among all the others, the one a rumour came from included) would give about %.0f each (counts %v)",
						id, n, fanout, learned, ticks, p, counts[p], exp, counts)
				}
			}
			// Independent random choices make many different successions
			// of peer sets; a fixed cycle (round robin, a list shuffled
			// once) repeats a handful.
			if len(pairs) < 40 {
				return fmt.Errorf("node %d of peers 1..%d with Fanout %d, over %d ticks, only ever moved between its peer sets in %d different ways (it starts %v): peers must be drawn at random afresh every tick, not in a fixed order or cycle",
					id, n, fanout, ticks, len(pairs), first)
			}
		}
		return nil
	})
}

// chiSquareLimit is the chi-square value with df degrees of freedom that a
// correct program exceeds with probability about 1e-9 (Wilson-Hilferty's
// approximation, conservative for df >= 2): the checks below fail a correct
// program practically never, and a biased one surely.
func chiSquareLimit(df int) float64 {
	const z = 6.0 // the standard normal's 1 - 1e-9 quantile
	k := float64(df)
	return k * math.Pow(1-2/(9*k)+z*math.Sqrt(2/(9*k)), 3)
}

// chiSquare compares observed counts with an equal expectation per cell
// over cells cells (cells never observed count as 0).
func chiSquare(counts map[string]int, cells, total int) float64 {
	exp := float64(total) / float64(cells)
	x := float64(cells-len(counts)) * exp
	for _, c := range counts {
		x += (float64(c) - exp) * (float64(c) - exp) / exp
	}
	return x
}

func binomial(n, k int) int {
	out := 1
	for i := range k {
		out = out * (n - i) / (i + 1)
	}
	return out
}

func TestPeerSetsAreUniformAndIndependentFromTickToTick(t *testing.T) {
	defer check.Recover(t)
	// Every set of min(Fanout, others) peers must be as likely as any
	// other, and a tick's set must not depend on the last tick's: over
	// 12,000 ticks the counts of the sets, and of the pairs of consecutive
	// sets, are compared with the uniform counts by a chi-square test.
	check.SeededAtMost(t, 3, func(r *rand.Rand) error {
		const ticks = 12000
		for _, c := range []struct{ others, fanout int }{{3, 1}, {4, 2}, {5, 2}, {5, 3}} {
			id := simnet.NodeID(1 + r.IntN(c.others+1))
			node, peers := lone(r, id, c.others+1, gossip.Config{Fanout: c.fanout, Rounds: ticks + 1}, false)
			node.Put("k", "v", 1)
			sets, pairs := map[string]int{}, map[string]int{}
			prev := ""
			for tick := 1; tick <= ticks; tick++ {
				out := node.Tick()
				what := func() string {
					return fmt.Sprintf("node %d of peers %v, Fanout %d, tick %d", id, peers, c.fanout, tick)
				}
				if err := checkPush(what, out, id, peers, c.fanout, []gossip.Item{{Key: "k", Version: 1, Value: "v"}}); err != nil {
					return err
				}
				var tos []simnet.NodeID
				for _, m := range out {
					tos = append(tos, m.To)
				}
				slices.Sort(tos)
				cur := fmt.Sprint(tos)
				sets[cur]++
				if prev != "" {
					pairs[prev+" then "+cur]++
				}
				prev = cur
			}
			n := binomial(c.others, c.fanout)
			if x, limit := chiSquare(sets, n, ticks), chiSquareLimit(n-1); x > limit {
				return fmt.Errorf("node %d of peers %v with Fanout %d, over %d ticks, chose its %d sets of peers this often: %v; each set should come about %d times (chi-square %.0f, above %.0f, which uniform choices exceed with probability 1e-9): choose every set of %d of the other peers with the same probability",
					id, peers, c.fanout, ticks, n, sets, ticks/n, x, limit, c.fanout)
			}
			if x, limit := chiSquare(pairs, n*n, ticks-1), chiSquareLimit(n*n-1); x > limit {
				return fmt.Errorf("node %d of peers %v with Fanout %d, over %d ticks: the sets of two consecutive ticks came in these pairs: %v; with choices made afresh every tick each pair comes about %d times (chi-square %.0f, above %.0f): a tick's choice must not depend on the last tick's",
					id, peers, c.fanout, ticks, pairs, (ticks-1)/(n*n), x, limit)
			}
		}
		return nil
	})
}
