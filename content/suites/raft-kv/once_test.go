//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// valuesEverywhere settles the cluster and checks that every server holds
// want (present) for key.
func (cl *cluster) valuesEverywhere(story, key, want string) error {
	if !cl.settle(5 * replyBound) {
		return fmt.Errorf("%s:\nthe servers did not all apply what the leader committed within %d ticks\n%s", story, 5*replyBound, cl.diagram())
	}
	for _, id := range cl.ids {
		if v, ok := cl.servers[id].Value(key); v != want || !ok {
			return check.Mismatch(fmt.Sprintf("%s:\nserver %d's Value(%q)", story, id, key), fmt.Sprintf("%q", want), valueString(v, ok)+"\n"+cl.diagram())
		}
	}
	return cl.err
}

func TestACopiedAndRetriedAppendIsAppliedOnceAndAnsweredAlike(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		seed := r.Uint64()
		cl := newCluster(simnet.Config{Seed: seed, DuplicateRate: 1, MaxExtraCopies: 3, MaxDelay: r.IntN(3)}, n, seed)
		lead, err := cl.awaitLeader(300)
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		cid := edgeClientIDs[r.IntN(len(edgeClientIDs))]
		q := raft.Request{ClientID: cid, Seq: 1, Op: raft.Append, Key: "x", Value: "a"}
		// Three copies at once, each delivered up to four times: the leader
		// may submit several before the first is applied.
		for range 3 {
			p.send(lead, q)
		}
		first, ok := p.await(q, lead, replyBound)
		story := fmt.Sprintf("%d servers, leader %d, every message delivered 2 to 4 times: three copies of %s sent to the leader at once", n, lead, requestString(q))
		if !ok {
			return fmt.Errorf("%s:\nno reply within %d ticks\n%s", story, replyBound, cl.diagram())
		}
		if first.r.Err != raft.OK {
			return check.Mismatch(story+":\nthe reply", "OK", first.String())
		}
		// Two retries after the answer.
		for range 2 {
			p.send(lead, q)
			cl.net.Run(3)
		}
		cl.net.Run(replyBound)
		story += ", then twice more after its answer"
		for _, g := range p.repliesTo(q) {
			if g.r.Err != first.r.Err || g.r.Value != first.r.Value {
				return check.Mismatch(story+":\nevery answer to the same request (rule K4: the remembered reply)", first.String(), g.String())
			}
		}
		// A Get shows it, and commits the leader's log up to here.
		get := raft.Request{ClientID: cid, Seq: 2, Op: raft.Get, Key: "x"}
		if g, err := p.call(lead, get, replyBound); err != nil {
			return err
		} else if g.r.Err != raft.OK || g.r.Value != "a" {
			return check.Mismatch(story+":\nthen "+requestString(get)+"; its reply (rule K4: applied exactly once)", replyString(raft.Reply{ClientID: cid, Seq: 2, Err: raft.OK, Value: "a"}), g.String())
		}
		return cl.valuesEverywhere(story, "x", "a")
	})
}

func TestARetryAfterALeaderChangeIsNotAppliedAgain(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, old, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		setup := raft.Request{ClientID: 3, Seq: 1, Op: raft.Put, Key: "x", Value: "s"}
		if _, err := p.call(old, setup, replyBound); err != nil {
			return err
		}
		// The leader applies the Append but its reply is lost.
		cl.net.Block(old, p.id)
		q := raft.Request{ClientID: 3, Seq: 2, Op: raft.Append, Key: "x", Value: "+a"}
		p.send(old, q)
		// Half the time wait for every server to apply it, otherwise only
		// for the leader: the new leader may not have applied it yet.
		waitAll := r.IntN(2) == 0
		committed := cl.net.RunUntil(func() bool {
			applied := 0
			for _, id := range cl.ids {
				if v, _ := cl.servers[id].Value("x"); v == "s+a" {
					applied++
				}
			}
			if waitAll {
				return applied == len(cl.ids)
			}
			v, _ := cl.servers[old].Value("x")
			return v == "s+a"
		}, 3*replyBound)
		if !committed {
			return fmt.Errorf("%d servers, leader %d, no faults: %s was not applied within %d ticks\n%s", n, old, requestString(q), 3*replyBound, cl.diagram())
		}
		how := []string{"crashed", "cut off from everyone"}[r.IntN(2)]
		if how == "crashed" {
			cl.net.Crash(old)
		} else {
			var rest []simnet.NodeID
			for _, id := range cl.ids {
				if id != old {
					rest = append(rest, id)
				}
			}
			cl.net.Partition(append(rest, p.id))
		}
		lead, err := cl.newLeaderAmong(old, 300)
		if err != nil {
			return err
		}
		g, err := p.call(lead, q, 3*replyBound)
		story := fmt.Sprintf("%d servers; %s was answered OK; leader %d applied %s but its reply was lost; then it was %s, %d became leader, and the client retried the same request there",
			n, requestString(setup), old, requestString(q), how, lead)
		if err != nil {
			return fmt.Errorf("%s:\n%w", story, err)
		}
		if g.r.Err != raft.OK {
			return check.Mismatch(story+":\nthe reply to the retry", "OK", g.String())
		}
		get := raft.Request{ClientID: 3, Seq: 3, Op: raft.Get, Key: "x"}
		if g, err := p.call(lead, get, replyBound); err != nil {
			return err
		} else if g.r.Value != "s+a" {
			return check.Mismatch(story+":\nthen "+requestString(get)+"; its reply (rule K4: every server remembers, per client, the highest Seq applied, so the retry's entry is not applied again)", `"s+a"`, g.String()+"\n"+cl.diagram())
		}
		if how == "crashed" {
			cl.restart(old)
		}
		cl.net.Heal()
		return cl.valuesEverywhere(story, "x", "s+a")
	})
}

func TestClientsAreToldApartByClientIDNotBySeq(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 6, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		// ClientIDs that collide when narrowed to 32 bits, or to float64,
		// and 0 and negative ones: each sends Seq 1 and 2.
		ids := []int64{0, 1 << 32, -1, 1<<32 - 1, 1<<53 + 1, 1 << 53, 1 << 62, -(1 << 62), 7}
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		want := ""
		var story []string
		for seq := int64(1); seq <= 2; seq++ {
			for _, id := range ids {
				v := fmt.Sprintf("<%d/%d>", id, seq)
				q := raft.Request{ClientID: id, Seq: seq, Op: raft.Append, Key: "k", Value: v}
				story = append(story, requestString(q))
				g, err := p.call(lead, q, replyBound)
				if err != nil {
					return err
				}
				if g.r.Err != raft.OK {
					return check.Mismatch(fmt.Sprintf("%d servers, leader %d, no faults; the requests, each answered before the next:\n%s\nthe reply to the last", n, lead, strings.Join(story, "\n")), "OK", g.String())
				}
				want += v
			}
		}
		return cl.valuesEverywhere(fmt.Sprintf("%d servers, leader %d, no faults; the requests, each answered OK before the next (every client has its own Seq, rule K4):\n%s", n, lead, strings.Join(story, "\n")), "k", want)
	})
}
