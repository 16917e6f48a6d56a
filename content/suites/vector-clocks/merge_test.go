//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// merge calls Merge on copies, so that a Merge that modifies its arguments
// is reported by the test about that and does not confuse the others.
func merge(a, b vclock.VC) vclock.VC { return vclock.Merge(clone(a), clone(b)) }

// forSmallAndRandomPairs runs prop on every pair of small clocks, smallest
// first, then on random larger pairs.
func forSmallAndRandomPairs(t *testing.T, prop func(a, b vclock.VC) error) {
	t.Helper()
	for _, p := range pairsBySize(smallVCs("a", "b", "c")) {
		if err := prop(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for range 100 {
			if err := prop(randomVC(r), randomVC(r)); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestMergeTakesTheEntrywiseMaximum(t *testing.T) {
	defer check.Recover(t)
	forSmallAndRandomPairs(t, func(a, b vclock.VC) error {
		got := merge(a, b)
		for _, k := range keys(a, b, got) {
			if want := max(a[k], b[k]); got[k] != want {
				return check.Mismatch(fmt.Sprintf("Merge(%s, %s) = %s: entry %s must be max(%d, %d) (missing entries are 0)", show(a), show(b), show(got), k, a[k], b[k]),
					fmt.Sprintf("%s:%d", k, want), fmt.Sprintf("%s:%d", k, got[k]))
			}
		}
		return nil
	})
}

func TestMergeIsCommutative(t *testing.T) {
	defer check.Recover(t)
	forSmallAndRandomPairs(t, func(a, b vclock.VC) error {
		if ab, ba := merge(a, b), merge(b, a); !same(ab, ba) {
			return check.Mismatch(fmt.Sprintf("Merge(a, b) must equal Merge(b, a); a = %s, b = %s", show(a), show(b)),
				fmt.Sprintf("Merge(b, a) = %s", show(ab)), fmt.Sprintf("Merge(b, a) = %s", show(ba)))
		}
		return nil
	})
}

func TestMergeIsIdempotent(t *testing.T) {
	defer check.Recover(t)
	forSmallAndRandomPairs(t, func(a, b vclock.VC) error {
		if aa := merge(a, a); !same(aa, a) {
			return check.Mismatch(fmt.Sprintf("merging a clock with itself must change nothing: Merge(%s, %s)", show(a), show(a)), show(a), show(aa))
		}
		ab := merge(a, b)
		if again := merge(ab, b); !same(again, ab) {
			return check.Mismatch(fmt.Sprintf("merging the same clock twice must change nothing: Merge(Merge(%s, %s), %s)", show(a), show(b), show(b)), show(ab), show(again))
		}
		return nil
	})
}

func TestMergeIsAnUpperBoundOfBothArguments(t *testing.T) {
	defer check.Recover(t)
	forSmallAndRandomPairs(t, func(a, b vclock.VC) error {
		m := merge(a, b)
		for _, x := range []vclock.VC{a, b} {
			if !leq(x, m) {
				return check.Mismatch(fmt.Sprintf("every entry of Merge(a, b) must be >= the same entry of a and of b; a = %s, b = %s", show(a), show(b)),
					fmt.Sprintf("Merge(a, b) >= %s", show(x)), fmt.Sprintf("Merge(a, b) = %s", show(m)))
			}
		}
		return nil
	})
}

func TestMergeIsAssociative(t *testing.T) {
	defer check.Recover(t)
	small := smallVCs("a", "b")
	for _, a := range small {
		for _, b := range small {
			for _, c := range small {
				if err := associative(a, b, c); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for range 100 {
			if err := associative(randomVC(r), randomVC(r), randomVC(r)); err != nil {
				return err
			}
		}
		return nil
	})
}

func associative(a, b, c vclock.VC) error {
	left, right := merge(merge(a, b), c), merge(a, merge(b, c))
	if !same(left, right) {
		return check.Mismatch(fmt.Sprintf("Merge(Merge(a, b), c) must equal Merge(a, Merge(b, c)); a = %s, b = %s, c = %s", show(a), show(b), show(c)),
			show(left), show(right))
	}
	return nil
}

func TestMergeNeitherModifiesNorAliasesItsArguments(t *testing.T) {
	defer check.Recover(t)
	for _, p := range pairsBySize(smallVCs("a", "b")) {
		if err := mergeLeavesArgumentsAlone(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for range 50 {
			if err := mergeLeavesArgumentsAlone(randomVC(r), randomVC(r)); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeLeavesArgumentsAlone checks that Merge(a, b) modifies neither a nor
// b, and that writing to its result does not reach them either.
func mergeLeavesArgumentsAlone(a, b vclock.VC) error {
	a0, b0 := clone(a), clone(b)
	m := vclock.Merge(a, b)
	call := fmt.Sprintf("Merge(a, b) with a = %s, b = %s", show(a0), show(b0))
	if !identical(a, a0) || !identical(b, b0) {
		return check.Mismatch(call+": Merge must not modify its arguments (not even add zero entries)",
			fmt.Sprintf("a = %s, b = %s", show(a0), show(b0)), fmt.Sprintf("a = %s, b = %s", show(a), show(b)))
	}
	if m == nil {
		return check.Mismatch(call+": Merge must return a new, non-nil map", "a new map", "nil")
	}
	// The caller owns the result: writing to it must not reach a or b.
	for k := range m {
		m[k] += 100
	}
	m["written-by-caller"] = 7
	if !identical(a, a0) || !identical(b, b0) {
		return check.Mismatch(call+", then writing to the result: the result must be a new map that shares nothing with a or b",
			fmt.Sprintf("a = %s, b = %s", show(a0), show(b0)), fmt.Sprintf("a = %s, b = %s", show(a), show(b)))
	}
	return nil
}
