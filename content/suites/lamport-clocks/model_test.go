//go:build dslearnsuite

package lamport_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// A model-based check: long random sequences of calls on a few clocks, each
// compared, call by call, with the lesson's rules computed here. Message
// times are biased to the widths a narrowed or float-converted time breaks
// at (2^8 … 2^63, ±1) and to the clock's own time ±1; process names to
// upper case, non-ASCII, the empty string and separators.

const modelClocks = 3

// lop is one call of a model run: on clock c, Tick, Send, Receive(msg) or
// Now, or a comparison a.Less(b).
type lop struct {
	kind string // "Tick", "Send", "Receive", "Now", "Less"
	c    int
	msg  uint64
	a, b lamport.Stamp
}

func (o lop) String() string {
	switch o.kind {
	case "Less":
		return fmt.Sprintf("Stamp{%d, %s}.Less(Stamp{%d, %s})", o.a.Time, strconv.Quote(o.a.Process), o.b.Time, strconv.Quote(o.b.Process))
	case "Receive":
		return fmt.Sprintf("clock %d: Receive(%d)", o.c, o.msg)
	}
	return fmt.Sprintf("clock %d: %s()", o.c, o.kind)
}

// maxModelTime keeps every run far from 2^64, whose wrap-around the lesson
// does not define.
const maxModelTime = ^uint64(0) - 1<<40

func genLamportOps(r *rand.Rand, n int) []lop {
	ops := make([]lop, n)
	for i := range ops {
		o := lop{c: r.IntN(modelClocks)}
		switch r.IntN(9) {
		case 0, 1:
			o.kind = "Tick"
		case 2, 3:
			o.kind = "Send"
		case 4:
			o.kind = "Now"
		case 5, 6:
			o.kind = "Receive"
			o.msg = check.EdgeUint64(r, maxModelTime)
		default:
			o.kind = "Less"
			o.a = lamport.Stamp{Time: check.EdgeUint64(r, ^uint64(0)), Process: check.EdgeName(r)}
			o.b = o.a
			switch r.IntN(4) { // equal times are where the tie-break matters
			case 0:
				o.b.Process = check.EdgeName(r)
			case 1:
				o.b.Time = check.EdgeUint64(r, ^uint64(0))
			case 2:
				o.b = lamport.Stamp{Time: check.EdgeUint64(r, ^uint64(0)), Process: check.EdgeName(r)}
			}
		}
		ops[i] = o
	}
	return ops
}

// relativeMessages replaces some Receive times by the receiving clock's
// model time -1, +0, +1 or +2, where an off-by-one shows.
func relativeMessages(r *rand.Rand, ops []lop) {
	var model [modelClocks]uint64
	for i, o := range ops {
		switch o.kind {
		case "Tick", "Send":
			model[o.c]++
		case "Receive":
			if r.IntN(2) == 0 {
				o.msg = model[o.c] + r.Uint64N(4) - 1
				if model[o.c] == 0 && o.msg > 3 {
					o.msg = 0
				}
				ops[i] = o
			}
			model[o.c] = max(model[o.c], o.msg) + 1
		}
	}
}

func modelLess(a, b lamport.Stamp) bool {
	if a.Time != b.Time {
		return a.Time < b.Time
	}
	return a.Process < b.Process
}

func runLamportOps(ops []lop) error {
	clocks := make([]lamport.Clock, modelClocks)
	var model [modelClocks]uint64
	for i, o := range ops {
		step := fmt.Sprintf("step %d, %v", i+1, o)
		var got, want uint64
		switch o.kind {
		case "Less":
			want := modelLess(o.a, o.b)
			if got := o.a.Less(o.b); got != want {
				return check.Mismatch(step+" (smaller Time first; equal times: smaller Process by Go string comparison)", want, got)
			}
			continue
		case "Tick":
			model[o.c]++
			want, got = model[o.c], clocks[o.c].Tick()
		case "Send":
			model[o.c]++
			want, got = model[o.c], clocks[o.c].Send()
		case "Receive":
			model[o.c] = max(model[o.c], o.msg) + 1
			want, got = model[o.c], clocks[o.c].Receive(o.msg)
		case "Now":
			want, got = model[o.c], clocks[o.c].Now()
		}
		if got != want {
			return check.Mismatch(step+" returned "+rules, want, got)
		}
		for c := range clocks {
			if now := clocks[c].Now(); now != model[c] {
				return check.Mismatch(fmt.Sprintf("%s; then clock %d: Now()", step, c), model[c], now)
			}
		}
	}
	return nil
}

func simplerLamportOp(o lop) []lop {
	var out []lop
	if o.kind == "Receive" && o.msg > 0 {
		for _, m := range []uint64{0, 1, o.msg / 2, o.msg - 1} {
			p := o
			p.msg = m
			out = append(out, p)
		}
	}
	if o.kind != "Tick" && o.kind != "Less" {
		p := o
		p.kind = "Tick"
		out = append(out, p)
	}
	if o.c != 0 {
		p := o
		p.c = 0
		out = append(out, p)
	}
	return out
}

func TestLongRandomRunsMatchTheRules(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 15, func(r *rand.Rand) error {
		ops := genLamportOps(r, 2000)
		relativeMessages(r, ops)
		return check.Minimize(ops, simplerLamportOp, runLamportOps)
	})
}

func TestLessAtTheEdges(t *testing.T) {
	defer check.Recover(t)
	// Every pair of edge times and edge names, both ways round.
	times := []uint64{0, 1, 255, 256, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, 1<<53 + 1, 1 << 53, 1<<63 - 1, 1 << 63, ^uint64(0)}
	for _, ta := range times {
		for _, tb := range times {
			for _, pa := range check.EdgeNames {
				for _, pb := range []string{"", "a", "A", "p9", "p10", "é", "\U0001F600"} {
					a, b := lamport.Stamp{Time: ta, Process: pa}, lamport.Stamp{Time: tb, Process: pb}
					if got, want := a.Less(b), modelLess(a, b); got != want {
						t.Fatal(check.Mismatch(fmt.Sprintf("Stamp{%d, %q}.Less(Stamp{%d, %q}) (smaller Time first; equal times: smaller Process by Go string comparison)", ta, pa, tb, pb), want, got))
					}
				}
			}
		}
	}
}
