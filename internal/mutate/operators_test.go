package mutate

import (
	"go/format"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// changes generates the mutants of src (file x.go) with one operator and
// returns each as its changed lines: "-old" and "+new" lines of its diff.
func changes(t *testing.T, op string, src string) ([]string, *Set) {
	t.Helper()
	ops, err := OperatorsNamed([]string{op})
	if err != nil {
		t.Fatal(err)
	}
	formatted, err := format.Source([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"sol/x.go": {Data: formatted}}
	set, err := Generate(fsys, "sol", "example.com/course", ops)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range set.Mutants {
		if m.Operator != op {
			t.Errorf("mutant %s has operator %s, want %s", m.ID, m.Operator, op)
		}
		var lines []string
		for _, l := range strings.Split(m.Diff, "\n") {
			if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
		}
		out = append(out, strings.Join(lines, " | "))
	}
	return out, set
}

func TestOperators(t *testing.T) {
	tests := []struct {
		op   string
		src  string
		want []string
		// notCompiling is how many mutants were discarded.
		notCompiling int
	}{
		{"boundary", `package x
func f(a, b int) bool { return a < b && a >= b }
`, []string{
			"-func f(a, b int) bool { return a < b && a >= b } | +func f(a, b int) bool { return a <= b && a >= b }",
			"-func f(a, b int) bool { return a < b && a >= b } | +func f(a, b int) bool { return a < b && a > b }",
		}, 0},
		{"relational", `package x
func f(a, b int) bool { return a == b || a > b }
`, []string{
			"-func f(a, b int) bool { return a == b || a > b } | +func f(a, b int) bool { return a != b || a > b }",
			"-func f(a, b int) bool { return a == b || a > b } | +func f(a, b int) bool { return a == b || a <= b }",
		}, 0},
		{"logical", `package x
func f(a, b bool) bool { return a && b }
`, []string{"-func f(a, b bool) bool { return a && b } | +func f(a, b bool) bool { return a || b }"}, 0},
		{"negate", `package x
func f(a int) int {
	if a > 0 {
		return 1
	}
	return 0
}
`, []string{"- if a > 0 { | + if !(a > 0) {"}, 0},
		{"arithmetic", `package x
func f(a int, s string) (int, string) {
	a += 2
	a++
	return a * 3, s + "!"
}
`, []string{
			"- return a * 3, s + \"!\" | + return a / 3, s + \"!\"",
			"- a += 2 | + a -= 2",
			"- a++ | + a--",
		}, 0},
		{"constant", `package x
var n uint8 = 7
`, []string{
			"-var n uint8 = 7 | +var n uint8 = 8",
			"-var n uint8 = 7 | +var n uint8 = 6",
			"-var n uint8 = 7 | +var n uint8 = 0",
			"-var n uint8 = 7 | +var n uint8 = 255",
		}, 0},
		{"narrow", `package x
import "cmp"
func f(a uint64, b int, s []int) (uint64, int, int) { return a, b, len(s) + 1 }
func g(a, b int) int { return cmp.Compare(a, b) }
`, []string{
			"-func f(a uint64, b int, s []int) (uint64, int, int) { return a, b, len(s) + 1 } | +func f(a uint64, b int, s []int) (uint64, int, int) { return uint64(uint32(a)), b, len(s) + 1 }",
			"-func f(a uint64, b int, s []int) (uint64, int, int) { return a, b, len(s) + 1 } | +func f(a uint64, b int, s []int) (uint64, int, int) { return uint64(float64(a)), b, len(s) + 1 }",
			"-func f(a uint64, b int, s []int) (uint64, int, int) { return a, b, len(s) + 1 } | +func f(a uint64, b int, s []int) (uint64, int, int) { return a, int(float64(b)), len(s) + 1 }",
			// The comparison's arguments, not its result.
			"-func g(a, b int) int { return cmp.Compare(a, b) } | +func g(a, b int) int { return cmp.Compare(int(float64(a)), b) }",
			"-func g(a, b int) int { return cmp.Compare(a, b) } | +func g(a, b int) int { return cmp.Compare(a, int(float64(b))) }",
		}, 0},
		{"remove", `package x
var ch = make(chan int, 1)
func f(xs []int) int {
	n := 0
	n = len(xs)
	n++
	ch <- n
	println(n)
	return n
}
`, []string{"- n = len(xs)", "- n++", "- ch <- n", "- println(n)"}, 0},
		{"lock", `package x
import "sync"
var mu sync.RWMutex
var n int
func get() int {
	mu.RLock()
	defer mu.RUnlock()
	return n
}
func set(v int) {
	mu.Lock()
	n = v
	mu.Unlock()
}
`, []string{"- mu.RLock() | - defer mu.RUnlock()", "- mu.Lock() | - mu.Unlock()"}, 0},
		{"alias", `package x
import ("maps"; "slices")
func f(m map[int]int, s []int) (map[int]int, []int, []int, []int) {
	return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...)
}
`, []string{
			"- \"maps\" | - return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...) | + return m, slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...)",
			"- \"slices\" | - return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...) | + return maps.Clone(m), s, append([]int(nil), s...), append(s[:0:0], s...)",
			"- return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...) | + return maps.Clone(m), slices.Clone(s), s, append(s[:0:0], s...)",
			"- return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), append(s[:0:0], s...) | + return maps.Clone(m), slices.Clone(s), append([]int(nil), s...), s",
		}, 0},
		{"return", `package x
import "sync"
type T struct{ a int }
var mu sync.Mutex
func f(p *T) (T, error, string) {
	mu.Lock()
	defer mu.Unlock()
	p.a++
	return *p, nil, "x"
}
`, []string{"+ return T{}, nil, \"\"", "+ return T{}, nil, \"\""}, 0},
		{"swap", `package x
func sub(a, b int) int { return a - b }
func f(x, y int, s string) int { return sub(x, y) + sub(len(s), 1) + max(x, y) }
`, []string{
			"-func f(x, y int, s string) int { return sub(x, y) + sub(len(s), 1) + max(x, y) } | +func f(x, y int, s string) int { return sub(y, x) + sub(len(s), 1) + max(x, y) }",
			"-func f(x, y int, s string) int { return sub(x, y) + sub(len(s), 1) + max(x, y) } | +func f(x, y int, s string) int { return sub(x, y) + sub(1, len(s)) + max(x, y) }",
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			got, set := changes(t, tt.op, tt.src)
			if !slices.Equal(got, tt.want) {
				t.Errorf("mutants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if set.NotCompiling != tt.notCompiling {
				t.Errorf("%d not compiling, want %d", set.NotCompiling, tt.notCompiling)
			}
		})
	}
}
