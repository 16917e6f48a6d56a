// Package bloom implements a Bloom filter: a fixed array of m bits that
// answers "have I seen this item?" with no false negatives and a tunable rate
// of false positives, using k bit positions per item derived by double
// hashing (Kirsch and Mitzenmacher).
//
// A Filter is not safe for concurrent use: callers that share one between
// goroutines must synchronise access themselves.
package bloom

import "errors"

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
	panic("not implemented yet: Optimal")
}

// Filter is a Bloom filter of m bits using k positions per item. Create one
// with New; the zero value is not usable.
type Filter struct {
	// Your fields here: m, k and the bit array, packed 64 bits to a
	// uint64 (or 8 to a byte).
}

// New returns an empty filter of m bits with k positions per item. It
// returns an error wrapping ErrInvalidParams unless 1 <= k <= m (more
// positions than bits could not be pairwise distinct). All the memory the
// filter will ever use, about m bits, is allocated here.
func New(m, k int) (*Filter, error) {
	panic("not implemented yet: New")
}

// M returns the number of bits the filter has.
func (f *Filter) M() int {
	panic("not implemented yet: M")
}

// K returns the number of positions each item sets and tests.
func (f *Filter) K() int {
	panic("not implemented yet: K")
}

// SizeBits returns the number of bits allocated for the bit array: at least
// M() and less than M()+64.
func (f *Filter) SizeBits() int {
	panic("not implemented yet: SizeBits")
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
	panic("not implemented yet: Positions")
}

// Add sets the bits at item's positions. It does not retain item, and it
// allocates no memory that outlives the call.
func (f *Filter) Add(item []byte) {
	panic("not implemented yet: Add")
}

// Contains reports whether all the bits at item's positions are set: true
// for every item added (no false negatives), and true by accident for some
// items never added (false positives).
func (f *Filter) Contains(item []byte) bool {
	panic("not implemented yet: Contains")
}

// Bit reports whether bit i is set, for 0 <= i < M().
func (f *Filter) Bit(i int) bool {
	panic("not implemented yet: Bit")
}

// Union adds every item of other to f by OR-ing other's bits into f's, so
// that afterwards f contains everything either filter contained. It returns
// an error wrapping ErrMismatch, and leaves f unchanged, if the filters
// differ in m or k. other is never modified.
func (f *Filter) Union(other *Filter) error {
	panic("not implemented yet: Union")
}
