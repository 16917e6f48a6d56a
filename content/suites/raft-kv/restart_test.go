//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
)

func TestRestartedServersRebuildTheirStateAndExactlyOnceTableFromTheLog(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 8, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		keys := []string{"x", edgeString(r)}
		model := map[string]string{}
		seqs := map[int64]int64{}
		var story []string
		var last raft.Request
		for i := range 12 + r.IntN(12) {
			cid := int64(r.IntN(3)) - 1
			seqs[cid]++
			q := raft.Request{ClientID: cid, Seq: seqs[cid], Op: raft.Append, Key: keys[r.IntN(len(keys))], Value: fmt.Sprintf("<%d>", i)}
			if r.IntN(4) == 0 {
				q.Op = raft.Put
				model[q.Key] = q.Value
			} else {
				model[q.Key] += q.Value
			}
			story = append(story, requestString(q))
			if _, err := p.call(lead, q, replyBound); err != nil {
				return err
			}
			last = q
		}
		// The last request is applied once more, by a copy whose reply is
		// lost, after which every server crashes.
		cl.net.Block(lead, p.id)
		p.send(lead, last)
		cl.net.Run(replyBound)
		whole := r.IntN(2) == 0
		if whole {
			for _, id := range cl.ids {
				cl.net.Crash(id)
			}
			cl.net.Run(r.IntN(5))
			for _, id := range cl.ids {
				cl.restart(id)
			}
		} else {
			for _, id := range cl.ids {
				cl.restart(id)
				cl.net.Run(electionMax)
			}
		}
		cl.net.Heal()
		how := "every server crashed at once and restarted from its storage"
		if !whole {
			how = "every server crashed and restarted from its storage, one after the other"
		}
		story = append(story, fmt.Sprintf("(%s)", how))
		lead, err = cl.awaitLeader(300)
		if err != nil {
			return err
		}
		// The client retries its last request: it was applied already.
		g, err := p.call(lead, last, replyBound)
		story = append(story, "retry of "+requestString(last))
		if err != nil {
			return fmt.Errorf("after:\n%s\n%w", strings.Join(story, "\n"), err)
		}
		if g.r.Err != raft.OK {
			return check.Mismatch("after:\n"+strings.Join(story, "\n")+"\nthe reply to the retry", "OK", g.String())
		}
		for _, k := range keys {
			seqs[5]++
			get := raft.Request{ClientID: 5, Seq: seqs[5], Op: raft.Get, Key: k}
			g, err := p.call(lead, get, replyBound)
			if err != nil {
				return err
			}
			want := raft.Reply{ClientID: 5, Seq: seqs[5], Err: raft.OK, Value: model[k], Leader: lead}
			if g.r != want {
				return check.Mismatch(fmt.Sprintf("%d servers; after:\n%s\n%s; its reply (rule K7: a restarted server applies its log again from index 1, rebuilding its state and its exactly-once table)", n, strings.Join(story, "\n"), requestString(get)), replyString(want), g.String())
			}
		}
		for _, k := range keys {
			if err := cl.valuesEverywhere(fmt.Sprintf("%d servers; after:\n%s\n(rule K7)", n, strings.Join(story, "\n")), k, model[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestServersRestartedWithEmptyStoragesStartAfresh(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 6, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, r.IntN(2))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		for i := range 4 {
			q := raft.Request{ClientID: 1, Seq: int64(i + 1), Op: raft.Append, Key: "x", Value: fmt.Sprintf("<%d>", i)}
			if _, err := p.call(lead, q, replyBound); err != nil {
				return err
			}
		}
		cl.settle(replyBound)
		// A brand-new cluster in the same place: new servers, new empty
		// storages. Nothing of the old one may survive (no state kept
		// outside the Server, such as in package variables).
		for _, id := range cl.ids {
			cl.net.Crash(id)
		}
		cl.net.RunUntil(func() bool { return len(cl.net.InFlight()) == 0 }, 10)
		for _, id := range cl.ids {
			cl.restartEmpty(id)
		}
		cl.applied = nil
		story := fmt.Sprintf("%d servers: four Appends of ClientID 1 to \"x\" were applied everywhere; then every server was replaced by a new one with a new, empty storage", n)
		for _, id := range cl.ids {
			if v, ok := cl.servers[id].Value("x"); ok {
				return check.Mismatch(story+fmt.Sprintf(":\nthe new server %d's Value(\"x\")", id), "no value", fmt.Sprintf("%q", v))
			}
		}
		lead, err = cl.awaitLeader(300)
		if err != nil {
			return err
		}
		q := raft.Request{ClientID: 1, Seq: 1, Op: raft.Append, Key: "x", Value: "<new>"}
		story += ", and the new cluster got " + requestString(q) + " (the new servers have never seen ClientID 1)"
		if g, err := p.call(lead, q, replyBound); err != nil {
			return err
		} else if g.r.Err != raft.OK {
			return check.Mismatch(story+":\nits reply", "OK", g.String())
		}
		return cl.valuesEverywhere(story, "x", "<new>")
	})
}
