//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

type id = simnet.NodeID

type message = simnet.Message[raft.Msg]

// defaultRuns is how many seeds a randomized property tries by default.
const defaultRuns = 20

// traceEvents is how many of the last network events a failure shows.
const traceEvents = 40

// incarnation is one Node value of one node: the NewNode the suite built,
// what it applied (from index 1), and what its persistent state was after
// its last call. A crash ends an incarnation; a restart starts a new one
// from the same Storage.
type incarnation struct {
	node    *raft.Node
	model   *mnode // the lessons' rules, run next to the node
	num     int    // numbered across the cluster, from 1
	applied []raft.Entry

	term  int
	role  raft.Role
	vote  id
	log   []raft.Entry
	saves int
}

// member is one node of the cluster: its Storage (which survives crashes)
// and its current incarnation.
type member struct {
	id      id
	store   *simnet.Storage
	inc     *incarnation
	cfg     raft.Config // without Seed, Apply and Storage
	logVer  int         // bumped whenever the log changes
	downFor int         // ticks left before a crashed node restarts (random runs)
	pausedT int         // ticks left before a paused node resumes
	restart int         // restarts so far
	// The model's persistent state after the last call: what a correct
	// node would have saved.
	mterm int
	mvote id
	mlog  []raft.Entry
}

// cluster runs Raft nodes on a simulated network and checks, after every
// call into a node, the persistence rules (P1-P3), and after every tick
// Raft's five guarantees:
//   - election safety: at most one leader per term, over the whole run;
//   - leader append-only: a leader never removes or changes an entry of its
//     own log during its term;
//   - log matching: two logs with an entry of the same index and term are
//     identical up to that index;
//   - leader completeness: an entry committed while the highest term was T
//     is in the log of every leader of a term above T;
//   - state-machine safety: every incarnation of every node applies, from
//     index 1 and in order, a prefix of one committed sequence.
type cluster struct {
	net   *simnet.Network[raft.Msg]
	r     *rand.Rand
	ids   []id // sorted
	nodes map[id]*member
	desc  string
	incs  int

	committed []raft.Entry
	aboveTerm []int          // committed[i] must be in every log of a leader of a term > aboveTerm[i]
	leaders   map[int]id     // term -> leader seen
	leaderOK  map[[3]int]int // (node, incarnation, term) -> committed prefix already checked
	matchVer  map[[2]id][2]int
	maxTerm   int
	restoreP  float64 // chance that a Save is checked by restoring a node from a copy of the Storage
	// light: read a node's log only after calls that saved (long runs,
	// where copying every log after every call would cost too much; the
	// save discipline is checked in full elsewhere).
	light bool
	// shortCommands: clients submit only short commands (long runs).
	shortCommands bool
	// nodeSeed, if set, gives every incarnation its Config.Seed.
	nodeSeed   func() uint64
	submitted  int
	err        error
	notes      []string
	checkCalls bool // per-call checks on (off only for trace comparisons)
	// calls records every call and what it returned, for the comparison of
	// two runs (nil when not recording).
	calls *strings.Builder
}

func newCluster(r *rand.Rand, ids []id, cfg raft.Config, net simnet.Config) *cluster {
	return newClusterWith(r, ids, func(id) raft.Config { return cfg }, net)
}

// newClusterWith is newCluster with a configuration per node.
func newClusterWith(r *rand.Rand, ids []id, cfgOf func(id) raft.Config, net simnet.Config) *cluster {
	c := &cluster{
		net:        simnet.New[raft.Msg](net),
		r:          r,
		ids:        slices.Sorted(slices.Values(ids)),
		nodes:      map[id]*member{},
		leaders:    map[int]id{},
		leaderOK:   map[[3]int]int{},
		matchVer:   map[[2]id][2]int{},
		restoreP:   1,
		checkCalls: true,
	}
	c.desc = fmt.Sprintf("nodes %v, %s, network %s", c.ids, cfgString(cfgOf(c.ids[0])), netString(net))
	for _, x := range c.ids {
		m := &member{id: x, store: simnet.NewStorage(), cfg: cfgOf(x)}
		c.nodes[x] = m
		c.net.Add(x, c.build(m))
	}
	return c
}

func cfgString(cfg raft.Config) string {
	return fmt.Sprintf("election timeout %d..%d, heartbeat every %d", cfg.ElectionTimeoutMin, cfg.ElectionTimeoutMax, cfg.HeartbeatInterval)
}

func netString(n simnet.Config) string {
	return fmt.Sprintf("delay %d..%d, drop %.2f, duplicate %.2f (up to %d copies)", n.MinDelay, n.MaxDelay, n.DropRate, n.DuplicateRate, max(n.MaxExtraCopies, 1))
}

// build makes a new incarnation of m from its Storage: NewNode with the
// cluster's IDs in a random order and a fresh node seed.
func (c *cluster) build(m *member) *probe {
	c.incs++
	inc := &incarnation{num: c.incs}
	cfg := m.cfg
	cfg.Seed = c.r.Uint64()
	if c.nodeSeed != nil {
		cfg.Seed = c.nodeSeed()
	}
	cfg.Storage = m.store
	cfg.Apply = func(i int, e raft.Entry) { c.applied(m, inc, i, e) }
	peers := slices.Clone(c.ids)
	c.r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
	inc.node = raft.NewNode(m.id, peers, cfg)
	if m.store == nil {
		m.mterm, m.mvote, m.mlog = 0, 0, nil
	}
	inc.model = restoreModel(m.id, peers, cfg, m.mterm, m.mvote, m.mlog)
	inc.term, inc.role = inc.node.State()
	inc.vote = inc.node.VotedFor()
	inc.log = inc.node.Log()
	inc.saves = m.saves()
	m.inc = inc
	return &probe{c: c, m: m, inc: inc}
}

// saves counts m's saves so far (0 without a Storage).
func (m *member) saves() int {
	if m.store == nil {
		return 0
	}
	return m.store.Saves()
}

// probe stands for one incarnation on the network and checks every call.
type probe struct {
	c   *cluster
	m   *member
	inc *incarnation
	// crashAfterTick: crash the node as soon as its next Tick returns;
	// swallow: and lose what that Tick returned (it died before sending).
	crashAfterTick, swallow bool
}

func (p *probe) Receive(m message) []message {
	want := p.inc.model.receive(m)
	mine := m
	mine.Body.Entries = slices.Clone(m.Body.Entries)
	out := p.inc.node.Receive(mine)
	scribble(mine.Body.Entries) // the node must have copied what it keeps (L10)
	p.c.after(p.m, p.inc, func() string { return fmt.Sprintf("Receive(%s from %d)", msgString(m.Body), m.From) }, out, want, kindRules[m.Body.Kind])
	return owned(out)
}

// owned returns copies of the messages a node returned and overwrites the
// Entries of the originals: a node whose log shares memory with what it
// sent sees its log change (L10).
func owned(out []message) []message {
	if len(out) == 0 {
		return out
	}
	sent := make([]message, len(out))
	for i, m := range out {
		sent[i] = m
		sent[i].Body.Entries = slices.Clone(m.Body.Entries)
		scribble(m.Body.Entries)
	}
	return sent
}

// scribble overwrites entries that the node must not hold on to.
func scribble(es []raft.Entry) {
	for i := range es {
		es[i] = raft.Entry{Term: -1000 - i, Command: "overwritten by the test after the call"}
	}
}

func (p *probe) Tick() []message {
	pre := p.inc.model.term
	out := p.inc.node.Tick()
	term, _ := p.inc.node.State()
	want, bad := p.inc.model.tick(term > pre)
	if bad != "" && p.c.err == nil && p.c.checkCalls {
		p.c.fail("at tick %d %s", p.c.net.Now(), bad)
	}
	p.c.after(p.m, p.inc, func() string { return "Tick()" }, out, want, "E2, E7, L2 and L7")
	out = owned(out)
	if p.crashAfterTick {
		p.crashAfterTick = false
		if p.swallow {
			p.c.note("node %d crashed at the end of its Tick, before what it returned was sent", p.m.id)
			out = nil
		} else {
			p.c.note("node %d crashed right after its Tick returned", p.m.id)
		}
		p.c.crash(p.m.id, false)
	}
	return out
}

// submit calls Submit on x and checks it like any call.
func (c *cluster) submit(x id, cmd string) (int, int, bool) {
	m := c.nodes[x]
	wi, wt, wok := m.inc.model.submit(cmd)
	i, t, ok := m.inc.node.Submit(cmd)
	if (i != wi || t != wt || ok != wok) && c.err == nil && c.checkCalls {
		c.fail("at tick %d node %d: Submit(%q) returned (index, term, ok) (%d, %d, %v), expected (%d, %d, %v) (rule L1)", c.net.Now(), x, clipCmd(cmd), i, t, ok, wi, wt, wok)
	}
	c.after(m, m.inc, func() string { return fmt.Sprintf("Submit(%q)", clipCmd(cmd)) }, nil, nil, "L1")
	if ok {
		c.submitted++
	}
	return i, t, ok
}

// after checks one call just made to inc: the save discipline (P2), that
// its Storage restores exactly its persistent state, its commit and apply
// counts, election safety and leader append-only.
func (c *cluster) after(m *member, inc *incarnation, call func() string, out, want []message, rules string) {
	m.mterm, m.mvote, m.mlog = inc.model.term, inc.model.voted, inc.model.log
	term, role := inc.node.State()
	vote := inc.node.VotedFor()
	saves := m.saves()
	log, logChanged := inc.log, false
	logRead := !c.light || saves != inc.saves
	if logRead {
		log = inc.node.Log()
		logChanged = !slices.Equal(log, inc.log)
	}
	changed := term != inc.term || vote != inc.vote || logChanged
	if c.calls != nil {
		fmt.Fprintf(c.calls, "t%d n%d %s ->", c.net.Now(), m.id, call())
		for _, o := range out {
			fmt.Fprintf(c.calls, " %d:%s", o.To, msgString(o.Body))
		}
		last := raft.Entry{}
		if len(log) > 0 {
			last = log[len(log)-1]
		}
		fmt.Fprintf(c.calls, " | term %d %v, votedFor %d, log of %d ending %s, commit %d\n", term, role, vote, len(log), entryString(last), inc.node.CommitIndex())
	}
	prevTerm, prevRole, prevVote, prevLog, prevSaves := inc.term, inc.role, inc.vote, inc.log, inc.saves
	inc.term, inc.role, inc.vote, inc.log, inc.saves = term, role, vote, log, saves
	if logChanged {
		m.logVer++
	}
	c.maxTerm = max(c.maxTerm, term)
	if c.err != nil || !c.checkCalls {
		return
	}
	if m.store == nil {
		changed, saves, prevSaves = false, 0, 0 // no Storage: nothing to check about saving (rule P4)
	}
	what := func() string {
		return fmt.Sprintf("node %d, %s at tick %d (before: term %d, %v, votedFor %d, log %s; after: term %d, %v, votedFor %d, log %s)",
			m.id, call(), c.net.Now(), prevTerm, prevRole, prevVote, logString(prevLog), term, role, vote, logString(log))
	}
	switch d := saves - prevSaves; {
	case changed && d == 0:
		c.fail("%s: the call changed %s but did not call Storage.Save before returning; "+
			"any call that changes currentTerm, votedFor or the log saves them before it returns (rule P2), "+
			"or a crash right after it loses what the node already told others", what(), changes(prevTerm, term, prevVote, vote, logChanged))
		return
	case !changed && d > 0:
		c.fail("%s: the call called Storage.Save %d time(s) though currentTerm, votedFor and the log did not change; "+
			"a call that changes none of them does not save (rule P2)", what(), d)
		return
	case d > 0 && c.restoreP > 0 && (c.restoreP >= 1 || c.r.Float64() < c.restoreP):
		if err := restoredMatches(m, term, vote, log); err != "" {
			c.fail("%s: after the call, a node restarted from its Storage would have %s; "+
				"the Storage must hold the node's persistent state as it is when the call returns (rules P1, P2, P3)", what(), err)
			return
		}
	}
	if w, wantV, gotV := compareModel(inc, out, want, logRead); w != "" {
		c.err = c.failf("%s", check.Mismatch(fmt.Sprintf("%s:\nafter the call, %s (rules %s)", what(), w, rules), wantV, gotV))
		return
	}
	if ci := inc.node.CommitIndex(); ci > len(log) || ci != len(inc.applied) {
		c.fail("%s: CommitIndex() is %d with %d entries in the log, and this node value applied %d entries; "+
			"a node applies every committed entry, in order, before the call returns (rule L9), and never commits beyond its log",
			what(), ci, len(log), len(inc.applied))
		return
	}
	if role == raft.Leader {
		if l, ok := c.leaders[term]; ok && l != m.id {
			c.fail("%s: node %d is Leader of term %d, but node %d was already Leader of that term: "+
				"at most one leader per term (election safety); a node's vote must survive a crash (rules E5, P1)", what(), m.id, term, l)
			return
		}
		c.leaders[term] = m.id
		if prevRole == raft.Leader && prevTerm == term && !isPrefix(prevLog, log) {
			c.fail("%s: a leader removed or changed entries of its own log during its term (leader append-only)", what())
			return
		}
	}
}

func changes(t0, t1 int, v0, v1 id, log bool) string {
	var s []string
	if t0 != t1 {
		s = append(s, fmt.Sprintf("currentTerm (%d -> %d)", t0, t1))
	}
	if v0 != v1 {
		s = append(s, fmt.Sprintf("votedFor (%d -> %d)", v0, v1))
	}
	if log {
		s = append(s, "the log")
	}
	return strings.Join(s, " and ")
}

// restoredMatches builds a node from a copy of m's Storage and compares its
// persistent state with the given one; it returns "" when they match, else
// what the restored node has.
func restoredMatches(m *member, term int, vote id, log []raft.Entry) string {
	cfg := m.cfg
	cfg.Storage = m.store.Clone()
	peers := []id{m.id}
	n := raft.NewNode(m.id, peers, cfg)
	rt, _ := n.State()
	rv := n.VotedFor()
	rl := n.Log()
	if rt == term && rv == vote && slices.Equal(rl, log) {
		return ""
	}
	return fmt.Sprintf("term %d, votedFor %d, log %s, while the node has term %d, votedFor %d, log %s",
		rt, rv, logString(rl), term, vote, logString(log))
}

// applied records entry i applied by inc, checking state-machine safety.
func (c *cluster) applied(m *member, inc *incarnation, i int, e raft.Entry) {
	inc.applied = append(inc.applied, e)
	if c.err != nil {
		return
	}
	if i != len(inc.applied) {
		c.fail("at tick %d node %d (this node value applied %d entries so far) applied index %d: "+
			"each node value applies indexes 1, 2, 3, ... in order, each once (rule L9); a restarted node does not restore commitIndex or lastApplied and applies again from index 1 (rule P3)",
			c.net.Now(), m.id, len(inc.applied)-1, i)
		return
	}
	if i <= len(c.committed) {
		if c.committed[i-1] != e {
			c.fail("at tick %d node %d applied %s at index %d, but %s was already applied at index %d: "+
				"every node applies the same entry at each index (state-machine safety), across crashes and restarts",
				c.net.Now(), m.id, entryString(e), i, entryString(c.committed[i-1]), i)
		}
		return
	}
	c.committed = append(c.committed, e)
	c.aboveTerm = append(c.aboveTerm, c.maxTerm)
}

// check runs the cluster-wide checks after a tick.
func (c *cluster) check() error {
	if c.err != nil {
		return c.err
	}
	live := c.live()
	for _, x := range live {
		inc := c.nodes[x].inc
		if inc.role != raft.Leader {
			continue
		}
		key := [3]int{int(x), inc.num, inc.term}
		from := c.leaderOK[key]
		for i := from; i < len(c.committed) && c.aboveTerm[i] < inc.term; i++ {
			if i >= len(inc.log) || inc.log[i] != c.committed[i] {
				got := "nothing"
				if i < len(inc.log) {
					got = entryString(inc.log[i])
				}
				return c.failf("after tick %d node %d is Leader of term %d, but its log has %s at index %d, where %s was committed while no term above %d existed: "+
					"a leader's log holds every committed entry (leader completeness); entries a node acknowledged must survive its crash (rule P2)",
					c.net.Now(), x, inc.term, got, i+1, entryString(c.committed[i]), c.aboveTerm[i])
			}
			c.leaderOK[key] = i + 1
		}
	}
	for i, x := range live {
		for _, y := range live[i+1:] {
			a, b := c.nodes[x], c.nodes[y]
			key := [2]id{x, y}
			if v := c.matchVer[key]; v == [2]int{a.logVer, b.logVer} && v != [2]int{} {
				continue
			}
			c.matchVer[key] = [2]int{a.logVer, b.logVer}
			if err := logMatching(a.inc.log, b.inc.log); err != "" {
				return c.failf("after tick %d the logs of nodes %d and %d %s (log matching): %d: %s; %d: %s",
					c.net.Now(), x, y, err, x, logString(a.inc.log), y, logString(b.inc.log))
			}
		}
	}
	return nil
}

// logMatching returns "" if a and b satisfy log matching, else how not.
func logMatching(a, b []raft.Entry) string {
	for i := min(len(a), len(b)) - 1; i >= 0; i-- {
		if a[i].Term != b[i].Term {
			continue
		}
		for j := i; j >= 0; j-- {
			if a[j] != b[j] {
				return fmt.Sprintf("both have an entry of term %d at index %d, but differ at index %d (%s and %s)",
					a[i].Term, i+1, j+1, entryString(a[j]), entryString(b[j]))
			}
		}
		return ""
	}
	return ""
}

func isPrefix(a, b []raft.Entry) bool { return len(a) <= len(b) && slices.Equal(a, b[:len(a)]) }

func (c *cluster) live() []id {
	var out []id
	for _, x := range c.ids {
		if c.net.Alive(x) {
			out = append(out, x)
		}
	}
	return out
}

// tick runs one tick and the checks.
func (c *cluster) tick() error {
	c.net.Tick()
	return c.check()
}

func (c *cluster) run(ticks int) error {
	for range ticks {
		if err := c.tick(); err != nil {
			return err
		}
	}
	return nil
}

// crash crashes x (noting it unless quiet).
func (c *cluster) crash(x id, note bool) {
	if note {
		c.note("node %d crashed", x)
	}
	c.net.Crash(x)
}

// restart builds a new incarnation of x from its Storage and checks that it
// starts with exactly the persistent state of the last one (rule P3).
func (c *cluster) restart(x id) {
	m := c.nodes[x]
	old := m.inc
	m.restart++
	p := c.build(m)
	c.note("node %d restarted from its Storage (term %d, votedFor %d, %d entries before the crash)", x, old.term, old.vote, len(old.log))
	c.net.Restart(x, p)
	if c.err != nil || !c.checkCalls {
		return
	}
	inc := m.inc
	if inc.term != old.term || inc.vote != old.vote || !slices.Equal(inc.log, old.log) {
		c.fail("node %d restarted with NewNode and the Storage its previous node value saved to; when it crashed it had term %d, votedFor %d, log %s, "+
			"but the new node value has term %d, votedFor %d, log %s: NewNode restores currentTerm, votedFor and the log from the Storage (rule P3), "+
			"and every call saves them before it returns (rule P2)", x, old.term, old.vote, logString(old.log), inc.term, inc.vote, logString(inc.log))
		return
	}
	if inc.role != raft.Follower {
		c.fail("node %d restarted from its Storage as %v; a restarted node starts as a Follower (rules E1, P1)", x, inc.role)
		return
	}
	if ci := inc.node.CommitIndex(); ci != 0 || len(inc.applied) != 0 {
		c.fail("node %d restarted from its Storage with CommitIndex() %d, having applied %d entries in NewNode; commitIndex and lastApplied are not saved: a restarted node starts with 0 and applies again from index 1 as commits become known (rule P3)", x, ci, len(inc.applied))
		return
	}
	if l, ok := inc.node.Leader(); ok {
		c.fail("node %d restarted from its Storage and Leader() says %d; the leader is not saved: a restarted node knows no leader until it accepts an AppendEntries (rules E9, P1)", x, l)
	}
}

// leader returns a live, unpaused node that believes it leads (the one with
// the highest term), if any.
func (c *cluster) leader() (id, bool) {
	best, bt := id(0), -1
	for _, x := range c.live() {
		if c.net.Paused(x) {
			continue
		}
		if t, role := c.nodes[x].inc.node.State(); role == raft.Leader && t > bt {
			best, bt = x, t
		}
	}
	return best, bt >= 0
}

func (c *cluster) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf("tick %d: ", c.net.Now())+fmt.Sprintf(format, args...))
}

// fail records the first violation seen inside a call.
func (c *cluster) fail(format string, args ...any) {
	if c.err == nil {
		c.err = c.failf(format, args...)
	}
}

// failf describes a failure with the cluster, what happened to it, every
// node's state and the last messages.
func (c *cluster) failf(format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	fmt.Fprintf(&b, "\n\ncluster: %s", c.desc)
	notes := c.notes
	if len(notes) > 25 {
		fmt.Fprintf(&b, "\n  (%d earlier events left out)", len(notes)-25)
		notes = notes[len(notes)-25:]
	}
	for _, n := range notes {
		b.WriteString("\n  " + n)
	}
	fmt.Fprintf(&b, "\nnodes after tick %d:", c.net.Now())
	for _, x := range c.ids {
		m := c.nodes[x]
		state := "up"
		switch {
		case !c.net.Alive(x):
			state = "crashed"
		case c.net.Paused(x):
			state = "paused"
		}
		fmt.Fprintf(&b, "\n  %d (%s): term %d, %v, votedFor %d, commit %d, log %s", x, state, m.inc.term, m.inc.role, m.inc.vote,
			len(m.inc.applied), logString(m.inc.log))
	}
	fmt.Fprintf(&b, "\ncommitted so far: %s", logString(c.committed))
	b.WriteString("\nlast messages (tick sender->receiver):\n")
	b.WriteString(c.trace(traceEvents))
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

// trace lists the last n message events of the run.
func (c *cluster) trace(n int) string {
	ev := c.net.Trace()
	var lines []string
	for i := len(ev) - 1; i >= 0 && len(lines) < n; i-- {
		e := ev[i]
		switch e.Kind {
		case simnet.EventSend, simnet.EventDuplicate:
			continue
		case simnet.EventDeliver, simnet.EventDrop:
			m := e.Msg.(message)
			s := fmt.Sprintf("  t=%d %d->%d %s", e.Tick, e.From, e.To, msgString(m.Body))
			if e.Kind == simnet.EventDrop {
				s += " [" + e.Reason + "]"
			}
			if e.Dup {
				s += " [copy]"
			}
			lines = append(lines, s)
		default:
			lines = append(lines, "  "+e.String())
		}
	}
	slices.Reverse(lines)
	return strings.Join(lines, "\n")
}

func msgString(m raft.Msg) string {
	switch m.Kind {
	case raft.RequestVote:
		return fmt.Sprintf("RequestVote{Term %d, Last %d/%d}", m.Term, m.LastLogIndex, m.LastLogTerm)
	case raft.RequestVoteReply:
		return fmt.Sprintf("RequestVoteReply{Term %d, Granted %v}", m.Term, m.VoteGranted)
	case raft.AppendEntries:
		return fmt.Sprintf("AppendEntries{Term %d, Prev %d/%d, Entries %s, Commit %d}", m.Term, m.PrevLogIndex, m.PrevLogTerm, logString(m.Entries), m.LeaderCommit)
	case raft.AppendEntriesReply:
		return fmt.Sprintf("AppendEntriesReply{Term %d, Success %v, Index %d}", m.Term, m.Success, m.Index)
	}
	return fmt.Sprintf("%+v", m)
}

// logString shows a log as [term:command ...], shortened in the middle.
func logString(l []raft.Entry) string {
	var parts []string
	for i, e := range l {
		if len(l) > 12 && i == 4 {
			parts = append(parts, fmt.Sprintf("... %d more ...", len(l)-10))
		}
		if len(l) > 12 && i >= 4 && i < len(l)-6 {
			continue
		}
		parts = append(parts, entryString(e))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func entryString(e raft.Entry) string { return fmt.Sprintf("%d:%q", e.Term, clipCmd(e.Command)) }

func clipCmd(s string) string {
	if len(s) > 24 {
		cut := 16
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%s...(%d bytes)", s[:cut], len(s))
	}
	return s
}
