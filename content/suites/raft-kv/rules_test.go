//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// probeID is the node ID of the probe client of the deterministic tests; a
// second probe, when there is one, is probeID+1.
const probeID simnet.NodeID = 201

// replyBound is how many ticks the deterministic tests give a leader, on a
// network without faults, to answer a request.
const replyBound = 40

// startCluster builds n servers on a network without faults (messages take
// 1 to 1+maxDelay ticks) and waits for a stable leader.
func startCluster(seed uint64, n, maxDelay int) (*cluster, simnet.NodeID, error) {
	cl := newCluster(simnet.Config{Seed: seed, MaxDelay: maxDelay}, n, seed)
	lead, err := cl.awaitLeader(300)
	return cl, lead, err
}

func TestAFollowerAnswersErrWrongLeaderNamingTheLeader(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 6, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl := newCluster(simnet.Config{Seed: r.Uint64()}, n, r.Uint64())
		p := cl.addProbe(probeID)
		// Before any election nobody leads: Leader 0.
		first := raft.Request{ClientID: 5, Seq: 1, Op: raft.Put, Key: "k", Value: "v"}
		to := cl.ids[r.IntN(n)]
		g, err := p.call(to, first, 3)
		if err != nil {
			return err
		}
		want := raft.Reply{ClientID: 5, Seq: 1, Err: raft.ErrWrongLeader}
		if g.r != want {
			return check.Mismatch(fmt.Sprintf("%d servers just started, no leader yet: %s sent to server %d at tick 0; its reply (rule K2: a server that is not Leader replies ErrWrongLeader with the leader it knows, or 0)", n, requestString(first), to), replyString(want), g.String())
		}
		lead, err := cl.awaitLeader(300)
		if err != nil {
			return err
		}
		seq := int64(1)
		for _, f := range cl.ids {
			if f == lead {
				continue
			}
			for _, op := range []raft.Op{raft.Get, raft.Put, raft.Append} {
				seq++
				q := raft.Request{ClientID: -9, Seq: seq, Op: op, Key: "k", Value: "v"}
				if op == raft.Get {
					q.Value = ""
				}
				g, err := p.call(f, q, 3)
				if err != nil {
					return err
				}
				want := raft.Reply{ClientID: -9, Seq: seq, Err: raft.ErrWrongLeader, Leader: lead}
				if g.r != want {
					return check.Mismatch(fmt.Sprintf("%d servers, server %d leads and every server knows it: %s sent to follower %d; its reply (rule K2)", n, lead, requestString(q), f), replyString(want), g.String()+"\n"+cl.diagram())
				}
			}
		}
		cl.net.Run(20)
		for _, id := range cl.ids {
			if l := cl.servers[id].Raft().Log(); len(l) != 0 {
				return fmt.Errorf("only followers received requests, and each answered ErrWrongLeader; yet server %d's log holds %d entries: %v (a follower never submits)", id, len(l), l)
			}
			if v, ok := cl.servers[id].Value("k"); ok {
				return fmt.Errorf("only followers received requests, and each answered ErrWrongLeader; yet server %d's Value(\"k\") is %q (a follower applies only committed entries)", id, v)
			}
		}
		return cl.err
	})
}

// edgeStrings are keys and values that break encodings built by joining
// fields with a separator, or that lose the difference between "" and
// missing.
var edgeStrings = []string{"", ":", "a:b", "a:b:c", ",", "a,b", "\n", "a\nb", "\x00", "a\x00b", "\"", "{\"Op\":1}", "\\", "|", " ", "%s", "é", "日本", "\U0001F600", "x"}

func edgeString(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return check.EdgeName(r)
	case 1:
		return strings.Repeat("ab:", 1+r.IntN(200))
	}
	return edgeStrings[r.IntN(len(edgeStrings))]
}

// seqClient is one of the clients the probe plays in turn.
type seqClient struct {
	id   int64
	seq  int64
	last raft.Request
	rep  raft.Reply
}

// apiValues checks the values the lesson's API fixes: the Op numbers (the
// zero Op is no operation), their names, and the Err strings.
func apiValues() error {
	ops := []struct {
		op   raft.Op
		num  int
		name string
	}{{raft.Get, 1, "Get"}, {raft.Put, 2, "Put"}, {raft.Append, 3, "Append"}}
	for _, o := range ops {
		if int(o.op) != o.num || o.op.String() != o.name {
			return check.Mismatch("the API fixes Get, Put, Append = 1, 2, 3 (iota + 1) and their String(); "+o.name, fmt.Sprintf("%d %q", o.num, o.name), fmt.Sprintf("%d %q", int(o.op), o.op.String()))
		}
	}
	for _, e := range []struct{ got, want raft.Err }{{raft.OK, "OK"}, {raft.ErrNoKey, "ErrNoKey"}, {raft.ErrWrongLeader, "ErrWrongLeader"}} {
		if e.got != e.want {
			return check.Mismatch("the API fixes the Err values", e.want, e.got)
		}
	}
	return nil
}

func TestOperationsFollowTheKeyValueRules(t *testing.T) {
	defer check.Recover(t)
	if err := apiValues(); err != nil {
		t.Fatal(err)
	}
	check.Seeded(t, 12, func(r *rand.Rand) error {
		n := 3 + 2*r.IntN(2)
		cl, lead, err := startCluster(r.Uint64(), n, r.IntN(3))
		if err != nil {
			return err
		}
		p := cl.addProbe(probeID)
		// Clients with ClientIDs at the edges of int64, some starting with a
		// large Seq.
		cids := clientIDs(r, 4)
		clients := make([]*seqClient, len(cids))
		for i, id := range cids {
			clients[i] = &seqClient{id: id}
			if r.IntN(3) == 0 {
				clients[i].seq = int64(check.EdgeUint64(r, math.MaxInt64-1000))
			}
		}
		keys := []string{edgeString(r), edgeString(r), edgeString(r), "x"}
		model := map[string]string{}
		// The caller's Apply runs after the server's own: at index k the
		// leader's Value of the k-th operation's key is the model's after it.
		type expect struct {
			key, value string
			present    bool
		}
		expected := map[int]expect{}
		var entries int
		cl.onApply = func(id simnet.NodeID, index int, e raft.Entry) {
			x, ok := expected[index]
			if id != lead || !ok {
				return
			}
			if v, present := cl.servers[id].Value(x.key); v != x.value || present != x.present {
				cl.fail(check.Mismatch(fmt.Sprintf("when the Apply given in Config is called for index %d (the operation on key %q), the server has applied that entry already (NewServer: the caller's Apply is called after the server's own); the leader's Value(%q)", index, x.key, x.key), valueString(x.value, x.present), valueString(v, present)))
			}
		}
		var story []string
		for range 40 {
			c := clients[r.IntN(len(clients))]
			if c.seq > 0 && c.last.Seq == c.seq && r.IntN(6) == 0 {
				// A retry of the client's last request, already answered:
				// the remembered reply, at once, with no new entry.
				before := len(cl.servers[lead].Raft().Log())
				story = append(story, "retry of "+requestString(c.last))
				p.got = nil
				g, err := p.call(lead, c.last, replyBound)
				if err != nil {
					return fmt.Errorf("%s\nafter:\n%s", err, strings.Join(story, "\n"))
				}
				if g.r != c.rep {
					return check.Mismatch(fmt.Sprintf("after:\n%s\nthe retried request was answered before; its reply this time (rule K4: the reply remembered for it)", strings.Join(story, "\n")), replyString(c.rep), g.String())
				}
				if after := len(cl.servers[lead].Raft().Log()); after != before {
					return fmt.Errorf("after:\n%s\nthe leader's log grew from %d to %d entries: a request whose Seq equals the highest applied for its client is answered from the remembered reply, without a new entry (rule K4)", strings.Join(story, "\n"), before, after)
				}
				continue
			}
			c.seq++
			q := raft.Request{ClientID: c.id, Seq: c.seq, Key: keys[r.IntN(len(keys))]}
			want := raft.Reply{ClientID: c.id, Seq: c.seq, Err: raft.OK, Leader: lead}
			switch k := r.IntN(3); k {
			case 0:
				q.Op = raft.Get
				v, ok := model[q.Key]
				want.Value = v
				if !ok {
					want.Err = raft.ErrNoKey
				}
			case 1:
				q.Op, q.Value = raft.Put, edgeString(r)
				model[q.Key] = q.Value
			case 2:
				q.Op, q.Value = raft.Append, edgeString(r)
				model[q.Key] += q.Value
			}
			entries++
			v, ok := model[q.Key]
			expected[entries] = expect{q.Key, v, ok}
			story = append(story, requestString(q))
			p.got = nil
			g, err := p.call(lead, q, replyBound)
			if err != nil {
				return fmt.Errorf("%s\nafter:\n%s", err, strings.Join(story, "\n"))
			}
			if g.r != want {
				return check.Mismatch(fmt.Sprintf("%d servers, leader %d, no faults; the requests, in order, each answered before the next:\n%s\nthe reply to the last (rule K5; Value is what a Get read, \"\" otherwise; Leader is the leader the server knows, itself)", n, lead, strings.Join(story, "\n")), replyString(want), g.String())
			}
			if ticks := cl.applyTick[lead]; len(ticks) < entries || ticks[entries-1] >= g.tick {
				applied := "had not applied it yet"
				if len(ticks) >= entries {
					applied = fmt.Sprintf("applied it at tick %d", ticks[entries-1])
				}
				return fmt.Errorf("after:\n%s\nthe leader's reply to the last request arrived at tick %d; the leader put it at index %d and %s: a server replies when the request's entry is applied (rule K3)", strings.Join(story, "\n"), g.tick, entries, applied)
			}
			if cl.err != nil {
				return fmt.Errorf("after:\n%s\n%w", strings.Join(story, "\n"), cl.err)
			}
			c.last, c.rep = q, g.r
		}
		if !cl.settle(200) {
			return fmt.Errorf("the servers did not all apply what the leader committed within 200 ticks of the last reply")
		}
		for _, id := range cl.ids {
			for _, k := range keys {
				mv, mok := model[k]
				if v, ok := cl.servers[id].Value(k); v != mv || ok != mok {
					return check.Mismatch(fmt.Sprintf("after the requests\n%s\nserver %d's Value(%q)", strings.Join(story, "\n"), id, k), valueString(mv, mok), valueString(v, ok))
				}
			}
		}
		if err := cl.bodyChanges(); err != nil {
			return err
		}
		return cl.err
	})
}
