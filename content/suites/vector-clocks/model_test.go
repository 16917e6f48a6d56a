//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// A model-based check: long random sequences of calls on a few clocks and
// of Compare and Merge, each compared with the lesson's rules computed
// here. Process IDs are drawn from awkward names (the empty string, upper
// case, non-ASCII, separators); entries sit at the widths a narrowed or
// float-converted counter breaks at. After every call the suite writes to
// every map it passed or got back, and the model must not see a difference.

type vop struct {
	kind string // "Tick", "Send", "Now", "Receive", "Compare", "Merge"
	c    int
	a, b vclock.VC // Receive's message is a; Compare and Merge take a, b
}

// showQ writes a VC with quoted keys, so that "" and "a b" stay readable.
func showQ(v vclock.VC) string {
	if v == nil {
		return "nil"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, fmt.Sprintf("%q:%d", k, v[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func (o vop) String() string {
	switch o.kind {
	case "Receive":
		return fmt.Sprintf("clock %d: Receive(%s)", o.c, showQ(o.a))
	case "Compare", "Merge":
		return fmt.Sprintf("%s(%s, %s)", o.kind, showQ(o.a), showQ(o.b))
	}
	return fmt.Sprintf("clock %d: %s()", o.c, o.kind)
}

// maxEntry keeps clock entries far from 2^64, whose wrap-around the lesson
// does not define.
const maxEntry = ^uint64(0) - 1<<40

// edgeVC draws a clock over keys with edge-biased entries, explicit zeros
// and, sometimes, nil or empty.
func edgeVC(r *rand.Rand, keys []string, maxV uint64) vclock.VC {
	switch r.IntN(10) {
	case 0:
		return nil
	case 1:
		return vclock.VC{}
	}
	v := vclock.VC{}
	for _, k := range keys {
		switch r.IntN(4) {
		case 0: // missing
		case 1:
			v[k] = 0
		default:
			v[k] = check.EdgeUint64(r, maxV)
		}
	}
	return v
}

// near returns b with some entries moved to a's value ±1, where an off-by-one
// in a comparison shows.
func near(r *rand.Rand, a, b vclock.VC) vclock.VC {
	if b == nil || a == nil {
		return b
	}
	if r.IntN(2) == 0 {
		// a itself with one entry one up or one down: the pair whose order
		// that single entry decides.
		b = maps.Clone(a)
		if ks := slices.Sorted(maps.Keys(a)); len(ks) > 0 {
			k := ks[r.IntN(len(ks))]
			if v := a[k]; v > 0 && r.IntN(2) == 0 {
				b[k] = v - 1
			} else if v < ^uint64(0) {
				b[k] = v + 1
			}
		}
		return b
	}
	for _, k := range slices.Sorted(maps.Keys(a)) { // sorted: the same draws for the same seed
		v := a[k]
		switch r.IntN(4) {
		case 0:
			b[k] = v
		case 1:
			b[k] = v + 1
		case 2:
			if v > 0 {
				b[k] = v - 1
			}
		}
	}
	return b
}

func genVCOps(r *rand.Rand, n int, ids []string) []vop {
	keys := append(slices.Clone(ids), check.EdgeName(r), check.EdgeName(r))
	ops := make([]vop, n)
	for i := range ops {
		o := vop{c: r.IntN(len(ids))}
		switch r.IntN(10) {
		case 0, 1:
			o.kind = "Tick"
		case 2:
			o.kind = "Send"
		case 3:
			o.kind = "Now"
		case 4, 5, 6:
			o.kind = "Receive"
			o.a = edgeVC(r, keys, maxEntry)
			if r.IntN(3) == 0 { // small entries: the lesson's ordinary case
				for k := range o.a {
					o.a[k] %= 5
				}
			}
		default:
			o.kind = []string{"Compare", "Merge"}[r.IntN(2)]
			o.a = edgeVC(r, keys, ^uint64(0))
			o.b = near(r, o.a, edgeVC(r, keys, ^uint64(0)))
		}
		ops[i] = o
	}
	return ops
}

func modelCompare(a, b vclock.VC) vclock.Order {
	less, more := false, false
	for _, k := range keys(a, b) {
		if a[k] < b[k] {
			less = true
		}
		if a[k] > b[k] {
			more = true
		}
	}
	switch {
	case less && more:
		return vclock.Concurrent
	case less:
		return vclock.Before
	case more:
		return vclock.After
	}
	return vclock.Equal
}

func modelMerge(a, b vclock.VC) vclock.VC {
	out := vclock.VC{}
	for _, k := range keys(a, b) {
		out[k] = max(a[k], b[k])
	}
	return out
}

// scribble writes to v the way a caller that owns it may: changes every
// entry, adds one and deletes one.
func scribble(v vclock.VC) {
	if v == nil {
		return
	}
	for k := range v {
		v[k] += 1000
	}
	for k := range v {
		delete(v, k)
		break
	}
	v["scribbled"] = 42
}

// exactly reports whether two maps have the same keys and values and are
// nil alike.
func exactly(a, b vclock.VC) bool { return (a == nil) == (b == nil) && maps.Equal(a, b) }

func runVCOps(ids []string) func([]vop) error {
	return func(ops []vop) error {
		clocks := make([]*vclock.Clock, len(ids))
		model := make([]vclock.VC, len(ids))
		for i, id := range ids {
			clocks[i], model[i] = vclock.New(id), vclock.VC{}
		}
		// held is a snapshot per clock the suite keeps untouched, with its
		// copy: later calls must not change it.
		held := make([]vclock.VC, len(ids))
		heldCopy := make([]vclock.VC, len(ids))
		for i, o := range ops {
			step := fmt.Sprintf("step %d, %v", i+1, o)
			if o.c < len(ids) {
				step = fmt.Sprintf("step %d (clock %d is New(%q)), %v", i+1, o.c, ids[o.c], o)
			}
			a, b := maps.Clone(o.a), maps.Clone(o.b)
			var got, want vclock.VC
			switch o.kind {
			case "Compare":
				w, g := modelCompare(o.a, o.b), vclock.Compare(a, b)
				if g != w {
					return check.Mismatch(step+" (missing entries count as 0)", w, g)
				}
				if !exactly(a, o.a) || !exactly(b, o.b) {
					return check.Errorf("%s modified its arguments: they became %s and %s", step, showQ(a), showQ(b))
				}
				continue
			case "Merge":
				w, g := modelMerge(o.a, o.b), vclock.Merge(a, b)
				if g == nil || !same(w, g) {
					return check.Mismatch(step+" (the entrywise maximum, as a new non-nil map)", showQ(w), showQ(g))
				}
				if !exactly(a, o.a) || !exactly(b, o.b) {
					return check.Errorf("%s modified its arguments: they became %s and %s", step, showQ(a), showQ(b))
				}
				scribble(g)
				if !exactly(a, o.a) || !exactly(b, o.b) {
					return check.Errorf("%s: writing to the map Merge returned changed its arguments to %s and %s: the result must share nothing with them", step, showQ(a), showQ(b))
				}
				continue
			case "Tick", "Send":
				model[o.c][ids[o.c]]++
				if o.kind == "Tick" {
					got = clocks[o.c].Tick()
				} else {
					got = clocks[o.c].Send()
				}
			case "Now":
				got = clocks[o.c].Now()
			case "Receive":
				// A message never knows more about the receiver than it does.
				id := ids[o.c]
				if a != nil {
					if v, ok := a[id]; ok && v > model[o.c][id] {
						a[id] = model[o.c][id]
					}
				}
				sent := maps.Clone(a)
				model[o.c] = modelMerge(model[o.c], a)
				model[o.c][id]++
				got = clocks[o.c].Receive(a)
				if !exactly(a, sent) {
					return check.Errorf("%s modified the message: it became %s", step, showQ(a))
				}
				scribble(a) // the caller owns msg again
			}
			want = model[o.c]
			if got == nil || !same(want, got) {
				return check.Mismatch(step+" returned "+vcRules, showQ(want), showQ(got))
			}
			// Keep every other snapshot untouched; scribble on the rest.
			if held[o.c] == nil || i%2 == 0 {
				held[o.c], heldCopy[o.c] = got, maps.Clone(got)
			} else {
				scribble(got)
			}
			for c := range clocks {
				if c != o.c && i%16 != 0 && i != len(ops)-1 {
					continue // the others every 16 steps and at the end
				}
				if now := clocks[c].Now(); now == nil || !same(model[c], now) {
					return check.Mismatch(fmt.Sprintf("%s; then clock %d (New(%q)): Now() (writing to a snapshot or to a message after Receive must not change a clock)", step, c, ids[c]), showQ(model[c]), showQ(now))
				}
				if held[c] != nil && !exactly(held[c], heldCopy[c]) {
					return check.Errorf("%s: a snapshot clock %d returned earlier changed from %s to %s; later calls must not change it", step, c, showQ(heldCopy[c]), showQ(held[c]))
				}
			}
		}
		return nil
	}
}

const vcRules = "(Tick and Send add 1 to the clock's own entry; Receive(msg) takes the entrywise maximum, then adds 1 to its own entry; Now changes nothing)"

func simplerVCOp(o vop) []vop {
	var out []vop
	if o.kind == "Send" || o.kind == "Now" || o.kind == "Receive" {
		p := o
		p.kind, p.a = "Tick", nil
		out = append(out, p)
	}
	if o.c != 0 {
		p := o
		p.c = 0
		out = append(out, p)
	}
	for _, which := range []*vclock.VC{&o.a, &o.b} {
		for _, k := range slices.Sorted(maps.Keys(*which)) {
			v := (*which)[k]
			p := o
			p.a, p.b = maps.Clone(o.a), maps.Clone(o.b)
			m := &p.a
			if which == &o.b {
				m = &p.b
			}
			delete(*m, k)
			out = append(out, p)
			if v > 1 {
				q := p
				q.a, q.b = maps.Clone(p.a), maps.Clone(p.b)
				m := &q.a
				if which == &o.b {
					m = &q.b
				}
				(*m)[k] = v / 2
				out = append(out, q)
			}
		}
	}
	return out
}

func TestLongRandomRunsMatchTheRules(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 10, func(r *rand.Rand) error {
		// Three clocks with different awkward IDs.
		var ids []string
		for len(ids) < 3 {
			if id := check.EdgeName(r); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		return check.Minimize(genVCOps(r, 1000, ids), simplerVCOp, runVCOps(ids))
	})
}
