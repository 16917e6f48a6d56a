// Package lru implements a least-recently-used cache: a map bounded to a
// fixed number of entries that, when full, makes room by evicting the entry
// that was used longest ago.
//
// Every operation except Keys must run in O(1) time, independent of the
// number of entries: a hash map finds an entry, and a doubly linked list kept
// in recency order finds the victim and moves an entry to the front without
// searching.
//
// A Cache is safe for concurrent use by multiple goroutines.
package lru

// Cache is a fixed-capacity LRU cache. Create one with New.
type Cache[K comparable, V any] struct {
	// Your fields here: a mutex, the capacity, the onEvict callback, a map
	// from key to list element, and the recency list (container/list, or a
	// small generic doubly linked list of your own).
}

// New returns an empty cache holding at most capacity entries. onEvict, if
// not nil, is called once for every entry the cache evicts to make room,
// with that entry's key and value; it is called synchronously, before the
// Put that caused the eviction returns, possibly while the cache is locked,
// so it must not call methods of the same cache. onEvict is not called for
// overwrites or for Remove.
//
// A capacity of 0 or less gives a cache that stores nothing: Put does
// nothing (and evicts nothing), Get always misses.
func New[K comparable, V any](capacity int, onEvict func(K, V)) *Cache[K, V] {
	panic("not implemented yet: New")
}

// Get returns the value stored for key and true, and marks key as the most
// recently used; or, if key is not in the cache, the zero value and false.
func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	panic("not implemented yet: Get")
}

// Peek is Get without the side effect: it returns the value stored for key
// and whether it is present, and leaves the recency order unchanged.
func (c *Cache[K, V]) Peek(key K) (value V, ok bool) {
	panic("not implemented yet: Peek")
}

// Put stores value under key and marks key as the most recently used. If
// key is already present its value is replaced: the cache does not grow, so
// nothing is evicted and onEvict is not called. Otherwise, if the cache is
// full, Put first evicts the least recently used entry and calls onEvict
// with it.
func (c *Cache[K, V]) Put(key K, value V) {
	panic("not implemented yet: Put")
}

// Remove deletes key from the cache and reports whether it was present. It
// does not call onEvict: the caller asked for the removal and already
// knows.
func (c *Cache[K, V]) Remove(key K) bool {
	panic("not implemented yet: Remove")
}

// Len returns the number of entries in the cache.
func (c *Cache[K, V]) Len() int {
	panic("not implemented yet: Len")
}

// Cap returns the capacity the cache was created with.
func (c *Cache[K, V]) Cap() int {
	panic("not implemented yet: Cap")
}

// Keys returns the keys in the cache from the least recently used to the
// most recently used, in a new slice. It does not change the recency order.
// It takes time proportional to Len.
func (c *Cache[K, V]) Keys() []K {
	panic("not implemented yet: Keys")
}
