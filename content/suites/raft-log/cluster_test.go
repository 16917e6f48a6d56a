//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// clusterSizes are the sizes every randomized run goes through, smallest
// first, so that the first failure reported is a small one.
var clusterSizes = []int{1, 2, 3, 5, 7}

// clients submits commands: now and then to every node that believes it
// leads (a stale leader cut off by a partition gets commands too, which
// must never be committed), and to a node that does not lead (nothing
// must change, L1).
func (c *cluster) clients(rate int) {
	if c.r.IntN(rate) != 0 {
		return
	}
	for _, x := range c.ids {
		if !c.net.Alive(x) || c.net.Paused(x) {
			continue
		}
		if _, role := c.twins[x].node.State(); role == raft.Leader {
			for range 1 + c.r.IntN(3) {
				c.submit(x, c.command())
			}
		} else if c.r.IntN(4) == 0 {
			c.submit(x, c.command())
		}
	}
}

// split draws a random division of ids into two groups.
func split(r *rand.Rand, ids []id) ([]id, []id) {
	var a, b []id
	for _, x := range ids {
		if r.IntN(2) == 0 {
			a = append(a, x)
		} else {
			b = append(b, x)
		}
	}
	return a, b
}

// faults does one random fault now and then: a two-way partition, a one-way
// block, a heal, a pause or resume, or a crash (a crashed node stays down;
// at most a minority crashes).
func (c *cluster) faults(rate int) {
	r := c.r
	if r.IntN(rate) != 0 {
		return
	}
	x := c.ids[r.IntN(len(c.ids))]
	if r.IntN(3) == 0 { // aim at the leader now and then
		if l, ok := c.leader(); ok {
			x = l
		}
	}
	down := 0
	for _, y := range c.ids {
		if !c.net.Alive(y) {
			down++
		}
	}
	switch k := r.IntN(12); {
	case k <= 2 && len(c.ids) > 1:
		a, b := split(r, c.ids)
		c.note("partition %v | %v", a, b)
		c.net.Partition(a, b)
	case k <= 4:
		y := c.ids[r.IntN(len(c.ids))]
		if y != x {
			c.note("messages %d -> %d blocked (one way)", x, y)
			c.net.Block(x, y)
		}
	case k <= 7:
		c.note("partition healed, blocks removed")
		c.net.Heal()
	case k <= 9:
		if c.net.Paused(x) {
			c.note("node %d resumed", x)
			c.net.Resume(x)
		} else if c.net.Alive(x) {
			c.note("node %d paused (it keeps its state; messages to it wait)", x)
			c.net.Pause(x)
		}
	case k == 10 && c.net.Alive(x) && down < (len(c.ids)-1)/2:
		c.note("node %d crashed (it stays down)", x)
		c.net.Crash(x)
	case k == 11:
		for _, y := range c.ids {
			if c.net.Paused(y) {
				c.note("node %d resumed", y)
				c.net.Resume(y)
			}
		}
	}
}

// chaos runs a cluster of n nodes for ticks ticks with clients and faults.
func chaos(r *rand.Rand, n, ticks int, netc simnet.Config, faultRate int) (*cluster, error) {
	netc.Seed = r.Uint64()
	c := newCluster(r, randomIDs(r, n), randomTiming(r), netc)
	for range ticks {
		c.clients(3)
		if faultRate > 0 {
			c.faults(faultRate)
		}
		if err := c.tick(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// TestTheFiveGuaranteesHoldUnderLossDelayAndDuplicates runs clusters of
// 1 to 7 nodes on networks that lose, delay, reorder and duplicate
// messages (up to three extra copies), with clients submitting commands to
// whoever leads. After every tick it checks election safety, leader
// append-only, log matching, leader completeness and state-machine safety,
// and after every call it compares each node with the lesson's rules.
func TestTheFiveGuaranteesHoldUnderLossDelayAndDuplicates(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			netc := simnet.Config{DropRate: []float64{0, 0.05, 0.2}[r.IntN(3)], DuplicateRate: []float64{0, 0.1, 0.3}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
			if _, err := chaos(r, n, 30+15*n, netc, 0); err != nil {
				return fmt.Errorf("cluster of %d:\n%w", n, err)
			}
		}
		return nil
	})
}

// TestTheFiveGuaranteesHoldUnderPartitionsPausesAndCrashes adds two-way
// partitions, one-way blocks, pauses and crashes (a crashed node stays
// down) to a lossy network.
func TestTheFiveGuaranteesHoldUnderPartitionsPausesAndCrashes(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			netc := simnet.Config{DropRate: []float64{0, 0.05}[r.IntN(2)], DuplicateRate: []float64{0, 0.2}[r.IntN(2)], MaxExtraCopies: 2}
			if _, err := chaos(r, n, 50+25*n, netc, 6); err != nil {
				return fmt.Errorf("cluster of %d:\n%w", n, err)
			}
		}
		return nil
	})
}

// stableBound is how long a command submitted to the leader of a stable
// cluster takes to be committed and applied everywhere, in the worst case:
// the next AppendEntries round leaves within H ticks, reaches the followers
// and comes back within 2(D+1), the round after the leader committed
// leaves within H-1 more ticks, and reaches the followers within D+1.
func stableBound(t timing) int { return 2*t.h + 3*t.d + 2 }

// electionWithin is how long a healthy cluster may take to agree on a
// leader and bring every log in line: 6·ElectionTimeoutMax. (Split votes may
// repeat; over the 50 seeds of the audit, the reference never needed more
// than 2·ElectionTimeoutMax.)
func electionWithin(t timing) int { return 6 * t.max }

// settle runs until every live node follows one leader whose log every
// live node holds, committed.
func (c *cluster) settle(within int, why string) (id, error) {
	var l id
	nudged := map[int]bool{}
	ok, err := c.runUntil(func() bool {
		x, ok := c.leader()
		if !ok {
			return false
		}
		l = x
		lw := c.twins[x]
		// Entries of earlier terms are committed only with an entry of
		// the leader's own term (L7): a client submits one.
		if term, _ := lw.node.State(); lw.model.commit < len(lw.lastLog) && !nudged[term] && lw.lastLog[len(lw.lastLog)-1].Term < term {
			nudged[term] = true
			c.submit(x, fmt.Sprintf("settle %d", term))
		}
		for _, y := range c.ids {
			if !c.net.Alive(y) {
				continue
			}
			w := c.twins[y]
			if got, ok := w.node.Leader(); !ok || got != x || w.model.commit != len(lw.lastLog) || len(w.lastLog) != len(lw.lastLog) {
				return false
			}
		}
		return true
	}, within)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, c.failf("%s: expected within %d ticks one leader that every live node follows, with every live node's log equal to the leader's and all of it committed; it did not happen", why, within)
	}
	return l, nil
}

// TestASubmittedCommandIsCommittedEverywhereWithinABound runs a cluster on
// a network that delays but loses nothing. Once it has a leader, every
// command submitted to it must be committed and applied on every node
// within 2·HeartbeatInterval + 3·MaxDelay + 2 ticks.
func TestASubmittedCommandIsCommittedEverywhereWithinABound(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), simnet.Config{Seed: r.Uint64()})
			l, err := c.settle(electionWithin(c.t), "nodes started together on a network without loss")
			if err != nil {
				return err
			}
			bound := stableBound(c.t)
			type pending struct {
				index, at int
				cmd       string
			}
			var open []pending
			for range 10 * c.t.h {
				if r.IntN(3) == 0 {
					cmd := c.command()
					i, _, ok := c.submit(l, cmd)
					if !ok {
						return c.failf("node %d leads, yet Submit(%q) returned ok = false", l, cmd)
					}
					open = append(open, pending{i, c.net.Now(), cmd})
				}
				if err := c.tick(); err != nil {
					return err
				}
				if x, _ := c.leader(); x != l {
					return c.failf("on a network without loss, where heartbeats come every %d ticks and take at most %d, node %d stopped leading", c.t.h, c.t.d+1, l)
				}
				for len(open) > 0 {
					p := open[0]
					var behind []id
					for _, y := range c.ids {
						if c.appliedBy[y] < p.index {
							behind = append(behind, y)
						}
					}
					if len(behind) == 0 {
						open = open[1:]
						continue
					}
					if c.net.Now()-p.at >= bound {
						return c.failf("Submit(%q) to leader %d after tick %d returned index %d; by tick %d (2·HeartbeatInterval + 3·MaxDelay + 2 = %d ticks later) "+
							"nodes %v had not applied it: the next AppendEntries round carries it, the replies commit it (L5, L7), and the round after carries the new LeaderCommit (L4)",
							shorten(p.cmd), l, p.at, p.index, c.net.Now(), bound, behind)
					}
					break
				}
			}
		}
		return nil
	})
}

// TestALeaderSendsOneAppendEntriesPerPeerPerHeartbeatInterval counts every
// message of a stable cluster whose clients submit a command every few
// ticks: each follower gets exactly one AppendEntries per
// HeartbeatInterval (no retries, since no reply fails), answers each once,
// and each entry travels to each follower in at most ⌈2(D+1)/H⌉+1
// AppendEntries (it is resent until the reply that acknowledges it
// arrives).
func TestALeaderSendsOneAppendEntriesPerPeerPerHeartbeatInterval(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes[1:] {
			c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), simnet.Config{Seed: r.Uint64()})
			l, err := c.settle(electionWithin(c.t), "nodes started together on a network without loss")
			if err != nil {
				return err
			}
			from := len(c.net.Sent())
			start := c.net.Now()
			first := len(c.twins[l].lastLog) + 1
			rounds := 6 + r.IntN(6)
			for range rounds * c.t.h {
				if r.IntN(2) == 0 {
					c.submit(l, c.command())
				}
				if err := c.tick(); err != nil {
					return err
				}
			}
			sent := c.net.Sent()[from:]
			perPeer := map[id]int{}
			carried := map[int]int{} // entry index -> AppendEntries to one follower that carried it, summed
			var others []string
			for _, m := range sent {
				switch {
				case m.From == l && m.Body.Kind == raft.AppendEntries:
					perPeer[m.To]++
					for j := range m.Body.Entries {
						carried[m.Body.PrevLogIndex+1+j]++
					}
				case m.To == l && m.Body.Kind == raft.AppendEntriesReply:
				default:
					others = append(others, fmt.Sprintf("%d -> %d %s", m.From, m.To, m.Body))
				}
			}
			if len(others) > 0 {
				return c.failf("a stable cluster sends only the leader's AppendEntries and their replies (E10); between tick %d and tick %d it also sent %v", start, c.net.Now(), others)
			}
			// Rounds leave at the leader's ticks; the ticks run span
			// rounds or rounds+1 of them, depending on where the last
			// round before the count fell.
			ticks := c.net.Now() - start
			for _, p := range c.ids {
				if p == l {
					continue
				}
				if got := perPeer[p]; got != ticks/c.t.h && got != (ticks+c.t.h-1)/c.t.h {
					return c.failf("in %d ticks of a stable cluster, leader %d sent %d AppendEntries to node %d: expected one every HeartbeatInterval = %d ticks, that is %d (E7, L5: a leader sends nothing more to a peer after a successful reply)",
						ticks, l, got, p, c.t.h, ticks/c.t.h)
				}
			}
			limit := (n - 1) * ((2*(c.t.d+1)+c.t.h-1)/c.t.h + 1)
			for i := first; i <= len(c.twins[l].lastLog); i++ {
				if carried[i] > limit {
					return c.failf("entry %d was sent %d times to the %d followers of a stable cluster: once a follower acknowledged it, nextIndex moves past it (L5), so each follower gets it at most ⌈2(MaxDelay+1)/HeartbeatInterval⌉+1 = %d times",
						i, carried[i], n-1, limit/(n-1))
				}
			}
		}
		return nil
	})
}

// TestAPausedFollowerCatchesUpWithinABound pauses a follower while the
// leader commits hundreds of commands, then resumes it. The AppendEntries
// held for it carry everything from its nextIndex (L2), so it must hold
// the leader's log as it was at the resume, and know it committed, within
// HeartbeatInterval + MaxDelay + 1 ticks.
func TestAPausedFollowerCatchesUpWithinABound(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range []int{2, 3, 5} {
			c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), simnet.Config{Seed: r.Uint64()})
			l, err := c.settle(electionWithin(c.t), "nodes started together on a network without loss")
			if err != nil {
				return err
			}
			var f id
			for _, x := range c.ids {
				if x != l {
					f = x
				}
			}
			c.note("node %d paused", f)
			c.net.Pause(f)
			for range 30 + r.IntN(30) {
				for range 1 + r.IntN(5) {
					c.submit(l, c.command())
				}
				if err := c.tick(); err != nil {
					return err
				}
			}
			c.note("node %d resumed", f)
			c.net.Resume(f)
			want := slices.Clone(c.twins[l].lastLog)
			wantCommit := c.twins[l].model.commit
			bound := c.t.h + c.t.d + 1
			at := c.net.Now()
			ok, err := c.runUntil(func() bool {
				w := c.twins[f]
				return len(w.lastLog) >= len(want) && logDiff(want, w.lastLog[:len(want)]) == "" && w.model.commit >= wantCommit
			}, bound)
			if err != nil {
				return err
			}
			if !ok {
				return c.failf("node %d was resumed after tick %d, %d entries behind leader %d; by tick %d (HeartbeatInterval + MaxDelay + 1 = %d ticks later) "+
					"it must hold the leader's %d entries and commit index %d: the AppendEntries it receives carry everything from its nextIndex (L2, L4)",
					f, at, len(want)-len(c.twins[f].lastLog), l, c.net.Now(), bound, len(want), wantCommit)
			}
		}
		return nil
	})
}

// healBound is how long a cluster may take, once a partition healed on a
// network without loss, to elect a leader that every node follows and to
// bring every log in line with it, committed: 2·ElectionTimeoutMax +
// 2·HeartbeatInterval + 4·(MaxDelay+1). It needs an election, since the
// cut-off node's term has grown, and a few round trips; over the 50 seeds
// of the audit the reference never needed more than half of
// ElectionTimeoutMax + HeartbeatInterval + MaxDelay + 1.
func healBound(t timing) int { return 2*t.max + 2*t.h + 4*(t.d+1) }

// TestAPartitionedFollowerCatchesUpAfterHealing cuts a follower off (both
// ways) while the majority commits hundreds of commands, then heals the
// partition. The cut-off node has started election after election, so
// its term is high: its return makes the leader step down (E4), its short
// log keeps it from winning (L8), and the next leader must bring it in
// line. A new command is then committed everywhere, with every old entry.
func TestAPartitionedFollowerCatchesUpAfterHealing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range []int{3, 5} {
			c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), simnet.Config{Seed: r.Uint64()})
			l, err := c.settle(electionWithin(c.t), "nodes started together on a network without loss")
			if err != nil {
				return err
			}
			var f id
			for _, x := range c.ids {
				if x != l {
					f = x
				}
			}
			rest := slices.DeleteFunc(slices.Clone(c.ids), func(x id) bool { return x == f })
			c.note("partition %v | [%d]", rest, f)
			c.net.Partition(rest, []id{f})
			for range 60 + r.IntN(60) {
				if x, ok := c.leader(); ok && x != f && r.IntN(2) == 0 {
					for range 1 + r.IntN(3) {
						c.submit(x, c.command())
					}
				}
				if err := c.tick(); err != nil {
					return err
				}
			}
			c.note("partition healed")
			c.net.Heal()
			at := c.net.Now()
			bound := healBound(c.t)
			// Entries of an earlier term are committed only with one of
			// the new leader's term (L7): settle submits one to each new
			// leader that has none.
			if _, err := c.settle(bound, fmt.Sprintf("node %d was cut off from the others from tick %d on, and the partition healed after tick %d on a network without loss (E4, L3, L6, L7)", f, at-1, at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAFollowerThatLagsByHundredsOfEntriesCatchesUpInFewRoundTrips builds
// a leader whose log is hundreds of entries longer than a follower's
// (the follower was paused; then a new leader is elected, whose nextIndex
// for it starts after the leader's own log). With the Index hint of the
// failed reply (L3, L6), nextIndex jumps to the follower's log in one
// round trip: the follower must catch up within 3 failed replies.
func TestAFollowerThatLagsByHundredsOfEntriesCatchesUpInFewRoundTrips(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 5, func(r *rand.Rand) error {
		n := 3
		c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), simnet.Config{Seed: r.Uint64()})
		l, err := c.settle(electionWithin(c.t), "nodes started together on a network without loss")
		if err != nil {
			return err
		}
		var f id
		for _, x := range c.ids {
			if x != l {
				f = x
			}
		}
		// Cut the follower off from everyone; the others commit.
		rest := slices.DeleteFunc(slices.Clone(c.ids), func(x id) bool { return x == f })
		c.note("partition %v | [%d]", rest, f)
		c.net.Partition(rest, []id{f})
		for c.submitted < 300+r.IntN(200) {
			if x, ok := c.leader(); ok && x != f {
				for range 1 + r.IntN(10) {
					c.submit(x, c.command())
				}
			}
			if err := c.tick(); err != nil {
				return err
			}
		}
		if _, err := c.settleAmong(rest, electionWithin(c.t)); err != nil {
			return err
		}
		// Count the failed replies of f (to the leader of the final term)
		// once the partition heals.
		from := len(c.net.Sent())
		lagStart := len(c.twins[f].lastLog)
		c.note("partition healed")
		c.net.Heal()
		if _, err := c.settle(healBound(c.t), "the partition healed on a network without loss"); err != nil {
			return err
		}
		l, _ = c.leader()
		lterm, _ := c.twins[l].node.State()
		failed := 0
		for _, m := range c.net.Sent()[from:] {
			if m.From == f && m.Body.Kind == raft.AppendEntriesReply && !m.Body.Success && m.Body.Term == lterm {
				failed++
			}
		}
		lag := len(c.twins[l].lastLog) - lagStart
		if failed > 3 {
			return c.failf("node %d, %d entries behind, refused %d AppendEntries before it caught up: its failed reply says Index = its last index (L3), and the leader sets nextIndex to Index+1 at once (L6), so it takes one failed round trip, not one per missing entry",
				f, lag, failed)
		}
		return nil
	})
}

// settleAmong is settle restricted to some nodes (the others are cut off).
func (c *cluster) settleAmong(among []id, within int) (id, error) {
	var l id
	ok, err := c.runUntil(func() bool {
		x, ok := c.leader()
		if !ok || !slices.Contains(among, x) {
			return false
		}
		l = x
		for _, y := range among {
			if got, ok := c.twins[y].node.Leader(); !ok || got != x {
				return false
			}
		}
		return true
	}, within)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, c.failf("expected within %d ticks one leader that every node of %v follows", within, among)
	}
	return l, nil
}

// TestThousandsOfCommandsReplicateInALongRun submits thousands of commands
// over a long run on a network that loses, delays and duplicates messages,
// with partitions now and then, and ends with a healed network: every node
// must then hold the same log of thousands of entries, all applied. Every
// tick on the way is checked as in the other runs.
func TestThousandsOfCommandsReplicateInALongRun(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 1, func(r *rand.Rand) error {
		n := []int{3, 5}[r.IntN(2)]
		netc := simnet.Config{Seed: r.Uint64(), DropRate: 0.02, DuplicateRate: 0.05, MaxExtraCopies: 2}
		c := newCluster(r, randomIDs(r, n), livelyTiming(r, n), netc)
		for c.submitted < 2000 {
			if x, ok := c.leader(); ok && r.IntN(2) == 0 {
				for range 1 + r.IntN(6) {
					c.submit(x, c.command())
				}
			}
			if r.IntN(150) == 0 {
				a, b := split(r, c.ids)
				c.note("partition %v | %v", a, b)
				c.net.Partition(a, b)
			}
			if r.IntN(60) == 0 {
				c.note("partition healed")
				c.net.Heal()
			}
			if err := c.tick(); err != nil {
				return err
			}
		}
		c.note("partition healed; no more loss")
		c.net.Heal()
		// The network keeps its loss rate; the cluster still converges.
		l, err := c.settle(healBound(c.t)+electionWithin(c.t), "the network healed after thousands of commands")
		if err != nil {
			return err
		}
		for _, x := range c.ids {
			if c.appliedBy[x] != len(c.twins[l].lastLog) {
				return c.failf("node %d applied %d entries of the %d every node holds", x, c.appliedBy[x], len(c.twins[l].lastLog))
			}
		}
		if len(c.twins[l].lastLog) < 1000 {
			return c.failf("only %d of the %d commands submitted to leaders were kept: a leader loses uncommitted entries only when it is cut off", len(c.twins[l].lastLog), c.submitted)
		}
		return nil
	})
}
