//go:build dslearnsuite

package twopc_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// orderCall is one call made directly on a node, and the messages it
// returned, in the order returned.
type orderCall struct {
	call string
	out  []string
}

func msgSeq(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%v to %d", m.Body, m.To)
	}
	return out
}

// sameRun compares two runs of the same calls and reports the first call
// whose messages came out differently.
func sameRun(who string, a, b []orderCall) error {
	for i := range min(len(a), len(b)) {
		if !slices.Equal(a[i].out, b[i].out) {
			var calls []string
			for _, c := range a[max(0, i-6) : i+1] {
				calls = append(calls, c.call)
			}
			return check.Mismatch(fmt.Sprintf(
				"%s, made twice with the same arguments and given the same calls (the last ones: %s): the messages returned by %s, in order (the lesson: when a call returns several messages, put them in a fixed order, or a failing seed will not replay the same run)",
				who, strings.Join(calls, "; "), a[i].call), strings.Join(a[i].out, ", "), strings.Join(b[i].out, ", "))
		}
	}
	return nil
}

// coordinatorOrderRun begins batches of transactions on a coordinator
// whose votes never come, and ticks until each batch times out, so that
// one Tick aborts many transactions at once.
func coordinatorOrderRun(txs [][]twopc.TxID, parts []simnet.NodeID, timeout int) []orderCall {
	c := twopc.NewCoordinator(coordID, &twopc.Log{}, timeout)
	var calls []orderCall
	for _, batch := range txs {
		for _, tx := range batch {
			writes := map[simnet.NodeID][]twopc.Write{}
			for _, p := range parts {
				writes[p] = []twopc.Write{{Key: string(tx), Value: "v"}}
			}
			call := fmt.Sprintf("Begin(%q, writes at %v)", tx, parts)
			calls = append(calls, orderCall{call, msgSeq(c.Begin(tx, writes))})
		}
		for range timeout {
			calls = append(calls, orderCall{"Tick()", msgSeq(c.Tick())})
		}
	}
	return calls
}

// participantOrderRun prepares many transactions on a participant and
// ticks, so that each retry Tick sends Yes for many of them at once.
func participantOrderRun(txs []twopc.TxID, retry, ticks int) []orderCall {
	p := twopc.NewParticipant(coordID, &twopc.Log{}, retry, func(twopc.TxID, []twopc.Write) bool { return true })
	var calls []orderCall
	for _, tx := range txs {
		m := Message{From: coordID, To: 1, Body: twopc.Msg{Kind: twopc.Prepare, Tx: tx, Writes: []twopc.Write{{Key: string(tx), Value: "v"}}}}
		calls = append(calls, orderCall{fmt.Sprintf("Receive(%v)", m.Body), msgSeq(p.Receive(m))})
	}
	for range ticks {
		calls = append(calls, orderCall{"Tick()", msgSeq(p.Tick())})
	}
	return calls
}

// TestTheSameCallsReturnTheSameMessagesInTheSameOrder makes each node
// twice, gives both the same calls, and compares every call's messages
// in the order returned: a coordinator aborting many timed-out
// transactions in one Tick, a participant re-sending Yes for many prepared
// ones. An order that comes from iterating a map differs between the two.
func TestTheSameCallsReturnTheSameMessagesInTheSameOrder(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		var all []twopc.TxID
		txID := func() twopc.TxID {
			tx := twopc.TxID(fmt.Sprintf("%s-%d", tTxs[r.IntN(len(tTxs))], len(all)))
			all = append(all, tx)
			return tx
		}
		timeout := 1 + r.IntN(4)
		parts := participantIDs(1 + r.IntN(3))
		batches := make([][]twopc.TxID, 4)
		for i := range batches {
			for range 3 + r.IntN(6) {
				batches[i] = append(batches[i], txID())
			}
		}
		who := fmt.Sprintf("NewCoordinator(0, log, %d)", timeout)
		if err := sameRun(who, coordinatorOrderRun(batches, parts, timeout), coordinatorOrderRun(batches, parts, timeout)); err != nil {
			return err
		}
		ptxs := make([]twopc.TxID, 3+r.IntN(10))
		for i := range ptxs {
			ptxs[i] = txID()
		}
		retry := 1 + r.IntN(3)
		who = fmt.Sprintf("NewParticipant(0, log, %d, a VoteFunc that says yes)", retry)
		return sameRun(who, participantOrderRun(ptxs, retry, 6*retry), participantOrderRun(ptxs, retry, 6*retry))
	})
}
