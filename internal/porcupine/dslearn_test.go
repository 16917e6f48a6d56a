package porcupine_test

// These tests are dslearn's, not porcupine's: they prove that the copy in
// this directory builds, rejects a history that is not linearizable, accepts
// one that is, and writes its visualization without go:embed.

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/porcupine"
)

type kvInput struct {
	op         string // "get", "put" or "append"
	key, value string
}

// kvModel is a key-value store partitioned by key; the state of a
// partition is the key's value.
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in, st := input.(kvInput), state.(string)
		switch in.op {
		case "get":
			return output.(string) == st, st
		case "put":
			return true, in.value
		default:
			return true, st + in.value
		}
	},
	DescribeOperation: func(input, output any) string {
		in := input.(kvInput)
		if in.op == "get" {
			return "get(" + in.key + ") -> " + output.(string)
		}
		return in.op + "(" + in.key + ", " + in.value + ")"
	},
}

func op(client int, call, ret int64, in kvInput, out string) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret}
}

// A put of "a" completes before a get starts: the get must see "a". Here a
// second get, after another that saw the append, reads the value before it.
var staleRead = []porcupine.Operation{
	op(0, 0, 10, kvInput{"put", "x", "a"}, ""),
	op(1, 20, 30, kvInput{"append", "x", "b"}, ""),
	op(2, 31, 40, kvInput{"get", "x", ""}, "ab"),
	op(0, 41, 50, kvInput{"get", "x", ""}, "a"),
	op(1, 0, 5, kvInput{"put", "y", "1"}, ""),
}

// An append applied twice: the get sees "ab" + "b".
var doubleAppend = []porcupine.Operation{
	op(0, 0, 10, kvInput{"put", "x", "a"}, ""),
	op(1, 11, 30, kvInput{"append", "x", "b"}, ""),
	op(2, 31, 40, kvInput{"get", "x", ""}, "abb"),
}

// Overlapping operations may take effect in either order: the get that
// overlaps both the put and the append may see "ab"; the one after both must.
var concurrent = []porcupine.Operation{
	op(0, 0, 10, kvInput{"put", "x", "a"}, ""),
	op(1, 5, 30, kvInput{"append", "x", "b"}, ""),
	op(2, 6, 25, kvInput{"get", "x", ""}, "ab"),
	op(0, 31, 40, kvInput{"get", "x", ""}, "ab"),
	op(3, 0, 40, kvInput{"get", "y", ""}, ""),
	op(3, 41, 45, kvInput{"put", "y", "z"}, ""),
}

func TestRejectsAHistoryThatIsNotLinearizable(t *testing.T) {
	for name, h := range map[string][]porcupine.Operation{"stale read": staleRead, "double append": doubleAppend} {
		if porcupine.CheckOperations(kvModel, h) {
			t.Errorf("%s: CheckOperations accepted a history that is not linearizable", name)
		}
		if res, _ := porcupine.CheckOperationsVerbose(kvModel, h, 0); res != porcupine.Illegal {
			t.Errorf("%s: CheckOperationsVerbose = %v, want Illegal", name, res)
		}
	}
}

func TestAcceptsALinearizableHistory(t *testing.T) {
	if !porcupine.CheckOperations(kvModel, concurrent) {
		t.Error("CheckOperations rejected a linearizable history")
	}
	// The same with the get seeing only the put: also linearizable (the
	// append is linearized after it).
	h := append([]porcupine.Operation(nil), concurrent...)
	h[2] = op(2, 6, 25, kvInput{"get", "x", ""}, "a")
	if !porcupine.CheckOperations(kvModel, h) {
		t.Error("CheckOperations rejected a linearizable history (get between put and append)")
	}
}

func TestVisualizationIsWrittenWithItsAssets(t *testing.T) {
	res, info := porcupine.CheckOperationsVerbose(kvModel, staleRead, 0)
	if res != porcupine.Illegal {
		t.Fatalf("CheckOperationsVerbose = %v, want Illegal", res)
	}
	var buf bytes.Buffer
	if err := porcupine.Visualize(kvModel, info, &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, name := range []string{"index.css", "index.js"} {
		asset, err := os.ReadFile("visualization/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(html, string(asset)) {
			t.Errorf("the visualization does not contain visualization/%s", name)
		}
	}
	if !strings.Contains(html, "get(x) -\\u003e a") {
		t.Error("the visualization does not describe the history's operations")
	}
}
