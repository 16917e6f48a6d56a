//go:build dslearnsuite

package twopc_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// The model: what the lesson's rules say the coordinator and every
// participant send, decide, log and show, computed from the messages the
// network actually delivered and the crashes it saw.

type mround struct {
	parts []simnet.NodeID
	yes   map[simnet.NodeID]bool
	ticks int
}

type mcoord struct {
	timeout   int
	decided   map[twopc.TxID]twopc.State
	pending   map[twopc.TxID]*mround
	forgotten map[twopc.TxID]bool // aborted before a restart: Aborted or Unknown
}

func decisionMsg(to simnet.NodeID, tx twopc.TxID, st twopc.State) Message {
	k := twopc.Abort
	if st == twopc.Committed {
		k = twopc.Commit
	}
	return Message{To: to, Body: twopc.Msg{Kind: k, Tx: tx}}
}

func (c *mcoord) decide(tx twopc.TxID, st twopc.State) []Message {
	r := c.pending[tx]
	delete(c.pending, tx)
	c.decided[tx] = st
	var out []Message
	for _, p := range r.parts {
		out = append(out, decisionMsg(p, tx, st))
	}
	return out
}

func (c *mcoord) receive(m Message) []Message {
	tx := m.Body.Tx
	if m.Body.Kind != twopc.Yes && m.Body.Kind != twopc.No {
		return nil
	}
	if st, ok := c.decided[tx]; ok {
		return []Message{decisionMsg(m.From, tx, st)}
	}
	r, ok := c.pending[tx]
	if !ok {
		return []Message{decisionMsg(m.From, tx, twopc.Aborted)}
	}
	if !slices.Contains(r.parts, m.From) {
		return nil
	}
	if m.Body.Kind == twopc.No {
		return c.decide(tx, twopc.Aborted)
	}
	r.yes[m.From] = true
	if len(r.yes) == len(r.parts) {
		return c.decide(tx, twopc.Committed)
	}
	return nil
}

func (c *mcoord) tick() []Message {
	var expired []twopc.TxID
	for tx, r := range c.pending {
		r.ticks++
		if r.ticks >= c.timeout {
			expired = append(expired, tx)
		}
	}
	var out []Message
	for _, tx := range expired {
		out = append(out, c.decide(tx, twopc.Aborted)...)
	}
	return out
}

func (c *mcoord) restart() {
	for tx, st := range c.decided {
		if st == twopc.Aborted {
			c.forgotten[tx] = true
			delete(c.decided, tx)
		}
	}
	for tx := range c.pending {
		c.forgotten[tx] = true
	}
	c.pending = map[twopc.TxID]*mround{}
}

type mtx struct {
	state  twopc.State
	writes []twopc.Write
	since  int
}

type mpart struct {
	coord simnet.NodeID
	retry int
	vote  twopc.VoteFunc
	data  map[string]string
	locks map[string]twopc.TxID
	txs   map[twopc.TxID]*mtx
	log   []twopc.Record
}

func newMPart(coord simnet.NodeID, retry int, vote twopc.VoteFunc) *mpart {
	return &mpart{coord: coord, retry: retry, vote: vote, data: map[string]string{}, locks: map[string]twopc.TxID{}, txs: map[twopc.TxID]*mtx{}}
}

// restart rebuilds the participant from its log, as the lesson says.
func (p *mpart) restart() {
	log := p.log
	*p = *newMPart(p.coord, p.retry, p.vote)
	p.log = log
	for _, r := range log {
		switch r.State {
		case twopc.Prepared:
			p.txs[r.Tx] = &mtx{state: twopc.Prepared, writes: r.Writes}
			for _, w := range r.Writes {
				p.locks[w.Key] = r.Tx
			}
		case twopc.Committed:
			p.commit(r.Tx)
		case twopc.Aborted:
			p.abort(r.Tx)
		}
	}
}

func (p *mpart) commit(tx twopc.TxID) {
	t := p.txs[tx]
	for _, w := range t.writes {
		p.data[w.Key] = w.Value
		delete(p.locks, w.Key)
	}
	t.state, t.writes = twopc.Committed, nil
}

func (p *mpart) abort(tx twopc.TxID) {
	if t := p.txs[tx]; t != nil {
		for _, w := range t.writes {
			delete(p.locks, w.Key)
		}
	}
	p.txs[tx] = &mtx{state: twopc.Aborted}
}

func (p *mpart) reply(k twopc.Kind, tx twopc.TxID) []Message {
	if t := p.txs[tx]; t != nil && k == twopc.Yes {
		t.since = 0
	}
	return []Message{{To: p.coord, Body: twopc.Msg{Kind: k, Tx: tx}}}
}

func (p *mpart) receive(m Message) []Message {
	tx := m.Body.Tx
	t := p.txs[tx]
	switch m.Body.Kind {
	case twopc.Prepare:
		if t != nil {
			if t.state == twopc.Aborted {
				return p.reply(twopc.No, tx)
			}
			return p.reply(twopc.Yes, tx)
		}
		conflict := false
		for _, w := range m.Body.Writes {
			if _, ok := p.locks[w.Key]; ok {
				conflict = true
			}
		}
		if conflict || !p.vote(tx, slices.Clone(m.Body.Writes)) {
			p.log = append(p.log, twopc.Record{State: twopc.Aborted, Tx: tx})
			p.abort(tx)
			return p.reply(twopc.No, tx)
		}
		ws := slices.Clone(m.Body.Writes)
		p.log = append(p.log, twopc.Record{State: twopc.Prepared, Tx: tx, Writes: ws})
		p.txs[tx] = &mtx{state: twopc.Prepared, writes: ws}
		for _, w := range ws {
			p.locks[w.Key] = tx
		}
		return p.reply(twopc.Yes, tx)
	case twopc.Commit:
		if t != nil && t.state == twopc.Prepared {
			p.log = append(p.log, twopc.Record{State: twopc.Committed, Tx: tx})
			p.commit(tx)
		}
	case twopc.Abort:
		if t == nil || t.state == twopc.Prepared {
			p.log = append(p.log, twopc.Record{State: twopc.Aborted, Tx: tx})
			p.abort(tx)
		}
	}
	return nil
}

func (p *mpart) tick() []Message {
	var out []Message
	for tx, t := range p.txs {
		if t.state != twopc.Prepared {
			continue
		}
		t.since++
		if t.since >= p.retry {
			t.since = 0
			out = append(out, Message{To: p.coord, Body: twopc.Msg{Kind: twopc.Yes, Tx: tx}})
		}
	}
	return out
}

// trun drives the learner's nodes and the model with the same schedule.
type trun struct {
	coordID  simnet.NodeID
	parts    []simnet.NodeID
	retry    int
	co       *twopc.Coordinator
	coLog    *twopc.Log
	ps       map[simnet.NodeID]*twopc.Participant
	logs     map[simnet.NodeID]*twopc.Log
	mc       *mcoord
	mp       map[simnet.NodeID]*mpart
	votes    map[string]bool // participant/tx -> its vote
	net      *simnet.Network[twopc.Msg]
	txs      []twopc.TxID
	keys     []string
	steps    []string
	err      error
	down     map[simnet.NodeID]int // crashed nodes: the tick they restart at
	lastTick map[simnet.NodeID]int
}

func (x *trun) fail(format string, args ...any) {
	if x.err == nil {
		x.err = fmt.Errorf(format, args...)
	}
}

func (x *trun) step(format string, args ...any) {
	x.steps = append(x.steps, fmt.Sprintf("tick %d: ", x.net.Now())+fmt.Sprintf(format, args...))
}

func sortedMsgs(ms []Message) []Message {
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b Message) int {
		if c := cmp.Compare(a.To, b.To); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Body.Tx, b.Body.Tx); c != 0 {
			return c
		}
		return cmp.Compare(a.Body.Kind, b.Body.Kind)
	})
	return ms
}

func sameMsgSet(got, want []Message) bool {
	g, w := sortedMsgs(got), sortedMsgs(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i].To != w[i].To || g[i].Body.Kind != w[i].Body.Kind || g[i].Body.Tx != w[i].Body.Tx || !slices.Equal(g[i].Body.Writes, w[i].Body.Writes) {
			return false
		}
	}
	return true
}

func (x *trun) voteFunc(id simnet.NodeID) twopc.VoteFunc {
	return func(tx twopc.TxID, ws []twopc.Write) bool { return x.votes[fmt.Sprint(id, "/", tx)] }
}

type mcoordNode struct{ x *trun }

func (n *mcoordNode) Receive(m Message) []Message {
	x := n.x
	want := x.mc.receive(m)
	got := x.co.Receive(m)
	if x.err == nil && !sameMsgSet(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d coordinator %d received %v from node %d and returned (a vote on a decided transaction is answered with the decision, on an unknown one with Abort; No decides Abort; the last missing Yes decides Commit; deciding sends the decision to every participant)",
			x.net.Now(), x.coordID, m.Body, m.From), msgList(want), msgList(got)))
	}
	x.compareCoord(fmt.Sprintf("after coordinator %d received %v from node %d at tick %d", x.coordID, m.Body, m.From, x.net.Now()))
	return got
}

func (n *mcoordNode) Tick() []Message {
	x := n.x
	want := x.mc.tick()
	got := x.co.Tick()
	if x.err == nil && !sameMsgSet(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d coordinator %d's Tick returned (a transaction still Pending on the voteTimeout-th (%d) Tick after its Begin is aborted during that Tick, and the Abort goes to every participant; Tick sends nothing else)",
			x.net.Now(), x.coordID, x.mc.timeout), msgList(want), msgList(got)))
	}
	x.compareCoord(fmt.Sprintf("after coordinator %d's Tick at tick %d", x.coordID, x.net.Now()))
	return got
}

type mpartNode struct {
	x  *trun
	id simnet.NodeID
}

func (n *mpartNode) Receive(m Message) []Message {
	x := n.x
	desc := fmt.Sprintf("%v from node %d", m.Body, m.From)
	want := x.mp[n.id].receive(m)
	got := x.ps[n.id].Receive(m)
	// The delivered body is the participant's own: scribble on it, as a
	// reused receive buffer would. What the participant keeps, it copied.
	for i := range m.Body.Writes {
		m.Body.Writes[i] = twopc.Write{Key: "scribbled", Value: "scribbled"}
	}
	if x.err == nil && !sameMsgSet(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d participant %d received %s and returned", x.net.Now(), n.id, desc), msgList(want), msgList(got)))
	}
	x.comparePart(n.id, fmt.Sprintf("after participant %d received %s at tick %d", n.id, desc, x.net.Now()))
	return got
}

func (n *mpartNode) Tick() []Message {
	x := n.x
	want := x.mp[n.id].tick()
	got := x.ps[n.id].Tick()
	if x.err == nil && !sameMsgSet(got, want) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("at tick %d participant %d's Tick returned (while T is Prepared it sends Yes for T on every retryEvery-th (%d) Tick since its last Yes for T, and never once T is decided here)",
			x.net.Now(), n.id, x.retry), msgList(want), msgList(got)))
	}
	x.comparePart(n.id, fmt.Sprintf("after participant %d's Tick at tick %d", n.id, x.net.Now()))
	return got
}

func (x *trun) compareCoord(when string) {
	if x.err != nil {
		return
	}
	for _, tx := range x.txs {
		got := x.co.Decision(tx)
		want := twopc.Unknown
		if st, ok := x.mc.decided[tx]; ok {
			want = st
		} else if _, ok := x.mc.pending[tx]; ok {
			want = twopc.Pending
		}
		if got == want || (x.mc.forgotten[tx] && want == twopc.Unknown && got == twopc.Aborted) {
			continue
		}
		x.fail("%s", check.Mismatch(fmt.Sprintf("%s: Decision(%q)", when, tx), want, got))
		return
	}
	// A Committed record is in the log before any Commit leaves; the
	// model's decisions are the ones the coordinator must have logged.
	for _, tx := range x.txs {
		if x.mc.decided[tx] == twopc.Committed && !hasRecord(x.coLog, twopc.Committed, tx) {
			x.fail("%s: transaction %q is Committed but the coordinator's log has no Committed record for it; log it in the same call, before returning the Commit messages", when, tx)
			return
		}
	}
}

func (x *trun) comparePart(id simnet.NodeID, when string) {
	if x.err != nil {
		return
	}
	m, p := x.mp[id], x.ps[id]
	for _, k := range x.keys {
		v, ok := p.Read(k)
		wv, wok := m.data[k]
		if v != wv || ok != wok {
			x.fail("%s", check.Mismatch(fmt.Sprintf("participant %d, %s: Read(%q) (the last committed write; a transaction's writes are invisible until it commits here)", id, when, k), readString(wv, wok), readString(v, ok)))
			return
		}
		tx, ok := p.LockedBy(k)
		wtx, wok := m.locks[k]
		if tx != wtx || ok != wok {
			x.fail("%s", check.Mismatch(fmt.Sprintf("participant %d, %s: LockedBy(%q) (the Prepared transaction holding the key)", id, when, k), lockString(wtx, wok), lockString(tx, ok)))
			return
		}
	}
	for _, tx := range x.txs {
		want := twopc.Unknown
		if t := m.txs[tx]; t != nil {
			want = t.state
		}
		if got := p.Status(tx); got != want {
			x.fail("%s", check.Mismatch(fmt.Sprintf("participant %d, %s: Status(%q)", id, when, tx), want, got))
			return
		}
	}
	got := x.logs[id].Records()
	if !slices.EqualFunc(got, m.log, func(a, b twopc.Record) bool {
		return a.State == b.State && a.Tx == b.Tx && slices.Equal(a.Writes, b.Writes)
	}) {
		x.fail("%s", check.Mismatch(fmt.Sprintf("participant %d, %s: its log (Prepared with the writes before Yes; Aborted before No, and on an Abort for a Prepared or unknown transaction; Committed on the Commit of a Prepared one; nothing else)", id, when),
			recordList(m.log), recordList(got)))
	}
}

func recordList(rs []twopc.Record) string {
	if len(rs) > 8 {
		return fmt.Sprintf("... %d records, the last 8: %v", len(rs), rs[len(rs)-8:])
	}
	return fmt.Sprint(rs)
}

func (x *trun) report(nc simnet.Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n\ncoordinator %d (voteTimeout %d), participants %v (retryEvery %d), network %+v\nwhat the test did (besides ticking):",
		x.err, x.coordID, x.mc.timeout, x.parts, x.retry, nc)
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

var (
	tKeys   = []string{"x", "X", "é", "日本", "a#b", "a=b", "a b", "k,1"}
	tValues = []string{"", "v", "V", "é", "a#b", "1"}
	tTxs    = []string{"T", "t", "é", "tx#1", "a b", "T/1", "日本"}
)

func cloneTMsg(m twopc.Msg) twopc.Msg { m.Writes = slices.Clone(m.Writes); return m }
func sameTMsg(a, b twopc.Msg) bool {
	return a.Kind == b.Kind && a.Tx == b.Tx && slices.Equal(a.Writes, b.Writes)
}

// tScenario runs txs transactions over about ticks ticks on nparts
// participants, with loss, delays, repeated duplicates, one-way blocks,
// pauses, and crashes restarted from the log, comparing every node with the
// model after every call; then failures stop, and every transaction must be
// resolved everywhere and the network must fall silent.
func tScenario(r *rand.Rand, nparts, ticks, txs int) error {
	pool := []simnet.NodeID{-3, 0, 1, 2, 3, 5, 8, 1 << 20, 1 << 40}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	maxDelay := r.IntN(3)
	nc := simnet.Config{Seed: r.Uint64(), MaxDelay: maxDelay, DropRate: []float64{0, 0.05, 0.2}[r.IntN(3)],
		DuplicateRate: []float64{0, 0.2, 0.5}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
	x := &trun{
		coordID: pool[0], parts: slices.Clone(pool[1 : 1+nparts]), retry: 1 + r.IntN(4),
		coLog: &twopc.Log{}, ps: map[simnet.NodeID]*twopc.Participant{}, logs: map[simnet.NodeID]*twopc.Log{},
		mp: map[simnet.NodeID]*mpart{}, votes: map[string]bool{}, net: simnet.New[twopc.Msg](nc),
		keys: tKeys[:2+r.IntN(len(tKeys)-1)], down: map[simnet.NodeID]int{},
	}
	timeout := 2*maxDelay + 2 + r.IntN(4)
	x.mc = &mcoord{timeout: timeout, decided: map[twopc.TxID]twopc.State{}, pending: map[twopc.TxID]*mround{}, forgotten: map[twopc.TxID]bool{}}
	x.net.CopyBodies(cloneTMsg, sameTMsg)
	x.co = twopc.NewCoordinator(x.coordID, x.coLog, timeout)
	x.net.Add(x.coordID, &mcoordNode{x: x})
	for _, id := range x.parts {
		x.logs[id] = &twopc.Log{}
		x.ps[id] = twopc.NewParticipant(x.coordID, x.logs[id], x.retry, x.voteFunc(id))
		x.mp[id] = newMPart(x.coordID, x.retry, x.voteFunc(id))
		x.net.Add(id, &mpartNode{x: x, id: id})
	}
	everyone := append([]simnet.NodeID{x.coordID}, x.parts...)
	restart := func(id simnet.NodeID) {
		x.step("node %d restarted from its log", id)
		delete(x.down, id)
		if id == x.coordID {
			x.co = twopc.NewCoordinator(x.coordID, x.coLog, timeout)
			x.mc.restart()
			x.net.Restart(id, &mcoordNode{x: x})
			x.compareCoord("after the coordinator restarted from its log")
			return
		}
		x.ps[id] = twopc.NewParticipant(x.coordID, x.logs[id], x.retry, x.voteFunc(id))
		x.mp[id].restart()
		x.net.Restart(id, &mpartNode{x: x, id: id})
		x.comparePart(id, "after it restarted from its log")
	}
	began := 0
	for t := 0; t < ticks && x.err == nil; t++ {
		if began < txs && x.net.Alive(x.coordID) && !x.net.Paused(x.coordID) && r.IntN(3) == 0 {
			began++
			tx := twopc.TxID(fmt.Sprintf("%s-%d", tTxs[r.IntN(len(tTxs))], began))
			x.txs = append(x.txs, tx)
			writes := map[simnet.NodeID][]twopc.Write{}
			k := 1 + r.IntN(nparts)
			for _, i := range r.Perm(nparts)[:k] {
				id := x.parts[i]
				var ws []twopc.Write
				for _, j := range r.Perm(len(x.keys))[:1+r.IntN(min(3, len(x.keys)))] {
					ws = append(ws, twopc.Write{Key: x.keys[j], Value: tValues[r.IntN(len(tValues))]})
				}
				writes[id] = ws
				x.votes[fmt.Sprint(id, "/", tx)] = r.IntN(8) != 0
			}
			x.step("Begin(%q, %v)", tx, writes)
			parts := make([]simnet.NodeID, 0, len(writes))
			var want []Message
			for id := range writes {
				parts = append(parts, id)
			}
			slices.Sort(parts)
			for _, id := range parts {
				want = append(want, Message{From: x.coordID, To: id, Body: twopc.Msg{Kind: twopc.Prepare, Tx: tx, Writes: slices.Clone(writes[id])}})
			}
			x.mc.pending[tx] = &mround{parts: parts, yes: map[simnet.NodeID]bool{}}
			got := x.co.Begin(tx, writes)
			if !slices.EqualFunc(got, want, func(a, b Message) bool {
				return a.From == b.From && a.To == b.To && sameTMsg(a.Body, b.Body)
			}) {
				x.fail("%s", check.Mismatch(fmt.Sprintf("Begin(%q, %v) returns one Prepare per participant, in increasing ID order, From the coordinator, carrying that participant's writes", tx, writes), msgList(want), msgList(got)))
				break
			}
			x.net.Send(got...)
			// The client reuses its map and slices: the coordinator must
			// have copied what it keeps or sends (the network reports a
			// sent Prepare whose writes change).
			for id, ws := range writes {
				for i := range ws {
					ws[i].Value = "changed by the client"
				}
				writes[id] = nil
			}
			x.compareCoord(fmt.Sprintf("after Begin(%q)", tx))
		}
		id := everyone[r.IntN(len(everyone))]
		switch {
		case x.down[id] > 0:
			if x.net.Now() >= x.down[id] {
				restart(id)
			}
		case r.IntN(40) == 0:
			x.step("node %d crashed", id)
			x.net.Crash(id)
			x.down[id] = x.net.Now() + 1 + r.IntN(3*timeout)
		case r.IntN(25) == 0:
			if x.net.Paused(id) {
				x.step("node %d resumed", id)
				x.net.Resume(id)
			} else {
				x.step("node %d paused (it keeps its state; messages to it wait)", id)
				x.net.Pause(id)
			}
		case r.IntN(25) == 0:
			b := everyone[r.IntN(len(everyone))]
			x.step("messages %d -> %d blocked (one way)", id, b)
			x.net.Block(id, b)
		case r.IntN(30) == 0:
			x.step("blocks removed")
			x.net.Heal()
		}
		x.net.Tick()
	}
	if x.err == nil {
		// Failures stop: everything resolves, then nothing more is sent.
		for _, id := range everyone {
			if x.down[id] > 0 {
				restart(id)
			}
			x.net.Resume(id)
		}
		x.net.Heal()
		x.step("failures stop: crashed nodes restarted, paused ones resumed, blocks removed")
		resolved := func() bool {
			if x.err != nil {
				return true
			}
			if len(x.mc.pending) > 0 {
				return false
			}
			for _, id := range x.parts {
				for _, t := range x.mp[id].txs {
					if t.state == twopc.Prepared {
						return false
					}
				}
			}
			return true
		}
		limit := x.mc.timeout + 4*(x.retry+2*maxDelay+2)
		x.net.RunUntil(resolved, limit)
		if !resolved() {
			x.fail("failures stopped at tick %d, yet %d ticks later a transaction is still unresolved: once the network is reliable, a Prepared participant's next Yes reaches the coordinator, which answers with its decision", x.net.Now()-limit, limit)
		}
		quiet := x.retry + 3*maxDelay + 6
		x.net.Run(quiet)
		if st := x.net.Stats(); x.err == nil && (st.InFlight > 0 || st.SentPerTick[st.Ticks] > 0) {
			x.fail("every transaction is resolved everywhere, yet %d ticks later nodes still send (%d messages in the last tick): nothing is retried once decided", quiet, st.SentPerTick[st.Ticks])
		}
	}
	if ch := x.net.BodyChanges(); x.err == nil && len(ch) > 0 {
		x.fail("%v. A sent message must not change: a node must not reuse or modify a slice it has sent, and Begin's Prepare messages must not share their Writes with the map the client passed (the client may reuse it)", ch[0])
	}
	if x.err != nil {
		return x.report(nc)
	}
	return nil
}

// TestEveryNodeMatchesTheLessonsRulesAfterEveryStep compares everything the
// coordinator and the participants send, decide, log and show with a model
// of the lesson's rules, after every call, on random schedules that grow in
// size.
func TestEveryNodeMatchesTheLessonsRulesAfterEveryStep(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, sz := range []struct{ n, ticks, txs int }{{1, 20, 3}, {2, 40, 6}, {3, 60, 10}, {4, 90, 16}} {
			if err := tScenario(r, sz.n, sz.ticks, sz.txs); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestOneParticipantFollowsTheRulesForAnySequenceOfCalls calls one
// participant directly with random Prepares, Commits, Aborts, stray votes,
// Ticks and restarts from its log, in any order, and compares every call.
func TestOneParticipantFollowsTheRulesForAnySequenceOfCalls(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		const coord, self = simnet.NodeID(-1), simnet.NodeID(7)
		x := &trun{coordID: coord, parts: []simnet.NodeID{self}, retry: 1 + r.IntN(4), ps: map[simnet.NodeID]*twopc.Participant{},
			logs: map[simnet.NodeID]*twopc.Log{self: {}}, mp: map[simnet.NodeID]*mpart{}, votes: map[string]bool{},
			net: simnet.New[twopc.Msg](simnet.Config{}), keys: tKeys[:2+r.IntN(3)]}
		x.mc = &mcoord{decided: map[twopc.TxID]twopc.State{}, pending: map[twopc.TxID]*mround{}, forgotten: map[twopc.TxID]bool{}}
		x.ps[self] = twopc.NewParticipant(coord, x.logs[self], x.retry, x.voteFunc(self))
		x.mp[self] = newMPart(coord, x.retry, x.voteFunc(self))
		node := &mpartNode{x: x, id: self}
		for i := range 6 {
			tx := twopc.TxID(fmt.Sprintf("%s-%d", tTxs[r.IntN(len(tTxs))], i))
			x.txs = append(x.txs, tx)
			x.votes[fmt.Sprint(self, "/", tx)] = r.IntN(4) != 0
		}
		var calls []string
		for range 200 {
			tx := x.txs[r.IntN(len(x.txs))]
			switch k := r.IntN(10); {
			case k < 3:
				calls = append(calls, "Tick()")
				node.Tick()
			case k < 6:
				var ws []twopc.Write
				for _, j := range r.Perm(len(x.keys))[:1+r.IntN(2)] {
					ws = append(ws, twopc.Write{Key: x.keys[j], Value: tValues[r.IntN(len(tValues))]})
				}
				calls = append(calls, fmt.Sprintf("Receive(Prepare %s %v)", tx, ws))
				node.Receive(Message{From: coord, To: self, Body: twopc.Msg{Kind: twopc.Prepare, Tx: tx, Writes: ws}})
			case k < 9:
				kind := []twopc.Kind{twopc.Commit, twopc.Abort, twopc.Commit, twopc.Abort, twopc.Yes, twopc.No}[r.IntN(6)]
				calls = append(calls, fmt.Sprintf("Receive(%v %s)", kind, tx))
				node.Receive(Message{From: coord, To: self, Body: twopc.Msg{Kind: kind, Tx: tx}})
			default:
				calls = append(calls, "restart: NewParticipant with the same log")
				x.ps[self] = twopc.NewParticipant(coord, x.logs[self], x.retry, x.voteFunc(self))
				x.mp[self].restart()
				x.comparePart(self, "after a restart from its log")
			}
			if x.err != nil {
				if len(calls) > 30 {
					calls = append([]string{fmt.Sprintf("... %d earlier calls", len(calls)-30)}, calls[len(calls)-30:]...)
				}
				return fmt.Errorf("%v\n\nparticipant %d (coordinator %d, retryEvery %d), called directly:\n    %s", x.err, self, coord, x.retry, strings.Join(calls, "\n    "))
			}
		}
		return nil
	})
}

// edgeNodeIDs are node IDs at the ends of the type and at the width
// boundaries: far enough apart that a comparison by subtraction overflows.
var edgeNodeIDs = []simnet.NodeID{math.MinInt64, math.MinInt64 + 1, -1 << 32, -1, 0, 1, 2, 1<<31 - 1, 1 << 31, 1<<32 + 1, 1<<53 + 1, math.MaxInt64 - 1, math.MaxInt64}

// TestOneCoordinatorFollowsTheRulesForAnySequenceOfCalls calls one
// coordinator directly with Begins, messages of every kind from
// participants and from other nodes, for begun and never-begun
// transactions, Ticks and restarts from its log, in any order, with node IDs
// at the edges, and compares every call (Begin's Prepares in order) and
// every Decision, of never-begun transactions too.
func TestOneCoordinatorFollowsTheRulesForAnySequenceOfCalls(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// The participants always include both ends of int64.
		ids := slices.Clone(edgeNodeIDs[2 : len(edgeNodeIDs)-2])
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		coord := ids[0]
		pool := append([]simnet.NodeID{math.MinInt64, math.MaxInt64}, ids[1:5]...)
		others := append([]simnet.NodeID{math.MinInt64 + 1, math.MaxInt64 - 1}, ids[5:]...)
		timeout := 1 + r.IntN(5)
		x := &trun{coordID: coord, parts: pool, coLog: &twopc.Log{}, votes: map[string]bool{},
			net: simnet.New[twopc.Msg](simnet.Config{}), keys: tKeys[:2+r.IntN(3)]}
		x.mc = &mcoord{timeout: timeout, decided: map[twopc.TxID]twopc.State{}, pending: map[twopc.TxID]*mround{}, forgotten: map[twopc.TxID]bool{}}
		x.co = twopc.NewCoordinator(coord, x.coLog, timeout)
		node := &mcoordNode{x: x}
		var begun []twopc.TxID
		for i := range 4 { // asked about, never begun
			x.txs = append(x.txs, twopc.TxID(fmt.Sprintf("never-%s-%d", tTxs[r.IntN(len(tTxs))], i)))
		}
		var calls []string
		for i := range 500 {
			switch k := r.IntN(20); {
			case k < 3 || len(begun) == 0:
				tx := twopc.TxID(fmt.Sprintf("%s-%d", tTxs[r.IntN(len(tTxs))], i))
				begun = append(begun, tx)
				x.txs = append(x.txs, tx)
				writes := map[simnet.NodeID][]twopc.Write{}
				for _, j := range r.Perm(len(pool))[:1+r.IntN(len(pool))] {
					writes[pool[j]] = []twopc.Write{{Key: x.keys[r.IntN(len(x.keys))], Value: tValues[r.IntN(len(tValues))]}}
				}
				call := fmt.Sprintf("Begin(%q, %v)", tx, writes)
				calls = append(calls, call)
				parts := slices.Sorted(maps.Keys(writes))
				var want []Message
				for _, id := range parts {
					want = append(want, Message{From: coord, To: id, Body: twopc.Msg{Kind: twopc.Prepare, Tx: tx, Writes: slices.Clone(writes[id])}})
				}
				x.mc.pending[tx] = &mround{parts: parts, yes: map[simnet.NodeID]bool{}}
				got := x.co.Begin(tx, writes)
				if !slices.EqualFunc(got, want, func(a, b Message) bool {
					return a.From == b.From && a.To == b.To && sameTMsg(a.Body, b.Body)
				}) {
					x.fail("%s", check.Mismatch(call+" returns one Prepare per participant, in increasing ID order (IDs are int64: compare them, do not subtract), From the coordinator, carrying that participant's writes", msgList(want), msgList(got)))
				}
				x.compareCoord("after " + call)
			case k < 7:
				calls = append(calls, "Tick()")
				node.Tick()
			case k < 19:
				txs := begun
				if r.IntN(4) == 0 {
					txs = x.txs[:4] // never begun
				}
				tx := txs[r.IntN(len(txs))]
				from := pool[r.IntN(len(pool))]
				if r.IntN(2) == 0 {
					from = others[r.IntN(len(others))]
				}
				kind := []twopc.Kind{twopc.Yes, twopc.Yes, twopc.No, twopc.Prepare, twopc.Commit, twopc.Abort}[r.IntN(6)]
				calls = append(calls, fmt.Sprintf("Receive(%v %q from node %d)", kind, tx, from))
				node.Receive(Message{From: from, To: coord, Body: twopc.Msg{Kind: kind, Tx: tx}})
			default:
				calls = append(calls, "restart: NewCoordinator with the same log")
				x.co = twopc.NewCoordinator(coord, x.coLog, timeout)
				x.mc.restart()
				x.compareCoord("after a restart from its log")
			}
			if x.err != nil {
				if len(calls) > 30 {
					calls = append([]string{fmt.Sprintf("... %d earlier calls", len(calls)-30)}, calls[len(calls)-30:]...)
				}
				return fmt.Errorf("%v\n\ncoordinator %d (voteTimeout %d), called directly:\n    %s", x.err, coord, timeout, strings.Join(calls, "\n    "))
			}
		}
		return nil
	})
}

// TestHundredsOfTransactionsMatchTheModel: long runs, to cross any small
// fixed buffer or table, with retries, timeouts and restarts throughout.
func TestHundredsOfTransactionsMatchTheModel(t *testing.T) {
	defer check.Recover(t)
	check.SeededAtMost(t, 4, func(r *rand.Rand) error {
		return tScenario(r, 1+r.IntN(4), 900, 200)
	})
}
