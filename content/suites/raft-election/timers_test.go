//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-election"
	"github.com/dslearn/dslearn/internal/check"
)

// fixed is a config whose every election timeout is exactly t ticks.
func fixed(t, h int, seed uint64) raft.Config {
	return raft.Config{ElectionTimeoutMin: t, ElectionTimeoutMax: t, HeartbeatInterval: h, Seed: seed}
}

// ticksUntilElection ticks the node until it starts an election (its term
// goes up), for at most limit ticks, and returns how many ticks that took
// (limit+1 if it did not).
func (s *solo) ticksUntilElection(limit int) int {
	t0, _ := s.x.nodes[s.v].State()
	for i := 1; i <= limit; i++ {
		s.tick()
		if t, _ := s.x.nodes[s.v].State(); t != t0 || s.x.err != nil {
			return i
		}
	}
	return limit + 1
}

func (s *solo) state() (int, raft.Role) { return s.x.nodes[s.v].State() }

// TestANewNodeIsAFollowerOfTermZeroWithNoVoteAndNoLeader checks rule E1.
func TestANewNodeIsAFollowerOfTermZeroWithNoVoteAndNoLeader(t *testing.T) {
	defer check.Recover(t)
	for _, ids := range [][]id{{1}, {3, 7}, {7, 1 << 40, 3}, {math.MaxInt64, 1, 2, 3, 4}} {
		n := raft.NewNode(ids[0], slices.Clone(ids), raft.DefaultConfig())
		term, role := n.State()
		l, ok := n.Leader()
		if term != 0 || role != raft.Follower || ok || l != 0 || n.VotedFor() != 0 {
			t.Fatal(check.Mismatch(fmt.Sprintf("NewNode(%d, %v, DefaultConfig()), before any call: State(), Leader(), VotedFor() (rule E1)", ids[0], ids),
				"(term 0, Follower), (0, false), 0", fmt.Sprintf("%s, %s, %d", roleState(term, role), leaderString(l, ok), n.VotedFor())))
		}
	}
}

// TestElectionTimeoutsAreDrawnUniformlyFromTheRangeAtEveryReset lets one
// node of a silent cluster (its messages go nowhere) time out again and
// again: the gap between two elections is the timeout drawn when the
// previous one started. Every gap lies in [ElectionTimeoutMin,
// ElectionTimeoutMax], and over 300 elections every value of the range (5 to
// 10 values) comes up, none more than 2.5 times as often as uniform drawing
// gives (for a correct node, missing a value has a chance below 10^-12, and
// the excess is 8 standard deviations).
func TestElectionTimeoutsAreDrawnUniformlyFromTheRangeAtEveryReset(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		lo := 1 + r.IntN(12)
		hi := lo + 4 + r.IntN(6)
		cfg := raft.Config{ElectionTimeoutMin: lo, ElectionTimeoutMax: hi, HeartbeatInterval: 1, Seed: check.EdgeUint64(r, math.MaxUint64)}
		ids := edgeIDs(r, 3)
		s := newSolo(r, ids, ids[0], cfg)
		seen := map[int]int{}
		const elections = 300
		for e := range elections {
			gap := s.ticksUntilElection(hi)
			if err := s.failed(); err != nil {
				return err
			}
			if gap < lo || gap > hi {
				return fmt.Errorf("node %d alone (every message it sends is lost): election number %d started %d ticks after the previous one; "+
					"a timeout is drawn from [%d, %d] at every reset, and starting an election resets the timer (rules E1, E2, E3)", ids[0], e+1, gap, lo, hi)
			}
			seen[gap]++
		}
		want := float64(elections) / float64(hi-lo+1)
		for v := lo; v <= hi; v++ {
			if c := seen[v]; c == 0 || float64(c) > 2.5*want {
				return fmt.Errorf("node %d alone, %d elections in a row, timeouts drawn uniformly from [%d, %d] (rule E1): "+
					"a timeout of %d ticks came up %d times, where uniform draws give about %.0f\ntimeout: times drawn %v\n(Seed %d)", ids[0], elections, lo, hi, v, c, want, seen, cfg.Seed)
			}
		}
		return nil
	})
}

// TestEqualTimeoutBoundsGiveExactlyThatTimeout: with ElectionTimeoutMin ==
// ElectionTimeoutMax = T, every election starts exactly T ticks after the
// timer's last reset, 1 <= T; a max below the min counts as the min.
func TestEqualTimeoutBoundsGiveExactlyThatTimeout(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 10, func(r *rand.Rand) error {
		for _, T := range []int{1, 2, 5, 13} {
			cfg := fixed(T, 1, check.EdgeUint64(r, math.MaxUint64))
			if T == 5 {
				cfg.ElectionTimeoutMax = 2 // counts as 5
			}
			ids := edgeIDs(r, 2+r.IntN(4))
			s := newSolo(r, ids, ids[0], cfg)
			for e := range 20 {
				if gap := s.ticksUntilElection(T + 1); gap != T {
					if err := s.failed(); err != nil {
						return err
					}
					return fmt.Errorf("ElectionTimeoutMin %d, ElectionTimeoutMax %d: election number %d started %d ticks after the previous reset, expected exactly %d (rules E1, E2)",
						cfg.ElectionTimeoutMin, cfg.ElectionTimeoutMax, e+1, gap, T)
				}
			}
			if err := s.failed(); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestNodesWithDifferentIDsDrawDifferentTimeouts: every node has its own
// source, rand.New(rand.NewPCG(Seed, uint64(id))), so nodes given the same
// Seed still draw different timeouts (else they would time out together and
// split the vote forever), and the same Seed and ID draw the same ones.
func TestNodesWithDifferentIDsDrawDifferentTimeouts(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := raft.Config{ElectionTimeoutMin: 10, ElectionTimeoutMax: 20, HeartbeatInterval: 3, Seed: check.EdgeUint64(r, math.MaxUint64)}
		ids := edgeIDs(r, 4)
		gaps := func(v id) ([]int, error) {
			s := newSolo(r, ids, v, cfg)
			var out []int
			for range 20 {
				out = append(out, s.ticksUntilElection(cfg.ElectionTimeoutMax))
			}
			return out, s.failed()
		}
		seqs := map[id][]int{}
		for _, v := range ids {
			g, err := gaps(v)
			if err != nil {
				return err
			}
			seqs[v] = g
		}
		for i, a := range ids {
			for _, b := range ids[i+1:] {
				if slices.Equal(seqs[a], seqs[b]) {
					return fmt.Errorf("nodes %d and %d, both with Seed %d, alone in cluster %v, drew the same 20 timeouts %v: "+
						"each node's source is rand.New(rand.NewPCG(Seed, uint64(id))), its own (rule E1)", a, b, cfg.Seed, ids, seqs[a])
				}
			}
		}
		again, err := gaps(ids[0])
		if err != nil {
			return err
		}
		if !slices.Equal(again, seqs[ids[0]]) {
			return check.Mismatch(fmt.Sprintf("node %d with Seed %d, built twice, alone: its timeouts come from rand.New(rand.NewPCG(Seed, uint64(id))) only (rule E1)", ids[0], cfg.Seed),
				seqs[ids[0]], again)
		}
		return nil
	})
}

// TestAFollowerHearingHeartbeatsNeverStartsAnElection delivers an
// AppendEntries every ElectionTimeoutMin-1 ticks for 1000 ticks: each resets
// the timer (E3, E8) before any timeout can run out, so the follower never
// starts an election (E10).
func TestAFollowerHearingHeartbeatsNeverStartsAnElection(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		lo := 2 + r.IntN(10)
		cfg := raft.Config{ElectionTimeoutMin: lo, ElectionTimeoutMax: lo + r.IntN(10), HeartbeatInterval: 1, Seed: r.Uint64()}
		ids := edgeIDs(r, 2+r.IntN(4))
		s := newSolo(r, ids, ids[0], cfg)
		leader, term := ids[1], 1+r.IntN(5)
		for i := 0; i < 1000; i++ {
			if i%(lo-1) == 0 {
				s.receive(leader, raft.Msg{Kind: raft.AppendEntries, Term: term})
			}
			out := s.tick()
			if err := s.failed(); err != nil {
				return err
			}
			if len(out) > 0 {
				return fmt.Errorf("node %d hears an AppendEntries of term %d from leader %d every %d ticks (ElectionTimeoutMin %d): each resets its timer, so it never sends anything on Tick (rules E3, E8, E10); after %d calls it sent %s",
					ids[0], term, leader, lo-1, lo, len(s.calls), msgList(out))
			}
		}
		return nil
	})
}

// TestGrantingAVoteResetsTheTimerAndRefusingOneDoesNot: T = the fixed
// timeout. A vote granted one tick before the timeout runs out restarts the
// count (E3, E5); a duplicate RequestVote from the same candidate is granted
// again and restarts it again; a RequestVote refused (another candidate of
// the same term) restarts nothing.
func TestGrantingAVoteResetsTheTimerAndRefusingOneDoesNot(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		T := 3 + r.IntN(10)
		ids := edgeIDs(r, 3+r.IntN(3))
		s := newSolo(r, ids, ids[0], fixed(T, 1, r.Uint64()))
		a, b := ids[1], ids[2]
		steps := []struct {
			wait int // ticks before the message
			from id
		}{{T - 1, a}, {T - 1, a}, {T - 1, b}}
		for _, st := range steps {
			for range st.wait {
				s.tick()
			}
			s.receive(st.from, raft.Msg{Kind: raft.RequestVote, Term: 1})
		}
		// The last reset was the second grant, T-1 ticks ago: one more
		// tick runs the timer out.
		if gap := s.ticksUntilElection(T); gap != 1 || s.x.err != nil {
			if err := s.failed(); err != nil {
				return err
			}
			return fmt.Errorf("node %d: timeout always %d; it granted candidate %d's RequestVote (term 1) twice, %d ticks apart, then refused candidate %d's %d ticks later: "+
				"a grant resets the timer, a refusal does not (rules E3, E5), so the election starts 1 tick later, not %d", ids[0], T, a, T-1, b, T-1, gap)
		}
		return s.failed()
	})
}

// TestStaleMessagesChangeNothingAndDoNotResetTheTimer: a node of term 5
// receives RequestVote and AppendEntries of older terms at every tick; it
// refuses them with its own term (E5, E8), changes nothing, and still
// times out exactly when its timer, last reset by its leader's
// AppendEntries, runs out.
func TestStaleMessagesChangeNothingAndDoNotResetTheTimer(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		T := 3 + r.IntN(10)
		ids := edgeIDs(r, 3+r.IntN(3))
		s := newSolo(r, ids, ids[0], fixed(T, 1, r.Uint64()))
		leader, other := ids[1], ids[2]
		s.receive(leader, raft.Msg{Kind: raft.AppendEntries, Term: 5})
		for i := 0; i < T-1; i++ {
			s.tick()
			k := []raft.Kind{raft.AppendEntries, raft.RequestVote}[r.IntN(2)]
			s.receive([]id{leader, other}[r.IntN(2)], raft.Msg{Kind: k, Term: r.IntN(5)})
			if err := s.failed(); err != nil {
				return err
			}
		}
		if gap := s.ticksUntilElection(T); gap != 1 {
			if err := s.failed(); err != nil {
				return err
			}
			return fmt.Errorf("node %d: timeout always %d; leader %d's AppendEntries of term 5 reset its timer, then only messages of older terms came, one per tick: "+
				"they reset nothing (rules E3, E5, E8), so the election starts at Tick %d after that AppendEntries, not %d ticks later", ids[0], T, leader, T, T-1+gap)
		}
		return s.failed()
	})
}

// TestSteppingDownOnAHigherTermDoesNotResetTheTimer: a Candidate that learns
// of a higher term from a reply becomes a Follower of that term (E4) without
// resetting its timer (E3), so it starts its next election when the timeout
// drawn at its own election runs out; a Leader that steps down has had its
// timer running since the election it won, so it starts one at its next Tick.
func TestSteppingDownOnAHigherTermDoesNotResetTheTimer(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		T := 3 + r.IntN(10)
		ids := edgeIDs(r, 3+r.IntN(3))
		kinds := []raft.Kind{raft.RequestVoteReply, raft.AppendEntriesReply}
		for _, k := range kinds {
			s := newSolo(r, ids, ids[0], fixed(T, 1, r.Uint64()))
			s.ticksUntilElection(T) // Candidate of term 1
			for range T - 1 {
				s.tick()
			}
			high := 2 + r.IntN(1<<20)
			s.receive(ids[1], raft.Msg{Kind: k, Term: high})
			if term, role := s.state(); term != high || role != raft.Follower {
				if err := s.failed(); err != nil {
					return err
				}
				return check.Mismatch(fmt.Sprintf("node %d, Candidate of term 1, received a %v of term %d: State() (rule E4)", ids[0], k, high),
					roleState(high, raft.Follower), roleState(term, role))
			}
			if gap := s.ticksUntilElection(T); gap != 1 {
				if err := s.failed(); err != nil {
					return err
				}
				return fmt.Errorf("node %d: timeout always %d; it started an election at tick %d and stepped down to Follower on a %v of term %d at tick %d: "+
					"stepping down does not reset the timer (rule E3), so it starts the next election at tick %d, not %d",
					ids[0], T, T, k, high, 2*T-1, 2*T, 2*T-1+gap)
			}
			if err := s.failed(); err != nil {
				return err
			}
		}
		// A Leader that steps down.
		s := newSolo(r, ids, ids[0], fixed(T, 1+r.IntN(3), r.Uint64()))
		s.ticksUntilElection(T)
		for _, p := range ids[1:] {
			s.receive(p, raft.Msg{Kind: raft.RequestVoteReply, Term: 1, VoteGranted: true})
		}
		for range 2 * T {
			s.tick()
		}
		s.receive(ids[1], raft.Msg{Kind: kinds[r.IntN(2)], Term: 7})
		if gap := s.ticksUntilElection(T); gap != 1 {
			if err := s.failed(); err != nil {
				return err
			}
			return fmt.Errorf("node %d: timeout always %d; it won the election of term 1 at tick %d, led for %d ticks, then stepped down on a reply of term 7: "+
				"its timer has run since that election and stepping down does not reset it (rule E3), so it starts an election at its next Tick, not %d ticks later",
				ids[0], T, T, 2*T, gap)
		}
		return s.failed()
	})
}

// TestALeaderSendsAppendEntriesAtOnceAndEveryHeartbeatIntervalTicks: on
// winning, a Leader sends AppendEntries to every other peer in the same
// call (E6), then a round every HeartbeatInterval ticks exactly, counted
// from the last round (E7), and nothing in between; late replies and votes
// change nothing.
func TestALeaderSendsAppendEntriesAtOnceAndEveryHeartbeatIntervalTicks(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, h := range []int{1, 2, 3, 5, 8} {
			T := 2 + r.IntN(8)
			n := 2 + r.IntN(5)
			ids := edgeIDs(r, n)
			s := newSolo(r, ids, ids[0], fixed(T, h, r.Uint64()))
			s.ticksUntilElection(T)
			var out []message
			for _, p := range ids[1 : n/2+1] {
				out = s.receive(p, raft.Msg{Kind: raft.RequestVoteReply, Term: 1, VoteGranted: true})
			}
			if err := s.failed(); err != nil {
				return err
			}
			if got := countKind(out, raft.AppendEntries); got != n-1 {
				return fmt.Errorf("node %d of cluster %v won the election of term 1 with its own vote and %d granted replies: "+
					"in the call that made it Leader it sends AppendEntries to each of the %d other peers (rule E6)\nexpected: %d AppendEntries\nactual:   %s",
					ids[0], ids, n/2, n-1, n-1, msgList(out))
			}
			last := 0
			for i := 1; i <= 12*h; i++ {
				out := s.tick()
				if r.IntN(3) == 0 {
					s.receive(ids[1+r.IntN(n-1)], raft.Msg{Kind: raft.AppendEntriesReply, Term: 1, Success: true})
				}
				if err := s.failed(); err != nil {
					return err
				}
				if len(out) > 0 {
					if i-last != h || countKind(out, raft.AppendEntries) != n-1 {
						return fmt.Errorf("Leader %d of cluster %v, HeartbeatInterval %d: its rounds of AppendEntries go out every %d ticks exactly, counted from the round it sent on winning (rule E7); "+
							"%d ticks after winning (%d after its previous round) it sent %s", ids[0], ids, h, h, i, i-last, msgList(out))
					}
					last = i
				}
			}
			if last != 12*h {
				return fmt.Errorf("Leader %d of cluster %v, HeartbeatInterval %d: in %d ticks it sent its last round %d ticks after winning; one goes out every %d ticks (rule E7)", ids[0], ids, h, 12*h, last, h)
			}
		}
		return nil
	})
}

func countKind(ms []message, k raft.Kind) int {
	c := 0
	for _, m := range ms {
		if m.Body.Kind == k {
			c++
		}
	}
	return c
}

// TestAClusterOfOneElectsItselfAtItsFirstTimeout: a node whose only peer is
// itself becomes Leader of term 1 at the Tick its first timeout runs out,
// sends nothing, ever, and stays Leader.
func TestAClusterOfOneElectsItselfAtItsFirstTimeout(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := faultyConfig(r)
		lo, hi := timeoutRange(cfg)
		v := edgeIDs(r, 1)[0]
		s := newSolo(r, []id{v}, v, cfg)
		at := s.ticksUntilElection(hi)
		if err := s.failed(); err != nil {
			return err
		}
		term, role := s.state()
		if at < lo || at > hi || term != 1 || role != raft.Leader {
			return fmt.Errorf("NewNode(%d, [%d], cfg) with ElectionTimeoutMin %d, ElectionTimeoutMax %d: at the Tick its first timeout runs out (between Tick %d and Tick %d) "+
				"it starts an election and, a cluster of one, becomes Leader at once (rules E2, E6)\nexpected: (term 1, Leader) by Tick %d\nactual:   %s after Tick %d",
				v, v, lo, hi, lo, hi, hi, roleState(term, role), min(at, hi))
		}
		for range 1000 {
			if out := s.tick(); len(out) > 0 {
				return fmt.Errorf("the Leader of a cluster of one has no one to send to; it sent %s", msgList(out))
			}
			if err := s.failed(); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestAHigherTermInAnyMessageIsAdopted: a message of any kind with a Term
// above the node's, up to 2^62, makes it a Follower of that term with no
// vote and no known leader before the message is handled (E4); the reply
// carries the new term, exactly (terms are ints: 2^53+1 does not fit a float64).
func TestAHigherTermInAnyMessageIsAdopted(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for k := raft.RequestVote; k <= raft.AppendEntriesReply; k++ {
			for _, high := range []int{1 << 31, 1 << 32, 1<<32 + 1, 1 << 40, 1<<53 + 1, 1<<62 + 1} {
				ids := edgeIDs(r, 3+r.IntN(3))
				s := newSolo(r, ids, ids[0], fixed(3, 1, r.Uint64()))
				s.ticksUntilElection(3) // a Candidate of term 1
				out := s.receive(ids[1], raft.Msg{Kind: k, Term: high, VoteGranted: true, Success: true})
				if err := s.failed(); err != nil {
					return err
				}
				for _, m := range out {
					if m.Body.Term != high {
						return fmt.Errorf("node %d adopted term %d from a %v; its reply carries its currentTerm (rules E4, E5, E8)\nexpected: Term %d\nactual:   %s", ids[0], high, k, high, msgList(out))
					}
				}
			}
		}
		return nil
	})
}

// TestVotesCountOnlyOnceFromEachPeerAndOnlyInTheCurrentTerm: a Candidate of
// term 2 in a cluster of five needs three votes, its own included (E6).
// Granted replies repeated by one peer, granted replies of term 1, replies
// refusing, and replies from IDs outside the cluster do not make up the
// missing two; one more granted reply of term 2 from a second peer does.
func TestVotesCountOnlyOnceFromEachPeerAndOnlyInTheCurrentTerm(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		ids := edgeIDs(r, 5)
		v, a, b, c := ids[0], ids[1], ids[2], ids[3]
		s := newSolo(r, ids, v, fixed(2, 1, r.Uint64()))
		s.ticksUntilElection(2)
		s.ticksUntilElection(2) // a Candidate of term 2
		stranger := id(1)
		for slices.Contains(ids, stranger) {
			stranger++
		}
		noise := []struct {
			from id
			b    raft.Msg
		}{
			{a, raft.Msg{Kind: raft.RequestVoteReply, Term: 2, VoteGranted: true}},
			{b, raft.Msg{Kind: raft.RequestVoteReply, Term: 1, VoteGranted: true}},
			{c, raft.Msg{Kind: raft.RequestVoteReply, Term: 2}},
			{stranger, raft.Msg{Kind: raft.RequestVoteReply, Term: 2, VoteGranted: true}},
			{v, raft.Msg{Kind: raft.RequestVoteReply, Term: 2, VoteGranted: true}},
		}
		for range 8 {
			n := noise[r.IntN(len(noise))]
			s.receive(n.from, n.b)
			if err := s.failed(); err != nil {
				return err
			}
		}
		s.receive(a, noise[0].b)
		if term, role := s.state(); role != raft.Candidate {
			if err := s.failed(); err != nil {
				return err
			}
			return check.Mismatch(fmt.Sprintf("node %d, Candidate of term 2 in cluster %v, has only its own vote and node %d's (received again and again); "+
				"replies of term 1, refusals and replies from IDs outside the cluster do not count (rule E6): State()", v, ids, a), roleState(2, raft.Candidate), roleState(term, role))
		}
		out := s.receive(b, raft.Msg{Kind: raft.RequestVoteReply, Term: 2, VoteGranted: true})
		if err := s.failed(); err != nil {
			return err
		}
		if term, role := s.state(); role != raft.Leader || countKind(out, raft.AppendEntries) != 4 {
			return fmt.Errorf("node %d, Candidate of term 2 in cluster %v, got node %d's vote after node %d's: with its own that is 3 of 5, a majority, "+
				"so it becomes Leader and sends AppendEntries to the 4 others at once (rule E6)\nexpected: (term 2, Leader), 4 AppendEntries\nactual:   %s, %s",
				v, ids, b, a, roleState(term, role), msgList(out))
		}
		return nil
	})
}
