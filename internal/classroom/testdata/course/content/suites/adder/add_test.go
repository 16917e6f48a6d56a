//go:build dslearnsuite

package arith_test

import (
	"testing"

	"example.com/arith/exercises/adder"
)

func call(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatal(v)
		}
	}()
	f()
}

func TestAddSumsSmallNumbers(t *testing.T) {
	call(t, func() {
		if got := arith.Add(2, 2); got != 4 {
			t.Errorf("Add(2, 2) = %d, want 4", got)
		}
	})
}

func TestAddSumsNegativeNumbers(t *testing.T) {
	call(t, func() {
		for seed := 1; seed <= 10; seed++ {
			a, b := -seed, -2*seed
			if got := arith.Add(a, b); got != a+b {
				t.Errorf("Add(%d, %d) = %d, want %d\n@seed %d", a, b, got, a+b, seed)
				return
			}
		}
	})
}
