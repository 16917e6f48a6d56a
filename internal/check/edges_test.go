package check

import (
	"slices"
	"testing"
)

func TestEdgeUint64sHoldTheWidthBoundaries(t *testing.T) {
	for _, v := range []uint64{0, 1, 255, 256, 257, 65535, 65536, 1<<31 - 1, 1 << 31, 1<<32 + 1, 1<<53 + 1, 1<<63 - 1, 1 << 63, 1<<63 + 1, ^uint64(0)} {
		if !slices.Contains(EdgeUint64s, v) {
			t.Errorf("EdgeUint64s lacks %d", v)
		}
	}
}

func TestEdgeUint64StaysWithinMaxAndReachesTheEdges(t *testing.T) {
	for _, max := range []uint64{0, 1, 300, 1 << 40, ^uint64(0)} {
		r := Rand(uint64(max) + 1)
		seen := map[uint64]bool{}
		for range 5000 {
			v := EdgeUint64(r, max)
			if v > max {
				t.Fatalf("EdgeUint64(r, %d) = %d, above max", max, v)
			}
			seen[v] = true
		}
		for _, e := range EdgeUint64s {
			if e <= max && !seen[e] {
				t.Errorf("EdgeUint64(r, %d) never drew the edge %d in 5000 draws", max, e)
			}
		}
	}
}

func TestEdgeNameDrawsEveryEdgeName(t *testing.T) {
	r := Rand(1)
	seen := map[string]bool{}
	for range 5000 {
		seen[EdgeName(r)] = true
	}
	for _, n := range EdgeNames {
		if !seen[n] {
			t.Errorf("EdgeName never drew %q in 5000 draws", n)
		}
	}
	if len(seen) < 2*len(EdgeNames) {
		t.Errorf("EdgeName drew only %d different names in 5000 draws", len(seen))
	}
}
