// Package bloom implements a Bloom filter: a fixed array of m bits that
// answers "have I seen this item?" with no false negatives and a tunable rate
// of false positives, using k bit positions per item derived by double
// hashing (Kirsch and Mitzenmacher).
//
// A Filter is not safe for concurrent use: callers that share one between
// goroutines must synchronise access themselves.
package bloom

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalidParams is returned (possibly wrapped) by Optimal and New when
// their arguments cannot describe a Bloom filter.
var ErrInvalidParams = errors.New("bloom: invalid parameters")

// ErrMismatch is returned (possibly wrapped) by Union when the two filters
// differ in m or in k, so their bits mean different things.
var ErrMismatch = errors.New("bloom: filters differ in m or k")

// Optimal returns the size m (in bits) and the number of hash positions k of
// a filter meant to hold n items with a false-positive rate of about p:
//
//	m = ceil(-n · ln p / (ln 2)²)
//	k = round(m / n · ln 2), at least 1
//
// where k is computed from the integer m and round rounds half away from
// zero (math.Round). It returns an error wrapping ErrInvalidParams unless
// n >= 1 and 0 < p < 1, and when m would not fit in an int.
func Optimal(n int, p float64) (m, k int, err error) {
	// The negated comparison also rejects NaN.
	if n < 1 || !(p > 0 && p < 1) {
		return 0, 0, ErrInvalidParams
	}
	x := math.Ceil(-float64(n) * math.Log(p) / (math.Ln2 * math.Ln2))
	// Converting a float64 beyond the int range to int is undefined in Go
	// (on amd64 it gives math.MinInt64): refuse instead. float64(MaxInt)
	// rounds up to 2^63 on 64-bit machines, so >= is the right test.
	if x >= float64(math.MaxInt) {
		return 0, 0, fmt.Errorf("%w: a filter for %d items at p = %v needs %.4g bits, more than an int holds", ErrInvalidParams, n, p, x)
	}
	m = int(x)
	// Rounding (not truncating) matters: for p = 0.01 the real optimum is
	// 6.64, and for p >= 0.5 truncation would give k = 0, a filter that
	// claims to contain everything.
	k = int(math.Round(float64(m) / float64(n) * math.Ln2))
	if k < 1 {
		k = 1
	}
	return m, k, nil
}

// Filter is a Bloom filter of m bits using k positions per item. Create one
// with New; the zero value is not usable.
type Filter struct {
	m, k  int
	words []uint64 // bit i lives in words[i/64], at bit i%64
}

// New returns an empty filter of m bits with k positions per item. It
// returns an error wrapping ErrInvalidParams unless 1 <= k <= m (more
// positions than bits could not be pairwise distinct). All the memory the
// filter will ever use, about m bits, is allocated here.
func New(m, k int) (*Filter, error) {
	if m < 1 || k < 1 || k > m {
		return nil, ErrInvalidParams
	}
	// Round up: with m/64 words the last m%64 bits would have no home.
	return &Filter{m: m, k: k, words: make([]uint64, (m+63)/64)}, nil
}

// M returns the number of bits the filter has.
func (f *Filter) M() int { return f.m }

// K returns the number of positions each item sets and tests.
func (f *Filter) K() int { return f.k }

// SizeBits returns the number of bits allocated for the bit array: at least
// M() and less than M()+64.
func (f *Filter) SizeBits() int { return len(f.words) * 64 }

// fnv1a64 is the 64-bit FNV-1a hash, written out so that hashing an item
// allocates nothing.
func fnv1a64(item []byte) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for _, c := range item {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// mix64 is MurmurHash3's 64-bit finalizer (fmix64). FNV-1a alone leaves
// structured keys, such as consecutive integers, on correlated positions;
// the finalizer spreads every input bit over every output bit.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// start returns the first position a and the step b of item's positions.
func (f *Filter) start(item []byte) (a, b uint64) {
	m := uint64(f.m)
	h := mix64(fnv1a64(item))
	a = (h & 0xffffffff) % m
	b = (h >> 32) % m
	// A step of 0 would put all k positions on one bit, and a step sharing
	// a factor with m revisits a bit after m/gcd(b, m) steps. A step coprime
	// with m walks through all m bits before repeating, so any k <= m
	// positions are pairwise distinct.
	if b == 0 {
		b = 1
	}
	for gcd(b, m) != 1 {
		b++
	}
	return a, b
}

// forEach calls fn with each of item's k positions, in order, without
// allocating.
func (f *Filter) forEach(item []byte, fn func(pos uint64) bool) {
	m := uint64(f.m)
	a, b := f.start(item)
	pos := a
	for i := 0; i < f.k; i++ {
		if !fn(pos) {
			return
		}
		// pos + b < 2m, so one subtraction reduces it and nothing overflows.
		pos += b
		if pos >= m {
			pos -= m
		}
	}
}

// Positions returns the k bit positions of item, in order i = 0, 1, …, k-1:
//
//	x  = 64-bit FNV-1a of item (hash/fnv.New64a)
//	h  = fmix64(x): x ^= x >> 33; x *= 0xff51afd7ed558ccd; x ^= x >> 33;
//	     x *= 0xc4ceb9fe1a85ec53; x ^= x >> 33
//	h1 = h & 0xffffffff, h2 = h >> 32
//	a  = h1 mod m
//	b  = h2 mod m; if b == 0 then b = 1; while gcd(b, m) != 1, b = b + 1
//	position i = (a + i·b) mod m
//
// The positions are pairwise distinct and in [0, m). The returned slice is
// new; the caller may modify it.
func (f *Filter) Positions(item []byte) []int {
	out := make([]int, 0, f.k)
	f.forEach(item, func(pos uint64) bool {
		out = append(out, int(pos))
		return true
	})
	return out
}

// Add sets the bits at item's positions. It does not retain item, and it
// allocates no memory that outlives the call.
func (f *Filter) Add(item []byte) {
	f.forEach(item, func(pos uint64) bool {
		f.words[pos/64] |= 1 << (pos % 64)
		return true
	})
}

// Contains reports whether all the bits at item's positions are set: true
// for every item added (no false negatives), and true by accident for some
// items never added (false positives).
func (f *Filter) Contains(item []byte) bool {
	found := true
	f.forEach(item, func(pos uint64) bool {
		if f.words[pos/64]&(1<<(pos%64)) == 0 {
			found = false // one clear bit proves the item was never added
		}
		return found
	})
	return found
}

// Bit reports whether bit i is set, for 0 <= i < M().
func (f *Filter) Bit(i int) bool {
	return f.words[i/64]&(1<<(uint(i)%64)) != 0
}

// Union adds every item of other to f by OR-ing other's bits into f's, so
// that afterwards f contains everything either filter contained. It returns
// an error wrapping ErrMismatch, and leaves f unchanged, if the filters
// differ in m or k. other is never modified.
func (f *Filter) Union(other *Filter) error {
	// With a different m or k the same item maps to different bits, and
	// the OR would contain neither filter's items reliably.
	if f.m != other.m || f.k != other.k {
		return ErrMismatch
	}
	for i, w := range other.words {
		f.words[i] |= w
	}
	return nil
}
