//go:build dslearnsuite

package hashring_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/consistent-hashing"
	"github.com/dslearn/dslearn/internal/check"
)

// A model-based check: long random sequences of Add, Remove, Get, GetN and
// Nodes, each compared with the ring as the lesson defines it (model, in
// helpers_test.go). Node names and keys are awkward: the empty string,
// upper case, non-ASCII, and the '#' that virtual node names are built
// with. One hash puts everything on the edge positions of the ring (0, 1,
// 2^8, 2^16, 2^31 and 2^32-1, ±1) so that virtual nodes collide and keys sit
// exactly on them and at the wrap-around; another spreads them with MD5.
// After every call the suite writes to the slices it passed to Add and got
// back from GetN and Nodes.

// edgePositions are where edgeHash puts things.
var edgePositions = []uint32{0, 1, 2, 255, 256, 257, 65535, 65536, 1<<31 - 1, 1 << 31, 1<<32 - 2, 1<<32 - 1}

func edgeHash(b []byte) uint32 { return edgePositions[mixHash(b)%uint32(len(edgePositions))] }

type hop struct {
	kind  string // "Add", "Remove", "Get", "GetN", "Nodes"
	names []string
	key   string
	n     int
}

func (o hop) String() string {
	switch o.kind {
	case "Add":
		return "Add(" + q(o.names) + ")"
	case "Remove":
		return fmt.Sprintf("Remove(%q)", o.key)
	case "Get":
		return fmt.Sprintf("Get(%q)", o.key)
	case "GetN":
		return fmt.Sprintf("GetN(%q, %d)", o.key, o.n)
	}
	return "Nodes()"
}

type hashChoice struct {
	name string
	hash hashring.Hash // nil: the default
}

var modelHashes = []hashChoice{
	{"a hash that puts every name and key on one of 12 edge positions (0, 1, 2, 255, 256, 257, 65535, 65536, 2^31-1, 2^31, 2^32-2, 2^32-1)", edgeHash},
	{"nil (DefaultHash)", nil},
	{"a well-spread hash (FNV-1a, then murmur3's finalizer)", mixHash},
}

func genRingOps(r *rand.Rand, n int) []hop {
	pool := make([]string, 3+r.IntN(8))
	for i := range pool {
		pool[i] = check.EdgeName(r)
	}
	// Names that are prefixes of each other, followed by bytes below and
	// above '#': ordering by node name and by virtual node name differ.
	// "a" < "a b" but "a#…" > "a b#…".
	prefixed := []string{"a\x00", "a#", "a#0", "ab", "A"}
	r.Shuffle(len(prefixed), func(i, j int) { prefixed[i], prefixed[j] = prefixed[j], prefixed[i] })
	pool = append(append(pool, "a", "a b"), prefixed[:r.IntN(3)]...)
	ops := make([]hop, n)
	for i := range ops {
		var o hop
		switch r.IntN(10) {
		case 0, 1:
			o.kind = "Add"
			o.names = make([]string, r.IntN(4))
			for j := range o.names {
				o.names[j] = pool[r.IntN(len(pool))]
				if r.IntN(10) == 0 {
					o.names[j] = "" // ignored by Add
				}
			}
		case 2:
			o.kind, o.key = "Remove", pool[r.IntN(len(pool))]
		case 3, 4, 5:
			o.kind, o.key = "Get", check.EdgeName(r)
		case 6, 7, 8:
			o.kind, o.key = "GetN", check.EdgeName(r)
			o.n = []int{-1, 0, 1, 2, 3, len(pool) - 1, len(pool), len(pool) + 1, 1 << 31}[r.IntN(9)]
		default:
			o.kind = "Nodes"
		}
		ops[i] = o
	}
	return ops
}

func runRingOps(replicas int, hc hashChoice) func([]hop) error {
	return func(ops []hop) error {
		ring := hashring.New(replicas, hc.hash)
		m := newModel(replicas, hc.hash)
		for i, o := range ops {
			step := fmt.Sprintf("New(%d, %s); step %d, %v", replicas, hc.name, i+1, o)
			switch o.kind {
			case "Add":
				batch := slices.Clone(o.names)
				ring.Add(batch...)
				m.add(o.names...)
				for j := range batch { // the caller owns its slice again
					batch[j] = "scribbled#" + batch[j]
				}
			case "Remove":
				ring.Remove(o.key)
				m.remove(o.key)
			case "Get":
				if got, want := ring.Get(o.key), m.get(o.key); got != want {
					return check.Mismatch(step+"\n"+m.describe()+"\nGet returned", show(want), show(got))
				}
			case "GetN":
				got, want := ring.GetN(o.key, o.n), m.getN(o.key, o.n)
				if !slices.Equal(got, want) {
					return check.Mismatch(step+"\n"+m.describe()+"\nGetN returned", show(want), show(got))
				}
				for j := range got {
					got[j] = "scribbled"
				}
			case "Nodes":
				got, want := ring.Nodes(), m.sortedNodes()
				if !slices.Equal(got, want) {
					return check.Mismatch(step+"\nNodes() (each node once, sorted)", show(want), show(got))
				}
				for j := range got {
					got[j] = "scribbled"
				}
			}
			// After every change, the owner of every node name and of a key
			// at each edge position.
			if o.kind == "Add" || o.kind == "Remove" {
				for _, k := range append(slices.Clone(o.names), o.key, "", "#", "a#0") {
					if got, want := ring.Get(k), m.get(k); got != want {
						return check.Mismatch(fmt.Sprintf("%s\n%s\nthen Get(%q) returned", step, m.describe(), k), show(want), show(got))
					}
				}
			}
		}
		return nil
	}
}

func simplerRingOp(o hop) []hop {
	var out []hop
	for j := range o.names {
		p := o
		p.names = slices.Delete(slices.Clone(o.names), j, j+1)
		out = append(out, p)
	}
	if o.kind == "GetN" {
		p := o
		p.kind = "Get"
		out = append(out, p)
	}
	return out
}

func TestLongRandomRunsMatchTheRingDefinition(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 12, func(r *rand.Rand) error {
		replicas := []int{1, 2, 3, 1 + r.IntN(40)}[r.IntN(4)]
		hc := modelHashes[0] // collisions half the time
		if r.IntN(2) == 0 {
			hc = modelHashes[1+r.IntN(len(modelHashes)-1)]
		}
		return check.Minimize(genRingOps(r, 1000), simplerRingOp, runRingOps(replicas, hc))
	})
}
