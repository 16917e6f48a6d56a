//go:build dslearnsuite

package gossip_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/exercises/gossip"
	"github.com/dslearn/dslearn/simnet"
)

type (
	netw = simnet.Network[gossip.Msg]
	msg  = simnet.Message[gossip.Msg]
)

// cluster is a gossip cluster of nodes 1..n on a simulated network.
type cluster struct {
	net   *netw
	nodes []*gossip.Node // nodes[i] has ID i+1
	ids   []simnet.NodeID
	cfg   gossip.Config
	puts  int // items written with put
}

// nodeRand is the generator node id gets in a run with the given seed.
func nodeRand(seed uint64, id simnet.NodeID) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc908^uint64(id)))
}

// newCluster builds n nodes with IDs 1..n, each knowing all IDs (itself
// included), each with its own generator drawn from seed.
func newCluster(seed uint64, n int, cfg gossip.Config, nc simnet.Config) *cluster {
	nc.Seed = seed
	c := &cluster{net: simnet.New[gossip.Msg](nc), cfg: cfg}
	for i := 1; i <= n; i++ {
		c.ids = append(c.ids, simnet.NodeID(i))
	}
	for _, id := range c.ids {
		node := gossip.New(id, slices.Clone(c.ids), cfg, nodeRand(seed, id))
		c.nodes = append(c.nodes, node)
		c.net.Add(id, node)
	}
	return c
}

func (c *cluster) node(id simnet.NodeID) *gossip.Node { return c.nodes[id-1] }

// put writes an item at node id.
func (c *cluster) put(id simnet.NodeID, it gossip.Item) {
	c.node(id).Put(it.Key, it.Value, it.Version)
	c.puts++
}

// budget is the most messages the rules allow: an item becomes new at a
// node at most once, and is then spread for Rounds ticks to at most Fanout
// peers.
func (c *cluster) budget() int {
	return len(c.nodes) * c.cfg.Fanout * c.cfg.Rounds * max(1, c.puts)
}

// missing returns the nodes that do not hold want (exactly) for its key.
func (c *cluster) missing(want gossip.Item) []simnet.NodeID {
	var out []simnet.NodeID
	for i, n := range c.nodes {
		if got, ok := n.Get(want.Key); !ok || got != want {
			out = append(out, simnet.NodeID(i+1))
		}
	}
	return out
}

// tick runs one tick and checks that no node sent more than Fanout
// messages in it, and that the run stays within its message budget, so that
// a node that broadcasts or never stops is reported at once instead of
// flooding the simulation (a thousand nodes broadcasting send a million
// messages per tick).
func (c *cluster) tick() error {
	before := c.net.Stats().SentBy
	c.net.Tick()
	st := c.net.Stats()
	for _, id := range c.ids {
		if k := st.SentBy[id] - before[id]; k > c.cfg.Fanout {
			return fmt.Errorf("at tick %d node %d sent %d messages, but Fanout is %d: a node contacts at most Fanout peers per tick",
				st.Ticks, id, k, c.cfg.Fanout)
		}
	}
	if st.Sent > c.budget() {
		return fmt.Errorf("by tick %d the nodes had sent %d messages, more than the rules allow for %d written item(s): each node spreads an item once, for Rounds=%d ticks, to at most Fanout=%d peers, so at most N*Fanout*Rounds*items = %d; spreading must stop (%d messages sent in the last tick)",
			st.Ticks, st.Sent, max(1, c.puts), c.cfg.Rounds, c.cfg.Fanout, c.budget(), st.SentPerTick[st.Ticks])
	}
	return nil
}

// runUntilQuiet ticks until a tick sends nothing and nothing is in flight,
// for at most max ticks; it reports whether the network fell quiet.
func (c *cluster) runUntilQuiet(max int) (bool, error) {
	for range max {
		if err := c.tick(); err != nil {
			return false, err
		}
		st := c.net.Stats()
		if st.SentPerTick[st.Ticks] == 0 && st.InFlight == 0 {
			return true, nil
		}
	}
	return false, nil
}

// idList shows a list of node IDs, shortened when long.
func idList(ids []simnet.NodeID) string {
	if len(ids) > 12 {
		return fmt.Sprintf("%v ... (%d nodes)", ids[:12], len(ids))
	}
	return fmt.Sprint(ids)
}

// diagram draws the run's trace, at most max events of it.
func diagram(n *netw, max int) string {
	return "  trace (who sent what to whom):\n" + indent(n.Diagram(max))
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}

// roundLimit is the number of ticks the checks allow a rumour to reach all
// n nodes: twice log2(n) + ln(n), plus 4.
func roundLimit(n int) int {
	x := float64(n)
	return int(math.Ceil(2*(math.Log2(x)+math.Log(x)))) + 4
}

// sendsPerTick groups every send of the run by tick and sender.
func sendsPerTick(n *netw) map[[2]int][]simnet.NodeID {
	out := map[[2]int][]simnet.NodeID{}
	for _, e := range n.Trace() {
		if e.Kind == simnet.EventSend {
			k := [2]int{e.Tick, int(e.From)}
			out[k] = append(out[k], e.To)
		}
	}
	return out
}

// checkContacts checks every tick of a run: each node sends at most fanout
// messages, to distinct peers, never to itself.
func checkContacts(n *netw, fanout int) error {
	per := sendsPerTick(n)
	keys := make([][2]int, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	for _, k := range keys {
		tos := per[k]
		tick, from := k[0], simnet.NodeID(k[1])
		if slices.Contains(tos, from) {
			return fmt.Errorf("at tick %d node %d sent a message to itself (destinations %v); a node never picks itself as a peer", tick, from, tos)
		}
		if len(tos) > fanout {
			return fmt.Errorf("at tick %d node %d sent %d messages (to %v), but Fanout is %d: a node contacts at most Fanout peers per tick", tick, from, len(tos), tos, fanout)
		}
		s := slices.Clone(tos)
		slices.Sort(s)
		if len(slices.Compact(s)) != len(tos) {
			return fmt.Errorf("at tick %d node %d sent to %v: the peers of one tick must be distinct", tick, from, tos)
		}
	}
	return nil
}

// maxItem returns the item that must win among items of one key.
func maxItem(items []gossip.Item) gossip.Item {
	best := items[0]
	for _, it := range items[1:] {
		if it.Version > best.Version || (it.Version == best.Version && it.Value > best.Value) {
			best = it
		}
	}
	return best
}
