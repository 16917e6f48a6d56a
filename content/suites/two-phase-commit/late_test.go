//go:build dslearnsuite

package twopc_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// lateCall is one call of a scripted participant history.
type lateCall struct {
	kind    twopc.Kind // Prepare, Commit or Abort; 0 for a Tick; -1 for a restart from the log
	tx      twopc.TxID
	value   string // the value a Prepare writes to both keys
	refuses bool   // the participant's VoteFunc says no to this Prepare
}

func (c lateCall) String() string {
	switch c.kind {
	case 0:
		return "Tick()"
	case -1:
		return "restart: NewParticipant with the same log"
	case twopc.Prepare:
		s := fmt.Sprintf("Receive(Prepare %s [a=%s b=%s])", c.tx, c.value, c.value)
		if c.refuses {
			s += " (its VoteFunc says no)"
		}
		return s
	}
	return fmt.Sprintf("Receive(%v %s)", c.kind, c.tx)
}

// oldEnds are the ways the old transaction T1, writing a and b, can have
// ended at the participant; newEnds where the newer T2, writing the same
// keys, stands when the late copies of T1's messages arrive.
var (
	oldEnds = map[string][]lateCall{
		"T1 committed":              {{kind: twopc.Prepare, tx: "T1", value: "1"}, {kind: twopc.Commit, tx: "T1"}},
		"T1 aborted after Yes":      {{kind: twopc.Prepare, tx: "T1", value: "1"}, {kind: twopc.Abort, tx: "T1"}},
		"T1 refused (No)":           {{kind: twopc.Prepare, tx: "T1", value: "1", refuses: true}},
		"T1 aborted before Prepare": {{kind: twopc.Abort, tx: "T1"}},
	}
	newEnds = map[string][]lateCall{
		"no T2":        nil,
		"T2 prepared":  {{kind: twopc.Prepare, tx: "T2", value: "2"}},
		"T2 committed": {{kind: twopc.Prepare, tx: "T2", value: "2"}, {kind: twopc.Commit, tx: "T2"}},
		"T2 aborted":   {{kind: twopc.Prepare, tx: "T2", value: "2"}, {kind: twopc.Abort, tx: "T2"}},
	}
)

// TestLateCopiesOfOldMessagesChangeNothingAtAParticipant replays, on one
// participant called directly, late copies of every message of an old
// transaction (Prepare, Commit, Abort, each twice, with Ticks between and
// also after a restart from the log), after every way that transaction can
// have ended and while a newer transaction on the same keys is prepared,
// committed or aborted. Each call is compared with the lesson's rules; in
// particular a transaction's writes are applied once, so a late Commit
// never brings back a value a newer transaction overwrote. Every case runs
// on every seed.
func TestLateCopiesOfOldMessagesChangeNothingAtAParticipant(t *testing.T) {
	defer check.Recover(t)
	const coord, self = simnet.NodeID(-1), simnet.NodeID(7)
	for _, old := range sortedKeys(oldEnds) {
		for _, nw := range sortedKeys(newEnds) {
			for _, restart := range []bool{false, true} {
				for _, late := range []twopc.Kind{twopc.Prepare, twopc.Commit, twopc.Abort} {
					calls := append(append([]lateCall{}, oldEnds[old]...), newEnds[nw]...)
					if restart {
						calls = append(calls, lateCall{kind: -1})
					}
					for range 2 {
						calls = append(calls, lateCall{kind: late, tx: "T1", value: "1"}, lateCall{}, lateCall{})
					}
					if err := runLate(coord, self, calls); err != nil {
						t.Errorf("%s, %s, then late copies of %v T1%s:\n%v", old, nw, late, map[bool]string{true: " after a restart"}[restart], err)
						return
					}
				}
			}
		}
	}
}

func runLate(coord, self simnet.NodeID, calls []lateCall) error {
	x := &trun{coordID: coord, parts: []simnet.NodeID{self}, retry: 2, ps: map[simnet.NodeID]*twopc.Participant{},
		logs: map[simnet.NodeID]*twopc.Log{self: {}}, mp: map[simnet.NodeID]*mpart{}, votes: map[string]bool{},
		net: simnet.New[twopc.Msg](simnet.Config{}), keys: []string{"a", "b"}, txs: []twopc.TxID{"T1", "T2"}}
	for _, c := range calls {
		if c.kind == twopc.Prepare {
			x.votes[fmt.Sprint(self, "/", c.tx)] = !c.refuses
		}
	}
	x.ps[self] = twopc.NewParticipant(coord, x.logs[self], x.retry, x.voteFunc(self))
	x.mp[self] = newMPart(coord, x.retry, x.voteFunc(self))
	node := &mpartNode{x: x, id: self}
	var done []string
	for _, c := range calls {
		done = append(done, c.String())
		switch c.kind {
		case 0:
			node.Tick()
		case -1:
			x.ps[self] = twopc.NewParticipant(coord, x.logs[self], x.retry, x.voteFunc(self))
			x.mp[self].restart()
			x.comparePart(self, "after a restart from its log")
		default:
			var ws []twopc.Write
			if c.kind == twopc.Prepare {
				ws = []twopc.Write{{Key: "a", Value: c.value}, {Key: "b", Value: c.value}}
			}
			node.Receive(Message{From: coord, To: self, Body: twopc.Msg{Kind: c.kind, Tx: c.tx, Writes: ws}})
		}
		if x.err != nil {
			return fmt.Errorf("%v\n\nparticipant %d (coordinator %d, retryEvery %d), called directly:\n    %s", x.err, self, coord, x.retry, strings.Join(done, "\n    "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
