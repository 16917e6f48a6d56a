//go:build dslearnsuite

package twopc_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// chaos says which failures runChaos injects.
type chaos struct {
	crash      []simnet.NodeID // nodes that may crash (and are restarted from their logs)
	pCrash     float64         // chance per tick that such a live node crashes
	maxDown    int             // a crashed node is back after 1..maxDown ticks
	partitions bool            // split and heal the network at random
}

// runChaos begins each plan at its start tick (or as soon as the
// coordinator is up), injects failures for the given number of ticks,
// checking every invariant after every tick, then repairs everything and
// settles.
func runChaos(cl *cluster, r *rand.Rand, plans []*txPlan, starts []int, ch chaos, ticks, settleTicks int) error {
	for _, p := range plans {
		cl.addTx(p)
	}
	backAt := map[simnet.NodeID]int{}
	next := 0
	for cl.net.Now() < ticks || next < len(plans) {
		for next < len(plans) && starts[next] <= cl.net.Now() && cl.net.Alive(coordID) {
			if err := cl.begin(plans[next].id); err != nil {
				return err
			}
			next++
		}
		for _, id := range ch.crash {
			switch {
			case cl.net.Alive(id) && r.Float64() < ch.pCrash:
				cl.net.Crash(id)
				backAt[id] = cl.net.Now() + 1 + r.IntN(ch.maxDown)
			case !cl.net.Alive(id) && cl.net.Now() >= backAt[id]:
				cl.restart(id)
			}
		}
		if ch.partitions {
			switch {
			case r.Float64() < 0.04:
				ids := cl.net.IDs()
				r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
				cut := 1 + r.IntN(len(ids)-1)
				cl.net.Partition(ids[:cut], ids[cut:])
			case r.Float64() < 0.15:
				cl.net.Heal()
			}
		}
		if err := cl.tick(); err != nil {
			return err
		}
	}
	if err := cl.settle(settleTicks); err != nil {
		return err
	}
	return cl.checkSettled()
}

func TestCommitIsLoggedBeforeItIsSent(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		plans := workload(r, cl.parts, 2+r.IntN(4), false, 0.15)
		ch := chaos{crash: []simnet.NodeID{coordID}, pCrash: 0.08, maxDown: 6}
		return runChaos(cl, r, plans, randomStarts(r, len(plans), 20), ch, 30, 40*(cfg.MaxDelay+1)+cl.voteTimeout)
	})
}

func TestPreparedIsLoggedBeforeYesIsSent(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		plans := workload(r, cl.parts, 2+r.IntN(4), true, 0.15)
		ch := chaos{crash: cl.parts, pCrash: 0.04, maxDown: 6}
		return runChaos(cl, r, plans, randomStarts(r, len(plans), 20), ch, 30, 40*(cfg.MaxDelay+1)+cl.voteTimeout)
	})
}

func TestRestartedCoordinatorKeepsALoggedCommit(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		cl.addTx(oneKeyEach("T1", "a", cl.parts))
		// The coordinator dies right after it logs its commit: the Commit
		// messages of that call never leave.
		cl.swallow = true
		if err := cl.begin("T1"); err != nil {
			return err
		}
		for i := 0; !cl.swallowed; i++ {
			if i == cl.voteTimeout+2 {
				return cl.fail("T1", "every participant of T1 votes Yes and no message is lost, yet %d ticks after Begin the coordinator has not sent Commit T1 (Decision(T1) = %v)",
					i, cl.coordinator().Decision("T1"))
			}
			if err := cl.tick(); err != nil {
				return err
			}
		}
		down := 1 + r.IntN(3*cl.retryEvery+4)
		if err := cl.run(down); err != nil {
			return err
		}
		cl.restart(coordID)
		if d := cl.coordinator().Decision("T1"); d != twopc.Committed {
			return cl.fail("T1", "%s", check.Mismatch(fmt.Sprintf(
				"the coordinator logged Committed T1 and crashed before its Commit messages left; %d ticks later it is rebuilt with NewCoordinator(0, log, %d) from that log. Its Decision(T1)",
				down, cl.voteTimeout), twopc.Committed, d))
		}
		if err := cl.check(); err != nil {
			return err
		}
		if err := cl.settle(2*cl.retryEvery + 2*(cfg.MaxDelay+1) + 4); err != nil {
			return err
		}
		return cl.expectOutcome("T1", twopc.Committed, "the coordinator had logged Committed T1 before it crashed, so T1 is committed")
	})
}

func TestRestartedCoordinatorWithNoRecordAborts(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		cl.addTx(oneKeyEach("T1", "a", cl.parts))
		if err := cl.begin("T1"); err != nil {
			return err
		}
		// The Prepares are on their way; the votes will find no one.
		cl.net.Crash(coordID)
		if err := cl.run(1 + r.IntN(2*cl.retryEvery+2*cfg.MaxDelay+4)); err != nil {
			return err
		}
		cl.restart(coordID)
		if d := cl.coordinator().Decision("T1"); d == twopc.Committed || d == twopc.Pending {
			return cl.fail("T1", "the coordinator crashed before any vote reached it, so its log has no decision for T1; rebuilt from that log, its Decision(T1) = %v, expected Unknown (or Aborted)", d)
		}
		if err := cl.settle(2*cl.retryEvery + 2*(cfg.MaxDelay+1) + 4); err != nil {
			return err
		}
		return cl.expectOutcome("T1", twopc.Aborted, "the coordinator crashed before it decided and has no record of T1, so it answers the participants' repeated Yes with Abort (presumed abort)")
	})
}

func TestYesVoterStaysPreparedWhileCoordinatorIsDown(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		var no []simnet.NodeID
		if len(cl.parts) > 1 && r.IntN(2) == 0 {
			no = append(no, cl.parts[r.IntN(len(cl.parts))])
		}
		cl.addTx(oneKeyEach("T1", "a", cl.parts, no...))
		if err := cl.begin("T1"); err != nil {
			return err
		}
		cl.net.Crash(coordID)
		down := 3*(cl.voteTimeout+cl.retryEvery) + 2*cfg.MaxDelay + 10 + r.IntN(20)
		for tick := 1; tick <= down; tick++ {
			if err := cl.tick(); err != nil {
				return err
			}
			if tick <= 1+cfg.MaxDelay {
				continue // the Prepares may still be on their way
			}
			for _, id := range cl.parts {
				if cl.txs["T1"].no[id] {
					continue
				}
				if st := cl.participant(id).Status("T1"); st != twopc.Prepared {
					return cl.fail("T1", "%s", check.Mismatch(fmt.Sprintf(
						"participant %d voted Yes on T1 and the coordinator has been down for %d ticks; it cannot know the decision, so it must keep waiting (its Status(T1))",
						id, tick), twopc.Prepared, st))
				}
			}
		}
		for _, id := range cl.parts {
			if cl.txs["T1"].no[id] {
				continue
			}
			sent := cl.net.CountSent(func(m Message) bool {
				return m.From == id && m.Body.Kind == twopc.Yes && m.Body.Tx == "T1"
			})
			if sent < 3 {
				return cl.fail("T1", "participant %d voted Yes on T1 and sent Yes T1 only %d time(s) in the %d ticks the coordinator was down: while Prepared, it repeats its Yes every retryEvery (%d) ticks, so that a coordinator that comes back can answer",
					id, sent, down, cl.retryEvery)
			}
		}
		cl.restart(coordID)
		if err := cl.settle(2*cl.retryEvery + 2*(cfg.MaxDelay+1) + 4); err != nil {
			return err
		}
		return cl.expectOutcome("T1", twopc.Aborted, "the coordinator crashed before it decided and has no record of T1 (presumed abort)")
	})
}

func TestRestartedParticipantRecoversFromItsLog(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		nparts := 1 + r.IntN(3)
		votesNo := nparts > 1 && r.IntN(3) == 0
		maxDelay := 2
		if votesNo {
			// Every Prepare arrives in tick 1, so the victim votes before
			// the other participant's No can abort T2.
			maxDelay = 0
		}
		cfg := randNet(r, maxDelay, true)
		cl := newCluster(cfg, nparts, safeTimeout(cfg)+r.IntN(3), 1+r.IntN(3))
		victim := cl.parts[r.IntN(len(cl.parts))]
		var no []simnet.NodeID
		if votesNo {
			for _, id := range cl.parts {
				if id != victim {
					no = append(no, id)
					break
				}
			}
		}
		t1 := oneKeyEach("T1", "a", cl.parts)
		t2 := oneKeyEach("T2", "a", cl.parts, no...)
		t2.writes[victim] = append(t2.writes[victim], twopc.Write{Key: "b", Value: "T2"})
		cl.addTx(t1)
		cl.addTx(t2)
		bound := 20*(cfg.MaxDelay+1) + cl.voteTimeout
		if err := cl.begin("T1"); err != nil {
			return err
		}
		if err := cl.settle(bound); err != nil {
			return err
		}
		if err := cl.begin("T2"); err != nil {
			return err
		}
		// The victim crashes right after it votes Yes on T2.
		for cl.voteSent[victim]["T2"] != twopc.Yes {
			if cl.net.Now() > bound {
				return cl.fail("T2", "participant %d was asked to prepare T2, which its VoteFunc accepts and nothing else locks, but it never voted Yes", victim)
			}
			if err := cl.tick(); err != nil {
				return err
			}
		}
		cl.net.Crash(victim)
		down := 1 + r.IntN(2*cl.voteTimeout)
		if err := cl.run(down); err != nil {
			return err
		}
		cl.restart(victim)
		p := cl.participant(victim)
		why := fmt.Sprintf("participant %d committed T1 (a=T1), then voted Yes on T2 (a=T2, b=T2) and crashed; it is rebuilt from its log with NewParticipant", victim)
		if st := p.Status("T1"); st != twopc.Committed {
			return cl.fail("T1", "%s", check.Mismatch(why+"; its Status(T1)", twopc.Committed, st))
		}
		if st := p.Status("T2"); st != twopc.Prepared {
			return cl.fail("T2", "%s", check.Mismatch(why+" before any decision reached it; its Status(T2)", twopc.Prepared, st))
		}
		if v, ok := p.Read("a"); !ok || v != "T1" {
			return cl.fail("T2", "%s", check.Mismatch(why+"; its Read(\"a\")", `("T1", true)`, readString(v, ok)))
		}
		for _, k := range []string{"a", "b"} {
			if holder, ok := p.LockedBy(k); !ok || holder != "T2" {
				return cl.fail("T2", "%s", check.Mismatch(fmt.Sprintf("%s; T2 is still Prepared there, so its LockedBy(%q)", why, k), `(T2, true)`, lockString(holder, ok)))
			}
		}
		if err := cl.check(); err != nil {
			return err
		}
		if err := cl.settle(bound + 4*cl.retryEvery); err != nil {
			return err
		}
		want, how := twopc.Committed, "every participant voted Yes on T2"
		if len(no) > 0 {
			want, how = twopc.Aborted, fmt.Sprintf("participant %d voted No on T2", no[0])
		}
		return cl.expectOutcome("T2", want, how)
	})
}
