//go:build dslearnsuite

package arith_test

import (
	"testing"

	"example.com/arith/exercises/multiplier"
)

func TestMulMultiplies(t *testing.T) {
	defer func() {
		if v := recover(); v != nil {
			t.Fatal(v)
		}
	}()
	if got := arith.Mul(3, 4); got != 12 {
		t.Errorf("Mul(3, 4) = %d, want 12", got)
	}
}
