//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// TestTheSameSeedsGiveTheSameRun builds the same cluster twice (same IDs,
// Config.Seed, network seed and faults) and runs both side by side, one call
// to each in turn: the two runs are the same event for event. A node's only
// randomness is its own source, and two nodes share nothing (no package-level
// state), so running another cluster in between changes nothing.
func TestTheSameSeedsGiveTheSameRun(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 6, func(r *rand.Rand) error {
		n := clusterSizes[r.IntN(len(clusterSizes))]
		seed := r.Uint64()
		var xs [2]*run
		for i := range xs {
			rr := check.Rand(seed)
			xs[i] = newRun(rr, edgeIDs(rr, n), faultyConfig(rr), faultyNet(rr), false)
		}
		for range 200 {
			for _, x := range xs {
				if err := x.chaos(1, true); err != nil {
					return err
				}
			}
		}
		a, b := xs[0].net.Trace(), xs[1].net.Trace()
		for i := range max(len(a), len(b)) {
			if i >= len(a) || i >= len(b) || !sameEvent(a[i], b[i]) {
				return differ(xs, a[min(i, len(a)-1)].Tick)
			}
		}
		return nil
	})
}

func sameEvent(a, b simnet.Event) bool {
	return a.Tick == b.Tick && a.Kind == b.Kind && a.From == b.From && a.To == b.To && a.Body == b.Body &&
		a.Seq == b.Seq && a.SentAt == b.SentAt && a.Dup == b.Dup && a.Reason == b.Reason && a.Node == b.Node &&
		fmt.Sprint(a.Groups) == fmt.Sprint(b.Groups)
}

func differ(xs [2]*run, tick int) error {
	return fmt.Errorf("two clusters built the same way (%s) and run side by side, one call to each in turn, "+
		"differ at tick %d: a node's randomness comes only from rand.New(rand.NewPCG(Seed, uint64(id))), and nodes share nothing (rule E1)\n"+
		"first run:\n%s\n\nsecond run:\n%s", xs[0].describe(), tick, diagram(xs[0].net, 24), diagram(xs[1].net, 24))
}

// TestEdgeSeedsAndIDsFollowTheRules runs clusters whose Seed is 0, 1, 2^63
// or the largest uint64 and whose IDs are large and far apart (7, 2^40, 3;
// up to the largest int), under faults, comparing every call with the rules.
func TestEdgeSeedsAndIDsFollowTheRules(t *testing.T) {
	defer check.Recover(t)
	idSets := [][]id{{7, 1 << 40, 3}, {1}, {1 << 62, 5}, {math.MaxInt64, 1, 1 << 31, 1 << 32, 65536}, {2, 4, 8, 1 << 53, 1<<53 + 1, 255, 256}}
	check.Seeded(t, 10, func(r *rand.Rand) error {
		for _, seed := range []uint64{0, 1, 1 << 63, math.MaxUint64} {
			ids := idSets[r.IntN(len(idSets))]
			cfg := raft.DefaultConfig()
			cfg.Seed = seed
			x := newRun(r, ids, cfg, faultyNet(r), true)
			if err := x.chaos(150, true); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAMessageBodyIsNeverChangedAfterItIsSent: the network takes a copy of
// every body when it is sent and compares it at delivery with the body the
// node returned; a node that reuses a message (or its Entries) for another
// one changes what it already sent. Checked in every test; here on long runs
// of many elections.
func TestAMessageBodyIsNeverChangedAfterItIsSent(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 5, func(r *rand.Rand) error {
		x := newRun(r, edgeIDs(r, 5), faultyConfig(r), simnet.Config{Seed: r.Uint64(), MaxDelay: 5, DuplicateRate: 0.3, MaxExtraCopies: 3}, false)
		return x.chaos(1000, true)
	})
}

// TestRolesKindsAndTheDefaultConfigAreAsTheLessonSays checks the names
// String gives (they appear in every report), the values of the constants
// (the lesson fixes them: Follower = 1, RequestVote = 1, ...) and
// DefaultConfig: timeouts of 10 to 20 ticks, a heartbeat every 3.
func TestRolesKindsAndTheDefaultConfigAreAsTheLessonSays(t *testing.T) {
	defer check.Recover(t)
	if _, role := raft.NewNode(3, []id{1, 2, 3}, raft.DefaultConfig()).State(); role.String() != "Follower" {
		t.Fatal(check.Mismatch("a new node's role, State(), printed", "Follower", role.String()))
	}
	roles := map[raft.Role]string{1: "Follower", 2: "Candidate", 3: "Leader"}
	for r, name := range roles {
		if got := r.String(); got != name || []raft.Role{raft.Follower, raft.Candidate, raft.Leader}[r-1] != r {
			t.Fatal(check.Mismatch(fmt.Sprintf("Role %d: the constant and its String()", int(r)), name, got))
		}
	}
	kinds := map[raft.Kind]string{1: "RequestVote", 2: "RequestVoteReply", 3: "AppendEntries", 4: "AppendEntriesReply"}
	for k, name := range kinds {
		if got := k.String(); got != name || []raft.Kind{raft.RequestVote, raft.RequestVoteReply, raft.AppendEntries, raft.AppendEntriesReply}[k-1] != k {
			t.Fatal(check.Mismatch(fmt.Sprintf("Kind %d: the constant and its String()", int(k)), name, got))
		}
	}
	c := raft.DefaultConfig()
	if c.ElectionTimeoutMin != 10 || c.ElectionTimeoutMax != 20 || c.HeartbeatInterval != 3 || c.Seed != 0 || c.Apply != nil || c.Storage != nil {
		t.Fatal(check.Mismatch("DefaultConfig()", "ElectionTimeoutMin 10, ElectionTimeoutMax 20, HeartbeatInterval 3, the rest zero",
			fmt.Sprintf("ElectionTimeoutMin %d, ElectionTimeoutMax %d, HeartbeatInterval %d, Seed %d, Apply set %v, Storage set %v",
				c.ElectionTimeoutMin, c.ElectionTimeoutMax, c.HeartbeatInterval, c.Seed, c.Apply != nil, c.Storage != nil)))
	}
}
