//go:build dslearnsuite

package raft_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

type id = simnet.NodeID

type rmsg = simnet.Message[raft.Msg]

// mnode is the lesson's node, rule for rule (E1–E10 and L1–L11): the oracle
// every learner node is compared with after every call. Its election
// timeouts are drawn as the lesson says, from its own source
// rand.New(rand.NewPCG(Seed, uint64(id))), min + r.IntN(max-min+1) at each
// reset.
type mnode struct {
	id     id
	others []id // every peer but itself, sorted
	size   int  // the cluster's size
	cfg    raft.Config
	term   int
	role   raft.Role
	voted  id
	leader id
	ticks  int
	rng    *rand.Rand
	reset0 int // tick count at the last reset of the election timer
	tmo    int // the timeout drawn then
	draws  int // how many timeouts were drawn
	votes  map[id]bool
	log    []raft.Entry
	commit int
	apply  int // lastApplied
	next   map[id]int
	match  map[id]int
	round  int    // tick count of the leader's last AppendEntries round
	why    string // why the election timer window is what it is
}

func newMNode(x id, peers []id, cfg raft.Config) *mnode {
	m := &mnode{id: x, size: len(peers), cfg: cfg, role: raft.Follower, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(x)))}
	for _, p := range peers {
		if p != x {
			m.others = append(m.others, p)
		}
	}
	slices.Sort(m.others)
	m.reset("it was created")
	return m
}

func (m *mnode) reset(why string) {
	lo, hi := m.cfg.ElectionTimeoutMin, max(m.cfg.ElectionTimeoutMin, m.cfg.ElectionTimeoutMax)
	m.reset0, m.tmo = m.ticks, lo+m.rng.IntN(hi-lo+1)
	m.draws++
	m.why = fmt.Sprintf("its election timer was last reset at its tick %d (%s), with the timeout %d: draw number %d of rand.New(rand.NewPCG(Seed, uint64(id))), each ElectionTimeoutMin + r.IntN(ElectionTimeoutMax-ElectionTimeoutMin+1) (E1)",
		m.ticks, why, m.tmo, m.draws)
}

func (m *mnode) lastTerm() int { return m.termAt(len(m.log)) }

func (m *mnode) termAt(i int) int {
	if i <= 0 || i > len(m.log) {
		return 0
	}
	return m.log[i-1].Term
}

func (m *mnode) majority() int { return m.size/2 + 1 }

func (m *mnode) leaderOf() (id, bool) { return m.leader, m.leader != 0 }

// stepDown is E4.
func (m *mnode) stepDown(term int) {
	if term <= m.term {
		return
	}
	if m.role == raft.Leader {
		// A leader's timer keeps counting from the election it won, and
		// stepping down does not reset it (E3).
		m.why += fmt.Sprintf("; it stopped leading at its tick %d, which does not reset the timer (E3)", m.ticks)
	}
	m.term, m.voted, m.role, m.leader = term, 0, raft.Follower, 0
}

func (m *mnode) appendTo(p id) rmsg {
	prev := m.next[p] - 1
	return rmsg{To: p, Body: raft.Msg{Kind: raft.AppendEntries, Term: m.term, PrevLogIndex: prev, PrevLogTerm: m.termAt(prev),
		Entries: m.log[prev:len(m.log):len(m.log)], LeaderCommit: m.commit}} // never written to
}

func (m *mnode) broadcast() []rmsg {
	m.round = m.ticks
	var out []rmsg
	for _, p := range m.others {
		out = append(out, m.appendTo(p))
	}
	return out
}

func (m *mnode) becomeLeader() []rmsg {
	m.role, m.leader = raft.Leader, m.id
	m.next, m.match = map[id]int{}, map[id]int{}
	for _, p := range m.others {
		m.next[p] = len(m.log) + 1
	}
	return m.broadcast()
}

func (m *mnode) startElection() []rmsg {
	m.term++
	m.role, m.voted, m.leader = raft.Candidate, m.id, 0
	m.votes = map[id]bool{m.id: true}
	m.reset("it started an election")
	if len(m.votes) >= m.majority() {
		return m.becomeLeader()
	}
	var out []rmsg
	for _, p := range m.others {
		out = append(out, rmsg{To: p, Body: raft.Msg{Kind: raft.RequestVote, Term: m.term, LastLogIndex: len(m.log), LastLogTerm: m.lastTerm()}})
	}
	return out
}

// advance is L7.
func (m *mnode) advance() {
	for n := len(m.log); n > m.commit && m.log[n-1].Term == m.term; n-- {
		count := 1
		for _, p := range m.others {
			if m.match[p] >= n {
				count++
			}
		}
		if count >= m.majority() {
			m.commit = n
			return
		}
	}
}

// applies is L9: what the node must apply before the call returns.
func (m *mnode) applies() []applied {
	var out []applied
	for m.apply < m.commit {
		m.apply++
		out = append(out, applied{m.apply, m.log[m.apply-1]})
	}
	return out
}

// tick is E2 and E7. started says whether the learner's node started an
// election in this Tick; it is checked against the timer's window.
func (m *mnode) tick(started bool) ([]rmsg, string) {
	m.ticks++
	if m.role == raft.Leader {
		m.advance() // in a cluster of one, Tick is where entries commit
		if m.ticks-m.round >= m.cfg.HeartbeatInterval {
			return m.broadcast(), ""
		}
		return nil, ""
	}
	due := m.ticks-m.reset0 >= m.tmo
	switch {
	case started && !due:
		return nil, fmt.Sprintf("node %d started an election at its tick %d, only %d ticks after %s (E2, E3)",
			m.id, m.ticks, m.ticks-m.reset0, strings.TrimPrefix(m.why, "its election timer was "))
	case !started && due:
		return nil, fmt.Sprintf("node %d, a %v, did not start an election at its tick %d, %d ticks after %s (E2)",
			m.id, m.role, m.ticks, m.ticks-m.reset0, strings.TrimPrefix(m.why, "its election timer was "))
	case started:
		return m.startElection(), ""
	}
	return nil, ""
}

func (m *mnode) receive(in rmsg) []rmsg {
	b := in.Body
	m.stepDown(b.Term)
	reply := func(body raft.Msg) []rmsg { return []rmsg{{To: in.From, Body: body}} }
	switch b.Kind {
	case raft.RequestVote:
		if b.Term < m.term {
			return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: m.term})
		}
		upToDate := b.LastLogTerm > m.lastTerm() || (b.LastLogTerm == m.lastTerm() && b.LastLogIndex >= len(m.log))
		grant := (m.voted == 0 || m.voted == in.From) && upToDate
		if grant {
			m.voted = in.From
			m.reset(fmt.Sprintf("it granted its vote to node %d", in.From))
		}
		return reply(raft.Msg{Kind: raft.RequestVoteReply, Term: m.term, VoteGranted: grant})
	case raft.RequestVoteReply:
		if m.role == raft.Candidate && b.Term == m.term && b.VoteGranted && slices.Contains(m.others, in.From) {
			m.votes[in.From] = true
			if len(m.votes) >= m.majority() {
				return m.becomeLeader()
			}
		}
	case raft.AppendEntries:
		if b.Term < m.term {
			return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term})
		}
		m.role, m.leader = raft.Follower, in.From
		m.reset(fmt.Sprintf("it accepted an AppendEntries of term %d from node %d", b.Term, in.From))
		if b.PrevLogIndex > len(m.log) || m.termAt(b.PrevLogIndex) != b.PrevLogTerm {
			return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term, Index: min(b.PrevLogIndex-1, len(m.log))})
		}
		for j, e := range b.Entries {
			i := b.PrevLogIndex + 1 + j
			if i <= len(m.log) {
				if m.log[i-1].Term == e.Term {
					continue
				}
				m.log = m.log[: i-1 : i-1]
			}
			m.log = append(m.log, b.Entries[j:]...)
			break
		}
		last := b.PrevLogIndex + len(b.Entries)
		if b.LeaderCommit > m.commit {
			m.commit = max(m.commit, min(b.LeaderCommit, last))
		}
		return reply(raft.Msg{Kind: raft.AppendEntriesReply, Term: m.term, Success: true, Index: last})
	case raft.AppendEntriesReply:
		if m.role != raft.Leader || b.Term != m.term {
			return nil
		}
		p := in.From
		if _, ok := m.next[p]; !ok {
			return nil
		}
		if b.Success {
			m.match[p] = max(m.match[p], b.Index)
			m.next[p] = max(m.next[p], b.Index+1)
			m.advance()
			return nil
		}
		m.next[p] = max(m.match[p]+1, min(m.next[p]-1, b.Index+1))
		return []rmsg{m.appendTo(p)}
	}
	return nil
}

// submit is L1: it appends and does nothing else (a leader alone in its
// cluster commits the entry at its next Tick).
func (m *mnode) submit(cmd string) (int, int, bool) {
	if m.role != raft.Leader {
		return 0, m.term, false
	}
	m.log = append(m.log, raft.Entry{Term: m.term, Command: cmd})
	return len(m.log), m.term, true
}

type applied struct {
	index int
	entry raft.Entry
}

func (a applied) String() string { return fmt.Sprintf("Apply(%d, %s)", a.index, entryString(a.entry)) }

// twin is a learner's node and its model, called together. After every call
// it compares everything the API shows, the messages returned and the
// entries applied; the first difference is kept in err. It also overwrites
// every slice it was handed or given once the call returned (L10): the
// received Entries, the Entries of the messages the node returned and the
// result of Log().
type twin struct {
	id    id
	node  *raft.Node
	model *mnode
	where func() string // "at tick N" in a cluster, "" when driven by hand

	got        []applied // Apply calls since the last check
	err        error
	calls      int
	lastLog    []raft.Entry // the node's log after its last call
	keepOut    bool         // return the node's own messages and never overwrite them (for the test of the network's body checks)
	owned      bool         // the messages Receive gets are the twin's own copies (the network's CopyBodies made them)
	pending    [][]rmsg     // messages returned by the last call, overwritten at the next one
	inSubmit   bool
	onApplied  func(x id, a applied)
	onProblem  func(error)
	extraCheck func(w *twin) error
}

// newTwin builds node x with cfg (its Apply is the twin's) and the peers in
// the given order, and the model next to it.
func newTwin(x id, peers []id, cfg raft.Config) *twin {
	w := &twin{id: x, where: func() string { return "" }}
	user := cfg.Apply
	cfg.Apply = func(i int, e raft.Entry) {
		w.got = append(w.got, applied{i, e})
		if user != nil {
			user(i, e)
		}
	}
	given := slices.Clone(peers)
	w.node = raft.NewNode(x, given, cfg)
	for i := range given { // the caller may reuse its slice
		given[i] = x
	}
	w.model = newMNode(x, peers, cfg)
	w.lastLog = []raft.Entry{}
	return w
}

func (w *twin) fail(err error) {
	if w.err == nil {
		w.err = err
		if w.onProblem != nil {
			w.onProblem(err)
		}
	}
}

func (w *twin) at() string {
	if s := w.where(); s != "" {
		return s + " "
	}
	return ""
}

// Receive hands the node its own copy of the message, and the model another.
func (w *twin) Receive(in rmsg) []rmsg {
	call := func() string {
		return fmt.Sprintf("node %d received %s from node %d", w.id, msgString(in.Body), in.From)
	}
	hint := kindHints[in.Body.Kind]
	want := w.model.receive(in) // the model copies what it keeps
	w.scribblePending()
	mine := in
	if !w.owned {
		mine.Body = cloneMsg(in.Body)
	}
	out := w.node.Receive(mine)
	scribble(mine.Body.Entries)
	return w.after(call, hint, out, want)
}

func (w *twin) Tick() []rmsg {
	w.scribblePending()
	preTerm, _ := w.model.term, w.model.role
	out := w.node.Tick()
	term, _ := w.node.State()
	want, bad := w.model.tick(term > preTerm)
	if bad != "" && w.err == nil {
		w.fail(fmt.Errorf("%s%s", w.at(), bad))
	}
	return w.after(func() string { return fmt.Sprintf("node %d ran Tick (its tick %d)", w.id, w.model.ticks) }, "E2, E7, L2 and L7", out, want)
}

// Submit calls Submit on the node and the model and compares the results.
func (w *twin) Submit(cmd string) (int, int, bool) {
	w.scribblePending()
	wi, wt, wok := w.model.submit(cmd)
	gi, gt, gok := w.node.Submit(cmd)
	role, term := w.model.role, w.model.term
	call := func() string {
		return fmt.Sprintf("Submit(%q) on node %d (a %v of term %d)", shorten(cmd), w.id, role, term)
	}
	if (gi != wi || gt != wt || gok != wok) && w.err == nil {
		w.fail(check.Mismatch(fmt.Sprintf("%s%s returned (index, term, ok) (L1)", w.at(), call()),
			fmt.Sprintf("(%d, %d, %v)", wi, wt, wok), fmt.Sprintf("(%d, %d, %v)", gi, gt, gok)))
	}
	w.inSubmit = true
	w.after(call, "L1", nil, nil)
	w.inSubmit = false
	return gi, gt, gok
}

// after compares the node with the model once a call returned, and returns
// the messages to send. When the twin is on a network that copies bodies
// (owned), the node's messages are overwritten at its next call, once the
// network has taken its copy; otherwise the twin returns copies and
// overwrites the originals at once. Either way a node whose log shares
// memory with the Entries it sent sees its log change (L10). keepOut
// leaves them alone.
func (w *twin) after(call func() string, hint string, out, want []rmsg) []rmsg {
	w.calls++
	if w.err == nil {
		w.compare(call, hint, out, want)
	}
	if w.keepOut || len(out) == 0 {
		return out
	}
	if w.owned {
		w.pending = append(w.pending, out)
		return out
	}
	sent := make([]rmsg, len(out))
	for i, m := range out {
		sent[i] = rmsg{From: m.From, To: m.To, Body: cloneMsg(m.Body)}
		scribble(m.Body.Entries)
	}
	return sent
}

func (w *twin) scribblePending() {
	for _, out := range w.pending {
		for _, m := range out {
			scribble(m.Body.Entries)
		}
	}
	w.pending = w.pending[:0]
}

var kindHints = map[raft.Kind]string{
	raft.RequestVote:        "E4, E5 and the vote restriction L8",
	raft.RequestVoteReply:   "E4 and E6 (a new leader sends AppendEntries as L2 says)",
	raft.AppendEntries:      "E8, then L3 and L4 (and L9 for what it applies)",
	raft.AppendEntriesReply: "E4, then L5 and L7 on success, L6 on failure (and L9 for what it applies)",
}

func (w *twin) compare(call func() string, hint string, out, want []rmsg) {
	m := w.model
	fail := func(what string, wantV, gotV any) {
		w.fail(check.Mismatch(fmt.Sprintf("%safter %s, %s (rules %s)", w.at(), call(), what, hint), wantV, gotV))
	}
	if !sameMsgs(out, want) {
		if g, e := msgsString(out), msgsString(want); g != e {
			fail("the messages it returned", e, g)
			return
		}
	}
	for _, o := range out {
		if o.To == w.id {
			fail("a message was addressed to the node itself", "messages to other peers only", msgsString(out))
			return
		}
	}
	term, role := w.node.State()
	if term != m.term || role != m.role {
		fail("State()", fmt.Sprintf("(%d, %v)", m.term, m.role), fmt.Sprintf("(%d, %v)", term, role))
		return
	}
	if v := w.node.VotedFor(); v != m.voted {
		fail("VotedFor()", m.voted, v)
		return
	}
	wl, wok := m.leaderOf()
	if gl, gok := w.node.Leader(); gl != wl || gok != wok {
		fail("Leader() (E9)", fmt.Sprintf("(%d, %v)", wl, wok), fmt.Sprintf("(%d, %v)", gl, gok))
		return
	}
	// Log() is compared whenever the model's log changed, and after every
	// eighth call anyway (a log that changes when it should not is caught
	// then); its result is overwritten, since it is a copy (L10).
	changed := len(m.log) != len(w.lastLog) || (len(m.log) > 0 && &m.log[0] != &w.lastLog[0])
	if w.calls%8 == 0 || changed && !w.inSubmit {
		log := w.node.Log()
		if d := logDiff(m.log, log); d != "" {
			fail("Log() "+d, logString(m.log), logString(log))
			return
		}
		w.lastLog = m.log[:len(m.log):len(m.log)] // equal to log; the model never overwrites its entries in place
		scribble(log)
	}
	if c := w.node.CommitIndex(); c != m.commit {
		fail("CommitIndex()", m.commit, c)
		return
	}
	wantApplied := m.applies()
	got := w.got
	w.got = nil
	if !slices.Equal(got, wantApplied) {
		fail(fmt.Sprintf("the Apply calls it made (everything up to the commit index %d, in order, once each; L9)", m.commit),
			appliedString(wantApplied), appliedString(got))
		return
	}
	if w.onApplied != nil {
		for _, a := range got {
			w.onApplied(w.id, a)
		}
	}
	if w.extraCheck != nil {
		if err := w.extraCheck(w); err != nil {
			w.fail(err)
		}
	}
}

// scribble overwrites entries that the node must not hold on to.
func scribble(es []raft.Entry) {
	for i := range es {
		es[i] = raft.Entry{Term: -1000 - i, Command: "overwritten by the test after the call"}
	}
}

func cloneMsg(b raft.Msg) raft.Msg {
	b.Entries = slices.Clone(b.Entries)
	return b
}

// sameMsgs compares two sets of messages field by field without formatting
// them (the fast path; msgsString decides when this says no).
func sameMsgs(a, b []rmsg) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(x, y rmsg) int {
		return cmp.Or(cmp.Compare(x.To, y.To), cmp.Compare(x.Body.Kind, y.Body.Kind), cmp.Compare(x.Body.PrevLogIndex, y.Body.PrevLogIndex),
			cmp.Compare(x.Body.Index, y.Body.Index), cmp.Compare(len(x.Body.Entries), len(y.Body.Entries)))
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, key)
	slices.SortFunc(b, key)
	for i := range a {
		x, y := a[i].Body, b[i].Body
		if a[i].To != b[i].To || !slices.Equal(x.Entries, y.Entries) {
			return false
		}
		if x.Kind != y.Kind || x.Term != y.Term || x.LastLogIndex != y.LastLogIndex || x.LastLogTerm != y.LastLogTerm ||
			x.VoteGranted != y.VoteGranted || x.PrevLogIndex != y.PrevLogIndex || x.PrevLogTerm != y.PrevLogTerm ||
			x.LeaderCommit != y.LeaderCommit || x.Success != y.Success || x.Index != y.Index {
			return false
		}
	}
	return true
}

func entryString(e raft.Entry) string { return fmt.Sprintf("%d:%q", e.Term, shorten(e.Command)) }

func shorten(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:10]) + fmt.Sprintf("…(%d bytes)…", len(s)) + string(r[len(r)-6:])
	}
	return s
}

func entriesString(es []raft.Entry) string {
	if len(es) == 0 {
		return "[]"
	}
	var parts []string
	for i, e := range es {
		if len(es) > 8 && i == 3 {
			parts = append(parts, fmt.Sprintf("…%d more…", len(es)-6))
		}
		if len(es) > 8 && i >= 3 && i < len(es)-3 {
			continue
		}
		parts = append(parts, entryString(e))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// logString shows a log as index:term:"command".
func logString(es []raft.Entry) string {
	if len(es) == 0 {
		return "[] (empty)"
	}
	var parts []string
	for i, e := range es {
		if len(es) > 10 && i == 4 {
			parts = append(parts, fmt.Sprintf("…%d entries…", len(es)-8))
		}
		if len(es) > 10 && i >= 4 && i < len(es)-4 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d:%s", i+1, entryString(e)))
	}
	return fmt.Sprintf("%d entries [%s]", len(es), strings.Join(parts, " "))
}

// logDiff says where two logs first differ ("" if they are equal).
func logDiff(want, got []raft.Entry) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("(first difference at index %d: expected %s, actual %s)", i+1, entryString(want[i]), entryString(got[i]))
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("(expected %d entries, actual %d)", len(want), len(got))
	}
	return ""
}

func appliedString(as []applied) string {
	if len(as) == 0 {
		return "no Apply call"
	}
	var parts []string
	for i, a := range as {
		if len(as) > 8 && i == 3 {
			parts = append(parts, fmt.Sprintf("…%d more…", len(as)-6))
		}
		if len(as) > 8 && i >= 3 && i < len(as)-3 {
			continue
		}
		parts = append(parts, a.String())
	}
	return strings.Join(parts, ", ")
}

// msgString is the short form used in traces and reports.
func msgString(b raft.Msg) string {
	var s string
	switch b.Kind {
	case raft.RequestVote:
		s = fmt.Sprintf("RequestVote{Term %d, LastLogIndex %d, LastLogTerm %d}", b.Term, b.LastLogIndex, b.LastLogTerm)
	case raft.RequestVoteReply:
		s = fmt.Sprintf("RequestVoteReply{Term %d, VoteGranted %v}", b.Term, b.VoteGranted)
	case raft.AppendEntries:
		s = fmt.Sprintf("AppendEntries{Term %d, PrevLogIndex %d, PrevLogTerm %d, Entries %s, LeaderCommit %d}",
			b.Term, b.PrevLogIndex, b.PrevLogTerm, entriesString(b.Entries), b.LeaderCommit)
	case raft.AppendEntriesReply:
		s = fmt.Sprintf("AppendEntriesReply{Term %d, Success %v, Index %d}", b.Term, b.Success, b.Index)
	default:
		return fmt.Sprintf("a message of unknown Kind %d %s", int(b.Kind), msgFull(b))
	}
	if extra := unusedFields(b); extra != "" {
		s += " with fields its kind does not use set: " + extra
	}
	return s
}

// msgFull is every field, for exact comparisons.
func msgFull(b raft.Msg) string {
	var es []string
	for _, e := range b.Entries {
		es = append(es, fmt.Sprintf("%d:%q", e.Term, e.Command))
	}
	return fmt.Sprintf("%d|%d|%d|%d|%v|%d|%d|%s|%d|%v|%d", b.Kind, b.Term, b.LastLogIndex, b.LastLogTerm, b.VoteGranted,
		b.PrevLogIndex, b.PrevLogTerm, strings.Join(es, ","), b.LeaderCommit, b.Success, b.Index)
}

func unusedFields(b raft.Msg) string {
	var s []string
	add := func(name string, v any, used bool) {
		if !used && v != any(0) && v != any(false) {
			s = append(s, fmt.Sprintf("%s %v", name, v))
		}
	}
	k := b.Kind
	add("LastLogIndex", b.LastLogIndex, k == raft.RequestVote)
	add("LastLogTerm", b.LastLogTerm, k == raft.RequestVote)
	add("VoteGranted", b.VoteGranted, k == raft.RequestVoteReply)
	add("PrevLogIndex", b.PrevLogIndex, k == raft.AppendEntries)
	add("PrevLogTerm", b.PrevLogTerm, k == raft.AppendEntries)
	add("LeaderCommit", b.LeaderCommit, k == raft.AppendEntries)
	add("Success", b.Success, k == raft.AppendEntriesReply)
	add("Index", b.Index, k == raft.AppendEntriesReply)
	if k != raft.AppendEntries && len(b.Entries) > 0 {
		s = append(s, fmt.Sprintf("Entries %s", entriesString(b.Entries)))
	}
	return strings.Join(s, ", ")
}

// msgsString lists messages sorted by receiver, then by content, as a set to
// compare: every field counts.
func msgsString(ms []rmsg) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b rmsg) int {
		if c := cmp.Compare(a.To, b.To); c != 0 {
			return c
		}
		return cmp.Compare(msgFull(a.Body), msgFull(b.Body))
	})
	var parts []string
	for _, m := range ms {
		s := fmt.Sprintf("to %d: %s", m.To, msgString(m.Body))
		if len(m.Body.Entries) > 8 {
			// The short form hides entries in the middle: add a digest so
			// that two different lists never print the same.
			s += fmt.Sprintf(" (entries digest %x)", digest(m.Body.Entries))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n            ")
}

func digest(es []raft.Entry) uint64 {
	h := uint64(14695981039346656037)
	for _, e := range es {
		for _, c := range fmt.Sprintf("%d:%q;", e.Term, e.Command) {
			h = (h ^ uint64(c)) * 1099511628211
		}
	}
	return h
}
