//go:build dslearnsuite

package quorum_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// writeAll stores key=value@version on every replica through a Put with
// every replica reachable, and waits until all messages have arrived.
func (cl *cluster) writeAll(key, value string, version int) error {
	cl.net.Heal()
	op, err := cl.put(key, value, version)
	if err != nil {
		return err
	}
	if res := cl.await(op, 10*cl.cfg.Timeout); res.Status != quorum.OK {
		return check.Mismatch(fmt.Sprintf("%s: Put(%q, %q, %d) with every replica reachable and no faults; its Status", cl.desc(), key, value, version), quorum.OK, res.Status)
	}
	cl.settle(100)
	return nil
}

func TestReadSeesTheLatestCompletedWriteWhenRPlusWExceedsN(t *testing.T) {
	defer check.Recover(t)
	// Every configuration with N <= 4 and R + W > N, every set of replicas
	// the write can reach (at least W), every set of exactly R replicas the
	// read can hear. Smallest configurations first.
	for n := 1; n <= 4; n++ {
		ids := replicaIDs(n)
		for w := 1; w <= n; w++ {
			for r := n - w + 1; r <= n; r++ {
				for a := w; a <= n; a++ {
					for _, A := range subsets(ids, a) {
						for _, B := range subsets(ids, r) {
							if err := staleCase(n, r, w, A, B, true); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
			}
		}
	}
}

// staleCase writes old@9 everywhere, then new@10 reaching only A, then reads
// hearing only B. With wantNew the read must return new@10; otherwise (A and
// B disjoint) it must return old@9.
func staleCase(n, r, w int, A, B []simnet.NodeID, wantNew bool) error {
	cl := newCluster(simnet.Config{Seed: uint64(100*n + 10*r + w)}, n, r, w, 6)
	if err := cl.writeAll("x", "old", 9); err != nil {
		return err
	}
	cl.only(A)
	put, err := cl.put("x", "new", 10)
	if err != nil {
		return err
	}
	if res := cl.await(put, 20); res.Status != quorum.OK {
		return check.Mismatch(fmt.Sprintf("%s: Put(\"x\", \"new\", 10) could reach replicas %v (at least W); its Status\n%s", cl.desc(), A, cl.diagram()), quorum.OK, res.Status)
	}
	cl.settle(20)
	cl.only(B)
	get, err := cl.get("x")
	if err != nil {
		return err
	}
	got := cl.await(get, 20)
	want := quorum.Result{Status: quorum.OK, Found: true, Version: 10, Value: "new"}
	story := fmt.Sprintf("%s, every replica holding old@9: Put(\"x\", \"new\", 10) reached only replicas %v and was OK; then Get(\"x\") could hear only replicas %v", cl.desc(), A, B)
	if wantNew {
		story += "\nwith R + W > N every read quorum overlaps every write quorum, and the read returns the highest version it hears"
	} else {
		want = quorum.Result{Status: quorum.OK, Found: true, Version: 9, Value: "old"}
		story += "\nwith R + W <= N the read quorum can miss the write entirely: the Get completes on R replies and returns the stale value"
	}
	if got != want {
		return check.Mismatch(story+"\nGet's result", resultString(want), resultString(got)+"\n"+cl.diagram())
	}
	return nil
}

func TestReadsCanBeStaleWhenRPlusWIsAtMostN(t *testing.T) {
	defer check.Recover(t)
	for n := 2; n <= 5; n++ {
		ids := replicaIDs(n)
		for w := 1; w < n; w++ {
			for r := 1; r <= n-w; r++ {
				// The write reaches the first W replicas, the read hears the
				// last R: no replica in common.
				if err := staleCase(n, r, w, ids[:w], ids[n-r:], false); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestOperationsSucceedExactlyWhenAQuorumCanAnswer(t *testing.T) {
	defer check.Recover(t)
	for n := 1; n <= 4; n++ {
		ids := replicaIDs(n)
		for w := 1; w <= n; w++ {
			for r := 1; r <= n; r++ {
				for k := 0; k <= n; k++ {
					cl := newCluster(simnet.Config{Seed: uint64(k + 1)}, n, r, w, 5)
					cl.only(ids[:k])
					put, err := cl.put("x", "v", 3)
					if err != nil {
						t.Fatal(err)
					}
					get, err := cl.get("x")
					if err != nil {
						t.Fatal(err)
					}
					cl.net.Run(12)
					for _, c := range []struct {
						op   quorum.OpID
						name string
						need int
						what string
					}{{put, "Put(\"x\", \"v\", 3)", w, "W"}, {get, "Get(\"x\")", r, "R"}} {
						want := quorum.OK
						if k < c.need {
							want = quorum.TimedOut
						}
						if got := cl.co.Result(c.op).Status; got != want {
							t.Fatal(check.Mismatch(fmt.Sprintf(
								"%s, Timeout=5: only replicas %v could answer (%d of them; %s=%d), no other faults; after 12 ticks, the Status of %s (op %d)\n(an operation is OK once %s distinct replicas answered, TimedOut if that cannot happen within Timeout ticks)",
								cl.desc(), ids[:k], k, c.what, c.need, c.name, c.op, c.what), want, got.String()+"\n"+cl.diagram()))
						}
					}
				}
			}
		}
	}
}

func TestDuplicatedMessagesDoNotMakeAQuorum(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		n := 2 + rnd.IntN(4)
		r, w := 2+rnd.IntN(n-1), 2+rnd.IntN(n-1)
		ids := replicaIDs(n)
		// Every message is delivered twice, with its own delay.
		cl := newCluster(simnet.Config{Seed: rnd.Uint64(), DuplicateRate: 1, MaxDelay: rnd.IntN(3)}, n, r, w, 8)
		for _, c := range []struct {
			isGet bool
			need  int
		}{{false, w}, {true, r}} {
			for _, reach := range []int{c.need - 1, c.need} {
				cl.only(ids[:reach])
				var op quorum.OpID
				var err error
				name := "Put(\"x\", \"v\", 4)"
				if c.isGet {
					op, err = cl.get("x")
					name = "Get(\"x\")"
				} else {
					op, err = cl.put("x", "v", 4)
				}
				if err != nil {
					return err
				}
				got := cl.await(op, 20).Status
				want := quorum.OK
				if reach < c.need {
					want = quorum.TimedOut
				}
				if got != want {
					return check.Mismatch(fmt.Sprintf(
						"%s, Timeout=8, every message delivered twice: only replicas %v could answer %s (op %d); each replica answers each copy, but one replica counts once\nStatus",
						cl.desc(), ids[:reach], name, op), want, got.String()+"\n"+cl.diagram())
				}
				cl.settle(20)
			}
		}
		return nil
	})
}

func TestAWriteWhoseAcksAreLostTimesOutButCanBeReadLater(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		n := 1 + rnd.IntN(5)
		w := 1 + rnd.IntN(n)
		r := n - w + 1 + rnd.IntN(w) // R + W > N
		cl := newCluster(simnet.Config{Seed: rnd.Uint64()}, n, r, w, 3+rnd.IntN(4))
		if err := cl.writeAll("x", "old", 1+rnd.IntN(9)); err != nil {
			return err
		}
		v := 10 + rnd.IntN(90)
		put, err := cl.put("x", "new", v)
		if err != nil {
			return err
		}
		cl.net.Tick() // the requests arrive; the acknowledgements are on their way
		cl.net.Partition([]simnet.NodeID{coordID}, cl.ids)
		story := fmt.Sprintf("%s, Timeout=%d: every replica received Put(\"x\", \"new\", %d) (op %d), and then every acknowledgement was lost", cl.desc(), cl.cfg.Timeout, v, put)
		res := cl.await(put, 3*cl.cfg.Timeout)
		if res.Status != quorum.TimedOut {
			return check.Mismatch(story+"\nthe coordinator cannot know the write happened: the Put's Status", quorum.TimedOut, res.Status.String()+"\n"+cl.diagram())
		}
		for _, id := range cl.ids {
			if e, ok := cl.reps[id].Lookup("x"); !ok || e.Version != v {
				return check.Mismatch(fmt.Sprintf("%s\nreplica %d: Lookup(\"x\")", story, id), fmt.Sprintf("new@%d", v), cl.holds(id, "x")+"\n"+cl.diagram())
			}
		}
		cl.net.Heal()
		get, err := cl.get("x")
		if err != nil {
			return err
		}
		got := cl.await(get, 3*cl.cfg.Timeout)
		want := quorum.Result{Status: quorum.OK, Found: true, Version: v, Value: "new"}
		if got != want {
			return check.Mismatch(story+"; the Put timed out; then the network healed and Get(\"x\") ran\na timed-out write is not undone: the replicas applied it, so a later read returns it\nGet's result",
				resultString(want), resultString(got)+"\n"+cl.diagram())
		}
		return nil
	})
}

func TestReadRepairUpdatesExactlyTheStaleRepliers(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		n := 2 + rnd.IntN(4)
		r := 2 + rnd.IntN(n-1)
		ids := replicaIDs(n)
		cl := newCluster(simnet.Config{Seed: rnd.Uint64(), MaxDelay: rnd.IntN(3)}, n, r, 1, 12)
		if err := cl.writeAll("x", "old", 9); err != nil {
			return err
		}
		// The read hears exactly R replicas: some got new@10, some did not.
		perm := rnd.Perm(n)
		B := make([]simnet.NodeID, r)
		for i := range r {
			B[i] = ids[perm[i]]
		}
		fresh := 1 + rnd.IntN(r-1)
		A := slices.Clone(B[:fresh])
		for _, id := range without(ids, B) {
			if rnd.IntN(2) == 0 {
				A = append(A, id)
			}
		}
		slices.Sort(A)
		slices.Sort(B)
		cl.only(A)
		if _, err := cl.put("x", "new", 10); err != nil {
			return err
		}
		cl.settle(30)
		cl.only(B)
		sentBefore := len(cl.net.Sent())
		get, err := cl.get("x")
		if err != nil {
			return err
		}
		res := cl.await(get, 30)
		cl.settle(30)
		story := fmt.Sprintf("%s, every replica holding old@9: new@10 was written to replicas %v only; then Get(\"x\") (op %d) could hear only replicas %v", cl.desc(), A, get, B)
		if want := (quorum.Result{Status: quorum.OK, Found: true, Version: 10, Value: "new"}); res != want {
			return check.Mismatch(story+"\nGet's result", resultString(want), resultString(res)+"\n"+cl.diagram())
		}
		var repairs []simnet.NodeID
		for _, m := range cl.net.Sent()[sentBefore:] {
			if m.Body.Kind == quorum.Repair {
				repairs = append(repairs, m.To)
			}
		}
		slices.Sort(repairs)
		if stale := without(B, A); !slices.Equal(repairs, stale) {
			return check.Mismatch(story+"\nread repair sends one Repair to each counted replica that replied with an older version, and to no one else; Repairs were sent to",
				stale, fmt.Sprint(repairs)+"\n"+cl.diagram())
		}
		for _, id := range ids {
			want := "old@9"
			if slices.Contains(A, id) || slices.Contains(B, id) {
				want = "new@10"
			}
			if got := cl.holds(id, "x"); got != want {
				return check.Mismatch(fmt.Sprintf("%s\nafter the Get and its repairs, replica %d holds", story, id), want, got+"\n"+cl.diagram())
			}
		}
		return nil
	})
}

func TestEachOperationSendsNRequestsAndNeverRetries(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		// Nobody answers: still exactly N requests per operation.
		n := 1 + rnd.IntN(5)
		cl := newCluster(simnet.Config{Seed: rnd.Uint64()}, n, 1+rnd.IntN(n), 1+rnd.IntN(n), 2+rnd.IntN(4))
		for _, id := range cl.ids {
			cl.net.Crash(id)
		}
		if _, err := cl.put("x", "v", 1); err != nil {
			return err
		}
		if _, err := cl.get("x"); err != nil {
			return err
		}
		cl.net.Run(5 * cl.cfg.Timeout)
		fromCoord := cl.net.CountSent(func(m Message) bool { return m.From == coordID })
		if fromCoord != 2*n {
			return check.Mismatch(fmt.Sprintf("%s, Timeout=%d, every replica crashed: one Put and one Get, then %d ticks; messages the coordinator sent in all (N requests per operation, no retries)",
				cl.desc(), cl.cfg.Timeout, 5*cl.cfg.Timeout), 2*n, fmt.Sprint(fromCoord)+"\n"+cl.diagram())
		}
		// A busy run with faults: N requests per operation, at most R-1
		// repairs per Get, nothing else.
		w := newWorkload(rnd, false)
		if err := w.run(nil, nil); err != nil {
			return err
		}
		perOp := map[quorum.OpID]map[quorum.Kind]int{}
		for _, m := range w.cl.net.Sent() {
			if m.From != coordID {
				continue
			}
			if perOp[m.Body.Op] == nil {
				perOp[m.Body.Op] = map[quorum.Kind]int{}
			}
			perOp[m.Body.Op][m.Body.Kind]++
		}
		N := len(w.cl.ids)
		for _, o := range w.ops {
			counts := perOp[o.id]
			want := map[quorum.Kind]int{quorum.PutReq: N}
			if o.isGet {
				want = map[quorum.Kind]int{quorum.GetReq: N}
				if rep := counts[quorum.Repair]; rep > 0 {
					want[quorum.Repair] = rep
					if rep > w.cl.cfg.R-1 {
						return check.Mismatch(fmt.Sprintf("%s: %s (op %d): a Get repairs only counted replicas older than the winner, so at most R-1; Repairs sent", w.desc(), o.name(), o.id), fmt.Sprintf("at most %d", w.cl.cfg.R-1), rep)
					}
				}
			}
			if fmt.Sprint(counts) != fmt.Sprint(want) {
				return check.Mismatch(fmt.Sprintf("%s: messages the coordinator sent for %s (op %d) over the whole run, by kind (exactly N requests, once; no retries)", w.desc(), o.name(), o.id), want, counts)
			}
		}
		return nil
	})
}

func TestAnswersArrivingAfterTheTimeoutDoNotChangeTheOutcome(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		n := 1 + rnd.IntN(5)
		timeout := 1 + rnd.IntN(4)
		// Every message takes Timeout ticks or more: no answer can arrive in
		// time, but every answer arrives.
		delay := timeout + rnd.IntN(2)
		maxDelay := delay + rnd.IntN(2)
		cl := newCluster(simnet.Config{Seed: rnd.Uint64(), MinDelay: delay, MaxDelay: maxDelay}, n, 1+rnd.IntN(n), 1+rnd.IntN(n), timeout)
		put, err := cl.put("x", "v", 5)
		if err != nil {
			return err
		}
		get, err := cl.get("x")
		if err != nil {
			return err
		}
		cl.settle(10 * (maxDelay + 2))
		for _, op := range []quorum.OpID{put, get} {
			if st := cl.co.Result(op).Status; st != quorum.TimedOut {
				return check.Mismatch(fmt.Sprintf(
					"%s, Timeout=%d, every message delayed %d..%d ticks: Put(\"x\", \"v\", 5) is op %d and Get(\"x\") op %d; both timed out before any answer arrived, then all the answers arrived; a finished operation never changes\nop %d's Status after every message arrived",
					cl.desc(), timeout, delay, maxDelay, put, get, op), quorum.TimedOut, st.String()+"\n"+cl.diagram())
			}
		}
		return nil
	})
}
