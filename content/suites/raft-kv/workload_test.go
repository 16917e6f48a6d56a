//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// faultPlan says which faults a workload run injects, beyond its network's
// random loss, delay and duplication.
type faultPlan struct {
	partitions bool // two-way partitions of a minority, often the leader with some clients
	oneWay     bool // one-way blocks between servers, and from servers to clients
	crashes    bool // crashes of a minority, restarted from the same storage
}

// retryTicks is how long the suite's clients wait for a reply before sending
// the same request to the next server.
const retryTicks = 25

// edgeClientIDs are ClientIDs at the edges of int64; the clients of a run
// take distinct ones.
var edgeClientIDs = []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 31, -(1 << 31), 1 << 32, 1<<53 + 1, 255, 256, 65536, 7}

func clientIDs(r *rand.Rand, n int) []int64 {
	ids := slices.Clone(edgeClientIDs)
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:n]
}

func pickKeys(r *rand.Rand, n int) []string {
	keys := []string{"x"}
	for len(keys) < n {
		if k := check.EdgeName(r); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

type workload struct {
	servers, clients, ops int
	faultTicks            int // ticks of faults before the network heals for good
	net                   simnet.Config
	plan                  faultPlan
}

func (w workload) String() string {
	s := fmt.Sprintf("%d servers, %d clients of %d operations each, network %+v", w.servers, w.clients, w.ops, w.net)
	var f []string
	if w.plan.partitions {
		f = append(f, "partitions (often the leader with some clients, away from the majority)")
	}
	if w.plan.oneWay {
		f = append(f, "one-way link failures")
	}
	if w.plan.crashes {
		f = append(f, "crashes and restarts from the same storage")
	}
	if len(f) > 0 {
		s += ", with " + strings.Join(f, ", ")
	}
	return s + fmt.Sprintf(" during the first %d ticks, then a healed network", w.faultTicks)
}

// workloadRuns is how many seeds each workload test tries: at most this
// many even when more are asked for, to stay within the time limit (each
// seed runs about a hundred operations).
const workloadRuns = 8

// finishBound is how many ticks after the network heals every client must
// have finished.
const finishBound = 3000

// runWorkload runs concurrent clients against a cluster under the plan's
// faults, then heals everything and lets the clients finish; it returns the
// cluster and the history.
func runWorkload(r *rand.Rand, w workload) (*cluster, []*record, error) {
	cl := newCluster(w.net, w.servers, r.Uint64())
	var hist []*record
	keys := pickKeys(r, 2+r.IntN(2))
	cids := clientIDs(r, w.clients)
	var clients []*client
	for i := range w.clients {
		rng := subRand(r)
		c := cl.addClient(i, cids[i], 1, rng, retryTicks, &hist, workloadOps(rng, i, w.ops, keys, true))
		c.think = 6
		clients = append(clients, c)
	}
	clientIDs := func() []simnet.NodeID {
		ids := make([]simnet.NodeID, len(clients))
		for i, c := range clients {
			ids[i] = c.id
		}
		return ids
	}()
	crashed := map[simnet.NodeID]bool{}
	minority := (w.servers - 1) / 2
	done := func() bool {
		if cl.err != nil {
			return true
		}
		for _, c := range clients {
			if c.err != nil {
				return true
			}
		}
		for _, c := range clients {
			if !c.idle() {
				return false
			}
		}
		return true
	}
	next := 10 + r.IntN(20)
	for cl.net.Now() < w.faultTicks && !done() {
		cl.net.Tick()
		if cl.net.Now() < next {
			continue
		}
		next = cl.net.Now() + 10 + r.IntN(30)
		switch k := r.IntN(6); {
		case k == 0:
			cl.net.Heal()
		case k <= 2 && w.plan.partitions:
			// A minority of servers, the leader among them half the time,
			// with some clients; everyone else in the other group.
			var small []simnet.NodeID
			if lead, ok := cl.anyLeader(); ok && r.IntN(2) == 0 {
				small = append(small, lead)
			}
			for _, id := range perm(r, cl.ids) {
				if len(small) < 1+r.IntN(max(1, minority)) && !slices.Contains(small, id) {
					small = append(small, id)
				}
			}
			var big []simnet.NodeID
			for _, id := range cl.ids {
				if !slices.Contains(small, id) {
					big = append(big, id)
				}
			}
			for _, c := range clientIDs {
				if r.IntN(3) == 0 {
					small = append(small, c)
				} else {
					big = append(big, c)
				}
			}
			cl.net.Partition(small, big)
		case k == 3 && w.plan.oneWay:
			for range 1 + r.IntN(3) {
				a := cl.ids[r.IntN(len(cl.ids))]
				b := cl.ids[r.IntN(len(cl.ids))]
				if r.IntN(3) == 0 {
					b = clientIDs[r.IntN(len(clientIDs))]
				}
				cl.net.Block(a, b)
			}
		case k >= 4 && w.plan.crashes:
			var alive, down []simnet.NodeID
			for _, id := range cl.ids {
				if crashed[id] {
					down = append(down, id)
				} else {
					alive = append(alive, id)
				}
			}
			if len(down) > 0 && (len(down) >= minority || r.IntN(2) == 0) {
				id := down[r.IntN(len(down))]
				delete(crashed, id)
				cl.restart(id)
			} else if len(down) < minority {
				id := alive[r.IntN(len(alive))]
				if lead, ok := cl.anyLeader(); ok && r.IntN(2) == 0 {
					id = lead
				}
				crashed[id] = true
				cl.net.Crash(id)
			}
		}
	}
	cl.net.Heal()
	for _, id := range cl.ids {
		if crashed[id] {
			cl.restart(id)
		}
	}
	healed := cl.net.Now()
	cl.net.RunUntil(done, finishBound)
	if cl.err != nil {
		return cl, hist, fmt.Errorf("%w\n%s", cl.err, cl.diagram())
	}
	for _, c := range clients {
		if c.err != nil {
			return cl, hist, fmt.Errorf("%w\n%s", c.err, cl.diagram())
		}
	}
	for _, c := range clients {
		if !c.idle() {
			return cl, hist, fmt.Errorf("client %d (ClientID %d) still had no answer to %s %d ticks after the network healed and every server was up (it retries every %d ticks, to the leader a server names or the next server): every request must eventually be answered\n%s",
				c.num, c.cid, requestString(c.cur.req), cl.net.Now()-healed, retryTicks, cl.diagram())
		}
	}
	// A last client reads every key, through the log: its Gets commit
	// whatever the log still holds, and show every value in the history.
	ki := 0
	reader := cl.addClient(w.clients, cids[0]^0x5eed, 1, subRand(r), retryTicks, &hist, func() (raft.Request, bool) {
		if ki == len(keys) {
			return raft.Request{}, false
		}
		ki++
		return raft.Request{Op: raft.Get, Key: keys[ki-1]}, true
	})
	clients = append(clients, reader)
	start := cl.net.Now()
	cl.net.RunUntil(done, finishBound)
	if err := cl.err; err == nil && reader.err != nil {
		cl.err = reader.err
	}
	if cl.err != nil {
		return cl, hist, fmt.Errorf("%w\n%s", cl.err, cl.diagram())
	}
	if !reader.idle() {
		return cl, hist, fmt.Errorf("on a healed network with every server up and nothing else to do, a client's %s had no answer after %d ticks\n%s", requestString(reader.cur.req), cl.net.Now()-start, cl.diagram())
	}
	return cl, hist, cl.bodyChanges()
}

// anyLeader returns a server that believes it leads, in the highest term.
func (cl *cluster) anyLeader() (simnet.NodeID, bool) {
	var lead simnet.NodeID
	best := -1
	for _, id := range cl.ids {
		if !cl.net.Alive(id) {
			continue
		}
		if term, role := cl.servers[id].Raft().State(); role == raft.Leader && term > best {
			lead, best = id, term
		}
	}
	return lead, lead != 0
}

func perm(r *rand.Rand, ids []simnet.NodeID) []simnet.NodeID {
	out := slices.Clone(ids)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

var token = regexp.MustCompile(`<\d+\.\d+>`)

// finalState settles the cluster and checks that every server holds the
// same value for every key, and that no written value appears twice in any
// (each value is unique, so twice means applied twice).
func finalState(cl *cluster, hist []*record) error {
	if !cl.settle(500) {
		return fmt.Errorf("after the clients finished and the network healed, the servers did not all commit and apply what the leader committed within 500 ticks\n%s", cl.diagram())
	}
	if cl.err != nil {
		return cl.err
	}
	keys := map[string]bool{}
	for _, r := range hist {
		keys[r.req.Key] = true
	}
	for _, k := range sortedKeys(keys) {
		v0, ok0 := cl.servers[cl.ids[0]].Value(k)
		for _, id := range cl.ids[1:] {
			if v, ok := cl.servers[id].Value(k); v != v0 || ok != ok0 {
				return fmt.Errorf("after every server applied the same log, server %d holds %s for key %q and server %d holds %s: the state is what applying the log gives, the same everywhere", cl.ids[0], valueString(v0, ok0), k, id, valueString(v, ok))
			}
		}
		seen := map[string]bool{}
		for _, tok := range token.FindAllString(v0, -1) {
			if seen[tok] {
				var who string
				for _, r := range hist {
					if strings.Contains(r.req.Value, tok) {
						who = r.String()
					}
				}
				return fmt.Errorf("key %q holds %q: the value of the operation %s appears in it twice, so it was applied twice (rule K4: exactly once)", k, v0, who)
			}
			seen[tok] = true
		}
	}
	return nil
}

func valueString(v string, ok bool) string {
	if !ok {
		return "no value"
	}
	return fmt.Sprintf("%q", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func workloadProperty(t *testing.T, w func(r *rand.Rand) workload) func(r *rand.Rand) error {
	return func(r *rand.Rand) error {
		wl := w(r)
		cl, hist, err := runWorkload(r, wl)
		if err != nil {
			return fmt.Errorf("%s:\n%w", wl, err)
		}
		if err := linearizable(t.Name(), wl.String(), hist); err != nil {
			return err
		}
		if err := finalState(cl, hist); err != nil {
			return fmt.Errorf("%s:\n%w", wl, err)
		}
		return nil
	}
}

func TestHistoriesAreLinearizableUnderLossDelayAndDuplication(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, workloadRuns, workloadProperty(t, func(r *rand.Rand) workload {
		return workload{
			servers: 3 + 2*r.IntN(2), clients: 5 + r.IntN(3), ops: 12, faultTicks: 400,
			net: simnet.Config{Seed: r.Uint64(), DropRate: 0.05, DuplicateRate: 0.3, MaxExtraCopies: 2, MaxDelay: 3},
		}
	}))
}

func TestHistoriesAreLinearizableAcrossPartitions(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, workloadRuns, workloadProperty(t, func(r *rand.Rand) workload {
		return workload{
			servers: 3 + 2*r.IntN(2), clients: 5 + r.IntN(3), ops: 12, faultTicks: 500,
			net:  simnet.Config{Seed: r.Uint64(), DropRate: 0.02, DuplicateRate: 0.1, MaxDelay: 2},
			plan: faultPlan{partitions: true, oneWay: true},
		}
	}))
}

func TestHistoriesAreLinearizableAcrossCrashesAndRestarts(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, workloadRuns, workloadProperty(t, func(r *rand.Rand) workload {
		return workload{
			servers: 3 + 2*r.IntN(2), clients: 5 + r.IntN(3), ops: 12, faultTicks: 500,
			net:  simnet.Config{Seed: r.Uint64(), DropRate: 0.02, DuplicateRate: 0.2, MaxExtraCopies: 2, MaxDelay: 2},
			plan: faultPlan{partitions: true, crashes: true},
		}
	}))
}
