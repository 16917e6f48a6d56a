//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// record is one operation of a client: what it asked, when it first sent
// it, and the reply it accepted (and when).
type record struct {
	client   int // the client's number, from 0
	req      raft.Request
	call     int // tick of the first send
	ret      int // tick the accepted reply arrived
	done     bool
	err      raft.Err
	value    string
	from     simnet.NodeID // the server whose reply was accepted
	attempts int
}

func (r *record) String() string {
	s := fmt.Sprintf("client %d (ClientID %d) Seq %d: %s sent at tick %d", r.client, r.req.ClientID, r.req.Seq, opString(r.req), r.call)
	if !r.done {
		return s + ", no reply accepted"
	}
	out := string(r.err)
	if r.req.Op == raft.Get {
		out += fmt.Sprintf(" %q", r.value)
	}
	return s + fmt.Sprintf(", %s from server %d at tick %d", out, r.from, r.ret)
}

func opString(q raft.Request) string {
	if q.Op == raft.Get {
		return fmt.Sprintf("Get(%q)", q.Key)
	}
	return fmt.Sprintf("%s(%q, %q)", opName(q.Op), q.Key, q.Value)
}

// client is the suite's own key-value client (rule K4): one request at a
// time, Seq from 1 (or from its start value), the same request retried
// until a reply other than ErrWrongLeader; on ErrWrongLeader it goes to the
// leader named in the reply, or to the next server; after retry ticks with no
// reply it sends the same request again, to the next server.
type client struct {
	cl     *cluster
	num    int
	id     simnet.NodeID
	cid    int64
	seq    int64
	rng    *rand.Rand
	retry  int
	next   func() (raft.Request, bool) // the next operation, false when done
	think  int                         // at most this many idle ticks between operations
	wait   int
	cur    *record
	target simnet.NodeID
	lastTo simnet.NodeID
	sentAt int
	hist   *[]*record
	sent   map[int64]raft.Request
	first  map[int64]raft.Reply // the first accepted reply to each Seq
	err    error
}

func (cl *cluster) addClient(num int, cid, firstSeq int64, rng *rand.Rand, retry int, hist *[]*record, next func() (raft.Request, bool)) *client {
	c := &client{
		cl: cl, num: num, id: clientBase + simnet.NodeID(num), cid: cid, seq: firstSeq - 1, rng: rng, retry: retry,
		next: next, hist: hist, sent: map[int64]raft.Request{}, first: map[int64]raft.Reply{},
		target: cl.ids[rng.IntN(len(cl.ids))],
	}
	cl.net.Add(c.id, c)
	return c
}

func (c *client) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// idle reports whether the client has nothing outstanding and nothing more
// to do.
func (c *client) idle() bool { return c.cur == nil && c.wait < 0 }

func (c *client) otherServer(after simnet.NodeID) simnet.NodeID {
	ids := c.cl.ids
	i := 0
	for j, id := range ids {
		if id == after {
			i = j + 1
		}
	}
	return ids[i%len(ids)]
}

func (c *client) send() []Message {
	c.lastTo, c.sentAt = c.target, c.cl.net.Now()
	c.cur.attempts++
	q := c.cur.req
	return []Message{{From: c.id, To: c.target, Body: raft.KVMsg{Request: &q}}}
}

func (c *client) Tick() []Message {
	now := c.cl.net.Now()
	if c.cur != nil {
		if now-c.sentAt >= c.retry {
			c.target = c.otherServer(c.lastTo)
			return c.send()
		}
		return nil
	}
	if c.wait < 0 {
		return nil
	}
	if c.wait > 0 {
		c.wait--
		return nil
	}
	q, ok := c.next()
	if !ok {
		c.wait = -1
		return nil
	}
	c.seq++
	q.ClientID, q.Seq = c.cid, c.seq
	c.sent[q.Seq] = q
	c.cur = &record{client: c.num, req: q, call: now}
	*c.hist = append(*c.hist, c.cur)
	return c.send()
}

func (c *client) Receive(m Message) []Message {
	r := m.Body.Reply
	if r == nil || !c.cl.isServer(m.From) {
		return nil // the watchers report what servers send wrongly
	}
	q, known := c.sent[r.Seq]
	if r.ClientID != c.cid || !known {
		c.fail(fmt.Errorf("client %d (ClientID %d) received %s from server %d, a reply to a request it never sent (a Reply carries the ClientID and Seq of its Request)", c.num, c.cid, replyString(*r), m.From))
		return nil
	}
	if r.Err != raft.ErrWrongLeader {
		if err := replyFits(q, *r); err != nil {
			c.fail(fmt.Errorf("server %d answered %s with %s: %w", m.From, requestString(q), replyString(*r), err))
			return nil
		}
		if f, ok := c.first[r.Seq]; ok && (f.Err != r.Err || f.Value != r.Value) {
			c.fail(fmt.Errorf("two answers to the same request %s differ: first %s, then, from server %d, %s\n(rule K4: a retried request is answered with the reply remembered for it)", requestString(q), replyString(f), m.From, replyString(*r)))
			return nil
		} else if !ok {
			c.first[r.Seq] = *r
		}
	}
	if c.cur == nil || r.Seq != c.cur.req.Seq {
		return nil // a late copy
	}
	if r.Err == raft.ErrWrongLeader {
		if m.From != c.lastTo {
			return nil
		}
		if r.Leader != 0 && r.Leader != m.From && c.cl.isServer(r.Leader) {
			c.target = r.Leader
		} else {
			c.target = c.otherServer(m.From)
		}
		return c.send()
	}
	c.cur.done, c.cur.ret, c.cur.err, c.cur.value, c.cur.from = true, c.cl.net.Now(), r.Err, r.Value, m.From
	c.cur = nil
	if c.think > 0 {
		c.wait = c.rng.IntN(c.think + 1)
	}
	return nil
}

// replyFits checks a reply other than ErrWrongLeader against rule K5.
func replyFits(q raft.Request, r raft.Reply) error {
	switch {
	case q.Op == raft.Get && r.Err == raft.ErrNoKey && r.Value != "":
		return fmt.Errorf("ErrNoKey comes with Value \"\" (rule K5)")
	case q.Op == raft.Get && (r.Err == raft.OK || r.Err == raft.ErrNoKey):
		return nil
	case q.Op != raft.Get && r.Err == raft.OK && r.Value != "":
		return fmt.Errorf("the Value of a Reply is what a Get read, \"\" otherwise")
	case q.Op != raft.Get && r.Err == raft.OK:
		return nil
	case q.Op != raft.Get:
		return fmt.Errorf("Put and Append always succeed with OK once applied (rule K5)")
	}
	return fmt.Errorf("a Get is answered OK, ErrNoKey or ErrWrongLeader")
}

// workloadOps returns a generator of n random operations on keys: Gets,
// Puts and Appends, every written value unique (it names the client and the
// operation), so that an Append applied twice shows in later reads.
func workloadOps(rng *rand.Rand, num, n int, keys []string, edgy bool) func() (raft.Request, bool) {
	i := 0
	return func() (raft.Request, bool) {
		if i == n {
			return raft.Request{}, false
		}
		i++
		q := raft.Request{Key: keys[rng.IntN(len(keys))]}
		switch k := rng.IntN(10); {
		case k < 4:
			q.Op = raft.Get
		case k < 6:
			q.Op = raft.Put
		default:
			q.Op = raft.Append
		}
		if q.Op != raft.Get {
			q.Value = fmt.Sprintf("<%d.%d>", num, i)
			if edgy && rng.IntN(3) == 0 {
				q.Value = check.EdgeName(rng) + q.Value
			}
		}
		return q, true
	}
}
