//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// isolate partitions the cluster: the old leader (with a minority of
// servers, possibly none) and probe p1 on one side, everyone else and probe
// p2 on the other. It returns the minority's servers.
func (cl *cluster) isolate(r *rand.Rand, lead simnet.NodeID, p1, p2 *probe) []simnet.NodeID {
	small := []simnet.NodeID{lead}
	var big []simnet.NodeID
	extra := r.IntN((len(cl.ids) - 1) / 2) // more servers with the old leader, still a minority
	for _, id := range perm(r, cl.ids) {
		switch {
		case id == lead:
		case extra > 0:
			small = append(small, id)
			extra--
		default:
			big = append(big, id)
		}
	}
	slices.Sort(small)
	slices.Sort(big)
	cl.net.Partition(append(slices.Clone(small), p1.id), append(slices.Clone(big), p2.id))
	return small
}

// newLeaderAmong waits for a leader other than old, the one cut off.
func (cl *cluster) newLeaderAmong(old simnet.NodeID, max int) (simnet.NodeID, error) {
	return cl.awaitLeaderWithout(old, max)
}

func TestALeaderCutOffFromTheMajorityNeverAnswersOK(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p1, p2 := cl.addProbe(probeID), cl.addProbe(probeID+1)
		put := raft.Request{ClientID: 1, Seq: 1, Op: raft.Put, Key: "x", Value: "before"}
		if g, err := p2.call(lead, put, replyBound); err != nil {
			return err
		} else if g.r.Err != raft.OK {
			return check.Mismatch(fmt.Sprintf("%d servers, leader %d, no faults: %s; its reply", n, lead, requestString(put)), "OK", g.String())
		}
		small := cl.isolate(r, lead, p1, p2)
		// Every kind of request reaches the cut-off leader: none can commit.
		reqs := []raft.Request{
			{ClientID: 2, Seq: 1, Op: raft.Get, Key: "x"},
			{ClientID: 3, Seq: 1, Op: raft.Put, Key: "x", Value: "lost"},
			{ClientID: 4, Seq: 1, Op: raft.Append, Key: "y", Value: "lost"},
			{ClientID: 5, Seq: 1, Op: raft.Get, Key: "nothing"},
		}
		for _, q := range reqs {
			p1.send(lead, q)
		}
		cl.net.Run(3 * electionMax)
		story := fmt.Sprintf("%d servers; %s was answered OK by leader %d; then the network split into %v (with the client) and the rest; the client sent to leader %d:\n  %s\n",
			n, requestString(put), lead, small, lead, strings.Join(mapStrings(reqs, requestString), "\n  "))
		for _, g := range p1.got {
			if g.r.Err != raft.ErrWrongLeader {
				return fmt.Errorf("%sserver %d replied %s, %d ticks later: with only a minority it cannot commit anything, and a server replies only once a request's entry is applied (rule K3)\n%s", story, g.from, g.String(), g.tick, cl.diagram())
			}
		}
		return cl.err
	})
}

func mapStrings[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func TestADeposedLeaderNeverAnswersAGetWithAStaleValue(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, old, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p1, p2 := cl.addProbe(probeID), cl.addProbe(probeID+1)
		put := raft.Request{ClientID: 1, Seq: 1, Op: raft.Put, Key: "x", Value: "old"}
		if _, err := p2.call(old, put, replyBound); err != nil {
			return err
		}
		cl.settle(replyBound)
		small := cl.isolate(r, old, p1, p2)
		lead, err := cl.newLeaderAmong(old, 300)
		if err != nil {
			return err
		}
		put2 := raft.Request{ClientID: 1, Seq: 2, Op: raft.Put, Key: "x", Value: "new"}
		if g, err := p2.call(lead, put2, replyBound); err != nil {
			return err
		} else if g.r.Err != raft.OK {
			return check.Mismatch(fmt.Sprintf("the new leader %d, with a majority, answered %s", lead, requestString(put2)), "OK", g.String())
		}
		// The old leader still believes it leads: ask it, and the servers
		// with it, for x.
		get := raft.Request{ClientID: 2, Seq: 1, Op: raft.Get, Key: "x"}
		for _, id := range small {
			p1.send(id, get)
		}
		cl.net.Run(2 * electionMax)
		cl.net.Heal()
		cl.net.Run(replyBound)
		story := fmt.Sprintf("%d servers; leader %d answered %s; the network split into %v with a client, and the rest, which elected %d and answered %s OK; then the client sent %s to each of %v, and later the network healed",
			n, old, requestString(put), small, lead, requestString(put2), requestString(get), small)
		for _, g := range p1.repliesTo(get) {
			if g.r.Err == raft.OK && g.r.Value != "new" {
				return fmt.Errorf("%s:\nserver %d replied %s at tick %d: a value that a completed Put had already replaced (the read is not linearizable). Every Get goes through the log (rule K3): a leader without a majority cannot commit it\n%s", story, g.from, g.String(), g.tick, cl.diagram())
			}
		}
		return cl.err
	})
}

func TestARequestWhoseEntryIsReplacedGetsErrWrongLeader(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, old, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p1, p2 := cl.addProbe(probeID), cl.addProbe(probeID+1)
		before := raft.Request{ClientID: 9, Seq: 1, Op: raft.Put, Key: "x", Value: "before"}
		if _, err := p2.call(old, before, replyBound); err != nil {
			return err
		}
		cl.settle(replyBound)
		small := cl.isolate(r, old, p1, p2)
		op := []raft.Op{raft.Put, raft.Append, raft.Get}[r.IntN(3)]
		lost := raft.Request{ClientID: 1, Seq: 1, Op: op, Key: "x", Value: "lost"}
		if op == raft.Get {
			lost.Value = ""
		}
		p1.send(old, lost)
		cl.net.Run(2)
		index := len(cl.servers[old].Raft().Log())
		lead, err := cl.newLeaderAmong(old, 300)
		if err != nil {
			return err
		}
		won := raft.Request{ClientID: 2, Seq: 1, Op: raft.Put, Key: "x", Value: "won"}
		if g, err := p2.call(lead, won, replyBound); err != nil {
			return err
		} else if g.r.Err != raft.OK {
			return check.Mismatch(fmt.Sprintf("the new leader %d, with a majority, answered %s", lead, requestString(won)), "OK", g.String())
		}
		cl.net.Heal()
		g, ok := p1.await(lost, old, 3*replyBound)
		story := fmt.Sprintf("%d servers; the network split into %v with client 1, and the rest with client 2; client 1 sent %s to the old leader %d, which put it at index %d; the majority elected %d, which committed %s at index %d; then the network healed, and server %d's entry at index %d was replaced",
			n, small, requestString(lost), old, index, lead, requestString(won), index, old, index)
		if cl.err != nil {
			return cl.err
		}
		if !ok {
			return fmt.Errorf("%s:\nserver %d never answered client 1 within %d ticks: when the entry applied at a request's index is not that request, the server replies ErrWrongLeader (rule K3)\n%s", story, old, 3*replyBound, cl.diagram())
		}
		if g.r.Err != raft.ErrWrongLeader {
			return check.Mismatch(story+":\nserver "+fmt.Sprint(old)+"'s reply to client 1 (rule K3: the entry applied at that index is not this request)", raft.ErrWrongLeader, g.String()+"\n"+cl.diagram())
		}
		if !cl.settle(3 * replyBound) {
			return fmt.Errorf("%s:\nthe servers did not settle", story)
		}
		for _, id := range cl.ids {
			if v, _ := cl.servers[id].Value("x"); v != "won" {
				return check.Mismatch(story+fmt.Sprintf(":\nserver %d's Value(\"x\") (only committed entries are applied)", id), `"won"`, fmt.Sprintf("%q", v))
			}
		}
		return cl.err
	})
}
