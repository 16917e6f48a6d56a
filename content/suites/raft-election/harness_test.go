//go:build dslearnsuite

package raft_test

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// defaultRuns is how many seeds a randomized property tries by default.
const defaultRuns = 30

// run is a cluster of learner nodes on a simulated network. Every node is
// wrapped in a twin that, after every Receive and Tick, compares what the
// node returned and what it shows (State, Leader, VotedFor) with the model
// (when model is set), and records who led and who voted in which term, so
// that election safety is checked after every call.
type run struct {
	ids    []id
	cfg    raft.Config
	ncfg   simnet.Config
	net    *simnet.Network[raft.Msg]
	r      *rand.Rand
	model  bool
	nodes  map[id]*raft.Node
	models map[id]*mnode
	life   map[id]int // how many times each node was restarted

	leaders map[int][]lead              // term -> the node values seen leading it
	voters  map[int]map[id]map[int]bool // term -> node -> lives that voted in it

	sent   map[raft.Kind]int // messages sent since counting started
	sentBy map[id]map[raft.Kind]int

	// calls counts the calls a test makes to a node it calls directly
	// (solo), with no network and so no ticks.
	calls int
	solo  bool

	// lossy is the probability that each message a node returns is lost,
	// on top of the network's own faults (a test can turn it off, which it
	// cannot do with simnet.Config.DropRate).
	lossy float64

	steps []string
	err   error
}

type lead struct {
	id   id
	life int
	tick int
}

// newRun builds a cluster of the given IDs; every node gets cfg and the
// cluster's IDs in an order drawn from r.
func newRun(r *rand.Rand, ids []id, cfg raft.Config, ncfg simnet.Config, model bool) *run {
	x := &run{ids: ids, cfg: cfg, ncfg: ncfg, r: r, model: model,
		net:   simnet.New[raft.Msg](ncfg),
		nodes: map[id]*raft.Node{}, models: map[id]*mnode{}, life: map[id]int{},
		leaders: map[int][]lead{}, voters: map[int]map[id]map[int]bool{}}
	x.net.CopyBodies(cloneMsg, sameMsg)
	x.count()
	for _, v := range ids {
		x.net.Add(v, x.build(v))
	}
	return x
}

func cloneMsg(b raft.Msg) raft.Msg {
	b.Entries = slices.Clone(b.Entries)
	return b
}

func sameMsg(a, b raft.Msg) bool {
	return keyOf(0, a) == keyOf(0, b) && slices.Equal(a.Entries, b.Entries)
}

// mkey is a message with its entries counted: comparable, and cheap to
// compare after every call.
type mkey struct {
	to                        id
	kind                      raft.Kind
	term, lastIndex, lastTerm int
	granted                   bool
	prevIndex, prevTerm, n    int
	commit                    int
	success                   bool
	index                     int
}

func keyOf(to id, b raft.Msg) mkey {
	return mkey{to, b.Kind, b.Term, b.LastLogIndex, b.LastLogTerm, b.VoteGranted, b.PrevLogIndex, b.PrevLogTerm, len(b.Entries), b.LeaderCommit, b.Success, b.Index}
}

// sameMsgs reports whether two lists hold the same messages (as multisets).
func sameMsgs(a, b []message) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]mkey, len(a)), make([]mkey, len(b))
	for i := range a {
		ka[i], kb[i] = keyOf(a[i].To, a[i].Body), keyOf(b[i].To, b[i].Body)
	}
	b2i := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	less := func(x, y mkey) int {
		return cmp.Or(cmp.Compare(x.to, y.to), cmp.Compare(x.kind, y.kind), cmp.Compare(x.term, y.term),
			cmp.Compare(x.lastIndex, y.lastIndex), cmp.Compare(x.lastTerm, y.lastTerm), cmp.Compare(b2i(x.granted), b2i(y.granted)),
			cmp.Compare(x.prevIndex, y.prevIndex), cmp.Compare(x.prevTerm, y.prevTerm), cmp.Compare(x.n, y.n),
			cmp.Compare(x.commit, y.commit), cmp.Compare(b2i(x.success), b2i(y.success)), cmp.Compare(x.index, y.index))
	}
	if len(a) > 1 {
		slices.SortFunc(ka, less)
		slices.SortFunc(kb, less)
	}
	return slices.Equal(ka, kb)
}

// build makes a new node value for x (a start or a restart: nothing
// survives a crash in this lesson) with its twin.
func (x *run) build(v id) *twin {
	peers := slices.Clone(x.ids)
	x.r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
	given := slices.Clone(peers)
	x.nodes[v] = raft.NewNode(v, given, x.cfg)
	if x.err == nil && !slices.Equal(given, peers) {
		x.err = check.Mismatch(fmt.Sprintf("NewNode(%d, peers, cfg) must leave the peers slice as it was given (the caller may reuse it)", v), peers, given)
	}
	for i := range given { // the caller reuses its slice: the node must have copied it
		given[i] = v
	}
	x.models[v] = newMNode(v, peers, x.cfg)
	return &twin{x: x, id: v}
}

// twin passes every call to the learner's node and checks it.
type twin struct {
	x  *run
	id id
}

func (w *twin) Receive(m message) []message {
	x := w.x
	var want []message
	pre := x.models[w.id].snap()
	if x.model {
		want = x.models[w.id].receive(m)
	}
	got := x.nodes[w.id].Receive(m)
	w.after(func() string { return fmt.Sprintf("handling %s from node %d", body(m.Body), m.From) }, pre, got, want)
	return x.lose(got)
}

// lose drops each message with probability lossy.
func (x *run) lose(ms []message) []message {
	if x.lossy == 0 {
		return ms
	}
	var out []message
	for _, m := range ms {
		if x.r.Float64() >= x.lossy {
			out = append(out, m)
		}
	}
	return out
}

func (w *twin) Tick() []message {
	x := w.x
	mn := x.models[w.id]
	mn.ticks++
	before := *mn
	pre := mn.snap()
	got := x.nodes[w.id].Tick()
	var want []message
	if x.model {
		fire := mn.due()
		want = mn.tick()
		if gt, _ := x.nodes[w.id].State(); before.role != raft.Leader && x.err == nil && fire != (gt == before.term+1) {
			x.err = x.timerError(w.id, &before, gt != before.term, got)
		}
	}
	w.after(func() string { return "in its Tick" }, pre, got, want)
	return x.lose(got)
}

// timerError explains an election started at the wrong tick, or not started.
// mn is the model as it was at the start of the Tick (with the Tick counted).
func (x *run) timerError(v id, mn *mnode, fired bool, got []message) error {
	lo, hi := timeoutRange(x.cfg)
	head := fmt.Sprintf("%s node %d, a %v of term %d, ", x.when(), v, mn.role, mn.term)
	since, timeout := mn.ticks-mn.reset, mn.timeout
	switch {
	case fired && since < lo:
		return fmt.Errorf("%sstarted an election in its Tick number %d, only %d ticks after its election timer was last reset by the rules (on starting an election, granting a vote or accepting an AppendEntries): "+
			"a timeout is drawn from [ElectionTimeoutMin, ElectionTimeoutMax] = [%d, %d], and only a reset restarts the count (rules E1, E2, E3)\nreturned: %s",
			head, mn.ticks, since, lo, hi, msgList(got))
	case !fired && since >= hi:
		return fmt.Errorf("%sdid not start an election in its Tick number %d, %d ticks after its election timer was last reset by the rules (on starting an election, granting a vote or accepting an AppendEntries): "+
			"a timeout is at most ElectionTimeoutMax = %d, and the timer counts in every role (rules E1, E2, E3)\nreturned: %s",
			head, mn.ticks, since, hi, msgList(got))
	case fired:
		return fmt.Errorf("%sstarted an election in its Tick number %d, %d ticks after its election timer was last reset by the rules (on starting an election, granting a vote or accepting an AppendEntries), "+
			"but the timeout drawn at that reset is %d: draw number %d of rand.New(rand.NewPCG(Seed, uint64(id))), each min + r.IntN(max-min+1), "+
			"with one draw at NewNode and one at every reset, and no other use of the source (rules E1, E3)\nreturned: %s",
			head, mn.ticks, since, timeout, mn.draws, msgList(got))
	}
	return fmt.Errorf("%sdid not start an election in its Tick number %d, %d ticks after its election timer was last reset by the rules (on starting an election, granting a vote or accepting an AppendEntries), "+
		"though the timeout drawn at that reset is %d: draw number %d of rand.New(rand.NewPCG(Seed, uint64(id))), each min + r.IntN(max-min+1), "+
		"with one draw at NewNode and one at every reset, and no other use of the source (rules E1, E3)\nreturned: %s",
		head, mn.ticks, since, timeout, mn.draws, msgList(got))
}

// after checks one call's result against the model and records safety.
func (w *twin) after(call func() string, pre snap, got, want []message) {
	x := w.x
	n := x.nodes[w.id]
	term, role := n.State()
	for _, m := range got {
		x.sent[m.Body.Kind]++
		if x.sentBy[w.id] == nil {
			x.sentBy[w.id] = map[raft.Kind]int{}
		}
		x.sentBy[w.id][m.Body.Kind]++
		if m.Body.Kind == raft.RequestVoteReply && m.Body.VoteGranted {
			x.voted(m.Body.Term, w.id)
		}
	}
	if role == raft.Candidate || role == raft.Leader || n.VotedFor() != 0 {
		x.voted(term, w.id)
	}
	if role == raft.Leader {
		l := lead{w.id, x.life[w.id], x.net.Now()}
		if !slices.ContainsFunc(x.leaders[term], func(o lead) bool { return o.id == l.id && o.life == l.life }) {
			x.leaders[term] = append(x.leaders[term], l)
		}
	}
	if x.err != nil {
		return
	}
	if x.model {
		mn := x.models[w.id]
		what := func() string { return fmt.Sprintf("%s node %d, %s, %s,", x.when(), w.id, pre, call()) }
		switch {
		case !sameMsgs(got, want):
			x.err = check.Mismatch(what()+" returned", msgList(want), msgList(got))
		case term != mn.term || role != mn.role:
			x.err = check.Mismatch(what()+" then State() (rules E2, E4, E6, E8)", roleState(mn.term, mn.role), roleState(term, role))
		case n.VotedFor() != mn.voted:
			x.err = check.Mismatch(what()+" then VotedFor() (rules E2, E4, E5)", mn.voted, n.VotedFor())
		default:
			gl, gok := n.Leader()
			if wl, wok := mn.leaderOf(); gl != wl || gok != wok {
				x.err = check.Mismatch(what()+" then Leader() (rule E9)", leaderString(wl, wok), leaderString(gl, gok))
			}
		}
	}
	if x.err == nil {
		x.err = x.safety(term)
	}
}

// when says when a call happened, for reports.
func (x *run) when() string {
	if x.solo {
		return fmt.Sprintf("at call number %d,", x.calls)
	}
	return fmt.Sprintf("at tick %d", x.net.Now())
}

func (x *run) voted(term int, v id) {
	if x.voters[term] == nil {
		x.voters[term] = map[id]map[int]bool{}
	}
	if x.voters[term][v] == nil {
		x.voters[term][v] = map[int]bool{}
	}
	x.voters[term][v][x.life[v]] = true
}

// safety checks election safety for one term: at most one node leads it,
// ever. In this lesson nothing survives a crash, so a restarted node may vote
// again in a term in which its previous life voted, and two leaders of that
// term are then allowed: the check skips exactly the terms in which some node
// voted in two of its lives. In every other term, each node's votes come from
// one node value, which by rule E5 grants at most one candidate per term, so
// two majorities would share a node that voted twice: two leaders there are a
// bug, whatever restarts happened in other terms.
func (x *run) safety(term int) error {
	ls := x.leaders[term]
	if len(ls) < 2 {
		return nil
	}
	for _, lives := range x.voters[term] {
		if len(lives) > 1 {
			return nil
		}
	}
	a, b := ls[0], ls[1]
	return fmt.Errorf("election safety broken: two leaders in term %d: node %d (leading since tick %d) and node %d (after tick %d). "+
		"A candidate needs votes from a majority of the cluster, and every node grants at most one vote per term (rules E5, E6); "+
		"no node that voted in term %d had been restarted since",
		term, a.id, a.tick, b.id, x.net.Now(), term)
}

func (x *run) step(format string, args ...any) {
	x.steps = append(x.steps, fmt.Sprintf("before tick %d: ", x.net.Now()+1)+fmt.Sprintf(format, args...))
}

func (x *run) crash(v id) {
	x.step("node %d crashed", v)
	x.net.Crash(v)
}

// restart replaces v by a brand-new node (NewNode again, term 0: nothing
// survives a crash in this lesson).
func (x *run) restart(v id) {
	x.step("node %d restarted (a new NewNode: nothing survives a crash in this lesson)", v)
	x.life[v]++
	x.net.Restart(v, x.build(v))
}

// tick runs one tick and returns the first failure so far.
func (x *run) tick() error {
	x.net.Tick()
	return x.failure()
}

// ticks runs k ticks, stopping at the first failure.
func (x *run) ticks(k int) error {
	for range k {
		if err := x.tick(); err != nil {
			return err
		}
	}
	return nil
}

func (x *run) failure() error {
	if x.err == nil {
		if ch := x.net.BodyChanges(); len(ch) > 0 {
			x.err = fmt.Errorf("a message body changed after it was sent (a message a node returns belongs to the network from then on): %v", ch[0])
		}
	}
	if x.err == nil {
		return nil
	}
	return x.report(x.err)
}

// report adds the cluster, what the test did, every node's state and the
// message diagram to a failure.
func (x *run) report(err error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n\n%s", err, x.describe())
	steps := x.steps
	if len(steps) > 0 {
		b.WriteString("\nwhat the test did (besides ticking):")
		if len(steps) > 15 {
			fmt.Fprintf(&b, "\n    ... %d earlier steps", len(steps)-15)
			steps = steps[len(steps)-15:]
		}
		for _, s := range steps {
			b.WriteString("\n    " + s)
		}
	}
	fmt.Fprintf(&b, "\nstate after tick %d: %s", x.net.Now(), x.states())
	b.WriteString("\nmessages (RV = RequestVote, AE = AppendEntries, t = term):\n")
	b.WriteString(diagram(x.net, 40))
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

func (x *run) describe() string {
	c := x.cfg
	return fmt.Sprintf("cluster %v, ElectionTimeoutMin %d, ElectionTimeoutMax %d, HeartbeatInterval %d, Seed %d; network delay %d..%d ticks, loss %v, duplicates %v (up to %d extra copies)",
		x.ids, c.ElectionTimeoutMin, c.ElectionTimeoutMax, c.HeartbeatInterval, c.Seed,
		x.ncfg.MinDelay, max(x.ncfg.MinDelay, x.ncfg.MaxDelay), x.ncfg.DropRate, x.ncfg.DuplicateRate, max(1, x.ncfg.MaxExtraCopies))
}

func (x *run) states() string {
	var s []string
	for _, v := range x.ids {
		n := x.nodes[v]
		term, role := n.State()
		st := fmt.Sprintf("%d: term %d %v", v, term, role)
		if l, ok := n.Leader(); ok && role != raft.Leader {
			st += fmt.Sprintf(" of %d", l)
		}
		if vf := n.VotedFor(); vf != 0 {
			st += fmt.Sprintf(" voted %d", vf)
		}
		switch {
		case !x.net.Alive(v):
			st += " (crashed)"
		case x.net.Paused(v):
			st += " (paused)"
		}
		s = append(s, st)
	}
	return strings.Join(s, "; ")
}

// count starts counting messages anew.
func (x *run) count() {
	x.sent = map[raft.Kind]int{}
	x.sentBy = map[id]map[raft.Kind]int{}
}

// leaderNow returns the single leader every live, unpaused node agrees on:
// a node that is Leader of the highest term, with every other such node at
// that term and following it. ok is false if there is none.
func (x *run) leaderNow() (id, bool) {
	var up []id
	for _, v := range x.ids {
		if x.net.Alive(v) && !x.net.Paused(v) {
			up = append(up, v)
		}
	}
	if len(up) == 0 {
		return 0, false
	}
	var l id
	term := -1
	for _, v := range up {
		t, role := x.nodes[v].State()
		if role == raft.Leader {
			if l != 0 {
				return 0, false
			}
			l, term = v, t
		}
	}
	if l == 0 {
		return 0, false
	}
	for _, v := range up {
		t, _ := x.nodes[v].State()
		g, ok := x.nodes[v].Leader()
		if t != term || !ok || g != l {
			return 0, false
		}
	}
	return l, true
}

var bodyRE = regexp.MustCompile(`\{(RequestVote|RequestVoteReply|AppendEntries|AppendEntriesReply) (-?\d+) -?\d+ -?\d+ (true|false) -?\d+ -?\d+ \[[^\]]*\] -?\d+ (true|false) -?\d+\}`)

// diagram draws the run with short message labels.
func diagram(net *simnet.Network[raft.Msg], events int) string {
	d := net.Diagram(events)
	return bodyRE.ReplaceAllStringFunc(d, func(s string) string {
		m := bodyRE.FindStringSubmatch(s)
		switch m[1] {
		case "RequestVote":
			return "RV t" + m[2]
		case "RequestVoteReply":
			if m[3] == "true" {
				return "RV reply t" + m[2] + " granted"
			}
			return "RV reply t" + m[2] + " refused"
		case "AppendEntries":
			return "AE t" + m[2]
		}
		if m[4] == "true" {
			return "AE reply t" + m[2] + " ok"
		}
		return "AE reply t" + m[2] + " refused"
	})
}

// edgeIDs draws n distinct positive node IDs, often at the edges of the
// integer widths an implementation could narrow them to.
func edgeIDs(r *rand.Rand, n int) []id {
	pool := []id{1, 2, 3, 7, 255, 256, 65535, 65536, 1<<31 - 1, 1 << 31, 1 << 32, 1 << 40, 1 << 53, 1<<53 + 1, 1<<62 + 1, math.MaxInt64}
	seen := map[id]bool{}
	var out []id
	for len(out) < n {
		v := pool[r.IntN(len(pool))]
		if r.IntN(2) == 0 {
			v = id(1 + r.IntN(40))
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// faultyConfig draws timer settings, edges included (a timeout range of one
// value, a heartbeat of every tick); the rules hold for any of them.
func faultyConfig(r *rand.Rand) raft.Config {
	min := 1 + r.IntN(12)
	mx := min + []int{0, 1, 5, 10}[r.IntN(4)]
	return raft.Config{ElectionTimeoutMin: min, ElectionTimeoutMax: mx, HeartbeatInterval: 1 + r.IntN(min+2),
		Seed: check.EdgeUint64(r, math.MaxUint64)}
}

// faultyNet draws a network with delays, reordering, loss and repeated
// duplicates.
func faultyNet(r *rand.Rand) simnet.Config {
	return simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(4), DropRate: []float64{0, 0.05, 0.2}[r.IntN(3)],
		DuplicateRate: []float64{0, 0.2, 0.4}[r.IntN(3)], MaxExtraCopies: 1 + r.IntN(3)}
}

// split divides ids into two non-empty groups at random.
func split(r *rand.Rand, ids []id) ([]id, []id) {
	for {
		var a, b []id
		for _, v := range ids {
			if r.IntN(2) == 0 {
				a = append(a, v)
			} else {
				b = append(b, v)
			}
		}
		if len(a) > 0 && len(b) > 0 {
			return a, b
		}
	}
}

// chaos runs ticks ticks with a random fault before some of them: crashes
// (of the leader, more often), restarts as new nodes, pauses and resumes,
// partitions, one-way blocks and heals.
func (x *run) chaos(ticks int, restarts bool) error {
	n := len(x.ids)
	for range ticks {
		v := x.ids[x.r.IntN(n)]
		if l, ok := x.nodes[v].Leader(); ok && x.r.IntN(3) == 0 && slices.Contains(x.ids, l) {
			v = l
		}
		switch k := x.r.IntN(50); {
		case k == 0 && x.net.Alive(v):
			x.crash(v)
		case k <= 2 && !x.net.Alive(v):
			if restarts {
				x.restart(v)
			}
		case k == 3:
			if x.net.Paused(v) {
				x.step("node %d resumed", v)
				x.net.Resume(v)
			} else if x.net.Alive(v) {
				x.step("node %d paused (it keeps its state; messages to it wait)", v)
				x.net.Pause(v)
			}
		case k == 4:
			if w := x.ids[x.r.IntN(n)]; w != v {
				x.step("messages %d -> %d blocked (one way)", v, w)
				x.net.Block(v, w)
			}
		case k == 5 && n > 1:
			a, b := split(x.r, x.ids)
			x.step("partition %v %v", a, b)
			x.net.Partition(a, b)
		case k <= 7:
			x.step("partition healed, blocks removed")
			x.net.Heal()
		}
		if err := x.tick(); err != nil {
			return err
		}
	}
	return nil
}
