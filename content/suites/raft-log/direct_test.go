//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	raft "github.com/dslearn/dslearn/exercises/raft-log"
	"github.com/dslearn/dslearn/internal/check"
)

// crafted draws a message from another peer to the node w that the rules
// can meet: terms around the node's, AppendEntries whose PrevLogIndex lies
// around its log (matching or not) and that never contradict an entry it
// has committed, replies with any hint.
func crafted(r *rand.Rand, w *twin, from id) raft.Msg {
	m := w.model
	term := max(0, m.term+[]int{-1, 0, 0, 0, 1, 2}[r.IntN(6)])
	if r.IntN(60) == 0 {
		// Terms are whole ints: a term beyond 2^53 must not lose its
		// last bits (in a float64, say).
		term = max(term, []int{1<<53 + 1, 1<<62 + 3}[r.IntN(2)]+r.IntN(3))
	}
	kinds := []raft.Kind{raft.RequestVote, raft.RequestVoteReply, raft.AppendEntries, raft.AppendEntriesReply}
	k := kinds[r.IntN(len(kinds))]
	switch {
	case m.role == raft.Candidate && r.IntN(2) == 0:
		k = raft.RequestVoteReply
	case m.role == raft.Leader && r.IntN(3) > 0:
		k = raft.AppendEntriesReply
	}
	switch k {
	case raft.RequestVote:
		li := max(0, len(m.log)+r.IntN(5)-2)
		lt := max(0, m.lastTerm()+r.IntN(3)-1)
		if li == 0 {
			lt = 0
		}
		return raft.Msg{Kind: k, Term: term, LastLogIndex: li, LastLogTerm: lt}
	case raft.RequestVoteReply:
		if r.IntN(3) > 0 {
			term = m.term
		}
		return raft.Msg{Kind: k, Term: term, VoteGranted: r.IntN(4) > 0}
	case raft.AppendEntriesReply:
		if r.IntN(4) > 0 {
			term = m.term
		}
		return raft.Msg{Kind: k, Term: term, Success: r.IntN(2) == 0, Index: r.IntN(len(m.log) + 1)}
	}
	if m.role == raft.Leader && term == m.term {
		term++ // one leader per term: another sender of this term cannot be one
	}
	prev := r.IntN(len(m.log) + 3)
	prevTerm := m.termAt(prev)
	if prev > 0 && r.IntN(4) == 0 {
		prevTerm = max(1, prevTerm+r.IntN(3)-1)
	}
	if prev > len(m.log) {
		prevTerm = max(1, m.lastTerm()) + r.IntN(2)
	}
	prevTerm = min(prevTerm, term)
	var es []raft.Entry
	t := max(prevTerm, 1)
	count := r.IntN(5)
	for i := prev + 1; i <= prev+count; i++ {
		if i <= m.commit && prevTerm == m.termAt(prev) {
			es = append(es, m.log[i-1]) // committed entries never change
			t = m.log[i-1].Term
			continue
		}
		switch r.IntN(6) {
		case 0, 1:
			if t < term {
				t++
			}
		case 2:
			t = term
		}
		if t > term {
			break
		}
		es = append(es, raft.Entry{Term: t, Command: cmdOf(t, i)})
	}
	return raft.Msg{Kind: k, Term: term, PrevLogIndex: prev, PrevLogTerm: prevTerm, Entries: es, LeaderCommit: r.IntN(prev + len(es) + 3)}
}

// TestOneNodeFollowsTheRulesForAnySequenceOfCalls calls one node directly
// with long random sequences of Ticks, Submits and messages of every kind
// from its peers, whatever its role, and compares every call with the
// lesson's rules: the messages returned, State(), Leader(), VotedFor(),
// Log(), CommitIndex() and the Apply calls.
func TestOneNodeFollowsTheRulesForAnySequenceOfCalls(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, n := range clusterSizes {
			ids := randomIDs(r, n)
			x := ids[r.IntN(n)]
			tm := randomTiming(r)
			if r.IntN(5) == 0 {
				tm.max = tm.min - 1 - r.IntN(3) // counts as max == min (E1)
			}
			w := newTwin(x, ids, tm.config(check.EdgeUint64(r, ^uint64(0))))
			var calls []string
			for range 150 + 50*n {
				switch k := r.IntN(10); {
				case k < 3 || n == 1:
					calls = append(calls, "Tick()")
					w.Tick()
				case k == 3:
					cmd := check.EdgeName(r)
					calls = append(calls, fmt.Sprintf("Submit(%q)", cmd))
					w.Submit(cmd)
				case k == 4:
					// A reply from a node that is not a peer counts for
					// nothing (E6: votes of distinct peers; L5, L6: peer p).
					from := ids[n-1] + 1 + id(r.IntN(3))
					m := crafted(r, w, from)
					if m.Kind != raft.RequestVoteReply && m.Kind != raft.AppendEntriesReply {
						continue
					}
					calls = append(calls, fmt.Sprintf("Receive(%s from %d, not a peer)", msgString(m), from))
					w.Receive(rmsg{From: from, To: x, Body: m})
				default:
					from := ids[r.IntN(n)]
					if from == x {
						continue
					}
					m := crafted(r, w, from)
					calls = append(calls, fmt.Sprintf("Receive(%s from %d)", msgString(m), from))
					w.Receive(rmsg{From: from, To: x, Body: m})
				}
				if w.err != nil {
					if len(calls) > 30 {
						calls = append([]string{fmt.Sprintf("… %d earlier calls", len(calls)-30)}, calls[len(calls)-30:]...)
					}
					return fmt.Errorf("%v\n\nnode %d of peers %v, %v, called directly:\n    %s", w.err, x, ids, tm, strings.Join(calls, "\n    "))
				}
			}
		}
		return nil
	})
}
