//go:build dslearnsuite

package bloom_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/bloom-filter"
	"github.com/dslearn/dslearn/internal/check"
)

// A model-based check: long random sequences of Add, Contains, Bit,
// Positions and Union on filters from 1 bit to millions, each compared with
// a plain []bool filled by the lesson's recipe. Sizes sit at the word and
// width edges (63, 64, 65, 2^8, 2^16, ±1), items are empty, single bytes,
// consecutive big-endian integers, text with upper case and non-ASCII.
// After every call the suite overwrites the item it passed and the slice
// Positions returned, and the model must not see a difference.

var edgeSizes = []int{1, 2, 3, 7, 8, 9, 20, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4095, 4096, 4097, 65535, 65536, 65537, 1<<20 + 7, 1<<22 + 1}

type bop struct {
	kind  string // "Add", "Contains", "Bit", "Positions", "Union"
	item  []byte
	i     int
	other [][]byte // Union: the items of the other filter
	om    int      // Union: the other filter's m and k
	ok    int
}

func (o bop) String() string {
	switch o.kind {
	case "Bit":
		return fmt.Sprintf("Bit(%d)", o.i)
	case "Union":
		return fmt.Sprintf("Union(a filter New(%d, %d) holding %d items: %q)", o.om, o.ok, len(o.other), o.other)
	}
	return fmt.Sprintf("%s(%q)", o.kind, o.item)
}

func edgeItem(r *rand.Rand, seq *uint64) []byte {
	switch r.IntN(6) {
	case 0:
		return []byte(check.EdgeName(r))
	case 1: // consecutive big-endian integers, 4 or 8 bytes
		*seq++
		b := binary.BigEndian.AppendUint64(nil, *seq)
		if r.IntN(2) == 0 {
			return b[4:]
		}
		return b
	case 2:
		return binary.BigEndian.AppendUint64(nil, check.EdgeUint64(r, math.MaxUint64))
	case 3:
		return []byte{byte(r.IntN(256))}
	default:
		return randomItem(r, 12)
	}
}

func genBloomOps(r *rand.Rand, n, m, k int) []bop {
	var seq uint64
	var added [][]byte
	ops := make([]bop, n)
	for j := range ops {
		var o bop
		switch r.IntN(12) {
		case 0, 1, 2, 3:
			o.kind, o.item = "Add", edgeItem(r, &seq)
			added = append(added, o.item)
		case 4, 5, 6:
			o.kind, o.item = "Contains", edgeItem(r, &seq)
			if len(added) > 0 && r.IntN(2) == 0 {
				o.item = slices.Clone(added[r.IntN(len(added))])
			}
		case 7, 8:
			o.kind = "Bit"
			o.i = []int{0, m - 1, min(63, m-1), min(64, m-1), r.IntN(m)}[r.IntN(5)]
		case 9:
			o.kind, o.item = "Positions", edgeItem(r, &seq)
		default:
			o.kind, o.om, o.ok = "Union", m, k
			switch r.IntN(4) { // sometimes a mismatch
			case 0:
				o.om = []int{m + 1, max(1, m-1), m + 64, 64}[r.IntN(4)]
				o.ok = min(o.ok, o.om)
			case 1:
				o.ok = []int{k + 1, k - 1}[r.IntN(2)]
			}
			if o.ok < 1 || o.ok > o.om || (o.om == m && o.ok == k && r.IntN(3) == 0) {
				o.om, o.ok = m, k
			}
			for range r.IntN(6) {
				o.other = append(o.other, edgeItem(r, &seq))
			}
		}
		ops[j] = o
	}
	return ops
}

// bloomModel is the filter as the lesson defines it.
type bloomModel struct {
	m, k int
	bits []bool
}

func (b *bloomModel) add(item []byte) {
	for _, p := range refRecipe(item, b.m, b.k).positions {
		b.bits[p] = true
	}
}

func (b *bloomModel) contains(item []byte) bool {
	for _, p := range refRecipe(item, b.m, b.k).positions {
		if !b.bits[p] {
			return false
		}
	}
	return true
}

func runBloomOps(m, k int) func([]bop) error {
	return func(ops []bop) error {
		f, err := newFilter(m, k)
		if err != nil {
			return err
		}
		model := &bloomModel{m: m, k: k, bits: make([]bool, m)}
		// held is a slice Positions returned earlier, kept untouched with
		// its copy: later calls must not change it.
		var held, heldCopy []int
		for j, o := range ops {
			step := fmt.Sprintf("New(%d, %d); step %d, %v", m, k, j+1, o)
			item := slices.Clone(o.item)
			switch o.kind {
			case "Add":
				f.Add(item)
				model.add(o.item)
				for _, p := range refRecipe(o.item, m, k).positions {
					if !f.Bit(p) {
						return check.Mismatch(fmt.Sprintf("%s; then Bit(%d), one of its positions (%s)", step, p, short(refRecipe(o.item, m, k).positions)), true, false)
					}
				}
			case "Contains":
				if got, want := f.Contains(item), model.contains(o.item); got != want {
					return check.Mismatch(step+" (true exactly when every bit at the item's positions is set)\n"+refRecipe(o.item, m, k).explain(m), want, got)
				}
			case "Bit":
				if got, want := f.Bit(o.i), model.bits[o.i]; got != want {
					return check.Mismatch(step+" (set exactly when some added item has a position there)", want, got)
				}
			case "Positions":
				want := refRecipe(o.item, m, k)
				got := f.Positions(item)
				if !slices.Equal(got, want.positions) {
					return fmt.Errorf("%w\n%s", check.Mismatch(step, short(want.positions), short(got)), want.explain(m))
				}
				if held == nil || j%2 == 0 {
					held, heldCopy = got, slices.Clone(got)
				} else {
					for x := range got {
						got[x] = -1
					}
				}
				if again := f.Positions(item); !slices.Equal(again, want.positions) {
					return check.Mismatch(step+", overwriting the slice it returned, then calling it again", short(want.positions), short(again))
				}
			case "Union":
				other, err := newFilter(o.om, o.ok)
				if err != nil {
					return err
				}
				for _, it := range o.other {
					other.Add(slices.Clone(it))
				}
				err = f.Union(other)
				if o.om != m || o.ok != k {
					if !errors.Is(err, bloom.ErrMismatch) {
						return check.Mismatch(step+" (m or k differ)", "an error wrapping ErrMismatch", fmt.Sprintf("error %v", err))
					}
				} else {
					if err != nil {
						return check.Mismatch(step+" (same m and k)", nil, err)
					}
					for _, it := range o.other {
						model.add(it)
					}
				}
			}
			if !slices.Equal(held, heldCopy) {
				return check.Errorf("%s: a slice Positions returned earlier changed from %v to %v; Positions must return a new slice", step, short(heldCopy), short(held))
			}
			for x := range item { // the caller reuses its buffer
				item[x] ^= 0x5a
			}
			// Every bit, every 32 steps and at the end, on filters small
			// enough to read whole.
			if m <= 1<<16 && (j%32 == 0 || j == len(ops)-1) {
				for p := range m {
					if got := f.Bit(p); got != model.bits[p] {
						return check.Mismatch(fmt.Sprintf("%s; then Bit(%d) (after any sequence of Adds and Unions the set bits are exactly the union of the added items' positions)", step, p), model.bits[p], got)
					}
				}
			}
		}
		return nil
	}
}

func simplerBloomOp(o bop) []bop {
	var out []bop
	if len(o.item) > 0 {
		p := o
		p.item = nil
		out = append(out, p)
	}
	for x := range o.other {
		p := o
		p.other = slices.Delete(slices.Clone(o.other), x, x+1)
		out = append(out, p)
	}
	return out
}

func TestLongRandomRunsMatchTheRecipe(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 12, func(r *rand.Rand) error {
		m := edgeSizes[r.IntN(len(edgeSizes))]
		if r.IntN(3) == 0 {
			m = 1 + r.IntN(1<<uint(1+r.IntN(20)))
		}
		k := []int{1, 2, m, 1 + r.IntN(min(m, 30))}[r.IntN(4)]
		k = min(k, m, 64)
		n := 1500
		if m > 1<<16 {
			n = 3000 // a large filter: more items, no full bit scans
		}
		return check.Minimize(genBloomOps(r, n, m, k), simplerBloomOp, runBloomOps(m, k))
	})
}

func TestLessonWorkedExample(t *testing.T) {
	defer check.Recover(t)
	// The positions the lesson works out for m = 20, k = 3.
	want := map[string][]int{"elk": {1, 14, 7}, "eel": {15, 16, 17}, "mule": {5, 12, 19}, "lime": {1, 10, 19}, "owl": {17, 16, 15}}
	f, err := newFilter(20, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"elk", "eel", "mule", "lime", "owl"} {
		if got := f.Positions([]byte(w)); !slices.Equal(got, want[w]) {
			t.Fatal(fmt.Errorf("%w\n%s", check.Mismatch(fmt.Sprintf("Positions(%q) with m=20, k=3, as the lesson works it out", w), want[w], got), refRecipe([]byte(w), 20, 3).explain(20)))
		}
	}
	for _, w := range []string{"elk", "eel", "mule"} {
		f.Add([]byte(w))
	}
	if f.Contains([]byte("lime")) {
		t.Fatal(check.Mismatch(`after adding "elk", "eel" and "mule" to New(20, 3), Contains("lime") (bit 10 is clear)`, false, true))
	}
	if !f.Contains([]byte("owl")) {
		t.Fatal(check.Mismatch(`after adding "elk", "eel" and "mule" to New(20, 3), Contains("owl") (its bits 15, 16, 17 were set by "eel": a false positive)`, true, false))
	}
}

func TestOptimalRejectsSizesBeyondInt(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		n int
		p float64
	}{
		{1 << 60, 0.01}, {1 << 62, 0.1}, {math.MaxInt, 0.01}, {1 << 53, 1e-300},
	}
	for _, c := range cases {
		m, k, err := bloom.Optimal(c.n, c.p)
		if !errors.Is(err, bloom.ErrInvalidParams) {
			x := -float64(c.n) * math.Log(c.p) / (math.Ln2 * math.Ln2)
			t.Fatal(check.Mismatch(fmt.Sprintf("Optimal(%d, %v): m = ceil(%.4g) does not fit in an int", c.n, c.p, x),
				"an error wrapping ErrInvalidParams", fmt.Sprintf("m=%d, k=%d, error %v", m, k, err)))
		}
	}
	// Just below the limit it still works.
	for _, c := range []struct {
		n int
		p float64
	}{{1 << 40, 0.01}, {1 << 56, 0.5}} {
		if err := checkOptimal(c.n, c.p); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOptimalNeverReturnsAGarbageSizeAtTheIntLimit(t *testing.T) {
	defer check.Recover(t)
	// For each n, the p at which m = ceil(-n·ln p/(ln 2)²) crosses 2^63 (the
	// first size an int cannot hold; float64(math.MaxInt) is 2^63), and 30
	// neighbouring float64 values of p on each side. Where m is clearly
	// beyond an int, Optimal must fail; right at the limit, where another
	// order of the same arithmetic may round either way, it may fail or
	// return that m, but never a wrapped-around or negative one.
	const limit = float64(1 << 63)
	x := func(n int, p float64) float64 { return -float64(n) * math.Log(p) / (math.Ln2 * math.Ln2) }
	for _, n := range []int{1 << 61, 5 << 60, 3 << 61, 1 << 62, math.MaxInt} {
		lo, hi := 1e-300, 1-1e-15 // x(lo) > limit > x(hi)
		for range 2000 {
			mid := lo + (hi-lo)/2
			if mid == lo || mid == hi {
				break
			}
			if x(n, mid) >= limit {
				lo = mid
			} else {
				hi = mid
			}
		}
		p := hi
		for range 30 {
			p = math.Nextafter(p, 0)
		}
		for range 61 {
			want := x(n, p)
			m, k, err := bloom.Optimal(n, p)
			switch {
			case want >= limit*(1+1e-12) && !errors.Is(err, bloom.ErrInvalidParams):
				t.Fatal(check.Mismatch(fmt.Sprintf("Optimal(%d, %v): m = ceil(%.17g), beyond the largest int", n, p, want),
					"an error wrapping ErrInvalidParams", fmt.Sprintf("m=%d, k=%d, error %v", m, k, err)))
			case err == nil && (m < 1 || math.Abs(float64(m)-math.Ceil(want)) > 1e-12*want || k < 1):
				t.Fatal(check.Mismatch(fmt.Sprintf("Optimal(%d, %v): m = ceil(%.17g), at the largest int (2^63 = %.17g): an error, or that m", n, p, want, limit),
					"an error wrapping ErrInvalidParams, or m within a rounding of the formula and k >= 1", fmt.Sprintf("m=%d, k=%d, error %v", m, k, err)))
			case err != nil && !errors.Is(err, bloom.ErrInvalidParams):
				t.Fatalf("Optimal(%d, %v) returned error %q, which does not wrap ErrInvalidParams", n, p, err)
			}
			p = math.Nextafter(p, 1)
		}
	}
}

func TestFalsePositiveRateIsCloseToTheoryForConsecutiveIntegers(t *testing.T) {
	defer check.Recover(t)
	// Keys that differ only in their last bytes: consecutive integers
	// written big-endian, 4 and 8 bytes wide. No randomness: the outcome
	// is the same on every run.
	configs := []struct {
		n     int
		p     float64
		width int
	}{
		{10000, 0.001, 8}, {10000, 0.001, 4}, {1000, 0.01, 8},
	}
	const queries = 200000
	for _, c := range configs {
		m, k, _ := wantParams(c.n, c.p)
		f, err := newFilter(m, k)
		if err != nil {
			t.Fatal(err)
		}
		key := func(i int) []byte {
			return binary.BigEndian.AppendUint64(nil, uint64(i))[8-c.width:]
		}
		for i := range c.n {
			f.Add(key(i))
		}
		fp := 0
		for i := c.n; i < c.n+queries; i++ {
			if f.Contains(key(i)) {
				fp++
			}
		}
		theory := math.Pow(1-math.Exp(-float64(k)*float64(c.n)/float64(m)), float64(k))
		if rate := float64(fp) / queries; rate > 1.3*theory {
			t.Fatal(check.Mismatch(fmt.Sprintf(
				"false-positive rate of New(%d, %d) holding the integers 0 … %d as %d-byte big-endian keys, over the next %d integers; theory (1-e^(-kn/m))^k = %.5f",
				m, k, c.n-1, c.width, queries, theory),
				fmt.Sprintf("at most 1.3 × %.5f = %.5f", theory, 1.3*theory),
				fmt.Sprintf("%.5f (%d false positives)", rate, fp)))
		}
	}
}
