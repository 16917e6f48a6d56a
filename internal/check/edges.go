package check

import "math/rand/v2"

// widths are the bit widths an implementation could narrow a value to, or
// lose precision at (2^53: float64).
var widths = []uint{8, 16, 31, 32, 53, 63, 64}

// EdgeUint64s lists 0, 1, 2 and every width boundary 2^8, 2^16, 2^31, 2^32,
// 2^53 and 2^63 with its neighbours ±1, and the largest uint64 and the one
// below it: the values where a narrowed or float-converted integer first
// goes wrong.
var EdgeUint64s = func() []uint64 {
	vs := []uint64{0, 1, 2}
	for _, w := range widths[:len(widths)-1] {
		b := uint64(1) << w
		vs = append(vs, b-1, b, b+1)
	}
	return append(vs, ^uint64(0)-1, ^uint64(0))
}()

// EdgeUint64 draws a value at most max, biased to the edges: half the time
// one of EdgeUint64s (those not above max), otherwise uniform over a random
// bit width, so that small, medium and huge values all come up.
func EdgeUint64(r *rand.Rand, max uint64) uint64 {
	if r.IntN(2) == 0 {
		for range 8 {
			if v := EdgeUint64s[r.IntN(len(EdgeUint64s))]; v <= max {
				return v
			}
		}
	}
	w := widths[r.IntN(len(widths))]
	v := r.Uint64()
	if w < 64 {
		v &= uint64(1)<<w - 1
	}
	if max < ^uint64(0) {
		v %= max + 1
	}
	return v
}

// EdgeNames are identifiers that trip implementations that lower-case,
// trim, split on separators, compare by length or by rune, or treat the
// empty string as missing.
var EdgeNames = []string{
	"", "a", "A", "b", "B", "p1", "p9", "p10", "P1", "node", "Node", "é", "e\u0301",
	"日本", "a b", " a", "a#0", "a#", "#", "#1", "a:b", "a/b", "a,b", "a\x00", "\x00",
	"a\n", "z", "zz", "~", "\u00ff", "\U0001F600",
}

// EdgeName draws an identifier: half the time one of EdgeNames, otherwise a
// short random one made of letters of both cases, digits and separators.
func EdgeName(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return EdgeNames[r.IntN(len(EdgeNames))]
	}
	const alphabet = "abAB019#:_-é"
	rs := []rune(alphabet)
	n := 1 + r.IntN(4)
	out := make([]rune, n)
	for i := range out {
		out[i] = rs[r.IntN(len(rs))]
	}
	return string(out)
}
