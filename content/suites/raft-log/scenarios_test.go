//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
)

// The checks in this file drive nodes by hand: the test plays the other
// peers, crafts their messages and calls Receive, Tick and Submit itself.
// Every call is also compared with the lesson's rules (the twin), so a
// failure may come from that comparison or from the scenario's own
// expectations.

func handConfig() raft.Config {
	c := raft.DefaultConfig()
	c.Seed = 7
	return c
}

// cmdOf names the command of the entry of term t at index i, so that two
// entries with the same index and term are the same entry.
func cmdOf(t, i int) string { return fmt.Sprintf("c%d.%d", t, i) }

// entries builds a log from its terms.
func entries(terms ...int) []raft.Entry {
	out := make([]raft.Entry, len(terms))
	for i, t := range terms {
		out[i] = raft.Entry{Term: t, Command: cmdOf(t, i+1)}
	}
	return out
}

func ae(term, prev, prevTerm int, es []raft.Entry, commit int) raft.Msg {
	return raft.Msg{Kind: raft.AppendEntries, Term: term, PrevLogIndex: prev, PrevLogTerm: prevTerm, Entries: es, LeaderCommit: commit}
}

func aeReply(term int, ok bool, index int) raft.Msg {
	return raft.Msg{Kind: raft.AppendEntriesReply, Term: term, Success: ok, Index: index}
}

// follower builds node x of peers whose log is log, in term term, as if the
// leader of that term had sent it the whole log with LeaderCommit commit.
func follower(x id, peers []id, term int, from id, log []raft.Entry, commit int) *twin {
	w := newTwin(x, peers, handConfig())
	if term > 0 {
		w.Receive(rmsg{From: from, To: x, Body: ae(term, 0, 0, log, commit)})
	}
	return w
}

// elect makes w the leader of term (w's term must be below it) and returns
// the AppendEntries it sent on winning.
func elect(w *twin, term int) ([]rmsg, error) {
	others := w.model.others
	if w.model.term < term-1 {
		// A reply of a higher term moves the node to that term (E4).
		w.Receive(rmsg{From: others[0], To: w.id, Body: raft.Msg{Kind: raft.RequestVoteReply, Term: term - 1}})
	}
	for range w.model.cfg.ElectionTimeoutMax + 1 {
		if t, role := w.node.State(); role == raft.Candidate && t == term || w.err != nil {
			break
		}
		w.Tick()
	}
	if t, role := w.node.State(); role != raft.Candidate || t != term {
		return nil, errorOr(w.err, check.Mismatch(fmt.Sprintf("node %d, a follower of term %d whose election timeout is at most %d ticks, after that many ticks: State()", w.id, term-1, w.model.cfg.ElectionTimeoutMax),
			fmt.Sprintf("(%d, Candidate)", term), fmt.Sprintf("(%d, %v)", t, role)))
	}
	var won []rmsg
	for _, p := range others {
		out := w.Receive(rmsg{From: p, To: w.id, Body: raft.Msg{Kind: raft.RequestVoteReply, Term: term, VoteGranted: true}})
		if _, role := w.node.State(); role == raft.Leader {
			won = out
			break
		}
	}
	if _, role := w.node.State(); role != raft.Leader {
		return nil, errorOr(w.err, fmt.Errorf("node %d got votes from every peer in term %d but is %v (E6)", w.id, term, role))
	}
	for i := range won {
		won[i].From = w.id
	}
	return won, w.err
}

func errorOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

// hub passes messages between hand-driven twins in the order they were
// sent, counting the failed AppendEntriesReply of each node.
type hub struct {
	nodes  map[id]*twin
	queue  []rmsg
	failed map[id]int
}

func newHub(ws ...*twin) *hub {
	h := &hub{nodes: map[id]*twin{}, failed: map[id]int{}}
	for _, w := range ws {
		h.nodes[w.id] = w
	}
	return h
}

func (h *hub) send(from id, out []rmsg) {
	for _, m := range out {
		m.From = from
		h.queue = append(h.queue, m)
	}
}

func (h *hub) err() error {
	for _, x := range mapsKeys(h.nodes) {
		if err := h.nodes[x].err; err != nil {
			return err
		}
	}
	return nil
}

func mapsKeys(m map[id]*twin) []id {
	var out []id
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// drain delivers every queued message (and what they cause).
func (h *hub) drain() error {
	for steps := 0; len(h.queue) > 0; steps++ {
		if steps > 10000 {
			return fmt.Errorf("the nodes kept sending messages to each other (over 10000 without a Tick): a leader sends at once only after a failed reply (L6)")
		}
		m := h.queue[0]
		h.queue = h.queue[1:]
		w, ok := h.nodes[m.To]
		if !ok {
			continue
		}
		if m.Body.Kind == raft.AppendEntriesReply && !m.Body.Success {
			h.failed[m.From]++
		}
		h.send(m.To, w.Receive(m))
		if err := h.err(); err != nil {
			return err
		}
	}
	return nil
}

// round ticks the leader until it sends its next round, and delivers it.
func (h *hub) round(l *twin) error {
	for range l.model.cfg.HeartbeatInterval {
		out := l.Tick()
		h.send(l.id, out)
		if len(out) > 0 {
			break
		}
	}
	return h.drain()
}

// TestALeaderBringsEveryFigure7FollowerInLine plays the paper's Figure 7:
// a leader of term 8 with the log 1 1 1 4 4 5 5 6 6 6 and six followers
// (a)–(f), each missing entries, holding extra ones, or both. The leader's
// first AppendEntries carry PrevLogIndex 10; each failed reply brings the
// next one at once (L6), with nextIndex moved to the follower's hint (L3):
// (a) and (b) fail once (their logs are shorter), (c) and (d) never (they
// hold the leader's entry 10), (e) three times and (f) seven times (one
// per conflicting entry). No entry is committed until one of term 8 is
// stored on a majority (L7); then every follower ends with the leader's
// log, committed.
func TestALeaderBringsEveryFigure7FollowerInLine(t *testing.T) {
	defer check.Recover(t)
	peers := []id{1, 2, 3, 4, 5, 6, 7}
	leaderLog := entries(1, 1, 1, 4, 4, 5, 5, 6, 6, 6)
	followers := []struct {
		name  string
		terms []int
		fails int
	}{
		{"(a)", []int{1, 1, 1, 4, 4, 5, 5, 6, 6}, 1},
		{"(b)", []int{1, 1, 1, 4}, 1},
		{"(c)", []int{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 0},
		{"(d)", []int{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 0},
		{"(e)", []int{1, 1, 1, 4, 4, 4, 4}, 3},
		{"(f)", []int{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 7},
	}
	l := follower(1, peers, 6, 2, leaderLog, 0)
	h := newHub(l)
	for i, f := range followers {
		x := id(i + 2)
		h.nodes[x] = follower(x, peers, slices.Max(f.terms), 1, entries(f.terms...), 0)
	}
	won, err := elect(l, 8)
	if err != nil {
		t.Fatal(err)
	}
	h.send(1, won)
	if err := h.drain(); err != nil {
		t.Fatal(err)
	}
	for i, f := range followers {
		x := id(i + 2)
		if h.failed[x] != f.fails {
			t.Fatal(check.Mismatch(fmt.Sprintf("Figure 7, follower %s (node %d, log terms %v), leader's log terms 1 1 1 4 4 5 5 6 6 6: "+
				"the number of AppendEntries it refused before one matched (each failed reply says Index = min(PrevLogIndex-1, lastLogIndex), L3; "+
				"the leader moves nextIndex to min(nextIndex-1, Index+1) and sends again at once, L6)", f.name, x, f.terms), f.fails, h.failed[x]))
		}
	}
	if c := l.node.CommitIndex(); c != 0 {
		t.Fatal(check.Mismatch("every follower now stores the leader's entries 1–10, of terms up to 6; the leader of term 8 must not count replicas of "+
			"entries of earlier terms (L7, Figure 8): its CommitIndex()", 0, c))
	}
	if _, _, ok := l.Submit("c8.11"); !ok {
		t.Fatal("Submit on the leader of term 8 returned ok = false")
	}
	for range 3 {
		if err := h.round(l); err != nil {
			t.Fatal(err)
		}
	}
	want := append(slices.Clone(leaderLog), raft.Entry{Term: 8, Command: "c8.11"})
	for _, x := range peers {
		w := h.nodes[x]
		if got := w.node.Log(); logDiff(want, got) != "" || w.node.CommitIndex() != 11 {
			t.Fatal(check.Mismatch(fmt.Sprintf("Figure 7: three AppendEntries rounds after the leader's Submit of an entry of term 8, node %d's log and CommitIndex()", x),
				logString(want)+", commit 11", fmt.Sprintf("%s, commit %d", logString(got), w.node.CommitIndex())))
		}
	}
	if err := h.err(); err != nil {
		t.Fatal(err)
	}
}

// TestAnOldTermEntryIsCommittedOnlyWithAnEntryOfTheLeadersTerm plays the
// paper's Figure 8. Node 1 holds x (term 1, committed) and y (term 2) and
// becomes leader of term 4 in a cluster of five; nodes 2 and 3 store y, so
// a majority (1, 2, 3) holds it. It must NOT be committed: node 5, with an
// entry of term 3 at index 2, could still win an election with the votes
// of 2, 3 and 4 (its last term 3 beats their 2, L8) and overwrite it. Only
// when z, of term 4, is stored on a majority does the leader commit z and
// y with it (L7), applying 2 then 3 (L9).
func TestAnOldTermEntryIsCommittedOnlyWithAnEntryOfTheLeadersTerm(t *testing.T) {
	defer check.Recover(t)
	peers := []id{1, 2, 3, 4, 5}
	x := raft.Entry{Term: 1, Command: "x"}
	y := raft.Entry{Term: 2, Command: "y"}
	var appliedOn1 []applied
	l := newTwin(1, peers, handConfig())
	l.onApplied = func(_ id, a applied) { appliedOn1 = append(appliedOn1, a) }
	l.Receive(rmsg{From: 5, To: 1, Body: ae(2, 0, 0, []raft.Entry{x, y}, 1)})
	if l.err != nil {
		t.Fatal(l.err)
	}
	won, err := elect(l, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range won {
		if m.Body.PrevLogIndex != 2 || m.Body.PrevLogTerm != 2 || len(m.Body.Entries) != 0 {
			t.Fatal(check.Mismatch("a new leader with 2 entries sets nextIndex = 3 for every peer (L2); its first AppendEntries", "PrevLogIndex 2, PrevLogTerm 2, no Entries", msgString(m.Body)))
		}
	}
	l.Receive(rmsg{From: 2, To: 1, Body: aeReply(4, true, 2)})
	retry := l.Receive(rmsg{From: 3, To: 1, Body: aeReply(4, false, 1)})
	if len(retry) != 1 || retry[0].To != 3 || retry[0].Body.PrevLogIndex != 1 || len(retry[0].Body.Entries) != 1 {
		t.Fatal(errorOr(l.err, check.Mismatch("node 3 refused PrevLogIndex 2 with Index 1: the leader sends at once (L6) to node 3", "AppendEntries with PrevLogIndex 1 and Entries [y]", msgsString(retry))))
	}
	l.Receive(rmsg{From: 3, To: 1, Body: aeReply(4, true, 2)})
	if l.err != nil {
		t.Fatal(l.err)
	}
	if c := l.node.CommitIndex(); c != 1 {
		t.Fatal(check.Mismatch("Figure 8: y (term 2, index 2) is stored on nodes 1, 2 and 3, a majority, but the leader's term is 4: "+
			"a leader never commits an entry of an earlier term by counting replicas (L7); its CommitIndex()", 1, c))
	}
	// Why: node 3 would still vote for node 5, whose last entry has term 3.
	v := follower(3, peers, 2, 5, []raft.Entry{x, y}, 1)
	out := v.Receive(rmsg{From: 5, To: 3, Body: raft.Msg{Kind: raft.RequestVote, Term: 5, LastLogIndex: 2, LastLogTerm: 3}})
	if v.err != nil {
		t.Fatal(v.err)
	}
	if len(out) != 1 || !out[0].Body.VoteGranted {
		t.Fatal(check.Mismatch("node 3 (log x, y of terms 1, 2) receives RequestVote from node 5 of term 5 with LastLogIndex 2, LastLogTerm 3: "+
			"a last term of 3 beats 2, so the vote is granted (L8), and that is why y was not safe to commit", "VoteGranted true", msgsString(out)))
	}
	if i, term, ok := l.Submit("z"); i != 3 || term != 4 || !ok {
		t.Fatal(check.Mismatch(`Submit("z") on the leader of term 4 with 2 entries returned`, "(3, 4, true)", fmt.Sprintf("(%d, %d, %v)", i, term, ok)))
	}
	var round []rmsg
	for range l.model.cfg.HeartbeatInterval {
		if round = l.Tick(); len(round) > 0 {
			break
		}
	}
	if l.err != nil {
		t.Fatal(l.err)
	}
	l.Receive(rmsg{From: 2, To: 1, Body: aeReply(4, true, 3)})
	if c := l.node.CommitIndex(); c != 1 {
		t.Fatal(errorOr(l.err, check.Mismatch("z (term 4, index 3) is stored on nodes 1 and 2 only, 2 of 5: CommitIndex()", 1, c)))
	}
	l.Receive(rmsg{From: 3, To: 1, Body: aeReply(4, true, 3)})
	if l.err != nil {
		t.Fatal(l.err)
	}
	if c := l.node.CommitIndex(); c != 3 {
		t.Fatal(check.Mismatch("z (term 4, index 3) is now stored on nodes 1, 2 and 3, a majority: it is committed, and y before it (L7); CommitIndex()", 3, c))
	}
	want := []applied{{1, x}, {2, y}, {3, raft.Entry{Term: 4, Command: "z"}}}
	if !slices.Equal(appliedOn1, want) {
		t.Fatal(check.Mismatch("the Apply calls of node 1 (L9)", appliedString(want), appliedString(appliedOn1)))
	}
}

// replyOf returns the only message of out, or an error.
func replyOf(w *twin, out []rmsg, what string) (raft.Msg, error) {
	if w.err != nil {
		return raft.Msg{}, w.err
	}
	if len(out) != 1 {
		return raft.Msg{}, check.Mismatch(what+": the messages returned", "one reply", msgsString(out))
	}
	return out[0].Body, nil
}

type logCase struct {
	name      string
	log       []raft.Entry // the follower's log, stored by a leader of term 2
	msg       raft.Msg     // then this AppendEntries, from node 2
	wantLog   []raft.Entry
	wantReply raft.Msg
	commit    int // the follower's commit index afterwards
}

func (c logCase) run() error {
	peers := []id{1, 2, 3}
	w := follower(1, peers, 2, 3, c.log, 0)
	out := w.Receive(rmsg{From: 2, To: 1, Body: c.msg})
	what := fmt.Sprintf("%s: a follower with the log %s receives %s", c.name, logString(c.log), msgString(c.msg))
	got, err := replyOf(w, out, what)
	if err != nil {
		return err
	}
	if msgString(got) != msgString(c.wantReply) {
		return check.Mismatch(what+"; its reply", msgString(c.wantReply), msgString(got))
	}
	if log := w.node.Log(); logDiff(c.wantLog, log) != "" {
		return check.Mismatch(what+"; its log", logString(c.wantLog), logString(log))
	}
	if got := w.node.CommitIndex(); got != c.commit {
		return check.Mismatch(what+"; its CommitIndex() (L4: min(LeaderCommit, PrevLogIndex+len(Entries)) when LeaderCommit is higher)", c.commit, got)
	}
	return w.err
}

func es(pairs ...any) []raft.Entry {
	var out []raft.Entry
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, raft.Entry{Term: pairs[i].(int), Command: pairs[i+1].(string)})
	}
	return out
}

// TestAConflictingSuffixIsDeletedAndTheRestAppended checks L4 on a
// follower: entries that match are kept, the first entry whose term
// differs is deleted with everything after it (even entries beyond the
// message's), and the rest of Entries is appended.
func TestAConflictingSuffixIsDeletedAndTheRestAppended(t *testing.T) {
	defer check.Recover(t)
	cases := []logCase{
		{"a conflict after the matching entries",
			es(1, "a", 1, "b", 2, "c", 2, "d", 2, "e"),
			ae(3, 2, 1, es(2, "c", 3, "X", 3, "Y"), 9),
			es(1, "a", 1, "b", 2, "c", 3, "X", 3, "Y"), aeReply(3, true, 5), 5},
		{"a conflict at the first new entry deletes a longer tail",
			es(1, "a", 1, "b", 2, "c", 2, "d", 2, "e", 2, "f"),
			ae(3, 2, 1, es(3, "X"), 0),
			es(1, "a", 1, "b", 3, "X"), aeReply(3, true, 3), 0},
		{"a conflict at index 1",
			es(1, "a", 2, "b"),
			ae(3, 0, 0, es(3, "X"), 0),
			es(3, "X"), aeReply(3, true, 1), 0},
		{"no conflict: the entries are appended",
			es(1, "a"),
			ae(3, 1, 1, es(1, "b", 3, "c"), 0),
			es(1, "a", 1, "b", 3, "c"), aeReply(3, true, 3), 0},
		{"the last entry conflicts",
			es(1, "a", 1, "b", 1, "c"),
			ae(3, 0, 0, es(1, "a", 1, "b", 3, "C"), 0),
			es(1, "a", 1, "b", 3, "C"), aeReply(3, true, 3), 0},
	}
	for _, c := range cases {
		if err := c.run(); err != nil {
			t.Error(err)
		}
	}
}

// TestALateOrDuplicatedAppendEntriesNeverTruncatesMatchingEntries delivers
// AppendEntries that arrive late, twice or out of order: each carries a
// prefix of what the follower already stores, so nothing may be deleted
// (L4), and the reply's Index is PrevLogIndex+len(Entries), not the log's
// length.
func TestALateOrDuplicatedAppendEntriesNeverTruncatesMatchingEntries(t *testing.T) {
	defer check.Recover(t)
	five := es(2, "a", 2, "b", 2, "c", 2, "d", 2, "e")
	cases := []logCase{
		{"the same AppendEntries again", five, ae(2, 0, 0, five, 0), five, aeReply(2, true, 5), 0},
		{"a late AppendEntries with entries 2–3", five, ae(2, 1, 2, five[1:3], 0), five, aeReply(2, true, 3), 0},
		{"a late heartbeat at PrevLogIndex 2", five, ae(2, 2, 2, nil, 0), five, aeReply(2, true, 2), 0},
		{"a late AppendEntries from the start", five, ae(2, 0, 0, five[:1], 0), five, aeReply(2, true, 1), 0},
		{"a late AppendEntries with entries 2–3 and LeaderCommit 5", five, ae(2, 1, 2, five[1:3], 5), five, aeReply(2, true, 3), 3},
		{"a late heartbeat at PrevLogIndex 4 with LeaderCommit 9", five, ae(2, 4, 2, nil, 9), five, aeReply(2, true, 4), 4},
		{"a late one from a newer term's leader, whose entries match", five, ae(3, 3, 2, five[3:4], 0), five, aeReply(3, true, 4), 0},
	}
	for _, c := range cases {
		if err := c.run(); err != nil {
			t.Error(err)
		}
	}
	// Reordered: entries 4–6 arrive, then the AppendEntries with 1–4 that
	// was sent before them.
	w := follower(1, []id{1, 2, 3}, 2, 2, five[:3], 0)
	six := append(slices.Clone(five), raft.Entry{Term: 2, Command: "f"})
	w.Receive(rmsg{From: 2, To: 1, Body: ae(2, 3, 2, six[3:], 0)})
	out := w.Receive(rmsg{From: 2, To: 1, Body: ae(2, 0, 0, six[:4], 0)})
	got, err := replyOf(w, out, "a follower with entries 1–6 receives a late AppendEntries with entries 1–4")
	if err != nil {
		t.Fatal(err)
	}
	if log := w.node.Log(); logDiff(six, log) != "" || got.Index != 4 {
		t.Fatal(check.Mismatch("a follower that stored entries 1–6 receives a late AppendEntries with entries 1–4 (same terms): its log and reply",
			logString(six)+", "+msgString(aeReply(2, true, 4)), logString(log)+", "+msgString(got)))
	}
}

// TestARefusedAppendEntriesRepliesWithTheHintIndex checks L3: a follower
// whose log is too short, or holds another term at PrevLogIndex, refuses
// with Index = min(PrevLogIndex-1, lastLogIndex) and changes nothing; index
// 0 always matches.
func TestARefusedAppendEntriesRepliesWithTheHintIndex(t *testing.T) {
	defer check.Recover(t)
	log := es(1, "a", 1, "b", 2, "c")
	cases := []logCase{
		{"PrevLogIndex far beyond the log", log, ae(2, 7, 2, es(2, "x"), 0), log, aeReply(2, false, 3), 0},
		{"PrevLogIndex just beyond the log", log, ae(2, 4, 2, nil, 0), log, aeReply(2, false, 3), 0},
		{"another term at PrevLogIndex 3", log, ae(3, 3, 3, es(3, "x"), 0), log, aeReply(3, false, 2), 0},
		{"another term at PrevLogIndex 1", log, ae(3, 1, 2, es(3, "x"), 2), log, aeReply(3, false, 0), 0},
		{"an empty log and PrevLogIndex 5", nil, ae(3, 5, 3, es(3, "x"), 2), nil, aeReply(3, false, 0), 0},
		{"PrevLogIndex 0 always matches", log, ae(3, 0, 0, es(1, "a"), 0), log, aeReply(3, true, 1), 0},
		{"an older term is refused with Index 0 (E8)", log, ae(1, 0, 0, es(1, "x"), 3), log, aeReply(2, false, 0), 0},
	}
	for _, c := range cases {
		if err := c.run(); err != nil {
			t.Error(err)
		}
	}
}

// TestAFollowersCommitIndexIsTheMinimumAndNeverDecreases checks L4's
// commit rule: commitIndex = min(LeaderCommit, PrevLogIndex+len(Entries))
// when LeaderCommit is higher than it, never lower than before, and every
// newly committed entry is applied once, in order (L9).
func TestAFollowersCommitIndexIsTheMinimumAndNeverDecreases(t *testing.T) {
	defer check.Recover(t)
	log := es(2, "a", 2, "b", 2, "c", 2, "d", 2, "e", 2, "f")
	var got []applied
	w := newTwin(1, []id{1, 2, 3}, handConfig())
	w.onApplied = func(_ id, a applied) { got = append(got, a) }
	steps := []struct {
		msg    raft.Msg
		commit int
		why    string
	}{
		{ae(2, 0, 0, log[:5], 3), 3, "LeaderCommit 3, entries 1–5: min(3, 5) = 3"},
		{ae(2, 5, 2, nil, 5), 5, "a heartbeat at PrevLogIndex 5 with LeaderCommit 5: min(5, 5) = 5"},
		{ae(2, 1, 2, nil, 6), 5, "a heartbeat at PrevLogIndex 1 with LeaderCommit 6: min(6, 1) = 1 is below 5, and commitIndex never decreases"},
		{ae(2, 2, 2, log[2:4], 6), 5, "entries 3–4 with LeaderCommit 6: min(6, 4) = 4 is below 5"},
		{ae(2, 5, 2, log[5:], 4), 5, "entry 6 with LeaderCommit 4: LeaderCommit is not above commitIndex"},
		{ae(2, 4, 2, log[4:], 9), 6, "entries 5–6 with LeaderCommit 9: min(9, 6) = 6"},
	}
	for _, s := range steps {
		w.Receive(rmsg{From: 2, To: 1, Body: s.msg})
		if w.err != nil {
			t.Fatal(w.err)
		}
		if c := w.node.CommitIndex(); c != s.commit {
			t.Fatal(check.Mismatch(fmt.Sprintf("after %s, CommitIndex() (L4)", s.why), s.commit, c))
		}
	}
	var want []applied
	for i, e := range log {
		want = append(want, applied{i + 1, e})
	}
	if !slices.Equal(got, want) {
		t.Fatal(check.Mismatch("every Apply call, in order (L9)", appliedString(want), appliedString(got)))
	}
	// Apply may be nil.
	cfg := handConfig()
	n := raft.NewNode(1, []id{1, 2, 3}, cfg)
	n.Receive(rmsg{From: 2, To: 1, Body: ae(2, 0, 0, log, 6)})
	if c := n.CommitIndex(); c != 6 {
		t.Fatal(check.Mismatch("a node whose Config.Apply is nil, after entries 1–6 with LeaderCommit 6: CommitIndex()", 6, c))
	}
}

// TestVotesGoOnlyToCandidatesWithLogsAtLeastAsUpToDate checks L8 against
// a voter whose last entry is index 5 of term 3: a higher last term wins
// even with a shorter log; with equal last terms the longer or equal log
// wins.
func TestVotesGoOnlyToCandidatesWithLogsAtLeastAsUpToDate(t *testing.T) {
	defer check.Recover(t)
	voterLog := entries(1, 1, 3, 3, 3)
	cases := []struct {
		lastIndex, lastTerm int
		grant               bool
		why                 string
	}{
		{2, 4, true, "a higher last term wins, even with a shorter log"},
		{9, 4, true, "a higher last term and a longer log"},
		{5, 3, true, "equal last terms and equal lengths"},
		{6, 3, true, "equal last terms and a longer log"},
		{4, 3, false, "equal last terms and a shorter log"},
		{9, 2, false, "a lower last term loses, even with a longer log"},
		{0, 0, false, "an empty log"},
	}
	for _, c := range cases {
		v := follower(1, []id{1, 2, 3}, 3, 3, voterLog, 0)
		out := v.Receive(rmsg{From: 2, To: 1, Body: raft.Msg{Kind: raft.RequestVote, Term: 4, LastLogIndex: c.lastIndex, LastLogTerm: c.lastTerm}})
		what := fmt.Sprintf("a voter of term 3 whose log ends at index 5, term 3 receives RequestVote{Term 4, LastLogIndex %d, LastLogTerm %d} (%s)", c.lastIndex, c.lastTerm, c.why)
		got, err := replyOf(v, out, what)
		if err != nil {
			t.Error(err)
			continue
		}
		if got.VoteGranted != c.grant || got.Term != 4 {
			t.Error(check.Mismatch(what+"; its reply (L8)", msgString(raft.Msg{Kind: raft.RequestVoteReply, Term: 4, VoteGranted: c.grant}), msgString(got)))
		}
	}
	// A voter with an empty log grants any candidate.
	v := newTwin(1, []id{1, 2, 3}, handConfig())
	out := v.Receive(rmsg{From: 2, To: 1, Body: raft.Msg{Kind: raft.RequestVote, Term: 1}})
	if got, err := replyOf(v, out, "a new node receives RequestVote{Term 1} with an empty log"); err != nil || !got.VoteGranted {
		t.Error(errorOr(err, check.Mismatch("a new node with an empty log receives RequestVote{Term 1, LastLogIndex 0, LastLogTerm 0}: equal terms (0) and lengths (0), so its reply", "VoteGranted true", msgString(got))))
	}
}

// leaderWithLog returns node 1 of {1, 2, 3} as the leader of term 3, with
// ten entries of term 2, after its first round.
func leaderWithLog() (*twin, error) {
	l := follower(1, []id{1, 2, 3}, 2, 2, entries(2, 2, 2, 2, 2, 2, 2, 2, 2, 2), 0)
	if _, err := elect(l, 3); err != nil {
		return nil, err
	}
	return l, nil
}

func onlyAppendTo(w *twin, out []rmsg, to id, prev int, what string) error {
	if w.err != nil {
		return w.err
	}
	if len(out) != 1 || out[0].To != to || out[0].Body.Kind != raft.AppendEntries || out[0].Body.PrevLogIndex != prev ||
		len(out[0].Body.Entries) != len(w.model.log)-prev {
		return check.Mismatch(what, fmt.Sprintf("one AppendEntries to node %d with PrevLogIndex %d and entries %d–%d", to, prev, prev+1, len(w.model.log)), msgsString(out))
	}
	return nil
}

// TestNextIndexBacksOffWithTheHintAndRetriesAtOnce checks L6 on a leader
// with ten entries: each failed reply moves nextIndex to
// max(matchIndex+1, min(nextIndex-1, Index+1)) and sends one AppendEntries
// to that peer in the same call.
func TestNextIndexBacksOffWithTheHintAndRetriesAtOnce(t *testing.T) {
	defer check.Recover(t)
	l, err := leaderWithLog()
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		index, prev int
		why         string
	}{
		{4, 4, "nextIndex 11, Index 4: min(10, 5) = 5"},
		{7, 3, "nextIndex 5, a late Index 7: min(4, 8) = 4, one step back"},
		{2, 2, "nextIndex 4, Index 2: min(3, 3) = 3"},
		{0, 0, "nextIndex 3, Index 0: min(2, 1) = 1"},
		{0, 0, "nextIndex 1, Index 0 again: max(matchIndex+1 = 1, min(0, 1)) = 1"},
	}
	for _, s := range steps {
		out := l.Receive(rmsg{From: 2, To: 1, Body: aeReply(3, false, s.index)})
		if err := onlyAppendTo(l, out, 2, s.prev, fmt.Sprintf("the leader of term 3 with 10 entries receives a failed AppendEntriesReply{Index %d} from node 2 (%s); at once it sends (L6)", s.index, s.why)); err != nil {
			t.Fatal(err)
		}
	}
	// A success sets matchIndex; later failures never go below it.
	if out := l.Receive(rmsg{From: 2, To: 1, Body: aeReply(3, true, 6)}); len(out) != 0 || l.err != nil {
		t.Fatal(errorOr(l.err, check.Mismatch("a successful reply sends nothing (L5)", "(no messages)", msgsString(out))))
	}
	out := l.Receive(rmsg{From: 2, To: 1, Body: aeReply(3, false, 0)})
	if err := onlyAppendTo(l, out, 2, 6, "after a success with Index 6 (matchIndex 6, nextIndex 7), a late failed reply with Index 0: nextIndex = max(7, min(6, 1)) = 7, and at once it sends (L6)"); err != nil {
		t.Fatal(err)
	}
	// Replies of another term are ignored.
	if out := l.Receive(rmsg{From: 3, To: 1, Body: aeReply(2, false, 0)}); len(out) != 0 || l.err != nil {
		t.Fatal(errorOr(l.err, check.Mismatch("a failed AppendEntriesReply of term 2 reaches the leader of term 3: it is ignored", "(no messages)", msgsString(out))))
	}
}

// TestAStaleSuccessReplyNeverMovesMatchIndexBack checks L5's max: after
// node 2 acknowledged entry 12, a late success for entry 5 (a reordered or
// duplicated reply) leaves matchIndex 12 and nextIndex 13, as the leader's
// next AppendEntries to node 2 shows.
func TestAStaleSuccessReplyNeverMovesMatchIndexBack(t *testing.T) {
	defer check.Recover(t)
	l, err := leaderWithLog()
	if err != nil {
		t.Fatal(err)
	}
	l.Submit("c3.11")
	l.Submit("c3.12")
	l.Receive(rmsg{From: 2, To: 1, Body: aeReply(3, true, 12)})
	if c := l.node.CommitIndex(); c != 12 || l.err != nil {
		t.Fatal(errorOr(l.err, check.Mismatch("entries 11–12 of term 3 are on the leader and node 2, 2 of 3: CommitIndex() (L7)", 12, c)))
	}
	for _, m := range []raft.Msg{aeReply(3, true, 5), aeReply(3, true, 12), aeReply(3, true, 0)} {
		if out := l.Receive(rmsg{From: 2, To: 1, Body: m}); len(out) != 0 || l.err != nil {
			t.Fatal(errorOr(l.err, check.Mismatch(fmt.Sprintf("a late %s reaches the leader: it sends nothing (L5)", msgString(m)), "(no messages)", msgsString(out))))
		}
	}
	var round []rmsg
	for range l.model.cfg.HeartbeatInterval {
		if round = l.Tick(); len(round) > 0 {
			break
		}
	}
	if l.err != nil {
		t.Fatal(l.err)
	}
	for _, m := range round {
		if m.To == 2 && (m.Body.PrevLogIndex != 12 || len(m.Body.Entries) != 0 || m.Body.LeaderCommit != 12) {
			t.Fatal(check.Mismatch("node 2 acknowledged entry 12, then late replies said 5, 12 and 0: matchIndex = max(12, …) stays 12 and nextIndex 13 (L5); the next AppendEntries to node 2",
				"PrevLogIndex 12, no Entries, LeaderCommit 12", msgString(m.Body)))
		}
	}
	if c := l.node.CommitIndex(); c != 12 {
		t.Fatal(check.Mismatch("the commit index never decreases: CommitIndex()", 12, c))
	}
}

// TestSubmitOnANonLeaderChangesNothing calls Submit on a follower and on a
// candidate: (0, currentTerm, false), and the log, the commit index and
// what the node sends next stay as they were (L1).
func TestSubmitOnANonLeaderChangesNothing(t *testing.T) {
	defer check.Recover(t)
	w := follower(1, []id{1, 2, 3}, 2, 2, entries(1, 2), 1)
	for _, cmd := range []string{"x", "", "Überweisung"} {
		if i, term, ok := w.Submit(cmd); i != 0 || term != 2 || ok {
			t.Fatal(check.Mismatch(fmt.Sprintf("Submit(%q) on a follower of term 2 returned", cmd), "(0, 2, false)", fmt.Sprintf("(%d, %d, %v)", i, term, ok)))
		}
	}
	for range w.model.cfg.ElectionTimeoutMax {
		if _, role := w.node.State(); role == raft.Candidate {
			break
		}
		w.Tick()
	}
	if i, term, ok := w.Submit("y"); i != 0 || term != 3 || ok {
		t.Fatal(errorOr(w.err, check.Mismatch(`Submit("y") on a candidate of term 3 returned`, "(0, 3, false)", fmt.Sprintf("(%d, %d, %v)", i, term, ok))))
	}
	if log := w.node.Log(); logDiff(entries(1, 2), log) != "" || w.err != nil {
		t.Fatal(errorOr(w.err, check.Mismatch("after Submit on a follower and a candidate, the log", logString(entries(1, 2)), logString(log))))
	}
}

// TestSubmitAppendsAndSendsNothingByItself checks L1 on a leader: Submit
// returns the new entry's index and term, the entries leave with the next
// round, HeartbeatInterval ticks after the last one, and not before; in a
// cluster of one the entry is committed at the next Tick.
func TestSubmitAppendsAndSendsNothingByItself(t *testing.T) {
	defer check.Recover(t)
	l, err := leaderWithLog()
	if err != nil {
		t.Fatal(err)
	}
	cmds := []string{"", "Überweisung 日本", strings.Repeat("long ", 2000)}
	for k, cmd := range cmds {
		if i, term, ok := l.Submit(cmd); i != 11+k || term != 3 || !ok {
			t.Fatal(errorOr(l.err, check.Mismatch(fmt.Sprintf("Submit(%q) on the leader of term 3 with %d entries returned", shorten(cmd), 10+k),
				fmt.Sprintf("(%d, 3, true)", 11+k), fmt.Sprintf("(%d, %d, %v)", i, term, ok))))
		}
	}
	h := l.model.cfg.HeartbeatInterval
	for k := 1; k <= h; k++ {
		out := l.Tick()
		if l.err != nil {
			t.Fatal(l.err)
		}
		if k < h && len(out) > 0 {
			t.Fatal(check.Mismatch(fmt.Sprintf("tick %d after the leader's round, with HeartbeatInterval %d, after three Submits: the leader sends (Submit sends nothing by itself, L1)", k, h), "(no messages)", msgsString(out)))
		}
		if k == h && len(out) != 2 {
			t.Fatal(check.Mismatch(fmt.Sprintf("tick %d after the leader's round, with HeartbeatInterval %d: the next round goes to each peer (E7)", k, h), "two AppendEntries carrying entries 1–13", msgsString(out)))
		}
	}
	// A cluster of one.
	var got []applied
	solo := newTwin(9, []id{9}, handConfig())
	solo.onApplied = func(_ id, a applied) { got = append(got, a) }
	for range solo.model.cfg.ElectionTimeoutMax {
		solo.Tick()
	}
	if _, role := solo.node.State(); role != raft.Leader || solo.err != nil {
		t.Fatal(errorOr(solo.err, check.Mismatch("a cluster of one after ElectionTimeoutMax ticks (it wins its election at once, E2): its role", raft.Leader, role)))
	}
	solo.Submit("alone")
	if c := solo.node.CommitIndex(); c != 0 {
		t.Fatal(check.Mismatch("a leader alone in its cluster, right after Submit (which does nothing but append): CommitIndex()", 0, c))
	}
	solo.Tick()
	if c := solo.node.CommitIndex(); c != 1 || solo.err != nil || !slices.Equal(got, []applied{{1, raft.Entry{Term: 1, Command: "alone"}}}) {
		t.Fatal(errorOr(solo.err, check.Mismatch("a leader alone in its cluster, one Tick after Submit (it is its own majority, L7): CommitIndex() and Apply calls",
			`1, Apply(1, 1:"alone")`, fmt.Sprintf("%d, %s", c, appliedString(got)))))
	}
}

// TestANewNodeWithTheDefaultConfigStartsAsTheLessonSays checks
// DefaultConfig (election timeouts of 10 to 20 ticks, a heartbeat every 3),
// the names String gives roles and kinds, and a new node: a Follower of
// term 0 with an empty log, nothing committed, no vote and no leader (E1),
// silent until its timeout (E10).
func TestANewNodeWithTheDefaultConfigStartsAsTheLessonSays(t *testing.T) {
	defer check.Recover(t)
	c := raft.DefaultConfig()
	if c.ElectionTimeoutMin != 10 || c.ElectionTimeoutMax != 20 || c.HeartbeatInterval != 3 || c.Seed != 0 || c.Apply != nil || c.Storage != nil {
		t.Error(check.Mismatch("DefaultConfig()", "{ElectionTimeoutMin: 10, ElectionTimeoutMax: 20, HeartbeatInterval: 3}",
			fmt.Sprintf("{ElectionTimeoutMin: %d, ElectionTimeoutMax: %d, HeartbeatInterval: %d, Seed: %d, Apply set: %v, Storage set: %v}",
				c.ElectionTimeoutMin, c.ElectionTimeoutMax, c.HeartbeatInterval, c.Seed, c.Apply != nil, c.Storage != nil)))
	}
	names := []struct {
		v    fmt.Stringer
		want string
	}{{raft.Follower, "Follower"}, {raft.Candidate, "Candidate"}, {raft.Leader, "Leader"}, {raft.RequestVote, "RequestVote"},
		{raft.RequestVoteReply, "RequestVoteReply"}, {raft.AppendEntries, "AppendEntries"}, {raft.AppendEntriesReply, "AppendEntriesReply"}}
	for _, n := range names {
		if got := n.v.String(); got != n.want {
			t.Error(check.Mismatch(fmt.Sprintf("String() of the constant %s", n.want), n.want, got))
		}
	}
	w := newTwin(5, []id{9, 5, 1 << 40}, c) // compared with the rules after every call
	n := w.node
	term, role := n.State()
	l, ok := n.Leader()
	if term != 0 || role != raft.Follower || ok || l != 0 || n.VotedFor() != 0 || len(n.Log()) != 0 || n.CommitIndex() != 0 {
		t.Fatal(check.Mismatch("a new node: State(), Leader(), VotedFor(), Log(), CommitIndex() (E1)", "(0, Follower), (0, false), 0, [], 0",
			fmt.Sprintf("(%d, %v), (%d, %v), %d, %s, %d", term, role, l, ok, n.VotedFor(), logString(n.Log()), n.CommitIndex())))
	}
	for range 25 {
		w.Tick()
	}
	if w.err != nil {
		t.Fatal(w.err)
	}
}
