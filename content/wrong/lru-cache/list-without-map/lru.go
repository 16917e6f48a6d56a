// Known wrong: The cache keeps only the recency list, with no map, so every Get and Put walks the list to find the key: O(n) per operation.
// Package lru implements a least-recently-used cache (with a linked list
// and no index).
//
// A Cache is safe for concurrent use by multiple goroutines.
package lru

import (
	"container/list"
	"sync"
)

type entry[K comparable, V any] struct {
	key   K
	value V
}

// Cache is a fixed-capacity LRU cache. Create one with New.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	capacity int
	onEvict  func(K, V)
	ll       *list.List // front: most recently used
}

// New returns an empty cache holding at most capacity entries.
func New[K comparable, V any](capacity int, onEvict func(K, V)) *Cache[K, V] {
	return &Cache[K, V]{capacity: capacity, onEvict: onEvict, ll: list.New()}
}

// find walks the list from the front for key.
func (c *Cache[K, V]) find(key K) *list.Element {
	for e := c.ll.Front(); e != nil; e = e.Next() {
		if e.Value.(*entry[K, V]).key == key {
			return e
		}
	}
	return nil
}

// Get returns the value stored for key and marks it most recently used.
func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.find(key); e != nil {
		c.ll.MoveToFront(e)
		return e.Value.(*entry[K, V]).value, true
	}
	return value, false
}

// Peek returns the value stored for key without changing the order.
func (c *Cache[K, V]) Peek(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.find(key); e != nil {
		return e.Value.(*entry[K, V]).value, true
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
	if e := c.find(key); e != nil {
		e.Value.(*entry[K, V]).value = value
		c.ll.MoveToFront(e)
		return
	}
	if c.ll.Len() >= c.capacity {
		victim := c.ll.Remove(c.ll.Back()).(*entry[K, V])
		if c.onEvict != nil {
			c.onEvict(victim.key, victim.value)
		}
	}
	c.ll.PushFront(&entry[K, V]{key: key, value: value})
}

// Remove deletes key and reports whether it was present.
func (c *Cache[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.find(key); e != nil {
		c.ll.Remove(e)
		return true
	}
	return false
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// Cap returns the capacity the cache was created with.
func (c *Cache[K, V]) Cap() int { return c.capacity }

// Keys returns the keys from least to most recently used.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]K, 0, c.ll.Len())
	for e := c.ll.Back(); e != nil; e = e.Prev() {
		keys = append(keys, e.Value.(*entry[K, V]).key)
	}
	return keys
}
