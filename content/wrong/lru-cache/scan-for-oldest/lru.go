// Known wrong: Each entry records when it was last used and eviction scans the whole map for the oldest, so a Put into a full cache takes O(n).
// Package lru implements a least-recently-used cache (with a use counter per
// entry).
//
// A Cache is safe for concurrent use by multiple goroutines.
package lru

import (
	"slices"
	"sync"
)

type entry[V any] struct {
	value V
	used  uint64 // the value of the cache's clock at the last use
}

// Cache is a fixed-capacity LRU cache. Create one with New.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	onEvict  func(K, V)
	items    map[K]*entry[V]
	clock    uint64
}

// New returns an empty cache holding at most capacity entries.
func New[K comparable, V any](capacity int, onEvict func(K, V)) *Cache[K, V] {
	return &Cache[K, V]{capacity: capacity, onEvict: onEvict, items: make(map[K]*entry[V])}
}

func (c *Cache[K, V]) tick() uint64 {
	c.clock++
	return c.clock
}

// Get returns the value stored for key and marks it most recently used.
func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return value, false
	}
	e.used = c.tick()
	return e.value, true
}

// Peek returns the value stored for key without changing the order.
func (c *Cache[K, V]) Peek(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		return e.value, true
	}
	return value, false
}

// Put stores value under key, evicting the least recently used if full.
func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.capacity <= 0 {
		return
	}
	if e, ok := c.items[key]; ok {
		e.value = value
		e.used = c.tick()
		return
	}
	if len(c.items) >= c.capacity {
		var victim K
		oldest := ^uint64(0)
		for k, e := range c.items {
			if e.used < oldest {
				victim, oldest = k, e.used
			}
		}
		e := c.items[victim]
		delete(c.items, victim)
		if c.onEvict != nil {
			c.onEvict(victim, e.value)
		}
	}
	c.items[key] = &entry[V]{value: value, used: c.tick()}
}

// Remove deletes key and reports whether it was present.
func (c *Cache[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		return false
	}
	delete(c.items, key)
	return true
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Cap returns the capacity the cache was created with.
func (c *Cache[K, V]) Cap() int { return c.capacity }

// Keys returns the keys from least to most recently used.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]K, 0, len(c.items))
	for k := range c.items {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int {
		if c.items[a].used < c.items[b].used {
			return -1
		}
		return 1
	})
	return keys
}
