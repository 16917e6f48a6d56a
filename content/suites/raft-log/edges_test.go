//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// edgeCommands are commands a node must store and apply byte for byte.
var edgeCommands = []string{"", " ", "a", "A", "日本語", "e\u0301", "\U0001F600", "a\x00b", "\n", "#1", "a:b/c,d",
	strings.Repeat("x", 1<<16), strings.Repeat("λ", 5000)}

// edgeIDs are node IDs far apart and at the width boundaries.
var edgeIDs = []id{1, 2, 255, 256, 65536, math.MaxInt32, 1 << 32, 1<<53 + 1, 1 << 62, math.MaxInt64}

// TestCommandsSeedsAndIDsAtTheEdges runs clusters of 1, 2, 3, 5 and 7
// nodes with IDs at the integer width boundaries (up to the largest int),
// seeds 0 and the largest uint64, and commands that are empty, 64 KiB long
// or non-ASCII: every node must apply exactly the submitted commands, in
// order.
func TestCommandsSeedsAndIDsAtTheEdges(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 5, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			perm := r.Perm(len(edgeIDs))[:n]
			var ids []id
			for _, i := range perm {
				ids = append(ids, edgeIDs[i])
			}
			tm := livelyTiming(r, n)
			k := 0
			c := newClusterWith(r, sortedIDs(ids), tm, simnet.Config{Seed: r.Uint64()}, func(x id) raft.Config {
				k++
				return tm.config([]uint64{0, math.MaxUint64}[k%2])
			})
			l, err := c.settle(electionWithin(tm), "nodes started together on a network without loss")
			if err != nil {
				return err
			}
			var want []string
			for _, cmd := range edgeCommands {
				if _, _, ok := c.submit(l, cmd); !ok {
					return c.failf("Submit(%q) on leader %d returned ok = false", shorten(cmd), l)
				}
				want = append(want, cmd)
			}
			if _, err := c.settle(4*stableBound(tm), "after the edge commands were submitted"); err != nil {
				return err
			}
			for _, x := range c.ids {
				log := c.twins[x].node.Log()
				if len(log) != len(want) {
					return c.failf("node %d holds %d entries; %d commands were submitted", x, len(log), len(want))
				}
				for i, e := range log {
					if e.Command != want[i] {
						return c.failf("%s", check.Mismatch(fmt.Sprintf("node %d, the command of entry %d", x, i+1), fmt.Sprintf("%q", shorten(want[i])), fmt.Sprintf("%q", shorten(e.Command))))
					}
				}
			}
		}
		return nil
	})
}

func sortedIDs(ids []id) []id {
	out := append([]id(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestLogAndMessagesAreNeverAliased changes what the caller holds after
// each call: the slice Log() returned, the Entries of an AppendEntries the
// node received, and the Entries of one it sent. The node must not see any
// of it (L10). Then it runs clusters on a network that compares every body
// at delivery with the copy it took when it was sent: a node whose Entries
// share memory with its log, which later changes (a former leader's log is
// truncated), is caught there.
func TestLogAndMessagesAreNeverAliased(t *testing.T) {
	defer check.Recover(t)
	peers := []id{1, 2, 3}
	// A follower keeps the Entries it received.
	received := entries(1, 1, 2)
	n := raft.NewNode(1, peers, handConfig())
	n.Receive(rmsg{From: 2, To: 1, Body: ae(2, 0, 0, received, 0)})
	received[0].Command, received[2].Term = "changed by the sender", 9
	if log := n.Log(); logDiff(entries(1, 1, 2), log) != "" {
		t.Fatal(check.Mismatch("after Receive of AppendEntries with 3 entries, the caller changed the message's Entries; Log() (L10)", logString(entries(1, 1, 2)), logString(log)))
	}
	// Log returns a copy.
	log := n.Log()
	log[1] = raft.Entry{Term: 7, Command: "changed by the caller"}
	if log := n.Log(); logDiff(entries(1, 1, 2), log) != "" {
		t.Fatal(check.Mismatch("the caller changed the slice Log() returned; Log() again (L10)", logString(entries(1, 1, 2)), logString(log)))
	}
	// A leader keeps the Entries it sent.
	w := follower(1, peers, 2, 2, entries(1, 1, 2), 0)
	w.keepOut = true
	won, err := elect(w, 3)
	if err != nil {
		t.Fatal(err)
	}
	w.Receive(rmsg{From: 2, To: 1, Body: aeReply(3, false, 0)}) // nextIndex 1: the next AppendEntries carries everything
	out := w.node.Tick()
	for len(out) == 0 {
		out = w.node.Tick()
	}
	for _, m := range append(won, out...) {
		for i := range m.Body.Entries {
			m.Body.Entries[i] = raft.Entry{Term: 8, Command: "changed by the network"}
		}
	}
	if log := w.node.Log(); logDiff(entries(1, 1, 2), log) != "" {
		t.Fatal(check.Mismatch("the leader's AppendEntries to node 2 (all 3 entries) had its Entries changed after it was sent; the leader's Log() (L2: Entries is a copy)", logString(entries(1, 1, 2)), logString(log)))
	}
	// On the network, with the body check.
	check.Seeded(t, 5, func(r *rand.Rand) error {
		for _, n := range []int{3, 5} {
			netc := simnet.Config{Seed: r.Uint64(), DropRate: 0.05, DuplicateRate: 0.1}
			c := newCluster(r, randomIDs(r, n), randomTiming(r), netc)
			c.net.CopyBodies(cloneWire, sameWire)
			for _, x := range c.ids {
				c.twins[x].keepOut = true
			}
			for range 150 {
				c.clients(2)
				c.faults(4)
				if err := c.tick(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
