//go:build dslearnsuite

package vclock_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/exercises/vector-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

// compareBothWays checks Compare(a, b) and Compare(b, a) against want.
func compareBothWays(a, b vclock.VC, want vclock.Order, why string) error {
	if got := vclock.Compare(a, b); got != want {
		return check.Mismatch(fmt.Sprintf("Compare(%s, %s)%s", show(a), show(b), why), want, got)
	}
	if got := vclock.Compare(b, a); got != mirror(want) {
		return check.Mismatch(fmt.Sprintf("Compare(%s, %s) (the arguments swapped: Before and After swap, Equal and Concurrent stay)%s", show(b), show(a), why), mirror(want), got)
	}
	return nil
}

func TestCompareClassifiesKnownPairs(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		a, b string
		want vclock.Order
	}{
		{"a:1", "a:2", vclock.Before},
		{"a:1 b:1", "a:2 b:1", vclock.Before},
		{"a:1 b:1 c:1", "a:1 b:2 c:1", vclock.Before},
		{"a:1 b:2", "a:3 b:4", vclock.Before},
		{"a:2 b:1", "a:1 b:1", vclock.After},
		{"a:1 b:2", "a:1 b:2", vclock.Equal},
		{"", "", vclock.Equal},
		{"a:2 b:1", "a:1 b:2", vclock.Concurrent},
		{"a:3 b:0", "a:2 b:5", vclock.Concurrent},
		{"a:1 b:1 c:2", "a:1 b:2 c:1", vclock.Concurrent},
	}
	for _, c := range cases {
		if err := compareBothWays(vc(c.a), vc(c.b), c.want, ""); err != nil {
			t.Error(err)
		}
	}
}

func TestCompareTreatsMissingEntriesAsZero(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		a, b vclock.VC
		want vclock.Order
	}{
		{vc(""), vc("a:0"), vclock.Equal},
		{vc("a:1"), vc("a:1 b:0"), vclock.Equal},
		{nil, vc("a:0 b:0"), vclock.Equal},
		{nil, nil, vclock.Equal},
		{nil, vc(""), vclock.Equal},
		{vc("a:1"), vc("a:1 b:1"), vclock.Before},
		{vc(""), vc("b:1"), vclock.Before},
		{nil, vc("a:1"), vclock.Before},
		{vc("a:1 b:1"), vc("b:1"), vclock.After},
		{vc("c:1"), nil, vclock.After},
		{vc("a:1"), vc("b:1"), vclock.Concurrent},
		{vc("a:2"), vc("a:1 b:1"), vclock.Concurrent},
		{vc("a:1 c:0"), vc("b:1 c:0"), vclock.Concurrent},
	}
	for _, c := range cases {
		if err := compareBothWays(c.a, c.b, c.want, " (a missing entry counts as 0)"); err != nil {
			t.Error(err)
		}
	}
}

func TestCompareMatchesTheDefinition(t *testing.T) {
	defer check.Recover(t)
	// Every pair of small clocks over three processes, smallest first...
	for _, p := range pairsBySize(smallVCs("a", "b", "c")) {
		if err := compareBothWays(p[0], p[1], order(p[0], p[1]), ""); err != nil {
			t.Fatal(err)
		}
	}
	// ...then larger random ones.
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for range 200 {
			a, b := randomVC(r), randomVC(r)
			if r.IntN(3) == 0 {
				b = mergeModel(a, b) // a pair that is ordered, not only concurrent
			}
			if err := compareBothWays(a, b, order(a, b), ""); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestCompareDoesNotModifyItsArguments(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, 30, func(r *rand.Rand) error {
		for range 100 {
			a, b := randomVC(r), randomVC(r)
			a0, b0 := clone(a), clone(b)
			vclock.Compare(a, b)
			if !identical(a, a0) || !identical(b, b0) {
				return check.Mismatch(fmt.Sprintf("Compare(a, b) must not modify its arguments (not even add zero entries); a = %s, b = %s before the call", show(a0), show(b0)),
					fmt.Sprintf("a = %s, b = %s", show(a0), show(b0)), fmt.Sprintf("a = %s, b = %s", show(a), show(b)))
			}
		}
		return nil
	})
}
