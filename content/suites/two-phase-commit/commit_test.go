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

// runWorkload begins each plan at its start tick (when the coordinator is
// up), checking every invariant after every tick, then settles.
func runWorkload(cl *cluster, plans []*txPlan, starts []int, settleTicks int) error {
	for _, p := range plans {
		cl.addTx(p)
	}
	next := 0
	for next < len(plans) {
		for next < len(plans) && starts[next] <= cl.net.Now() {
			if err := cl.begin(plans[next].id); err != nil {
				return err
			}
			next++
		}
		if next < len(plans) {
			if err := cl.tick(); err != nil {
				return err
			}
		}
	}
	if err := cl.settle(settleTicks); err != nil {
		return err
	}
	return cl.checkSettled()
}

// checkSettled checks, once nothing waits, that a committed transaction is
// committed at every participant.
func (cl *cluster) checkSettled() error {
	for _, tx := range cl.order {
		p := cl.txs[tx]
		if !p.begun {
			continue
		}
		if cl.outcome(tx) != twopc.Committed {
			continue
		}
		for _, id := range p.parts {
			if st := cl.participant(id).Status(tx); st != twopc.Committed {
				return cl.fail(tx, "%s was committed, and after every failure was repaired participant %d still reports Status(%s) = %v: every participant ends with the decision",
					tx, id, tx, st)
			}
		}
	}
	return nil
}

// randomStarts spreads n Begin calls over the first spread ticks, in order.
func randomStarts(r *rand.Rand, n, spread int) []int {
	s := make([]int, n)
	at := 0
	for i := range s {
		s[i] = at
		at += r.IntN(spread/n + 1)
	}
	return s
}

func TestCommitsWhenEveryParticipantVotesYesAndNothingFails(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(4), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(4))
		plans := workload(r, cl.parts, 1+r.IntN(4), false, 0)
		if err := runWorkload(cl, plans, randomStarts(r, len(plans), 6), 20*(cfg.MaxDelay+1)+cl.voteTimeout); err != nil {
			return err
		}
		for _, p := range plans {
			if err := cl.expectOutcome(p.id, twopc.Committed, fmt.Sprintf(
				"every participant of %s votes Yes, no message is lost and the vote timeout (%d) covers the message delays", p.id, cl.voteTimeout)); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestCommitsOnlyIfEveryParticipantVotedYes(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns*2, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 2+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		plans := workload(r, cl.parts, 1+r.IntN(4), false, 0.3)
		if err := runWorkload(cl, plans, randomStarts(r, len(plans), 6), 20*(cfg.MaxDelay+1)+cl.voteTimeout); err != nil {
			return err
		}
		for _, p := range plans {
			want, why := twopc.Committed, "every participant votes Yes and nothing fails"
			if !p.allYes() {
				want, why = twopc.Aborted, "a participant votes No"
			}
			if err := cl.expectOutcome(p.id, want, why); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestMissingVoteCountsAsNo(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 1, false)
		cl := newCluster(cfg, 2+r.IntN(3), safeTimeout(cfg)+r.IntN(4), 1+r.IntN(3))
		silent := cl.parts[r.IntN(len(cl.parts))]
		cl.addTx(oneKeyEach("T1", "x", cl.parts))
		crashed := r.IntN(2) == 0
		if crashed {
			// It never sees the Prepare, so it never votes.
			cl.net.Crash(silent)
		}
		if err := cl.begin("T1"); err != nil {
			return err
		}
		how := fmt.Sprintf("participant %d is crashed and never votes", silent)
		for tick := 1; tick <= cl.voteTimeout; tick++ {
			if err := cl.tick(); err != nil {
				return err
			}
			if !crashed && cl.voteSent[silent]["T1"] == twopc.Yes && cl.net.Connected(silent, coordID) {
				// It voted Yes, and its vote (and every repeat) is lost.
				rest := []simnet.NodeID{coordID}
				for _, id := range cl.parts {
					if id != silent {
						rest = append(rest, id)
					}
				}
				cl.net.Partition([]simnet.NodeID{silent}, rest)
				how = fmt.Sprintf("participant %d voted Yes, but it is cut off from the coordinator from tick %d on, so its Yes never arrives", silent, tick)
			}
			want := twopc.Pending
			if tick == cl.voteTimeout {
				want = twopc.Aborted
			}
			if got := cl.coordinator().Decision("T1"); got != want {
				return cl.fail("T1", "%s", check.Mismatch(fmt.Sprintf(
					"%s; the others vote Yes. With voteTimeout %d, the coordinator's Decision(T1) after its Tick number %d since Begin (a missing vote is a No when the timeout expires, and not before)",
					how, cl.voteTimeout, tick), want, got))
			}
		}
		if err := cl.run(cl.retryEvery + 2); err != nil {
			return err
		}
		if err := cl.settle(4*cl.retryEvery + 6*(cfg.MaxDelay+1)); err != nil {
			return err
		}
		for _, id := range cl.parts {
			st := cl.participant(id).Status("T1")
			if st != twopc.Aborted && (id != silent || !crashed || st != twopc.Unknown) {
				return cl.fail("T1", "%s", check.Mismatch(fmt.Sprintf(
					"%s, so the coordinator aborted T1 at its vote timeout; after the failure is repaired, participant %d's Status(T1)", how, id),
					twopc.Aborted, st))
			}
		}
		return nil
	})
}

func TestConflictingPrepareVotesNo(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 0, true)
		cl := newCluster(cfg, 1+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		hot := cl.parts[r.IntN(len(cl.parts))]
		t1 := oneKeyEach("T1", "k1", cl.parts)
		t2 := oneKeyEach("T2", "k2", cl.parts)
		t1.writes[hot] = append(t1.writes[hot], twopc.Write{Key: "a", Value: "T1"})
		t2.writes[hot] = append([]twopc.Write{{Key: "a", Value: "T2"}}, t2.writes[hot]...)
		cl.addTx(t1)
		cl.addTx(t2)
		// Both Prepares reach the hot participant in the same tick, before
		// either transaction can be decided.
		if err := cl.begin("T1"); err != nil {
			return err
		}
		if err := cl.begin("T2"); err != nil {
			return err
		}
		if err := cl.settle(20 + cl.voteTimeout); err != nil {
			return err
		}
		o1, o2 := cl.outcome("T1"), cl.outcome("T2")
		if (o1 == twopc.Committed) == (o2 == twopc.Committed) {
			return cl.fail("", "%s", check.Mismatch(fmt.Sprintf(
				"T1 and T2 both write key \"a\" at participant %d and their Prepares arrive there in the same tick; every VoteFunc says yes. The first one prepared locks \"a\", so the other gets No (a conflict is a No, never a wait); outcomes of T1, T2", hot),
				"one Committed, one Aborted", fmt.Sprintf("%v, %v", o1, o2)))
		}
		return nil
	})
}

func TestLocksAreReleasedOnCommitAndOnAbort(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		n := 3 + r.IntN(4)
		// The same keys at the same participants, one transaction after the
		// other: each can only prepare if the one before released its locks.
		for i := 1; i <= n; i++ {
			tx := twopc.TxID(fmt.Sprintf("T%d", i))
			var no []simnet.NodeID
			for _, id := range cl.parts {
				if r.IntN(4) == 0 {
					no = append(no, id)
				}
			}
			cl.addTx(oneKeyEach(tx, "a", cl.parts, no...))
		}
		for _, tx := range cl.order {
			if err := cl.begin(tx); err != nil {
				return err
			}
			if err := cl.settle(20*(cfg.MaxDelay+1) + cl.voteTimeout); err != nil {
				return err
			}
			p := cl.txs[tx]
			want, why := twopc.Committed, fmt.Sprintf("every participant votes Yes on %s and it runs after the transactions before it were decided, so their locks on \"a\" are released", tx)
			if !p.allYes() {
				want, why = twopc.Aborted, "a participant votes No"
			}
			if err := cl.expectOutcome(tx, want, why); err != nil {
				return err
			}
			for _, id := range p.parts {
				if holder, ok := cl.participant(id).LockedBy("a"); ok {
					return cl.fail(tx, "%s", check.Mismatch(fmt.Sprintf(
						"%s is %v and no other transaction is running; participant %d's LockedBy(\"a\")", tx, want, id),
						"not locked", lockString(holder, ok)))
				}
			}
		}
		return nil
	})
}

func TestDuplicatesAndReorderingAreHarmless(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := simnet.Config{Seed: r.Uint64(), MaxDelay: 1 + r.IntN(3), DuplicateRate: 0.5}
		cl := newCluster(cfg, 2+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		plans := workload(r, cl.parts, 4+r.IntN(6), true, 0.15)
		bound := 30*(cfg.MaxDelay+1) + cl.voteTimeout
		if err := runWorkload(cl, plans, randomStarts(r, len(plans), 20), bound); err != nil {
			return err
		}
		// Then a late copy of every message ever sent arrives, in any order:
		// nothing may change.
		old := cl.net.Sent()
		r.Shuffle(len(old), func(i, j int) { old[i], old[j] = old[j], old[i] })
		cl.net.Send(old...)
		if err := cl.settle(bound); err != nil {
			return err
		}
		return cl.checkSettled()
	})
}

func TestVotesFromNodesThatAreNotParticipantsAreIgnored(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 2+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		outsider := cl.parts[r.IntN(len(cl.parts))]
		var parts []simnet.NodeID
		for _, id := range cl.parts {
			if id != outsider {
				parts = append(parts, id)
			}
		}
		cl.addTx(oneKeyEach("T1", "x", parts))
		if err := cl.begin("T1"); err != nil {
			return err
		}
		// Node outsider writes nothing in T1, yet votes No and Yes on it;
		// its votes can reach the coordinator before any real vote.
		votes := []Message{
			{From: outsider, To: coordID, Body: twopc.Msg{Kind: twopc.No, Tx: "T1"}},
			{From: outsider, To: coordID, Body: twopc.Msg{Kind: twopc.Yes, Tx: "T1"}},
		}
		r.Shuffle(len(votes), func(i, j int) { votes[i], votes[j] = votes[j], votes[i] })
		cl.net.Send(votes...)
		if err := cl.settle(20*(cfg.MaxDelay+1) + cl.voteTimeout); err != nil {
			return err
		}
		return cl.expectOutcome("T1", twopc.Committed, fmt.Sprintf(
			"node %d is not a participant of T1 (Begin gave it no writes), so its No and Yes on T1 are ignored; every participant of T1 votes Yes and nothing fails", outsider))
	})
}

func TestNothingIsVisibleBeforeCommit(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randNet(r, 2, true)
		cl := newCluster(cfg, 1+r.IntN(3), safeTimeout(cfg)+r.IntN(2), 1+r.IntN(3))
		cl.addTx(oneKeyEach("T1", "a", cl.parts))
		cl.addTx(oneKeyEach("T2", "a", cl.parts))
		cl.addTx(oneKeyEach("T3", "a", cl.parts))
		bound := 20*(cfg.MaxDelay+1) + cl.voteTimeout
		if err := cl.begin("T1"); err != nil {
			return err
		}
		if err := cl.settle(bound); err != nil {
			return err
		}
		// T2 prepares everywhere, then its coordinator is gone for a while:
		// its writes must stay invisible all that time.
		if err := cl.begin("T2"); err != nil {
			return err
		}
		cl.net.Crash(coordID)
		down := 2*cl.retryEvery + 2*cfg.MaxDelay + 4 + r.IntN(10)
		for range down {
			if err := cl.tick(); err != nil {
				return err
			}
			for _, id := range cl.parts {
				if v, ok := cl.participant(id).Read("a"); !ok || v != "T1" {
					return cl.fail("T2", "%s", check.Mismatch(fmt.Sprintf(
						"T1 committed a=T1; T2 (a=T2) is not decided yet (its coordinator is down) and participant %d reports Status(T2) = %v; Read(\"a\") there",
						id, cl.participant(id).Status("T2")), `("T1", true)`, readString(v, ok)))
				}
			}
		}
		if err := cl.settle(bound + 4*cl.retryEvery); err != nil {
			return err
		}
		if err := cl.expectOutcome("T2", twopc.Aborted, "the coordinator crashed before it decided T2 and has no record of it (presumed abort)"); err != nil {
			return err
		}
		if err := cl.begin("T3"); err != nil {
			return err
		}
		return cl.settle(bound)
	})
}
