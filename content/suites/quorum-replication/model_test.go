//go:build dslearnsuite

package quorum_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The model: what the lesson's rules say every replica holds and answers,
// and what the coordinator answers and reports, computed from the messages
// the network actually delivered.

type mop struct {
	kind    quorum.Kind // PutReq or GetReq
	key     string
	age     int
	result  quorum.Result
	counted map[simnet.NodeID]quorum.Msg
}

type qmodel struct {
	cfg      quorum.Config
	coord    simnet.NodeID
	replicas map[simnet.NodeID]map[string]quorum.Entry
	last     quorum.OpID
	ops      map[quorum.OpID]*mop
}

// replica handles m at replica id and returns the reply it must send.
func (q *qmodel) replica(id simnet.NodeID, m Message) []Message {
	b := m.Body
	store := q.replicas[id]
	apply := func() {
		if cur, ok := store[b.Key]; !ok || b.Version > cur.Version {
			store[b.Key] = quorum.Entry{Version: b.Version, Value: b.Value}
		}
	}
	switch b.Kind {
	case quorum.PutReq:
		apply()
		return []Message{{From: id, To: m.From, Body: quorum.Msg{Kind: quorum.PutAck, Op: b.Op, Key: b.Key, Version: b.Version}}}
	case quorum.Repair:
		apply()
	case quorum.GetReq:
		e, ok := store[b.Key]
		return []Message{{From: id, To: m.From, Body: quorum.Msg{Kind: quorum.GetReply, Op: b.Op, Key: b.Key, Found: ok, Version: e.Version, Value: e.Value}}}
	}
	return nil
}

// receive handles m at the coordinator and returns what it must send.
func (q *qmodel) receive(m Message) []Message {
	op, ok := q.ops[m.Body.Op]
	if !ok || op.result.Status != quorum.Pending || !slices.Contains(q.cfg.Replicas, m.From) {
		return nil
	}
	if _, dup := op.counted[m.From]; dup {
		return nil
	}
	switch {
	case m.Body.Kind == quorum.PutAck && op.kind == quorum.PutReq:
		op.counted[m.From] = m.Body
		if len(op.counted) == q.cfg.W {
			op.result.Status = quorum.OK
		}
	case m.Body.Kind == quorum.GetReply && op.kind == quorum.GetReq:
		op.counted[m.From] = m.Body
		if len(op.counted) < q.cfg.R {
			return nil
		}
		var best quorum.Msg
		for _, r := range op.counted {
			if r.Found && (!best.Found || r.Version > best.Version) {
				best = r
			}
		}
		op.result = quorum.Result{Status: quorum.OK, Found: best.Found, Version: best.Version, Value: best.Value}
		if !best.Found {
			return nil
		}
		var out []Message
		for _, id := range q.cfg.Replicas {
			if r, ok := op.counted[id]; ok && (!r.Found || r.Version < best.Version) {
				out = append(out, Message{From: q.coord, To: id, Body: quorum.Msg{Kind: quorum.Repair, Op: m.Body.Op, Key: best.Key, Version: best.Version, Value: best.Value}})
			}
		}
		return out
	}
	return nil
}

func (q *qmodel) tick() {
	for _, op := range q.ops {
		if op.result.Status == quorum.Pending {
			op.age++
			if op.age >= q.cfg.Timeout {
				op.result.Status = quorum.TimedOut
			}
		}
	}
}

func (q *qmodel) start(kind quorum.Kind, key string) quorum.OpID {
	q.last++
	q.ops[q.last] = &mop{kind: kind, key: key, result: quorum.Result{Status: quorum.Pending}, counted: map[simnet.NodeID]quorum.Msg{}}
	return q.last
}

// qrun drives the learner's coordinator and replicas and the model with the
// same schedule.
type qrun struct {
	m     *qmodel
	co    *quorum.Coordinator
	reps  map[simnet.NodeID]*quorum.Replica
	net   *simnet.Network[quorum.Msg]
	keys  []string
	steps []string
	err   error
	watch []quorum.OpID // the operations Pending before the current call
	full  bool          // compare every operation's Result
}

func (x *qrun) fail(format string, args ...any) {
	if x.err == nil {
		x.err = fmt.Errorf(format, args...)
	}
}

func (x *qrun) step(format string, args ...any) {
	x.steps = append(x.steps, fmt.Sprintf("tick %d: ", x.net.Now())+fmt.Sprintf(format, args...))
}

func sortMsgs(ms []Message) []Message {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b Message) int { return cmp.Compare(a.To, b.To) })
	return ms
}

// same compares what a node sent with what the model says it must send
// (To and Body; the network sets From), in any order.
func sameMsgs(got, want []Message) bool {
	g, w := sortMsgs(got), sortMsgs(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i].To != w[i].To || g[i].Body != w[i].Body {
			return false
		}
	}
	return true
}

type qreplica struct {
	x  *qrun
	id simnet.NodeID
}

func (p *qreplica) Receive(m Message) []Message {
	x := p.x
	want := x.m.replica(p.id, m)
	got := x.reps[p.id].Receive(m)
	if x.err == nil && !sameMsgs(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d replica %d received %v from node %d and replied (a reply goes to the sender and echoes Op and Key; fields its kind does not use stay zero)",
			x.net.Now(), p.id, m.Body, m.From), msgList(want), msgList(got)))
	}
	x.compareReplica(p.id, fmt.Sprintf("after receiving %v", m.Body))
	return got
}

func (p *qreplica) Tick() []Message { return p.x.reps[p.id].Tick() }

type qcoord struct{ x *qrun }

func (p *qcoord) Receive(m Message) []Message {
	x := p.x
	want := x.m.receive(m)
	got := x.co.Receive(m)
	if x.err == nil && !sameMsgs(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d the coordinator received %v from node %d and returned (a Get's completing reply returns one Repair to each counted replica whose reply was older or found nothing; everything else returns nothing)",
			x.net.Now(), m.Body, m.From), msgList(want), msgList(got)))
	}
	x.compareResults(fmt.Sprintf("after the coordinator received %v from node %d at tick %d", m.Body, m.From, x.net.Now()))
	return got
}

func (p *qcoord) Tick() []Message {
	x := p.x
	x.m.tick()
	got := x.co.Tick()
	if x.err == nil && len(got) != 0 {
		x.fail("at tick %d the coordinator's Tick returned %s; there are no retries: Tick returns nothing", x.net.Now(), msgList(got))
	}
	x.compareResults(fmt.Sprintf("after the coordinator's Tick at tick %d", x.net.Now()))
	return got
}

func (x *qrun) compareReplica(id simnet.NodeID, when string) {
	if x.err != nil {
		return
	}
	for _, k := range x.keys {
		want, wok := x.m.replicas[id][k]
		got, ok := x.reps[id].Lookup(k)
		if ok != wok || got != want {
			x.fail("%s", check.Mismatch(fmt.Sprintf("replica %d, %s: Lookup(%q) (a replica keeps the highest version it was sent, compared as numbers)", id, when, k),
				entryString(want, wok), entryString(got, ok)))
			return
		}
	}
}

func (x *qrun) compareResults(when string) {
	if x.err != nil {
		return
	}
	// The operations that were Pending before this call, and every
	// operation now and then (a finished one must never change).
	ops := x.watch
	if x.full {
		ops = nil
		for op := quorum.OpID(1); op <= x.m.last; op++ {
			ops = append(ops, op)
		}
	}
	defer func() {
		x.watch = x.watch[:0]
		for op := quorum.OpID(1); op <= x.m.last; op++ {
			if x.m.ops[op].result.Status == quorum.Pending {
				x.watch = append(x.watch, op)
			}
		}
	}()
	for _, op := range ops {
		mo := x.m.ops[op]
		want := mo.result
		got := x.co.Result(op)
		if got != want {
			what := "Put"
			rule := fmt.Sprintf("a Put is OK at its W-th distinct acknowledgement (W = %d), TimedOut on the Timeout-th (%d) coordinator Tick after it started, and never changes after that", x.m.cfg.W, x.m.cfg.Timeout)
			if mo.kind == quorum.GetReq {
				what = "Get"
				rule = fmt.Sprintf("a Get is OK at its R-th distinct reply (R = %d) with the highest version among the counted replies, TimedOut on the Timeout-th (%d) coordinator Tick after it started, and never changes after that", x.m.cfg.R, x.m.cfg.Timeout)
			}
			x.fail("%s", check.Mismatch(fmt.Sprintf("%s: Result(%d) of %s(%q), counted so far from replicas %v; %s", when, op, what, mo.key, countedIDs(mo), rule),
				fmt.Sprintf("%+v", want), fmt.Sprintf("%+v", got)))
			return
		}
	}
	if got := x.co.Result(x.m.last + 1); got != (quorum.Result{}) {
		x.fail("Result(%d) of an operation never started: expected the zero Result, got %+v", x.m.last+1, got)
	}
}

func countedIDs(o *mop) []simnet.NodeID {
	var ids []simnet.NodeID
	for id := range o.counted {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

var (
	qKeys     = []string{"x", "X", "", "é", "日本", "a#b", "a,b", "k=v", "a b"}
	qValues   = []string{"", "v", "V", "é", "a#b", "new", "old"}
	qVersions = []int{1, 2, 9, 10, 255, 256, 65535, 65536, math.MaxInt32, math.MaxInt32 + 1, math.MaxUint32, math.MaxUint32 + 1, 1<<53 + 1, math.MaxInt64 - 1, math.MaxInt64}
)

func (x *qrun) report(nc simnet.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n\ncoordinator %d, Config%+v, network %+v\nwhat the test did (besides ticking):", x.err, x.m.coord, x.m.cfg, nc)
	steps := x.steps
	if len(steps) > 25 {
		fmt.Fprintf(&b, "\n    ... %d earlier steps", len(steps)-25)
		steps = steps[len(steps)-25:]
	}
	for _, s := range steps {
		b.WriteString("\n    " + s)
	}
	b.WriteString("\nmessages:\n" + x.net.Diagram(diagramEvents))
	return fmt.Errorf("%s", b.String())
}

// qScenario runs ops operations over ticks ticks on n replicas with random
// R, W and Timeout, edge keys, versions and IDs, and random loss, delay,
// repeated duplicates, one-way blocks, pauses and stray messages, comparing
// every reply, repair, Result and replica with the model after every call.
func qScenario(r *rand.Rand, n, ticks, ops int) error {
	pool := []simnet.NodeID{-7, 0, 1, 2, 3, 4, 5, 9, 100, 1 << 20, 1 << 40}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	coord := pool[0]
	ids := slices.Clone(pool[1 : 1+n])
	cfg := quorum.Config{Replicas: ids, R: 1 + r.IntN(n), W: 1 + r.IntN(n), Timeout: 1 + r.IntN(6)}
	nc := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(4), DropRate: []float64{0, 0.1, 0.3}[r.IntN(3)],
		DuplicateRate: []float64{0, 0.2, 0.5}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
	x := &qrun{
		m:    &qmodel{cfg: cfg, coord: coord, replicas: map[simnet.NodeID]map[string]quorum.Entry{}, ops: map[quorum.OpID]*mop{}},
		reps: map[simnet.NodeID]*quorum.Replica{},
		net:  simnet.New[quorum.Msg](nc),
		keys: qKeys[:1+r.IntN(len(qKeys))],
	}
	x.m.cfg.Replicas = slices.Clone(ids)
	given := cfg
	given.Replicas = slices.Clone(ids)
	x.co = quorum.NewCoordinator(coord, given)
	slices.Reverse(given.Replicas) // the caller reuses its slice: the coordinator must have copied it
	given.Replicas[0] = 12345
	x.net.Add(coord, &qcoord{x: x})
	for _, id := range ids {
		x.reps[id] = quorum.NewReplica()
		x.m.replicas[id] = map[string]quorum.Entry{}
		x.net.Add(id, &qreplica{x: x, id: id})
	}
	everyone := append([]simnet.NodeID{coord}, ids...)
	written := map[string]string{}
	for t := 0; t < ticks && x.err == nil; t++ {
		if t < ticks-12 && r.IntN(ticks) < 2*ops {
			key := x.keys[r.IntN(len(x.keys))]
			var got quorum.OpID
			var msgs []Message
			var want quorum.Msg
			if r.IntN(2) == 0 {
				v, val := qVersions[r.IntN(len(qVersions))], qValues[r.IntN(len(qValues))]
				// A version names one write: a key's version always comes
				// with the same value.
				if old, ok := written[key+"\x00"+fmt.Sprint(v)]; ok {
					val = old
				}
				written[key+"\x00"+fmt.Sprint(v)] = val
				x.step("Put(%q, %q, %d)", key, val, v)
				got, msgs = x.co.Put(key, val, v)
				want = quorum.Msg{Kind: quorum.PutReq, Key: key, Version: v, Value: val}
				want.Op = x.m.start(quorum.PutReq, key)
			} else {
				x.step("Get(%q)", key)
				got, msgs = x.co.Get(key)
				want = quorum.Msg{Kind: quorum.GetReq, Key: key}
				want.Op = x.m.start(quorum.GetReq, key)
			}
			if got != want.Op {
				x.fail("%s", check.Mismatch("a coordinator numbers its operations 1, 2, 3, ... in call order; the OpID returned", want.Op, got))
				break
			}
			exp := make([]Message, len(ids))
			for i, id := range ids {
				exp[i] = Message{From: coord, To: id, Body: want}
			}
			if !slices.Equal(msgs, exp) {
				x.fail("%s", check.Mismatch(fmt.Sprintf("the call must return one %v to each replica, in the order of Config.Replicas %v, From the coordinator %d", want.Kind, ids, coord), msgList(exp), msgList(msgs)))
				break
			}
			x.net.Send(msgs...)
			x.compareResults("after the call")
		}
		if r.IntN(4) == 0 { // a stray message: a non-replica, or a wrong kind
			op := max(x.m.last-quorum.OpID(r.IntN(3)), 0) // most likely still Pending
			if r.IntN(4) == 0 {
				op = quorum.OpID(r.IntN(int(x.m.last) + 2))
			}
			kinds := []quorum.Kind{quorum.PutAck, quorum.GetReply, quorum.PutReq, quorum.Repair, quorum.Kind(99)}
			kind := kinds[r.IntN(len(kinds))]
			if o := x.m.ops[op]; o != nil && r.IntN(2) == 0 { // the answer the operation waits for
				kind = map[quorum.Kind]quorum.Kind{quorum.PutReq: quorum.PutAck, quorum.GetReq: quorum.GetReply}[o.kind]
			}
			body := quorum.Msg{Kind: kind, Op: op, Key: x.keys[0], Version: qVersions[r.IntN(len(qVersions))], Value: "stray", Found: true}
			from := simnet.NodeID(777)
			if r.IntN(2) == 0 {
				// From a replica: a late answer that found nothing (a
				// fake version could name another write's value).
				from = ids[r.IntN(n)]
				body.Found, body.Version, body.Value = false, 0, ""
			}
			if body.Kind == quorum.PutAck || body.Kind == quorum.GetReply || from == 777 {
				x.step("node %d sends the coordinator %v", from, body)
				x.net.Send(Message{From: from, To: coord, Body: body})
			}
		}
		if r.IntN(15) == 0 {
			a, b := everyone[r.IntN(len(everyone))], everyone[r.IntN(len(everyone))]
			x.step("messages %d -> %d blocked (one way)", a, b)
			x.net.Block(a, b)
		}
		if r.IntN(20) == 0 {
			x.step("blocks removed")
			x.net.Heal()
		}
		if id := everyone[r.IntN(len(everyone))]; r.IntN(12) == 0 {
			if x.net.Paused(id) {
				x.step("node %d resumed", id)
				x.net.Resume(id)
			} else {
				x.step("node %d paused (it keeps its state; messages to it wait)", id)
				x.net.Pause(id)
			}
		}
		x.full = t%50 == 0 || t == ticks-1
		x.net.Tick()
	}
	x.full = true
	x.compareResults("at the end of the run")
	if x.err != nil {
		return x.report(nc)
	}
	return nil
}

// TestCoordinatorAndReplicasMatchTheModelAfterEveryStep compares every reply,
// repair, Result and replica state with a model of the lesson's rules, after
// every message and every tick, on random schedules that grow in size.
func TestCoordinatorAndReplicasMatchTheModelAfterEveryStep(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, sz := range []struct{ n, ticks, ops int }{{1, 20, 4}, {2, 30, 6}, {3, 40, 10}, {5, 60, 16}, {7, 80, 20}} {
			if err := qScenario(r, sz.n, sz.ticks, sz.ops); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestHundredsOfOperationsMatchTheModel: long runs, to cross any small
// fixed buffer or table of operations.
func TestHundredsOfOperationsMatchTheModel(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 4, func(r *rand.Rand) error {
		return qScenario(r, 1+r.IntN(7), 800, 300)
	})
}
