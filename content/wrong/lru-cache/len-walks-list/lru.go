// Known wrong: Len counts the entries by walking the recency list instead of taking the size of the map, so Len takes O(n).
// Package lru implements a least-recently-used cache: a map bounded to a
// fixed number of entries that, when full, makes room by evicting the entry
// that was used longest ago.
//
// Every operation except Keys runs in O(1) time: a hash map finds an entry,
// and a doubly linked list kept in recency order finds the victim and moves
// an entry to the front without searching.
//
// A Cache is safe for concurrent use by multiple goroutines.
package lru

import "sync"

// entry is one cached key and value, linked into the recency list.
type entry[K comparable, V any] struct {
	key        K
	value      V
	prev, next *entry[K, V]
}

// Cache is a fixed-capacity LRU cache. Create one with New.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	onEvict  func(K, V)
	items    map[K]*entry[K, V]
	// root is a sentinel of the circular recency list: root.next is the
	// most recently used entry, root.prev the least recently used. The
	// sentinel removes every nil check from the list operations.
	root entry[K, V]
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
	c := &Cache[K, V]{capacity: capacity, onEvict: onEvict, items: make(map[K]*entry[K, V])}
	c.root.next = &c.root
	c.root.prev = &c.root
	return c
}

// unlink takes e out of the recency list.
func (c *Cache[K, V]) unlink(e *entry[K, V]) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

// pushFront links e in as the most recently used entry.
func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.prev = &c.root
	e.next = c.root.next
	c.root.next.prev = e
	c.root.next = e
}

// Get returns the value stored for key and true, and marks key as the most
// recently used; or, if key is not in the cache, the zero value and false.
func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return value, false
	}
	// A hit is a use: without this move the cache would evict in insertion
	// order (FIFO), not in order of use.
	c.unlink(e)
	c.pushFront(e)
	return e.value, true
}

// Peek is Get without the side effect: it returns the value stored for key
// and whether it is present, and leaves the recency order unchanged.
func (c *Cache[K, V]) Peek(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		return e.value, true
	}
	return value, false
}

// Put stores value under key and marks key as the most recently used. If
// key is already present its value is replaced: the cache does not grow, so
// nothing is evicted and onEvict is not called. Otherwise, if the cache is
// full, Put first evicts the least recently used entry and calls onEvict
// with it.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capacity <= 0 {
		return
	}
	// Check for an overwrite before making room: replacing a value must
	// not cost another entry its place.
	if e, ok := c.items[key]; ok {
		e.value = value
		c.unlink(e)
		c.pushFront(e)
		return
	}
	if len(c.items) >= c.capacity {
		victim := c.root.prev
		c.unlink(victim)
		delete(c.items, victim.key)
		if c.onEvict != nil {
			c.onEvict(victim.key, victim.value)
		}
	}
	e := &entry[K, V]{key: key, value: value}
	c.items[key] = e
	c.pushFront(e)
}

// Remove deletes key from the cache and reports whether it was present. It
// does not call onEvict: the caller asked for the removal and already
// knows.
func (c *Cache[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return false
	}
	c.unlink(e)
	delete(c.items, key)
	return true
}

// Len returns the number of entries in the cache.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for e := c.root.next; e != &c.root; e = e.next {
		n++
	}
	return n
}

// Cap returns the capacity the cache was created with.
func (c *Cache[K, V]) Cap() int {
	return c.capacity // never changes after New, so no lock is needed
}

// Keys returns the keys in the cache from the least recently used to the
// most recently used, in a new slice. It does not change the recency order.
// It takes time proportional to Len.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]K, 0, len(c.items))
	for e := c.root.prev; e != &c.root; e = e.prev {
		keys = append(keys, e.key)
	}
	return keys
}
