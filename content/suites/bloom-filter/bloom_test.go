//go:build dslearnsuite

package bloom_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/bloom-filter"
	"github.com/dslearn/dslearn/internal/check"
)

const defaultRuns = 20

// ---- reference recipe and helpers ------------------------------------------

// recipe computes an item's positions exactly as the lesson states, keeping
// the intermediate values so that a mismatch can show where it went wrong.
type recipe struct {
	x, h, h1, h2, a, b uint64
	positions          []int
}

// fmix64 is MurmurHash3's 64-bit finalizer, as the lesson states it.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func refRecipe(item []byte, m, k int) recipe {
	hf := fnv.New64a()
	hf.Write(item)
	var r recipe
	r.x = hf.Sum64()
	r.h = fmix64(r.x)
	r.h1 = r.h & 0xffffffff
	r.h2 = r.h >> 32
	um := uint64(m)
	r.a = r.h1 % um
	r.b = r.h2 % um
	if r.b == 0 {
		r.b = 1
	}
	for gcd(r.b, um) != 1 {
		r.b++
	}
	for i := 0; i < k; i++ {
		r.positions = append(r.positions, int((r.a+uint64(i)*r.b)%um))
	}
	return r
}

func (r recipe) explain(m int) string {
	return fmt.Sprintf("  worked out: FNV-1a = %#016x, h = fmix64 of it = %#016x, h1 = %d, h2 = %d, a = h1 mod %d = %d, step b = %d (h2 mod m = %d, made nonzero and coprime with m)",
		r.x, r.h, r.h1, r.h2, m, r.a, r.b, r.h2%uint64(m))
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// newFilter calls New and turns an unexpected error into a readable one.
func newFilter(m, k int) (*bloom.Filter, error) {
	f, err := bloom.New(m, k)
	if err != nil {
		return nil, fmt.Errorf("New(%d, %d) returned error %q; expected a filter (1 <= k <= m is valid)", m, k, err)
	}
	if f == nil {
		return nil, fmt.Errorf("New(%d, %d) returned a nil filter and no error", m, k)
	}
	return f, nil
}

// setBits lists the set bits of f by asking Bit for every index.
func setBits(f *bloom.Filter, m int) []int {
	var out []int
	for i := 0; i < m; i++ {
		if f.Bit(i) {
			out = append(out, i)
		}
	}
	return out
}

func randomItem(r *rand.Rand, maxLen int) []byte {
	b := make([]byte, r.IntN(maxLen+1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// short prints a list, cut if it is long.
func short(xs []int) string {
	if len(xs) <= 24 {
		return fmt.Sprint(xs)
	}
	return fmt.Sprintf("%v … (%d in all)", xs[:24], len(xs))
}

// diff describes how got differs from want, both sorted.
func diff(want, got []int) string {
	var missing, extra []int
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			extra = append(extra, g)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "bits that should be set but are not: "+short(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "bits that are set but should not be: "+short(extra))
	}
	return strings.Join(parts, "; ")
}

// ---- parameters --------------------------------------------------------------

// wantParams applies the lesson's formulas. ambiguous reports that a value
// lies so close to a rounding boundary that a different but reasonable order
// of floating-point operations could land on the other side.
func wantParams(n int, p float64) (m, k int, ambiguous bool) {
	x := -float64(n) * math.Log(p) / (math.Ln2 * math.Ln2)
	m = int(math.Ceil(x))
	if math.Abs(x-math.Round(x)) < 1e-6*math.Max(1, x) {
		ambiguous = true
	}
	y := float64(m) / float64(n) * math.Ln2
	k = int(math.Round(y))
	if math.Abs(y-math.Floor(y)-0.5) < 1e-9 {
		ambiguous = true
	}
	if k < 1 {
		k = 1
	}
	return m, k, ambiguous
}

func checkOptimal(n int, p float64) error {
	wm, wk, amb := wantParams(n, p)
	if amb {
		return nil
	}
	gm, gk, err := bloom.Optimal(n, p)
	if err != nil {
		return fmt.Errorf("Optimal(%d, %v) returned error %q; expected m=%d, k=%d", n, p, err, wm, wk)
	}
	if gm != wm || gk != wk {
		x := -float64(n) * math.Log(p) / (math.Ln2 * math.Ln2)
		return check.Mismatch(fmt.Sprintf(
			"Optimal(n=%d, p=%v): m = ceil(-n·ln p/(ln 2)²) = ceil(%.4f), k = round(m/n·ln 2) = round(%.4f), at least 1",
			n, p, x, float64(wm)/float64(n)*math.Ln2),
			fmt.Sprintf("m=%d, k=%d", wm, wk), fmt.Sprintf("m=%d, k=%d", gm, gk))
	}
	return nil
}

func TestOptimalMatchesTheFormulas(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		n int
		p float64
	}{
		{1000, 0.01},    // the textbook case: k = 6.64 rounds to 7
		{1, 0.5},        // the smallest filter
		{100, 0.6},      // k = 0.74 rounds up to 1, never down to 0
		{100, 0.9},      // k would round to 0: at least 1
		{10000, 0.001},  // m = 143776, k = 10
		{1000000, 0.05}, // large n
		{7, 0.3},        // m = 18 from 17.54: truncating gives 17
		{3, 0.2},        // m = 11 from 10.05: round up, not to nearest
	}
	for _, c := range cases {
		if err := checkOptimal(c.n, c.p); err != nil {
			t.Fatal(err)
		}
	}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for i := 0; i < 50; i++ {
			n := 1 + r.IntN(1<<uint(1+r.IntN(20)))
			p := math.Exp(-r.Float64() * 14) // from about 1e-6 to 1
			if p >= 1 {
				continue
			}
			if err := checkOptimal(n, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestOptimalRejectsInvalidArguments(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		n int
		p float64
	}{
		{0, 0.01}, {-5, 0.01}, {100, 0}, {100, 1}, {100, -0.1}, {100, 1.5}, {100, math.NaN()},
	}
	for _, c := range cases {
		_, _, err := bloom.Optimal(c.n, c.p)
		if !errors.Is(err, bloom.ErrInvalidParams) {
			t.Fatal(check.Mismatch(fmt.Sprintf("Optimal(%d, %v): n must be >= 1 and 0 < p < 1", c.n, c.p),
				"an error wrapping ErrInvalidParams", fmt.Sprintf("error %v", err)))
		}
	}
}

func TestNewRejectsInvalidSizes(t *testing.T) {
	defer check.Recover(t)
	for _, c := range [][2]int{{0, 1}, {-1, 1}, {10, 0}, {10, -1}, {3, 4}, {1, 2}} {
		_, err := bloom.New(c[0], c[1])
		if !errors.Is(err, bloom.ErrInvalidParams) {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(%d, %d): a filter needs 1 <= k <= m", c[0], c[1]),
				"an error wrapping ErrInvalidParams", fmt.Sprintf("error %v", err)))
		}
	}
	for _, c := range [][2]int{{1, 1}, {64, 64}, {65, 3}, {95851, 7}} {
		f, err := newFilter(c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		if f.M() != c[0] || f.K() != c[1] {
			t.Fatal(check.Mismatch(fmt.Sprintf("M() and K() of New(%d, %d)", c[0], c[1]),
				fmt.Sprintf("M()=%d, K()=%d", c[0], c[1]), fmt.Sprintf("M()=%d, K()=%d", f.M(), f.K())))
		}
	}
}

// ---- positions -----------------------------------------------------------------

func checkRecipe(item []byte, m, k int) error {
	f, err := newFilter(m, k)
	if err != nil {
		return err
	}
	want := refRecipe(item, m, k)
	got := f.Positions(item)
	if !slices.Equal(got, want.positions) {
		return fmt.Errorf("%w\n%s", check.Mismatch(fmt.Sprintf("Positions(%q) with m=%d, k=%d", item, m, k),
			short(want.positions), short(got)), want.explain(m))
	}
	return nil
}

func TestPositionsFollowTheDoubleHashingRecipe(t *testing.T) {
	defer check.Recover(t)
	items := [][]byte{[]byte(""), []byte("a"), []byte("hello"), []byte("user:42"), {0, 0xff, 0x10}}
	sizes := [][2]int{{1, 1}, {2, 2}, {7, 3}, {64, 7}, {65, 5}, {100, 10}, {1000, 7}, {95851, 7}}
	for _, s := range sizes {
		for _, item := range items {
			if err := checkRecipe(item, s[0], s[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for i := 0; i < 40; i++ {
			m := 1 + r.IntN(1<<uint(1+r.IntN(20)))
			k := 1 + r.IntN(min(m, 16))
			if err := checkRecipe(randomItem(r, 1+i/2), m, k); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestPositionsAreDistinctAndInRange(t *testing.T) {
	defer check.Recover(t)
	// Composite sizes (powers of two and numbers with many small factors)
	// are where a step sharing a factor with m makes positions repeat.
	sizes := []int{1, 2, 3, 4, 6, 8, 12, 16, 30, 60, 64, 96, 128, 210, 256, 360, 1000, 1024, 2310, 4096}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		items := make([][]byte, 150)
		for i := range items {
			items[i] = randomItem(r, 1+i/10) // short items first
		}
		for _, m := range sizes {
			k := 1 + r.IntN(min(m, 12))
			if m <= 16 && r.IntN(2) == 0 {
				k = m // every bit: the positions must be a permutation
			}
			f, err := newFilter(m, k)
			if err != nil {
				return err
			}
			seen := make([]int, m) // seen[p] == j+1: p is a position of items[j]
			for j, item := range items {
				pos := f.Positions(item)
				if len(pos) != k {
					return check.Mismatch(fmt.Sprintf("Positions(%q) with m=%d, k=%d: one position per hash", item, m, k),
						fmt.Sprintf("%d positions", k), fmt.Sprintf("%d positions %v", len(pos), short(pos)))
				}
				for _, p := range pos {
					if p < 0 || p >= m {
						return check.Mismatch(fmt.Sprintf("Positions(%q) with m=%d, k=%d: every position is in [0, m)", item, m, k),
							fmt.Sprintf("positions in [0, %d)", m), short(pos))
					}
					if seen[p] == j+1 {
						return fmt.Errorf("Positions(%q) with m=%d, k=%d: the k positions must be pairwise distinct, but %d repeats\n  actual: %v\n%s",
							item, m, k, p, short(pos), refRecipe(item, m, k).explain(m))
					}
					seen[p] = j + 1
				}
			}
		}
		return nil
	})
}

func TestPositionsAreRightForHugeM(t *testing.T) {
	defer check.Recover(t)
	// With m = 2^27+3 and k = 48, a + i·b passes 2^32 for many items, so
	// a position computed in 32 bits wraps around. New allocates 16 MiB
	// that Positions never touches.
	const m, k = 1<<27 + 3, 48
	f, err := newFilter(m, k)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		item := []byte(fmt.Sprintf("huge-%d", i))
		want := refRecipe(item, m, k)
		if got := f.Positions(item); !slices.Equal(got, want.positions) {
			t.Fatalf("%v\n%s\n  the largest a + i·b is %d, and 2^32 is 4294967296: positions computed in 32 bits wrap around (compute in 64 bits, or add b and subtract m)",
				check.Mismatch(fmt.Sprintf("Positions(%q) with m=%d, k=%d", item, m, k), short(want.positions), short(got)),
				want.explain(m), want.a+uint64(k-1)*want.b)
		}
	}
}

func TestTheStepIsRightWhenItPassesTwoToThe32(t *testing.T) {
	defer check.Recover(t)
	// m = 2^32+5 is odd and divisible by 3, like 2^32-1. The item (the
	// 8-byte big-endian integer 113148571, found by searching) has
	// h2 = 2^32-1, so its step starts at 2^32-1, shares the factor 3 with
	// m, and becomes 2^32: a step kept in 32 bits wraps to 0 there. New
	// allocates 512 MiB that Positions never touches (memory the program
	// never writes is not resident).
	const m, k = 1<<32 + 5, 4
	item := binary.BigEndian.AppendUint64(nil, 113148571)
	want := refRecipe(item, m, k)
	if want.h2 != 1<<32-1 || want.b != 1<<32 {
		t.Fatalf("the suite's own recipe gives h2 = %d, b = %d for its edge item; expected 2^32-1 and 2^32", want.h2, want.b)
	}
	f, err := newFilter(m, k)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Positions(item); !slices.Equal(got, want.positions) {
		t.Fatalf("%v\n%s\n  the step passes 2^32 here: h2 mod m = 2^32-1 shares the factor 3 with m, so the step becomes 2^32 (keep the step and gcd's arguments in 64 bits)",
			check.Mismatch(fmt.Sprintf("Positions(%v) with m=%d, k=%d", item, m, k), short(want.positions), short(got)), want.explain(m))
	}
}

func TestPositionsAreRightAboveTwoToThe32Bits(t *testing.T) {
	defer check.Recover(t)
	// Filters of 2^32+5 and 2^33+17 bits (512 MiB and 1 GiB that Positions
	// never touches, so never resident): positions and steps pass 2^32, and
	// m itself does not fit 32 bits. 40 items each, compared with the
	// recipe.
	for _, m := range []int{1<<32 + 5, 1<<33 + 17} {
		const k = 6
		f, err := newFilter(m, k)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			item := []byte(fmt.Sprintf("wide-%d", i))
			want := refRecipe(item, m, k)
			if got := f.Positions(item); !slices.Equal(got, want.positions) {
				t.Fatalf("%v\n%s\n  m does not fit 32 bits: keep m, the step, a and every position in 64 bits",
					check.Mismatch(fmt.Sprintf("Positions(%q) with m=%d, k=%d", item, m, k), short(want.positions), short(got)), want.explain(m))
			}
		}
	}
}

func TestPositionsReturnsANewSlice(t *testing.T) {
	defer check.Recover(t)
	f, err := newFilter(1000, 5)
	if err != nil {
		t.Fatal(err)
	}
	x, y := []byte("x"), []byte("y")
	want := refRecipe(x, 1000, 5).positions
	first := f.Positions(x)
	f.Positions(y)
	f.Add(y)
	f.Contains(x)
	if !slices.Equal(first, want) {
		t.Fatal(check.Mismatch(`p := Positions("x"), then Positions("y"), Add("y"), Contains("x") (m=1000, k=5): Positions returns a new slice each time, so p is unchanged`,
			short(want), short(first)))
	}
	for i := range first {
		first[i] = 0
	}
	if got := f.Positions(x); !slices.Equal(got, want) {
		t.Fatal(check.Mismatch(`after the caller zeroed the slice an earlier Positions("x") returned: Positions("x")`, short(want), short(got)))
	}
}

// ---- bits ---------------------------------------------------------------------------

func TestEmptyFilterContainsNothing(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, m := range []int{1, 63, 64, 65, 1000} {
			k := 1 + r.IntN(min(m, 8))
			f, err := newFilter(m, k)
			if err != nil {
				return err
			}
			if set := setBits(f, m); len(set) > 0 {
				return check.Mismatch(fmt.Sprintf("bits of a new filter with m=%d, k=%d", m, k), "none set", short(set))
			}
			for i := 0; i < 200; i++ {
				item := randomItem(r, 8)
				if f.Contains(item) {
					return check.Mismatch(fmt.Sprintf("Contains(%q) on a new, empty filter (m=%d, k=%d)", item, m, k), false, true)
				}
			}
		}
		return nil
	})
}

func TestFiltersDoNotShareBits(t *testing.T) {
	defer check.Recover(t)
	a, err := newFilter(100, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newFilter(100, 3)
	if err != nil {
		t.Fatal(err)
	}
	a.Add([]byte("only in a"))
	if set := setBits(b, 100); len(set) > 0 {
		t.Fatal(check.Mismatch("bits of filter b after adding an item to a different filter a", "none set", short(set)))
	}
	if b.Contains([]byte("only in a")) {
		t.Fatal(check.Mismatch(`b.Contains("only in a") after a.Add("only in a")`, false, true))
	}
}

func TestNoFalseNegatives(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		m := 1 + r.IntN(5000)
		k := 1 + r.IntN(min(m, 16))
		f, err := newFilter(m, k)
		if err != nil {
			return err
		}
		items := make([][]byte, r.IntN(2*m+2))
		for i := range items {
			items[i] = randomItem(r, 12)
		}
		for _, item := range items {
			f.Add(item)
		}
		for _, item := range items {
			if f.Contains(item) {
				continue
			}
			// Shrink: does one Add of this item alone already go wrong?
			alone, err := newFilter(m, k)
			if err != nil {
				return err
			}
			alone.Add(item)
			if !alone.Contains(item) {
				return fmt.Errorf("%w\n  positions: %v; set bits after the Add: %v",
					check.Mismatch(fmt.Sprintf("Contains(%q) right after Add(%q) on a new filter with m=%d, k=%d (no false negatives)", item, item, m, k), true, false),
					short(alone.Positions(item)), short(setBits(alone, m)))
			}
			return check.Mismatch(fmt.Sprintf("Contains(%q) after adding it among %d items (m=%d, k=%d): an added item is always found", item, len(items), m, k), true, false)
		}
		return nil
	})
}

func TestAddSetsExactlyTheItemsPositions(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		m := 1 + r.IntN(300)
		if r.IntN(3) == 0 {
			m = 64*(1+r.IntN(4)) + []int{-1, 0, 1}[r.IntN(3)] // around word boundaries
		}
		k := 1 + r.IntN(min(m, 8))
		f, err := newFilter(m, k)
		if err != nil {
			return err
		}
		var items []string
		want := map[int]bool{}
		for n := 1 + r.IntN(5); n > 0; n-- {
			item := randomItem(r, 6)
			items = append(items, fmt.Sprintf("%q", item))
			for _, p := range f.Positions(item) {
				want[p] = true
			}
			f.Add(item)
			got := setBits(f, m)
			wantList := make([]int, 0, len(want))
			for p := range want {
				wantList = append(wantList, p)
			}
			slices.Sort(wantList)
			if !slices.Equal(got, wantList) {
				return fmt.Errorf("after Add of %s on a new filter with m=%d, k=%d, the set bits (by Bit) must be exactly the items' Positions\n  expected: %s\n  actual:   %s\n  %s",
					strings.Join(items, ", "), m, k, short(wantList), short(got), diff(wantList, got))
			}
		}
		return nil
	})
}

func TestFirstAndLastBitsAreReachable(t *testing.T) {
	defer check.Recover(t)
	for _, m := range []int{1, 2, 63, 64, 65, 127, 129, 1000, 4097} {
		k := min(m, 3)
		f, err := newFilter(m, k)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []int{m - 1, 0} {
			var item []byte
			for i := 0; i < 200000 && item == nil; i++ {
				cand := []byte(fmt.Sprintf("edge-%d", i))
				if slices.Contains(f.Positions(cand), target) {
					item = cand
				}
			}
			if item == nil {
				t.Fatalf("with m=%d, k=%d, none of 200000 items had bit %d among its Positions: positions must reach every bit from 0 to m-1", m, k, target)
			}
			g, err := newFilter(m, k)
			if err != nil {
				t.Fatal(err)
			}
			g.Add(item)
			if !g.Bit(target) {
				t.Fatal(check.Mismatch(fmt.Sprintf("Bit(%d) after Add(%q), whose positions are %v, with m=%d", target, item, f.Positions(item), m), true, false))
			}
			if !g.Contains(item) {
				t.Fatal(check.Mismatch(fmt.Sprintf("Contains(%q) after Add(%q), whose positions %v include bit %d, with m=%d", item, item, f.Positions(item), target, m), true, false))
			}
		}
	}
}

func TestContainsNeedsEveryPosition(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		m := 50 + r.IntN(500)
		k := 3 + r.IntN(6)
		f, err := newFilter(m, k)
		if err != nil {
			return err
		}
		x := randomItem(r, 8)
		f.Add(x)
		set := map[int]bool{}
		for _, p := range f.Positions(x) {
			set[p] = true
		}
		for tried, found := 0, 0; tried < 20000 && found < 20; tried++ {
			y := randomItem(r, 8)
			hit := 0
			for _, p := range f.Positions(y) {
				if set[p] {
					hit++
				}
			}
			if hit == 0 || hit == k {
				continue
			}
			found++
			if f.Contains(y) {
				return fmt.Errorf("%w\n  only %d of its %d positions %v are set (the filter holds only %q, positions %v): one clear bit proves y was never added",
					check.Mismatch(fmt.Sprintf("Contains(y=%q) with m=%d, k=%d", y, m, k), false, true),
					hit, k, f.Positions(y), x, f.Positions(x))
			}
		}
		return nil
	})
}

func TestFalsePositiveRateIsCloseToTheory(t *testing.T) {
	defer check.Recover(t)
	// One fixed seed: with these sizes the expected number of false
	// positives is 1000 or more, so 1.25 × theory is many standard
	// deviations away and the outcome does not depend on the seed.
	r := check.Rand(1)
	configs := []struct {
		n       int
		p       float64
		queries int
	}{
		{10000, 0.01, 100000},
		{10000, 0.05, 40000},
		{20000, 0.02, 50000},
	}
	for _, c := range configs {
		m, k, _ := wantParams(c.n, c.p)
		f, err := newFilter(m, k)
		if err != nil {
			t.Fatal(err)
		}
		// Half the items are strings, half random bytes; members and
		// queries never coincide because their first byte differs.
		buf := make([]byte, 0, 32)
		item := func(kind byte, i int) []byte {
			if i%2 == 0 {
				return fmt.Appendf(buf[:0], "%c:%d", kind, i)
			}
			b := buf[:9+i%8]
			b[0] = kind
			for j := 1; j < len(b); j++ {
				b[j] = byte(r.Uint32())
			}
			return b
		}
		for i := 0; i < c.n; i++ {
			f.Add(item('m', i))
		}
		fp := 0
		for i := 0; i < c.queries; i++ {
			if f.Contains(item('q', i)) {
				fp++
			}
		}
		theory := math.Pow(1-math.Exp(-float64(k)*float64(c.n)/float64(m)), float64(k))
		rate := float64(fp) / float64(c.queries)
		if rate > 1.25*theory {
			t.Fatal(check.Mismatch(fmt.Sprintf(
				"false-positive rate of a filter with m=%d, k=%d holding %d items, over %d items never added; theory (1-e^(-kn/m))^k = %.4f",
				m, k, c.n, c.queries, theory),
				fmt.Sprintf("at most 1.25 × %.4f = %.4f", theory, 1.25*theory),
				fmt.Sprintf("%.4f (%d false positives)", rate, fp)))
		}
	}
}

// ---- memory ---------------------------------------------------------------------------

func TestSizeBitsIsMRoundedUpToWholeWords(t *testing.T) {
	defer check.Recover(t)
	for _, m := range []int{1, 2, 7, 8, 9, 63, 64, 65, 100, 127, 128, 129, 1000, 95851} {
		f, err := newFilter(m, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s := f.SizeBits(); s < m || s >= m+64 {
			t.Fatal(check.Mismatch(fmt.Sprintf("SizeBits() of a filter with m=%d", m),
				fmt.Sprintf("at least %d and less than %d", m, m+64), s))
		}
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestMemoryIsAboutMBitsAndFixedAtNew(t *testing.T) {
	defer check.Recover(t)
	const m, k, n = 1<<23 + 1, 4, 200000
	before := liveHeap()
	f, err := newFilter(m, k)
	if err != nil {
		t.Fatal(err)
	}
	afterNew := liveHeap()
	limit := uint64(m/8)*5/4 + 64<<10
	if grown := afterNew - before; afterNew > before && grown > limit {
		t.Fatalf("New(%d, %d) made the heap grow by %d KiB; %d bits are %d KiB, so expected at most %d KiB: store 8 bits per byte (or 64 per uint64), not one bit per bool or int",
			m, k, grown>>10, m, m/8>>10, limit>>10)
	}
	buf := make([]byte, 8)
	for i := 0; i < n; i++ {
		for j := range buf {
			buf[j] = byte(uint64(i) >> (8 * j))
		}
		f.Add(buf)
	}
	afterAdd := liveHeap()
	runtime.KeepAlive(f)
	if grown := afterAdd - afterNew; afterAdd > afterNew && grown > 256<<10 {
		t.Fatalf("adding %d distinct items to a filter with m=%d made the heap it keeps grow by %d KiB; expected at most 256 KiB: a Bloom filter's memory is fixed at m bits when it is created, and it must not remember the items themselves",
			n, m, grown>>10)
	}
	// A filter that remembered nothing must still find what was added.
	for i := 0; i < n; i += 997 {
		for j := range buf {
			buf[j] = byte(uint64(i) >> (8 * j))
		}
		if !f.Contains(buf) {
			t.Fatal(check.Mismatch(fmt.Sprintf("Contains(%q) after adding it", buf), true, false))
		}
	}
}

// ---- union ------------------------------------------------------------------------------

func TestUnionContainsEveryItemOfBoth(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		m := 1 + r.IntN(700)
		k := 1 + r.IntN(min(m, 8))
		a, err := newFilter(m, k)
		if err != nil {
			return err
		}
		b, err := newFilter(m, k)
		if err != nil {
			return err
		}
		var itemsA, itemsB [][]byte
		for i := r.IntN(30); i > 0; i-- {
			itemsA = append(itemsA, randomItem(r, 8))
			a.Add(itemsA[len(itemsA)-1])
		}
		for i := r.IntN(30); i > 0; i-- {
			itemsB = append(itemsB, randomItem(r, 8))
			b.Add(itemsB[len(itemsB)-1])
		}
		bitsA, bitsB := setBits(a, m), setBits(b, m)
		want := append(slices.Clone(bitsA), bitsB...)
		slices.Sort(want)
		want = slices.Compact(want)
		if err := a.Union(b); err != nil {
			return fmt.Errorf("a.Union(b) with equal m=%d and k=%d returned error %q; expected nil", m, k, err)
		}
		if got := setBits(a, m); !slices.Equal(got, want) {
			return fmt.Errorf("after a.Union(b) (m=%d, k=%d) a's bits must be the OR of both filters' bits\n  expected: %s\n  actual:   %s\n  %s",
				m, k, short(want), short(got), diff(want, got))
		}
		if got := setBits(b, m); !slices.Equal(got, bitsB) {
			return fmt.Errorf("a.Union(b) must not modify b\n  b's bits before: %s\n  b's bits after:  %s", short(bitsB), short(got))
		}
		for _, item := range append(itemsA, itemsB...) {
			if !a.Contains(item) {
				return check.Mismatch(fmt.Sprintf("a.Contains(%q) after a.Union(b), where a or b held it", item), true, false)
			}
		}
		return nil
	})
}

func TestUnionRejectsDifferentMOrK(t *testing.T) {
	defer check.Recover(t)
	cases := []struct{ ma, ka, mb, kb int }{
		{100, 3, 100, 4}, // same m, different k
		{100, 4, 100, 3},
		{128, 3, 64, 3}, // different m
		{64, 3, 128, 3},
		{65, 3, 200, 5},  // both
		{100, 3, 120, 3}, // different m, the same number of 64-bit words
	}
	for _, c := range cases {
		err := check.Safely(func() error {
			a, err := newFilter(c.ma, c.ka)
			if err != nil {
				return err
			}
			b, err := newFilter(c.mb, c.kb)
			if err != nil {
				return err
			}
			for i := 0; i < 10; i++ {
				a.Add([]byte(fmt.Sprintf("a%d", i)))
				b.Add([]byte(fmt.Sprintf("b%d", i)))
			}
			bitsA, bitsB := setBits(a, c.ma), setBits(b, c.mb)
			uerr := a.Union(b)
			if !errors.Is(uerr, bloom.ErrMismatch) {
				return check.Mismatch("a.Union(b): the same item maps to different bits in filters of different m or k, so they cannot be merged",
					"an error wrapping ErrMismatch", fmt.Sprintf("error %v", uerr))
			}
			if got := setBits(a, c.ma); !slices.Equal(got, bitsA) {
				return fmt.Errorf("a rejected a.Union(b) must leave a unchanged\n  a's bits before: %s\n  a's bits after:  %s", short(bitsA), short(got))
			}
			if got := setBits(b, c.mb); !slices.Equal(got, bitsB) {
				return fmt.Errorf("a.Union(b) must not modify b\n  b's bits before: %s\n  b's bits after:  %s", short(bitsB), short(got))
			}
			return nil
		})
		if err != nil {
			if strings.HasPrefix(err.Error(), check.NotImplemented) {
				t.Fatal(err)
			}
			t.Fatalf("a has m=%d, k=%d; b has m=%d, k=%d:\n%v", c.ma, c.ka, c.mb, c.kb, err)
		}
	}
}
