//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// defaultRuns is how many seeds every randomized property tries.
const defaultRuns = 20

// wire is the body the simulated network carries: a raft.Msg that prints
// itself briefly in the diagrams.
type wire struct{ raft.Msg }

func (w wire) String() string {
	b := w.Msg
	switch b.Kind {
	case raft.RequestVote:
		return fmt.Sprintf("RV t%d last %d/t%d", b.Term, b.LastLogIndex, b.LastLogTerm)
	case raft.RequestVoteReply:
		if b.VoteGranted {
			return fmt.Sprintf("vote t%d yes", b.Term)
		}
		return fmt.Sprintf("vote t%d no", b.Term)
	case raft.AppendEntries:
		es := ""
		if len(b.Entries) > 0 {
			es = fmt.Sprintf(" +%d..%d", b.PrevLogIndex+1, b.PrevLogIndex+len(b.Entries))
		}
		return fmt.Sprintf("AE t%d prev %d/t%d%s commit %d", b.Term, b.PrevLogIndex, b.PrevLogTerm, es, b.LeaderCommit)
	case raft.AppendEntriesReply:
		if b.Success {
			return fmt.Sprintf("AE ok t%d index %d", b.Term, b.Index)
		}
		return fmt.Sprintf("AE fail t%d index %d", b.Term, b.Index)
	}
	return msgString(b)
}

func cloneWire(w wire) wire { return wire{cloneMsg(w.Msg)} }

func sameWire(a, b wire) bool {
	return sameMsgs([]rmsg{{Body: a.Msg}}, []rmsg{{Body: b.Msg}})
}

// timing is a cluster's timers and network delays. H + D < Min always holds:
// a leader's AppendEntries reach every follower before its timer runs out
// on a network without loss.
type timing struct {
	min, max, h int // ElectionTimeoutMin, ElectionTimeoutMax, HeartbeatInterval
	d           int // the network's largest delay (MaxDelay)
}

func randomTiming(r *rand.Rand) timing {
	t := timing{h: 1 + r.IntN(4), d: r.IntN(3)}
	t.min = t.h + t.d + 2 + r.IntN(6)
	t.max = t.min + []int{0, 1, 5, 10, 20}[r.IntN(5)]
	if t.max == t.min && r.IntN(2) == 0 {
		t.max++
	}
	return t
}

// livelyTiming is a timing whose election timeouts spread wide enough, for
// a cluster of n nodes, that split votes do not repeat for long: for the
// checks of how soon something happens.
func livelyTiming(r *rand.Rand, n int) timing {
	t := randomTiming(r)
	t.max = max(t.max, t.min+4*(t.d+1)+2*n+r.IntN(10))
	return t
}

func (t timing) config(seed uint64) raft.Config {
	return raft.Config{ElectionTimeoutMin: t.min, ElectionTimeoutMax: t.max, HeartbeatInterval: t.h, Seed: seed}
}

func (t timing) String() string {
	return fmt.Sprintf("ElectionTimeoutMin %d, ElectionTimeoutMax %d, HeartbeatInterval %d, network delay 0..%d ticks", t.min, t.max, t.h, t.d)
}

// randomIDs draws n distinct IDs > 0, not contiguous, sometimes huge.
func randomIDs(r *rand.Rand, n int) []id {
	seen := map[id]bool{}
	var out []id
	for len(out) < n {
		x := id(1 + r.IntN(8*n))
		switch r.IntN(8) {
		case 0:
			x = id(1<<31 + r.IntN(100))
		case 1:
			x = id(1<<62 + r.IntN(100))
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// probe is a twin on the network.
type probe struct{ w *twin }

func (p probe) Receive(m simnet.Message[wire]) []simnet.Message[wire] {
	return toWire(p.w.Receive(rmsg{From: m.From, To: m.To, Body: m.Body.Msg}))
}

func (p probe) Tick() []simnet.Message[wire] { return toWire(p.w.Tick()) }

func toWire(ms []rmsg) []simnet.Message[wire] {
	out := make([]simnet.Message[wire], len(ms))
	for i, m := range ms {
		out[i] = simnet.Message[wire]{From: m.From, To: m.To, Body: wire{m.Body}}
	}
	return out
}

// cluster runs twins on a simulated network and checks Raft's five
// guarantees (the paper's Figure 3) after every tick.
type cluster struct {
	ids   []id
	t     timing
	net   *simnet.Network[wire]
	netc  simnet.Config
	twins map[id]*twin
	r     *rand.Rand
	notes []string
	err   error

	leaderOfTerm map[int]id
	leaderSnap   map[id]snap         // each leader's log when last seen leading
	logs         map[id][]raft.Entry // each node's log at the last check
	hashes       map[id][]uint64     // prefix hashes of logs
	committed    []raft.Entry        // entries known committed, by index
	commitTerm   []int               // the term in which each was first seen committed
	commitBy     []id                // and by which node
	committedH   []uint64            // prefix hashes of committed
	newApplied   map[id][]applied
	appliedBy    map[id]int // how many entries each node has applied
	submitted    int
	cmdSeq       int
	bodyChecks   bool
	completeTo   map[id]snapTo // how much of committed each leader was checked against, in its term
}

type snapTo struct{ term, upTo int }

type snap struct {
	term int
	log  []raft.Entry
}

// newCluster builds a cluster of the given IDs on a network configured by
// netc, every node with timing t and a seed drawn from r.
func newCluster(r *rand.Rand, ids []id, t timing, netc simnet.Config) *cluster {
	return newClusterWith(r, ids, t, netc, nil)
}

// newClusterWith is newCluster with each node's Config from cfgFor when it
// is not nil.
func newClusterWith(r *rand.Rand, ids []id, t timing, netc simnet.Config, cfgFor func(x id) raft.Config) *cluster {
	netc.MaxDelay = max(netc.MaxDelay, t.d)
	c := &cluster{ids: ids, t: t, r: r, netc: netc, net: simnet.New[wire](netc), twins: map[id]*twin{},
		leaderOfTerm: map[int]id{}, leaderSnap: map[id]snap{}, logs: map[id][]raft.Entry{}, hashes: map[id][]uint64{},
		newApplied: map[id][]applied{}, appliedBy: map[id]int{}, bodyChecks: true, completeTo: map[id]snapTo{}}
	c.net.CopyBodies(cloneWire, nil)
	for _, x := range ids {
		peers := slices.Clone(ids)
		r.Shuffle(len(peers), func(i, j int) { peers[i], peers[j] = peers[j], peers[i] })
		cfg := t.config(check.EdgeUint64(r, ^uint64(0)))
		if cfgFor != nil {
			cfg = cfgFor(x)
		}
		w := newTwin(x, peers, cfg)
		w.where = func() string { return fmt.Sprintf("at tick %d", c.net.Now()) }
		w.owned = true
		w.onApplied = func(x id, a applied) { c.newApplied[x] = append(c.newApplied[x], a) }
		c.twins[x] = w
		c.net.Add(x, probe{w})
	}
	return c
}

func (c *cluster) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf("before tick %d: ", c.net.Now()+1)+fmt.Sprintf(format, args...))
}

// tick runs one tick and checks everything; it returns the first problem.
func (c *cluster) tick() error {
	if c.err != nil {
		return c.err
	}
	c.net.Tick()
	if err := c.observe(); err != nil {
		c.err = c.failf("%v", err)
	}
	return c.err
}

func (c *cluster) run(ticks int) error {
	for range ticks {
		if err := c.tick(); err != nil {
			return err
		}
	}
	return nil
}

// runUntil ticks until done holds, for at most within ticks; it reports
// whether done held.
func (c *cluster) runUntil(done func() bool, within int) (bool, error) {
	for i := 0; ; i++ {
		if done() {
			return true, nil
		}
		if i == within {
			return false, nil
		}
		if err := c.tick(); err != nil {
			return false, err
		}
	}
}

const (
	hashStart = 14695981039346656037
	hashMul   = 1099511628211
)

func hashEntry(h uint64, e raft.Entry) uint64 {
	h = (h ^ uint64(e.Term)) * hashMul
	for i := 0; i < len(e.Command); i++ {
		h = (h ^ uint64(e.Command[i])) * hashMul
	}
	return (h ^ uint64(len(e.Command))) * hashMul
}

// updateLog records x's current log and its prefix hashes.
func (c *cluster) updateLog(x id, log []raft.Entry) {
	old, h := c.logs[x], c.hashes[x]
	i := 0
	if len(old) > 0 && len(log) >= len(old) && &old[0] == &log[0] {
		i = len(old) // the same entries, maybe more after them (logs come from the model, which never overwrites an entry in place)
	}
	for i < len(old) && i < len(log) && old[i] == log[i] {
		i++
	}
	h = h[:i]
	prev := uint64(hashStart)
	if i > 0 {
		prev = h[i-1]
	}
	for _, e := range log[i:] {
		prev = hashEntry(prev, e)
		h = append(h, prev)
	}
	c.logs[x], c.hashes[x] = log, h
}

// observe checks the five guarantees of Figure 3 on what the nodes show.
func (c *cluster) observe() error {
	for _, x := range c.ids {
		if err := c.twins[x].err; err != nil {
			return err
		}
	}
	if c.bodyChecks {
		if ch := c.net.BodyChanges(); len(ch) > 0 {
			return fmt.Errorf("node %d changed the body of a message after it returned it (%v); a message is bytes on a wire: "+
				"nothing the node does later may change what it sent, so Entries must be a copy of the log (L2, L10)", ch[0].From, ch[0])
		}
	}
	now := c.net.Now()
	for _, x := range c.ids {
		w := c.twins[x]
		log := w.lastLog
		c.updateLog(x, log)
		term, role := w.node.State()
		// Election safety: at most one leader per term.
		if role == raft.Leader {
			if l, ok := c.leaderOfTerm[term]; ok && l != x {
				return fmt.Errorf("election safety: after tick %d nodes %d and %d have both been leader of term %d; "+
					"a candidate needs votes from a majority, and a node votes once per term (E5, E6)", now, l, x, term)
			}
			c.leaderOfTerm[term] = x
			// Leader append-only: a leader never deletes or overwrites
			// an entry of its own log.
			if s, ok := c.leaderSnap[x]; ok && s.term == term {
				if len(log) < len(s.log) || logDiff(s.log, log[:len(s.log)]) != "" {
					return check.Mismatch(fmt.Sprintf("leader append-only: node %d, leader of term %d, changed its own log between tick %d and tick %d; "+
						"a leader only appends (L1), it never deletes or overwrites its entries: its log", x, term, now-1, now), logString(s.log)+" followed by new entries", logString(log))
				}
			}
			c.leaderSnap[x] = snap{term, log}
		} else {
			delete(c.leaderSnap, x)
		}
	}
	// Log matching: two logs with an entry of the same index and term are
	// identical up to that index.
	for i, a := range c.ids {
		for _, b := range c.ids[i+1:] {
			la, lb := c.logs[a], c.logs[b]
			k := min(len(la), len(lb))
			for k > 0 && la[k-1].Term != lb[k-1].Term {
				k--
			}
			if k > 0 && c.hashes[a][k-1] != c.hashes[b][k-1] {
				j := 0
				for la[j] == lb[j] {
					j++
				}
				return fmt.Errorf("log matching: after tick %d the logs of nodes %d and %d both have an entry of term %d at index %d, "+
					"but they differ at index %d (%s on node %d, %s on node %d): a follower stores entries only after the entry "+
					"before them matches PrevLogIndex and PrevLogTerm (L3, L4)\n  node %d: %s\n  node %d: %s",
					now, a, b, la[k-1].Term, k, j+1, entryString(la[j]), a, entryString(lb[j]), b, a, logString(la), b, logString(lb))
			}
		}
	}
	// Committed entries: every commit index covers the same entries
	// everywhere (state-machine safety), and every later leader holds them
	// (leader completeness).
	for _, x := range c.ids {
		w := c.twins[x]
		ci := w.model.commit // compared with CommitIndex() after every call
		log := c.logs[x]
		term, _ := w.node.State()
		if ci > len(log) {
			return fmt.Errorf("after tick %d node %d has commit index %d but only %d entries", now, x, ci, len(log))
		}
		if k := min(ci, len(c.committed)); k > 0 && c.hashes[x][k-1] != c.committedH[k-1] {
			j := 0
			for log[j] == c.committed[j] {
				j++
			}
			return fmt.Errorf("state-machine safety: after tick %d node %d has committed %s at index %d, but node %d committed %s there in term %d: "+
				"an index, once committed, holds the same entry on every node forever (L4, L7)", now, x, entryString(log[j]), j+1, c.commitBy[j], entryString(c.committed[j]), c.commitTerm[j])
		}
		for i := len(c.committed); i < ci; i++ {
			c.committed = append(c.committed, log[i])
			c.commitTerm = append(c.commitTerm, term)
			c.commitBy = append(c.commitBy, x)
			c.committedH = append(c.committedH, c.hashes[x][i])
		}
	}
	for _, x := range c.ids {
		term, role := c.twins[x].node.State()
		if role != raft.Leader {
			continue
		}
		log := c.logs[x]
		from := 0
		if lc, ok := c.completeTo[x]; ok && lc.term == term {
			from = lc.upTo // a leader's log only grows (checked above), and so does c.committed
		}
		c.completeTo[x] = snapTo{term, len(c.committed)}
		for i := from; i < len(c.committed); i++ {
			e := c.committed[i]
			if c.commitTerm[i] >= term {
				continue
			}
			if i >= len(log) || log[i] != e {
				got := "nothing"
				if i < len(log) {
					got = entryString(log[i])
				}
				return fmt.Errorf("leader completeness: after tick %d node %d leads term %d, but its log has %s at index %d, where node %d had committed %s in term %d: "+
					"a committed entry is in the log of every later leader, because only a candidate whose log is at least as up-to-date as a majority's wins (L8)",
					now, x, term, got, i+1, c.commitBy[i], entryString(e), c.commitTerm[i])
			}
		}
	}
	// Applied entries are the committed ones, in order.
	for _, x := range c.ids {
		for _, a := range c.newApplied[x] {
			if a.index != c.appliedBy[x]+1 {
				return fmt.Errorf("after tick %d node %d applied index %d after index %d: entries are applied in index order, each once (L9)", now, x, a.index, c.appliedBy[x])
			}
			c.appliedBy[x] = a.index
			if a.index > len(c.committed) || c.committed[a.index-1] != a.entry {
				want := "nothing committed there yet"
				if a.index <= len(c.committed) {
					want = entryString(c.committed[a.index-1])
				}
				return fmt.Errorf("state-machine safety: after tick %d node %d applied %s at index %d, but the entry committed there is %s (L9)", now, x, entryString(a.entry), a.index, want)
			}
		}
		c.newApplied[x] = nil
	}
	return nil
}

// leader returns the live node that leads the highest term, if any.
func (c *cluster) leader() (id, bool) {
	best, bestTerm := id(0), -1
	for _, x := range c.ids {
		if !c.net.Alive(x) {
			continue
		}
		if term, role := c.twins[x].node.State(); role == raft.Leader && term > bestTerm {
			best, bestTerm = x, term
		}
	}
	return best, bestTerm >= 0
}

// submit submits a new command to node x and records it in the notes.
func (c *cluster) submit(x id, cmd string) (int, int, bool) {
	i, t, ok := c.twins[x].Submit(cmd)
	if c.twins[x].err != nil && c.err == nil {
		c.err = c.failf("%v", c.twins[x].err)
	}
	if ok {
		c.submitted++
		c.note("Submit(%q) to node %d -> index %d, term %d", shorten(cmd), x, i, t)
	}
	return i, t, ok
}

// command draws a command: edge strings (empty, upper case, non-ASCII,
// separators), long ones, and numbered ones.
func (c *cluster) command() string {
	c.cmdSeq++
	switch c.r.IntN(6) {
	case 0:
		return check.EdgeName(c.r)
	case 1:
		return strings.Repeat("λx.", 200+c.r.IntN(200)) + fmt.Sprint(c.cmdSeq)
	}
	return fmt.Sprintf("%s#%d", check.EdgeName(c.r), c.cmdSeq)
}

// state summarizes every node.
func (c *cluster) state() string {
	var b strings.Builder
	for _, x := range c.ids {
		w := c.twins[x]
		term, role := w.node.State()
		st := ""
		switch {
		case !c.net.Alive(x):
			st = " (crashed)"
		case c.net.Paused(x):
			st = " (paused)"
		}
		fmt.Fprintf(&b, "\n  node %d%s: term %d, %v, commit index %d, log %s", x, st, term, role, w.model.commit, logString(w.lastLog))
	}
	return b.String()
}

// failf describes a failure with the cluster, what the test did, every
// node's state and the diagram of the run's last events.
func (c *cluster) failf(format string, args ...any) error {
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	fmt.Fprintf(&b, "\n\ncluster: nodes %v, %v, loss %v, duplicates %v (up to %d extra copies)", c.ids, c.t, c.netc.DropRate, c.netc.DuplicateRate, max(1, c.netc.MaxExtraCopies))
	notes := c.notes
	if len(notes) > 25 {
		fmt.Fprintf(&b, "\nwhat the test did (the last 25 of %d steps):", len(notes))
		notes = notes[len(notes)-25:]
	} else if len(notes) > 0 {
		b.WriteString("\nwhat the test did:")
	}
	for _, n := range notes {
		b.WriteString("\n  " + n)
	}
	fmt.Fprintf(&b, "\nafter tick %d:%s", c.net.Now(), c.state())
	b.WriteString("\n\nthe last messages (AE = AppendEntries, RV = RequestVote, prev = PrevLogIndex/PrevLogTerm, +a..b = the indexes of the entries carried):\n")
	b.WriteString(c.net.Diagram(40))
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}
