package check

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// sumOver fails when the running sum of a sequence ever exceeds limit.
func sumOver(limit int) func([]int) error {
	return func(ops []int) error {
		s := 0
		for _, v := range ops {
			s += v
			if s > limit {
				return fmt.Errorf("sum %d over %d", s, limit)
			}
		}
		return nil
	}
}

func halve(v int) []int {
	if v <= 1 {
		return nil
	}
	return []int{0, 1, v / 2}
}

func TestShrink(t *testing.T) {
	tests := []struct {
		name    string
		ops     []int
		simpler func(int) []int
		run     func([]int) error
		want    []int
		wantErr string
	}{
		{"passing sequence is returned unchanged", []int{1, 2}, nil, sumOver(10), []int{1, 2}, ""},
		{"irrelevant operations are removed", []int{1, 1, 50, 1, 1}, nil, sumOver(10), []int{50}, "sum 50 over 10"},
		{"values are simplified", []int{1, 1, 50, 1, 1}, halve, sumOver(10), []int{12}, "sum 12 over 10"},
		{"two operations are needed together", []int{0, 6, 0, 0, 6, 0}, nil, sumOver(10), []int{6, 6}, "sum 12 over 10"},
		{"a panic counts as a failure", []int{3, 7, 2}, nil, func(ops []int) error {
			for _, v := range ops {
				if v == 7 {
					panic("seven")
				}
			}
			return nil
		}, []int{7}, "panic: seven"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Shrink(tc.ops, tc.simpler, tc.run)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Shrink(%v) = %v, want %v", tc.ops, got, tc.want)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)) {
				t.Errorf("Shrink(%v) error = %v, want %q", tc.ops, err, tc.wantErr)
			}
		})
	}
}

func TestShrinkDoesNotModifyItsInput(t *testing.T) {
	ops := []int{1, 1, 50, 1, 1}
	Shrink(ops, halve, sumOver(10))
	if fmt.Sprint(ops) != "[1 1 50 1 1]" {
		t.Errorf("Shrink changed its input to %v", ops)
	}
}

func TestShrinkStopsAtItsBudget(t *testing.T) {
	ops := make([]int, 5000)
	calls := 0
	Shrink(ops, nil, func(s []int) error {
		calls++
		if len(s) > 0 {
			return errors.New("any non-empty sequence fails")
		}
		return nil
	})
	if calls > shrinkBudget+1 {
		t.Errorf("run called %d times, budget %d", calls, shrinkBudget)
	}
}

func TestMinimize(t *testing.T) {
	if err := Minimize([]int{1, 2}, nil, sumOver(10)); err != nil {
		t.Fatalf("Minimize of a passing sequence = %v, want nil", err)
	}
	err := Minimize([]int{1, 1, 50, 1, 1}, nil, sumOver(10))
	want := "sum 50 over 10\nshortest failing sequence found (1 of the 5 operations of this seed), from a fresh start:\n  1. 50"
	if err == nil || err.Error() != want {
		t.Errorf("Minimize error =\n%v\nwant\n%s", err, want)
	}
}

func TestMinimizeReportsAStubUnchanged(t *testing.T) {
	err := Minimize([]int{1, 2, 3}, nil, func([]int) error { panic(NotImplemented + ": Clock.Tick") })
	if err == nil || err.Error() != NotImplemented+": Clock.Tick" {
		t.Errorf("Minimize of a stub = %v, want the stub's message alone", err)
	}
}

func TestShrinkFindsTheFailingPrefixInFewReplays(t *testing.T) {
	ops := make([]int, 100000)
	ops[70000] = 50
	calls := 0
	got, err := Shrink(ops, nil, func(s []int) error {
		calls++
		return sumOver(10)(s)
	})
	if fmt.Sprint(got) != "[50]" || err == nil {
		t.Fatalf("Shrink = %v, %v; want [50] and an error", got, err)
	}
	if calls > 200 {
		t.Errorf("run called %d times for one failing step among 100000, want at most 200", calls)
	}
}

func TestSeededShrinksOnlyTheFirstFailingSeed(t *testing.T) {
	shrunk := 0
	ft := &testing.T{}
	Seeded(ft, 3, func(r *rand.Rand) error {
		return Minimize([]int{1, 1, 50, 1, 1}, nil, func(ops []int) error {
			if len(ops) < 5 {
				shrunk++
			}
			return sumOver(10)(ops)
		})
	})
	if shrunk == 0 {
		t.Fatal("the first failing seed was not shrunk")
	}
	first := shrunk
	Seeded(ft, 1, func(r *rand.Rand) error { return nil })
	if shrinkOff.Load() {
		t.Error("shrinking stays off after Seeded returned")
	}
	if want := first; shrunk != want {
		t.Errorf("replays of shortened sequences: %d, want %d (the first seed's only)", shrunk, want)
	}
}
