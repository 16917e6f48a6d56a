// Known wrong: The recency order is a slice, so moving a key to the front or evicting shifts every entry: O(n) per operation.
// Package lru implements a least-recently-used cache (with a slice for the
// recency order).
//
// A Cache is safe for concurrent use by multiple goroutines.
package lru

import "sync"

// Cache is a fixed-capacity LRU cache. Create one with New.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	onEvict  func(K, V)
	values   map[K]V
	order    []K // least recently used first
}

// New returns an empty cache holding at most capacity entries.
func New[K comparable, V any](capacity int, onEvict func(K, V)) *Cache[K, V] {
	return &Cache[K, V]{capacity: capacity, onEvict: onEvict, values: make(map[K]V)}
}

// touch moves key to the most recently used end of order.
func (c *Cache[K, V]) touch(key K) {
	for i, k := range c.order {
		if k == key {
			copy(c.order[i:], c.order[i+1:])
			c.order[len(c.order)-1] = key
			return
		}
	}
}

// Get returns the value stored for key and marks it most recently used.
func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	value, ok = c.values[key]
	if ok {
		c.touch(key)
	}
	return value, ok
}

// Peek returns the value stored for key without changing the order.
func (c *Cache[K, V]) Peek(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	value, ok = c.values[key]
	return value, ok
}

// Put stores value under key, evicting the least recently used if full.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capacity <= 0 {
		return
	}
	if _, ok := c.values[key]; ok {
		c.values[key] = value
		c.touch(key)
		return
	}
	if len(c.values) >= c.capacity {
		victim := c.order[0]
		copy(c.order, c.order[1:])
		c.order = c.order[:len(c.order)-1]
		v := c.values[victim]
		delete(c.values, victim)
		if c.onEvict != nil {
			c.onEvict(victim, v)
		}
	}
	c.values[key] = value
	c.order = append(c.order, key)
}

// Remove deletes key and reports whether it was present.
func (c *Cache[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.values[key]; !ok {
		return false
	}
	delete(c.values, key)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return true
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.values)
}

// Cap returns the capacity the cache was created with.
func (c *Cache[K, V]) Cap() int { return c.capacity }

// Keys returns the keys from least to most recently used.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]K(nil), c.order...)
}
