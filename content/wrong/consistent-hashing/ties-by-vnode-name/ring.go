// Known wrong: Virtual nodes at the same position are ordered by their virtual node name (node#i) instead of by node name, which differs when one node name is a prefix of another followed by a character that sorts before "#".
// Package hashring is a consistent-hash ring with virtual nodes, the scheme
// Dynamo, Cassandra and memcached clients use to decide which server owns a
// key so that adding or removing a server moves only a small share of keys.
//
// The ring has 2^32 positions, 0 to 2^32-1. Every node is placed on it at
// replicas points, its virtual nodes: the i-th virtual node of node sits at
// hash(node + "#" + strconv.Itoa(i)), for i = 0 … replicas-1. A key sits at
// hash(key) and belongs to the first virtual node at or after that position
// (position >= hash(key)), wrapping around to the first virtual node of the
// ring when no virtual node is at or after it.
//
// Virtual nodes are ordered by position and, when two sit at the same
// position, by node name: the lexicographically smaller name comes first
// and owns the keys at that point. The ring therefore depends only on which
// nodes are on it, never on the order in which they were added.
package hashring

import (
	"cmp"
	"crypto/md5"
	"encoding/binary"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Hash maps bytes to a position on the ring, 0 to 2^32-1. It must be
// deterministic and safe to call from several goroutines at once.
type Hash func(data []byte) uint32

// DefaultHash is the hash New uses when given nil: the first four bytes of
// the MD5 digest of data, read little-endian (as ketama-style memcached
// clients read it). MD5 is used for its even spread, not for security.
func DefaultHash(data []byte) uint32 {
	sum := md5.Sum(data)
	return binary.LittleEndian.Uint32(sum[:4])
}

// Ring is a consistent-hash ring. Create one with New; the zero value is not
// usable. A Ring is safe for concurrent use by multiple goroutines: any mix
// of Add, Remove, Get, GetN and Nodes may run at the same time.
type Ring struct {
	replicas int
	hash     Hash

	mu sync.RWMutex
	// points are all virtual nodes, sorted by hash and, among equal hashes,
	// by node name. Keeping colliding points (rather than letting one
	// overwrite the other) makes the ring independent of insertion order and
	// lets the other node take the point over when the owner is removed.
	points []point
	nodes  map[string]struct{}
}

// point is one virtual node: where it sits and which node it stands for.
type point struct {
	hash  uint32
	node  string
	label string
}

// comparePoints orders the ring: by hash, then by node name.
func comparePoints(a, b point) int {
	return cmp.Or(cmp.Compare(a.hash, b.hash), strings.Compare(a.label, b.label))
}

// New returns an empty ring that places every node at replicas virtual
// nodes and positions virtual nodes and keys with hash. A nil hash means
// DefaultHash. New panics if replicas is less than 1.
func New(replicas int, hash Hash) *Ring {
	if replicas < 1 {
		panic("hashring: replicas must be at least 1, got " + strconv.Itoa(replicas))
	}
	if hash == nil {
		hash = DefaultHash
	}
	return &Ring{replicas: replicas, hash: hash, nodes: make(map[string]struct{})}
}

// vnodeName is the name hashed for the i-th virtual node of node.
func vnodeName(node string, i int) string {
	return node + "#" + strconv.Itoa(i)
}

// Add puts each node on the ring at its virtual nodes node#0 …
// node#(replicas-1). A node already on the ring is left as it is (adding it
// again changes nothing), and the empty name is ignored. Adding many nodes in
// one call costs O(V log V) for V virtual nodes on the ring (sort once per
// call, not once per node).
func (r *Ring) Add(nodes ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	added := false
	for _, node := range nodes {
		if node == "" {
			continue
		}
		if _, ok := r.nodes[node]; ok {
			continue
		}
		r.nodes[node] = struct{}{}
		for i := range r.replicas {
			r.points = append(r.points, point{r.hash([]byte(vnodeName(node, i))), node, vnodeName(node, i)})
		}
		added = true
	}
	// One sort per call, however many nodes it adds: O(V log V).
	if added {
		slices.SortFunc(r.points, comparePoints)
	}
}

// Remove takes node and every one of its virtual nodes off the ring, so
// that its keys go to the next virtual nodes clockwise. Removing a node that
// is not on the ring does nothing.
func (r *Ring) Remove(node string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.nodes[node]; !ok {
		return
	}
	delete(r.nodes, node)
	// Filtering keeps the remaining points in order; no re-sort needed.
	r.points = slices.DeleteFunc(r.points, func(p point) bool { return p.node == node })
}

// start returns the index of the first point with hash >= h, wrapping to 0
// when h is past the last point. The ring must not be empty.
func (r *Ring) start(h uint32) int {
	i := sort.Search(len(r.points), func(i int) bool { return r.points[i].hash >= h })
	if i == len(r.points) {
		return 0
	}
	return i
}

// Get returns the node that owns key: the node of the first virtual node
// whose position is >= hash(key), or of the first virtual node of the ring
// if there is none. It returns "" if the ring is empty. Get hashes key once
// and finds the virtual node by binary search: O(log V).
func (r *Ring) Get(key string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.points) == 0 {
		return ""
	}
	return r.points[r.start(r.hash([]byte(key)))].node
}

// GetN returns up to n distinct nodes for key, in ring order: the owner
// (what Get returns) first, then the nodes of the following virtual nodes
// clockwise, wrapping around, skipping any node already chosen. It returns
// min(n, number of nodes) nodes, and an empty slice when n < 1 or the ring
// is empty. The slice is new: the caller may modify it.
func (r *Ring) GetN(key string, n int) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if n < 1 || len(r.points) == 0 {
		return nil
	}
	n = min(n, len(r.nodes))
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	i := r.start(r.hash([]byte(key)))
	// Walk at most once around the ring, skipping virtual nodes of physical
	// nodes already chosen.
	for range len(r.points) {
		if p := r.points[i]; !seen[p.node] {
			seen[p.node] = true
			out = append(out, p.node)
			if len(out) == n {
				break
			}
		}
		i++
		if i == len(r.points) {
			i = 0
		}
	}
	return out
}

// Nodes returns the nodes on the ring, each once, sorted by name, in a new
// slice the caller may modify.
func (r *Ring) Nodes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.nodes))
	for node := range r.nodes {
		out = append(out, node)
	}
	slices.Sort(out)
	return out
}
