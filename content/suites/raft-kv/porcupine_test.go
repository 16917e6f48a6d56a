//go:build dslearnsuite

package raft_test

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/internal/porcupine"
)

// kvState is the value of one key in the model (the model is partitioned
// by key).
type kvState struct {
	value   string
	present bool
}

// kvOutput is what a client accepted; unknown for a Put or Append that
// never got an answer (it may have taken effect, at any time after its call).
type kvOutput struct {
	err     raft.Err
	value   string
	unknown bool
}

// kvModel is the lesson's key-value store (rule K5), one key at a time.
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(raft.Request).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		slices.Sort(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	},
	Init: func() any { return kvState{} },
	Step: func(state, input, output any) (bool, any) {
		st, q, out := state.(kvState), input.(raft.Request), output.(kvOutput)
		switch q.Op {
		case raft.Get:
			if out.err == raft.ErrNoKey {
				return !st.present, st
			}
			return st.present && out.value == st.value, st
		case raft.Put:
			return true, kvState{q.Value, true}
		default:
			return true, kvState{st.value + q.Value, true}
		}
	},
	DescribeOperation: func(input, output any) string {
		q, out := input.(raft.Request), output.(kvOutput)
		s := fmt.Sprintf("c%d#%d %s", q.ClientID, q.Seq, opString(q))
		switch {
		case out.unknown:
			return s + " → no reply"
		case q.Op == raft.Get && out.err == raft.OK:
			return s + fmt.Sprintf(" → %q", out.value)
		default:
			return s + " → " + string(out.err)
		}
	},
	DescribeState: func(state any) string {
		st := state.(kvState)
		if !st.present {
			return "(no value)"
		}
		return fmt.Sprintf("%q", st.value)
	},
}

// never is the return time of a Put or Append that was never answered.
const never = int64(1) << 60

// operations turns the records into porcupine's history: a Get without an
// accepted reply is left out; a Put or Append without one may have happened
// at any time after its call.
func operations(hist []*record) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, r := range hist {
		op := porcupine.Operation{ClientId: r.client, Input: r.req, Call: int64(r.call)}
		switch {
		case r.done:
			op.Output, op.Return = kvOutput{err: r.err, value: r.value}, int64(r.ret)
		case r.req.Op == raft.Get:
			continue
		default:
			op.Output, op.Return = kvOutput{unknown: true}, never
		}
		ops = append(ops, op)
	}
	return ops
}

// checkerLimit bounds porcupine's search. A correct implementation's
// histories are decided in milliseconds; the limit only keeps a wrong one
// from hanging the run.
const checkerLimit = 20 * time.Second

// linearizable checks the history with porcupine (rule K6). On failure it
// writes porcupine's visualization next to the run and says where, and
// lists the operations on the first key whose history is not linearizable.
func linearizable(testName, setup string, hist []*record) error {
	ops := operations(hist)
	res, info := porcupine.CheckOperationsVerbose(kvModel, ops, checkerLimit)
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("%s: porcupine could not decide within %v whether the history of %d operations is linearizable", setup, checkerLimit, len(ops))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the history of %d operations is not linearizable (rule K6): no order of the operations, each taking effect at one instant between its call and its reply, explains every reply with the key-value rules.\n", setup, len(ops))
	for _, part := range kvModel.Partition(ops) {
		if porcupine.CheckOperations(kvModel, part) {
			continue
		}
		key := part[0].Input.(raft.Request).Key
		fmt.Fprintf(&b, "the operations on key %q (ticks are call..reply):\n", key)
		var rs []*record
		for _, r := range hist {
			if r.req.Key == key && (r.done || r.req.Op != raft.Get) {
				rs = append(rs, r)
			}
		}
		slices.SortStableFunc(rs, func(x, y *record) int { return x.call - y.call })
		const most = 60
		for i, r := range rs {
			if i == most {
				fmt.Fprintf(&b, "  … and %d more\n", len(rs)-most)
				break
			}
			b.WriteString("  " + r.String() + "\n")
		}
		break
	}
	if path, err := writeVisualization(testName, info); err != nil {
		fmt.Fprintf(&b, "(porcupine's visualization could not be written: %v)\n", err)
	} else {
		fmt.Fprintf(&b, "porcupine's visualization of the whole history (a web page; open it in a browser): %s\n", path)
	}
	return fmt.Errorf("%s", strings.TrimSuffix(b.String(), "\n"))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// visualized remembers, per test, where its visualization went: the first
// failing seed of a test writes it, later ones name the same file.
var visualized sync.Map

// writeVisualization writes porcupine's HTML visualization of the history,
// named after the test, where the learner can open it (in a graded run,
// .dslearn/artifacts/raft-kv/ in the workspace; see check.Artifact), and
// returns its path as the learner sees it.
func writeVisualization(testName string, info porcupine.LinearizationInfo) (string, error) {
	if p, ok := visualized.Load(testName); ok {
		return p.(string), nil
	}
	var buf bytes.Buffer
	if err := porcupine.Visualize(kvModel, info, &buf); err != nil {
		return "", err
	}
	path, err := check.Artifact(unsafeName.ReplaceAllString(testName, "_")+".html", buf.Bytes())
	if err != nil {
		return "", err
	}
	visualized.Store(testName, path)
	return path, nil
}
