//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// These checks reach the corners of rule K4 (and K2, K3) that histories of
// well-behaved clients rarely reach: a late copy of an old request, at a
// leader that has not applied it yet or at one that has moved on, at a
// follower, and the reply of a server that applies entries in its Tick.

// TestALateCopyOfAnOldRequestIsNotAppliedAgain: a leader commits and
// answers a client's Append with Seq 1, and is cut off before the others
// learn that it is committed. The new leader has the entry but has applied
// nothing; it takes the client's next request, Seq 2, and then a late copy
// of Seq 1, which it puts in the log again (its table has nothing for the
// client yet). Applying the log, every server must skip that second Seq 1,
// because the client's highest applied Seq is then 2 (rule K4: an entry
// whose Seq is <= the highest applied for its client is not applied again),
// and the late copy gets no reply (rule K3).
func TestALateCopyOfAnOldRequestIsNotAppliedAgain(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 6, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		seed := r.Uint64()
		cl, old, err := startCluster(seed, n, 0)
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		cid := edgeClientIDs[r.IntN(len(edgeClientIDs))]
		a := raft.Request{ClientID: cid, Seq: 1, Op: raft.Append, Key: "x", Value: "a"}
		b := raft.Request{ClientID: cid, Seq: 2, Op: raft.Append, Key: "x", Value: "b"}
		p.send(old, a)
		if !cl.net.RunUntil(func() bool { return cl.servers[old].Raft().CommitIndex() >= 1 || cl.err != nil }, replyBound) {
			return fmt.Errorf("%d servers: leader %d did not commit %s within %d ticks\n%s", n, old, requestString(a), replyBound, cl.diagram())
		}
		if cl.err != nil {
			return cl.err
		}
		var rest []simnet.NodeID
		for _, id := range cl.ids {
			if id != old {
				rest = append(rest, id)
			}
		}
		cl.net.Partition([]simnet.NodeID{old, probeID}, append(rest, probeID+1))
		lead, err := cl.awaitLeaderWithout(old, 300)
		if err != nil {
			return err
		}
		story := fmt.Sprintf("%d servers; leader %d committed %s and was cut off before the others learned it; server %d leads now (commit index %d) and gets %s, then a late copy of Seq 1",
			n, old, requestString(a), lead, cl.servers[lead].Raft().CommitIndex(), requestString(b))
		q := cl.addProbe(probeID + 1)
		before := len(cl.servers[lead].Raft().Log())
		q.send(lead, b)
		cl.net.RunUntil(func() bool { return len(cl.servers[lead].Raft().Log()) > before || cl.err != nil }, replyBound)
		q.send(lead, a) // the late copy
		cl.net.Run(replyBound)
		get := raft.Request{ClientID: cid, Seq: 3, Op: raft.Get, Key: "x"}
		g, err := q.call(lead, get, replyBound)
		if err != nil {
			return err
		}
		if g.r.Err != raft.OK || g.r.Value != "ab" {
			return check.Mismatch(story+"; then "+requestString(get)+";\nthe Get's reply (rule K4: when the second Seq 1 is applied, the client's highest applied Seq is 2, so it is skipped)",
				replyString(raft.Reply{ClientID: cid, Seq: 3, Err: raft.OK, Value: "ab", Leader: lead}), g.String()+"\n"+cl.diagram())
		}
		if got := q.repliesTo(a); len(got) > 0 {
			return fmt.Errorf("%s:\nthe late copy of Seq 1 was answered with %s; when its entry is applied the client's highest applied Seq is 2, so it gets no reply (rule K3)\n%s", story, got[0], cl.diagram())
		}
		if got := q.repliesTo(b); len(got) != 1 {
			return fmt.Errorf("%s:\n%s got %d replies, expected exactly one: the late copy of Seq 1 gets no reply, not the remembered reply of Seq 2 (rule K3)\n%s", story, requestString(b), len(got), cl.diagram())
		}
		return cl.err
	})
}

// TestARequestBelowTheLastAppliedSeqGetsNoReplyAndNoEntry: after a
// client's Seq 2 is answered, a copy of its Seq 1 reaching the leader is
// ignored: no new entry, no reply (rule K4).
func TestARequestBelowTheLastAppliedSeqGetsNoReplyAndNoEntry(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 4, func(r *rand.Rand) error {
		n := 1 + 2*r.IntN(3)
		seed := r.Uint64()
		cl, lead, err := startCluster(seed, n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		cid := edgeClientIDs[r.IntN(len(edgeClientIDs))]
		first := int64(1) + r.Int64N(1<<40)
		a := raft.Request{ClientID: cid, Seq: first, Op: raft.Put, Key: "k", Value: "1"}
		b := raft.Request{ClientID: cid, Seq: first + 1, Op: raft.Put, Key: "k", Value: "2"}
		for _, q := range []raft.Request{a, b} {
			if g, err := p.call(lead, q, replyBound); err != nil {
				return err
			} else if g.r.Err != raft.OK {
				return check.Mismatch(fmt.Sprintf("%d servers: %s to leader %d; the reply", n, requestString(q), lead), "OK", g.String())
			}
		}
		entries := len(cl.servers[lead].Raft().Log())
		since := len(p.got)
		p.send(lead, a)
		cl.net.Run(replyBound)
		story := fmt.Sprintf("%d servers: %s and %s answered by leader %d, then a late copy of the first reaches it", n, requestString(a), requestString(b), lead)
		if got := p.got[since:]; len(got) > 0 {
			return fmt.Errorf("%s:\nit answered %s; a request below the highest Seq applied for its client gets no reply (rule K4)\n%s", story, got[0], cl.diagram())
		}
		if now := len(cl.servers[lead].Raft().Log()); now != entries {
			return check.Mismatch(story+":\nthe leader's log length (rule K4: no new entry)", fmt.Sprint(entries), fmt.Sprint(now))
		}
		return cl.err
	})
}

// TestAFollowerSaysErrWrongLeaderEvenForARequestItHasApplied: a retry of a
// request every server has applied, sent to a follower, is answered
// ErrWrongLeader with the leader it knows, not from its exactly-once table:
// only a leader answers (rules K2, K4).
func TestAFollowerSaysErrWrongLeaderEvenForARequestItHasApplied(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 4, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		seed := r.Uint64()
		cl, lead, err := startCluster(seed, n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		cid := edgeClientIDs[r.IntN(len(edgeClientIDs))]
		q := raft.Request{ClientID: cid, Seq: 1, Op: raft.Append, Key: "y", Value: "v"}
		if _, err := p.call(lead, q, replyBound); err != nil {
			return err
		}
		// A Get from another client commits the leader's log everywhere.
		if _, err := p.call(lead, raft.Request{ClientID: cid ^ 1, Seq: 1, Op: raft.Get, Key: "y"}, replyBound); err != nil {
			return err
		}
		if err := cl.valuesEverywhere(fmt.Sprintf("%d servers, leader %d: %s", n, lead, requestString(q)), "y", "v"); err != nil {
			return err
		}
		follower := cl.ids[0]
		if follower == lead {
			follower = cl.ids[1]
		}
		g, err := p.call(follower, q, replyBound)
		if err != nil {
			return err
		}
		want := raft.Reply{ClientID: cid, Seq: 1, Err: raft.ErrWrongLeader, Value: "", Leader: lead}
		if g.r != want {
			return check.Mismatch(fmt.Sprintf("%d servers, leader %d: %s applied everywhere, then sent again to follower %d;\nits reply (rule K2: a server that is not the leader says ErrWrongLeader, naming the leader it knows)", n, lead, requestString(q), follower),
				replyString(want), g.String())
		}
		return cl.err
	})
}

// TestAServerThatAppliesInItsTickRepliesFromThatTick: a cluster of one
// commits and applies in its Tick (it gets no replies to count); the reply
// to a request must leave in the call that applied its entry (rule K3), not
// wait for a later message.
func TestAServerThatAppliesInItsTickRepliesFromThatTick(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 3, func(r *rand.Rand) error {
		seed := r.Uint64()
		cl, lead, err := startCluster(seed, 1, 0)
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		for i, op := range []raft.Op{raft.Put, raft.Append, raft.Get} {
			q := raft.Request{ClientID: 5, Seq: int64(i + 1), Op: op, Key: "z", Value: "w"}
			if op == raft.Get {
				q.Value = ""
			}
			g, err := p.call(lead, q, 4)
			if err != nil {
				return fmt.Errorf("a cluster of one, one request at a time: %w (rule K3: it replies in the call that applies the entry; here that is the Tick after the request arrives)", err)
			}
			if g.r.Err != raft.OK {
				return check.Mismatch("a cluster of one: "+requestString(q)+"; the reply", "OK", g.String())
			}
		}
		return cl.err
	})
}
