//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-persistence"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// quietConfig has election timeouts far beyond any scenario, so that only
// the messages a scenario hands a node change it.
func quietConfig() raft.Config {
	return raft.Config{ElectionTimeoutMin: 1000, ElectionTimeoutMax: 2000, HeartbeatInterval: 3}
}

// edgeTerms are terms at the width boundaries an encoding could narrow
// (an int32, a uint32, a float64).
var edgeTerms = []int{1, 2, 255, 256, 65536, 1<<31 - 1, 1 << 31, 1<<32 + 1, 1 << 40, 1<<53 + 1, 1<<62 + 3}

// edgeCommands are commands a lossy encoding would change: empty, every
// code point from 0 to 255 (control characters and NUL included), other
// non-ASCII text, the separators of common formats, long. All are valid
// UTF-8 (encoding/json would replace invalid bytes).
func edgeCommands() []string {
	var every strings.Builder
	for i := range 256 {
		every.WriteRune(rune(i))
	}
	return []string{"", "x", "héllo wörld ✓ 日本語 \U0001F600", every.String(), "\x00\x00", "\u2028\u2029\ufffd", "a,b;c:d|e\n\"f\"\t{}[]<>&", " ", strings.Repeat("long command|", 1000)}
}

// deliver hands node x one message directly (no network) and returns what
// it replied; the cluster checks the call like any other.
func (c *cluster) deliver(x, from id, body raft.Msg) ([]message, error) {
	p := c.net.Node(x).(*probe)
	out := p.Receive(message{From: from, To: x, Body: body})
	return out, c.err
}

// replyTo returns the one reply in out addressed to "to", of kind k.
func replyTo(out []message, to id, k raft.Kind) (raft.Msg, error) {
	var found []raft.Msg
	for _, m := range out {
		if m.To == to && m.Body.Kind == k {
			found = append(found, m.Body)
		}
	}
	if len(found) != 1 {
		var all []string
		for _, m := range out {
			all = append(all, fmt.Sprintf("%s to %d", msgString(m.Body), m.To))
		}
		return raft.Msg{}, fmt.Errorf("expected one %v to node %d, got [%s]", k, to, strings.Join(all, ", "))
	}
	return found[0], nil
}

func TestAVoteGrantedRightBeforeACrashStillCountsAfterTheRestart(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		ids := randomIDs(r, 3)
		voter, a, b := ids[0], ids[1], ids[2]
		term := edgeTerms[r.IntN(len(edgeTerms))]
		c := newCluster(r, ids, quietConfig(), simnet.Config{Seed: r.Uint64()})
		// The voter crashes right after its Receive of the RequestVote
		// returned: its reply is already on the network.
		c.net.OnReceive(func(m message) {
			if m.To == voter && m.Body.Kind == raft.RequestVote {
				c.note("node %d crashed right after its Receive of %s from %d returned", voter, msgString(m.Body), m.From)
				c.net.Crash(voter)
			}
		})
		if r.IntN(2) == 0 {
			// The voter learns the term first (a stray reply of that term),
			// so that granting the vote changes only votedFor.
			if _, err := c.deliver(voter, b, raft.Msg{Kind: raft.RequestVoteReply, Term: term}); err != nil {
				return err
			}
			c.note("node %d learned term %d from a RequestVoteReply of node %d", voter, term, b)
		}
		c.note("node %d asks node %d for its vote in term %d", a, voter, term)
		c.net.Send(message{From: a, To: voter, Body: raft.Msg{Kind: raft.RequestVote, Term: term}})
		if err := c.tick(); err != nil {
			return err
		}
		granted := false
		for _, m := range c.net.Sent() {
			if m.From == voter && m.To == a && m.Body.Kind == raft.RequestVoteReply {
				granted = m.Body.VoteGranted && m.Body.Term == term
			}
		}
		if !granted {
			return c.failf("node %d, a new node with an empty log, received RequestVote{Term %d} from node %d and did not reply RequestVoteReply{Term %d, VoteGranted true} (rules E4, E5)", voter, term, a, term)
		}
		c.net.OnReceive(nil)
		c.restart(voter)
		if c.err != nil {
			return c.err
		}
		out, err := c.deliver(voter, b, raft.Msg{Kind: raft.RequestVote, Term: term})
		if err != nil {
			return err
		}
		rep, err := replyTo(out, b, raft.RequestVoteReply)
		if err != nil {
			return c.failf("node %d, restarted, received RequestVote{Term %d} from node %d: %v", voter, term, b, err)
		}
		if rep.VoteGranted || rep.Term != term {
			return c.failf("node %d granted its vote in term %d to node %d, crashed right after replying, and was restarted from its Storage; "+
				"then node %d asked for its vote in the same term\nexpected: RequestVoteReply{Term %d, Granted false} (votedFor is saved before the reply leaves, rules P1, P2: one vote per term)\nactual:   %s",
				voter, term, a, b, term, msgString(rep))
		}
		out, err = c.deliver(voter, a, raft.Msg{Kind: raft.RequestVote, Term: term})
		if err != nil {
			return err
		}
		if rep, err := replyTo(out, a, raft.RequestVoteReply); err != nil || !rep.VoteGranted {
			return c.failf("node %d, restarted after voting for node %d in term %d, received the same RequestVote from node %d again\nexpected: RequestVoteReply{Term %d, Granted true} (a duplicate request of the candidate it voted for is granted again, rule E5)\nactual:   %v %s",
				voter, a, term, a, term, err, msgString(rep))
		}
		return nil
	})
}

func TestARestartedNodeKeepsItsTermAndTheEntriesItAcknowledged(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		ids := randomIDs(r, 1+2*r.IntN(3))
		f, leader := ids[0], ids[len(ids)-1]
		if len(ids) == 1 {
			leader = f + 1 // a sender that is not a peer still gets its reply
		}
		c := newCluster(r, ids, quietConfig(), simnet.Config{Seed: r.Uint64()})
		term := 0
		var want []raft.Entry
		cmds := edgeCommands()
		for round := range 4 {
			// A leader of a higher term sends entries of its own and older
			// terms; the follower replies, then crashes and restarts.
			term += 1 + r.IntN(3)
			if r.IntN(3) == 0 {
				term = max(term, edgeTerms[r.IntN(len(edgeTerms))])
			}
			keep := len(want)
			if keep > 0 && r.IntN(3) == 0 {
				keep = r.IntN(len(want)) // the leader's log differs after keep: entries are replaced
			}
			var entries []raft.Entry
			for range 1 + r.IntN(4) {
				entries = append(entries, raft.Entry{Term: term, Command: cmds[r.IntN(len(cmds))]})
			}
			prevTerm := 0
			if keep > 0 {
				prevTerm = want[keep-1].Term
			}
			body := raft.Msg{Kind: raft.AppendEntries, Term: term, PrevLogIndex: keep, PrevLogTerm: prevTerm, Entries: slices.Clone(entries)}
			out, err := c.deliver(f, leader, body)
			if err != nil {
				return err
			}
			rep, err := replyTo(out, leader, raft.AppendEntriesReply)
			if err != nil {
				return c.failf("node %d received %s from %d: %v", f, msgString(body), leader, err)
			}
			want = append(want[:keep:keep], entries...)
			if !rep.Success || rep.Term != term || rep.Index != len(want) {
				return c.failf("node %d received %s from node %d\nexpected: AppendEntriesReply{Term %d, Success true, Index %d} (rules E4, L3, L4)\nactual:   %s",
					f, msgString(body), leader, term, len(want), msgString(rep))
			}
			c.note("round %d: node %d acknowledged %s, then crashed", round+1, f, msgString(body))
			c.crash(f, false)
			c.restart(f) // checks term, vote and log against the last ones seen
			if c.err != nil {
				return c.err
			}
			inc := c.nodes[f].inc
			if inc.term != term || !slices.Equal(inc.log, want) {
				return c.failf("node %d acknowledged up to index %d in term %d, crashed right after the reply and restarted from its Storage\nexpected: term %d, log %s\nactual:   term %d, log %s",
					f, len(want), term, term, logString(want), inc.term, logString(inc.log))
			}
			// The term never goes back: an older leader is refused.
			old := raft.Msg{Kind: raft.AppendEntries, Term: term - 1, PrevLogIndex: 0}
			out, err = c.deliver(f, leader, old)
			if err != nil {
				return err
			}
			if rep, err := replyTo(out, leader, raft.AppendEntriesReply); err != nil || rep.Success || rep.Term != term {
				return c.failf("node %d, restarted with term %d, received %s\nexpected: AppendEntriesReply{Term %d, Success false} (its term survived the crash, rule P3; rule E8)\nactual:   %v %s",
					f, term, msgString(old), term, err, msgString(rep))
			}
		}
		return nil
	})
}

// electLeader runs until a live node leads and every live node follows it
// in its term, for at most within ticks.
func (c *cluster) electLeader(within int, why string) (id, error) {
	var l id
	ok := c.net.RunUntil(func() bool {
		if c.err != nil {
			return true
		}
		x, found := c.leader()
		if !found {
			return false
		}
		lt, _ := c.nodes[x].inc.node.State()
		for _, y := range c.live() {
			t, _ := c.nodes[y].inc.node.State()
			ly, known := c.nodes[y].inc.node.Leader()
			if t != lt || !known || ly != x {
				return false
			}
		}
		l = x
		return true
	}, within)
	if err := c.check(); err != nil {
		return 0, err
	}
	if !ok {
		return 0, c.failf("%s: no leader that every live node follows after %d ticks", why, within)
	}
	return l, nil
}

// waitApplied runs until every live node has applied at least n entries.
func (c *cluster) waitApplied(n, within int, why string) error {
	ok := c.net.RunUntil(func() bool {
		if c.err != nil {
			return true
		}
		for _, x := range c.live() {
			if len(c.nodes[x].inc.applied) < n {
				return false
			}
		}
		return true
	}, within)
	if err := c.check(); err != nil {
		return err
	}
	if !ok {
		var got []string
		for _, x := range c.ids {
			got = append(got, fmt.Sprintf("%d: %d", x, len(c.nodes[x].inc.applied)))
		}
		return c.failf("%s\nexpected: every live node applies %d entries within %d ticks\nactual:   entries applied by each node value: %s", why, n, within, strings.Join(got, ", "))
	}
	return nil
}

func TestCommittedEntriesSurviveACrashOfEveryNodeAndAreAppliedAgainInOrder(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(3), DuplicateRate: 0.1}
		c := newCluster(r, randomIDs(r, []int{1, 3, 5}[r.IntN(3)]), randomConfig(r, netCfg.MaxDelay), netCfg)
		cfg := c.nodes[c.ids[0]].cfg
		bound := 20 * cfg.ElectionTimeoutMax
		cmds := edgeCommands()
		total := 0
		for round := range 4 {
			l, err := c.electLeader(bound, "a healthy cluster")
			if err != nil {
				return err
			}
			// Entries of earlier terms commit only with an entry of the
			// leader's own term (rule L7): each round submits new commands.
			k := 1 + r.IntN(4)
			for i := range k {
				c.submit(l, fmt.Sprintf("r%d-%s", round, cmds[(i+round)%len(cmds)]))
			}
			total += k
			why := fmt.Sprintf("%d commands submitted to leader %d on a healthy network", k, l)
			if round > 0 {
				why += "; every node had crashed after the earlier commands committed and restarted from its Storage: those are still committed, and each node applies them again from index 1 (rules P1, P3)"
			}
			if err := c.waitApplied(total, bound, why); err != nil {
				return err
			}
			if round == 3 {
				break
			}
			c.note("every node crashed")
			for _, x := range c.ids {
				c.crash(x, false)
			}
			c.net.Run(r.IntN(5))
			for _, x := range c.ids {
				c.restart(x)
			}
			if c.err != nil {
				return c.err
			}
		}
		return nil
	})
}

func TestAnEntryCommittedWithAnAcknowledgementJustBeforeACrashSurvives(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Three nodes: the leader L, a follower A that acknowledges the
		// entry and crashes right after replying, and B that never gets it.
		// L commits with A's acknowledgement, then crashes: the entry
		// survives only on A's disk.
		netCfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(2)}
		c := newCluster(r, randomIDs(r, 3), randomConfig(r, netCfg.MaxDelay), netCfg)
		cfg := c.nodes[c.ids[0]].cfg
		bound := 20 * cfg.ElectionTimeoutMax
		l, err := c.electLeader(bound, "a healthy cluster of three")
		if err != nil {
			return err
		}
		var others []id
		for _, x := range c.ids {
			if x != l {
				others = append(others, x)
			}
		}
		a, b := others[r.IntN(2)], id(0)
		if a == others[0] {
			b = others[1]
		} else {
			b = others[0]
		}
		cmd := edgeCommands()[r.IntN(len(edgeCommands()))]
		c.note("messages %d -> %d blocked", l, b)
		c.net.Block(l, b)
		idx, _, ok := c.submit(l, cmd)
		if !ok {
			return c.failf("Submit on leader %d returned ok false", l)
		}
		c.net.OnReceive(func(m message) {
			if m.To == a && m.Body.Kind == raft.AppendEntries && m.Body.PrevLogIndex+len(m.Body.Entries) >= idx && c.net.Alive(a) {
				c.note("node %d crashed right after its Receive of %s returned", a, msgString(m.Body))
				c.net.Crash(a)
			}
		})
		if !c.net.RunUntil(func() bool { return c.err != nil || c.nodes[l].inc.node.CommitIndex() >= idx }, bound) {
			return c.failf("leader %d did not commit index %d, acknowledged by node %d, within %d ticks", l, idx, a, bound)
		}
		if err := c.check(); err != nil {
			return err
		}
		c.net.OnReceive(nil)
		c.crash(l, true)
		c.net.Unblock(l, b)
		c.restart(a)
		if _, err := c.electLeader(bound, fmt.Sprintf("nodes %d and %d after leader %d crashed", a, b, l)); err != nil {
			return err
		}
		l2, _ := c.leader()
		if _, _, ok := c.submit(l2, "after"); !ok {
			return c.failf("Submit on leader %d returned ok false", l2)
		}
		if err := c.waitApplied(idx+1, bound, fmt.Sprintf("leader %d committed %q at index %d with the acknowledgement of node %d, which crashed right after replying; then %d crashed too: the entry is on %d's disk and stays committed (rules P1, P2)", l, clipCmd(cmd), idx, a, l, a)); err != nil {
			return err
		}
		c.restart(l)
		return c.waitApplied(idx+1, bound, fmt.Sprintf("node %d restarted from its Storage", l))
	})
}
