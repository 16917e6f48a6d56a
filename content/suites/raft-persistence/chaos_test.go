//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// faults says which failures runChaos injects, as chances per tick (or per
// delivered message, for replyCrash).
type faults struct {
	crash      float64 // one random live node crashes between two ticks
	replyCrash float64 // the receiver of a message crashes right after its Receive returned
	tickCrash  float64 // a node crashes as its Tick returns (half the time before what it returned is sent)
	crashAll   float64 // every node crashes at once
	maxDown    int     // a crashed node restarts from its Storage after 1..maxDown ticks
	partition  float64 // the network splits in two (healed with chance 0.1 per tick)
	block      float64 // one direction of one link fails (unblocked with chance 0.1 per tick)
	pause      float64 // a node pauses for 1..maxDown ticks
	submit     float64 // a client submits a command to a leader
}

// heavy is the default mix of every fault.
func heavy(r *rand.Rand) faults {
	return faults{
		crash:      []float64{0.01, 0.03}[r.IntN(2)],
		replyCrash: []float64{0.002, 0.01}[r.IntN(2)],
		tickCrash:  0.005,
		crashAll:   0.002,
		maxDown:    5 + r.IntN(30),
		partition:  0.01,
		block:      0.02,
		pause:      0.01,
		submit:     []float64{0.2, 0.5}[r.IntN(2)],
	}
}

// randomIDs draws n distinct positive node IDs, non-contiguous, some of
// them beyond 2^32.
func randomIDs(r *rand.Rand, n int) []id {
	seen := map[id]bool{}
	var ids []id
	for len(ids) < n {
		var x id
		switch r.IntN(4) {
		case 0:
			x = id(1<<32 + r.IntN(1000))
		case 1:
			x = id(1<<62 + r.IntN(1000))
		default:
			x = id(1 + r.IntN(8*n))
		}
		if !seen[x] {
			seen[x] = true
			ids = append(ids, x)
		}
	}
	return ids
}

// randomConfig draws node timers that fit a network whose largest delay is
// d: an election timeout comfortably above a heartbeat round trip.
func randomConfig(r *rand.Rand, d int) raft.Config {
	if r.IntN(2) == 0 && d <= 2 {
		return raft.DefaultConfig()
	}
	cfg := raft.Config{HeartbeatInterval: 1 + r.IntN(3)}
	cfg.ElectionTimeoutMin = 2*(cfg.HeartbeatInterval+d+1) + r.IntN(5)
	cfg.ElectionTimeoutMax = cfg.ElectionTimeoutMin + 1 + r.IntN(2*cfg.ElectionTimeoutMin)
	return cfg
}

func randomNet(r *rand.Rand) simnet.Config {
	return simnet.Config{
		Seed:           r.Uint64(),
		MaxDelay:       r.IntN(3),
		DropRate:       []float64{0, 0.02, 0.1}[r.IntN(3)],
		DuplicateRate:  []float64{0, 0.03, 0.1}[r.IntN(3)],
		MaxExtraCopies: 1 + r.IntN(3),
	}
}

// randomCluster draws a cluster of one of the given sizes on a faulty
// network.
func randomCluster(r *rand.Rand, sizes ...int) *cluster {
	n := sizes[r.IntN(len(sizes))]
	netCfg := randomNet(r)
	return newCluster(r, randomIDs(r, n), randomConfig(r, netCfg.MaxDelay), netCfg)
}

// command returns the k-th command of a run: unique, and now and then at
// the edges (empty, non-ASCII, control characters, long).
func command(r *rand.Rand, k int) string {
	switch r.IntN(20) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("héllo wörld ✓ 日本 %d", k)
	case 2:
		var b strings.Builder
		for i := range 256 {
			b.WriteRune(rune(i + k%1000))
		}
		return b.String()
	case 3:
		return strings.Repeat(fmt.Sprintf("long%d|", k), 200)
	}
	return fmt.Sprintf("c%d", k)
}

// runChaos injects faults for the given number of ticks, checking every
// rule after every call and every guarantee after every tick.
func runChaos(c *cluster, r *rand.Rand, f faults, ticks int) error {
	c.net.OnReceive(func(m message) {
		if f.replyCrash > 0 && c.net.Alive(m.To) && r.Float64() < f.replyCrash {
			c.note("node %d crashed right after its Receive of %s from %d returned", m.To, msgString(m.Body), m.From)
			c.crashFor(m.To, f.maxDown)
		}
	})
	defer c.net.OnReceive(nil)
	blocked := [][2]id{}
	for range ticks {
		if err := c.faultStep(r, f, &blocked); err != nil {
			return err
		}
		if err := c.tick(); err != nil {
			return err
		}
	}
	return nil
}

// crashFor crashes x for 1..maxDown ticks.
func (c *cluster) crashFor(x id, maxDown int) {
	c.net.Crash(x)
	c.nodes[x].downFor = 1 + c.r.IntN(max(maxDown, 1))
}

// faultStep restarts the nodes whose downtime is over, resumes paused ones,
// then draws this tick's faults and client commands.
func (c *cluster) faultStep(r *rand.Rand, f faults, blocked *[][2]id) error {
	for _, x := range c.ids {
		m := c.nodes[x]
		switch {
		case !c.net.Alive(x):
			m.downFor--
			if m.downFor <= 0 {
				c.restart(x)
				if c.err != nil {
					return c.err
				}
			}
		case c.net.Paused(x):
			m.pausedT--
			if m.pausedT <= 0 {
				c.note("node %d resumed", x)
				c.net.Resume(x)
			}
		}
	}
	live := c.live()
	switch {
	case f.crashAll > 0 && r.Float64() < f.crashAll:
		c.note("every node crashed")
		for _, x := range live {
			c.crashFor(x, f.maxDown)
		}
	case len(live) > 0 && r.Float64() < f.crash:
		x := live[r.IntN(len(live))]
		c.note("node %d crashed", x)
		c.crashFor(x, f.maxDown)
	case len(live) > 0 && r.Float64() < f.tickCrash:
		x := live[r.IntN(len(live))]
		if p, ok := c.net.Node(x).(*probe); ok && !c.net.Paused(x) {
			p.crashAfterTick, p.swallow = true, r.IntN(2) == 0
			c.nodes[x].downFor = 1 + r.IntN(f.maxDown)
		}
	}
	if len(c.ids) > 1 {
		switch {
		case r.Float64() < f.partition:
			ids := slices.Clone(c.ids)
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
			cut := 1 + r.IntN(len(ids)-1)
			c.note("partition %v | %v", ids[:cut], ids[cut:])
			c.net.Partition(ids[:cut], ids[cut:])
		case r.Float64() < 0.1:
			c.net.Heal()
			*blocked = nil
		}
		switch {
		case r.Float64() < f.block:
			a, b := c.ids[r.IntN(len(c.ids))], c.ids[r.IntN(len(c.ids))]
			if a != b {
				c.note("messages %d -> %d blocked", a, b)
				c.net.Block(a, b)
				*blocked = append(*blocked, [2]id{a, b})
			}
		case len(*blocked) > 0 && r.Float64() < 0.1:
			i := r.IntN(len(*blocked))
			l := (*blocked)[i]
			c.net.Unblock(l[0], l[1])
			*blocked = slices.Delete(*blocked, i, i+1)
		}
		if live := c.live(); len(live) > 0 && r.Float64() < f.pause {
			x := live[r.IntN(len(live))]
			if !c.net.Paused(x) {
				c.note("node %d paused", x)
				c.net.Pause(x)
				c.nodes[x].pausedT = 1 + r.IntN(f.maxDown)
			}
		}
	}
	if live := c.live(); len(live) > 0 && r.Float64() < f.submit/4 {
		// A client asks a node that may not lead: Submit must refuse with
		// (0, currentTerm, false) and change nothing (L1).
		if x := live[r.IntN(len(live))]; !c.net.Paused(x) {
			if _, role := c.nodes[x].inc.node.State(); role != raft.Leader {
				c.submit(x, "to a non-leader")
			}
		}
	}
	if r.Float64() < f.submit {
		if l, ok := c.leader(); ok {
			cmd := fmt.Sprintf("c%d", c.submitted)
			if !c.shortCommands {
				cmd = command(r, c.submitted)
			}
			c.submit(l, cmd)
		}
	}
	return c.err
}

// stopFaults restarts every crashed node, resumes every paused one and
// heals the network; no fault happens afterwards.
func (c *cluster) stopFaults() error {
	c.net.OnReceive(nil)
	for _, x := range c.ids {
		if p, ok := c.net.Node(x).(*probe); ok {
			p.crashAfterTick = false
		}
		switch {
		case !c.net.Alive(x):
			c.restart(x)
		case c.net.Paused(x):
			c.net.Resume(x)
		}
	}
	c.net.Heal()
	c.note("faults stopped: every node up, network healed")
	return c.err
}

func TestTheFiveGuaranteesHoldAfterEveryTickWithCrashesAndRestarts(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, defaultRuns, func(r *rand.Rand) error {
		// Even sizes too: a majority counted wrongly often differs only
		// there.
		for _, ticks := range []int{100, 250} {
			sizes := []int{1, 3, 3, 5, 5}
			if ticks == 100 {
				sizes = []int{2, 4}
			}
			c := randomCluster(r, sizes...)
			if ticks > 100 {
				c.restoreP = 0.1 // restoring after every save costs as much as the run
			}
			if err := runChaos(c, r, heavy(r), ticks); err != nil {
				return fmt.Errorf("a run of %d ticks with crashes, restarts from Storage, partitions, lost, late and duplicated messages:\n%w", ticks, err)
			}
		}
		return nil
	})
}
