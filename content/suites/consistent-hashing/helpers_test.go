//go:build dslearnsuite

package hashring_test

import (
	"cmp"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	hashring "github.com/dslearn/dslearn/exercises/consistent-hashing"
	"github.com/dslearn/dslearn/internal/check"
)

// defaultRuns is how many seeds each randomized property tries by default.
const defaultRuns = 30

// mixHash is a well-spread hash the suite injects where exact positions do
// not matter: FNV-1a followed by the murmur3 finalizer.
func mixHash(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// md5Hash is the documented default hash, computed independently of the
// learner's package.
func md5Hash(b []byte) uint32 {
	sum := md5.Sum(b)
	return binary.LittleEndian.Uint32(sum[:4])
}

// numHash returns a hash that puts a key written as a decimal number
// ("17") at that number, and any other input (virtual node names such as
// "a#0") at a salted position in [0, span). With a small span, virtual nodes
// often share a position and keys land exactly on virtual nodes.
func numHash(salt uint32, span uint32) hashring.Hash {
	return func(b []byte) uint32 {
		if v, err := strconv.ParseUint(string(b), 10, 32); err == nil {
			return uint32(v)
		}
		var s [4]byte
		binary.LittleEndian.PutUint32(s[:], salt)
		return mixHash(append(s[:], b...)) % span
	}
}

// tableHash returns a hash that puts the names in table at the given
// positions and a key written as a decimal number at that number.
func tableHash(table map[string]uint32) hashring.Hash {
	return func(b []byte) uint32 {
		if v, ok := table[string(b)]; ok {
			return v
		}
		if v, err := strconv.ParseUint(string(b), 10, 32); err == nil {
			return uint32(v)
		}
		return mixHash(b)
	}
}

// key returns the key that numHash and tableHash put at position p.
func key(p uint32) string { return strconv.FormatUint(uint64(p), 10) }

func vnodeName(node string, i int) string { return node + "#" + strconv.Itoa(i) }

// vpoint is one virtual node of the reference ring.
type vpoint struct {
	pos  uint32
	node string
	name string
}

// model is the ring as the lesson defines it, computed the slow, obvious
// way, to compare the learner's ring against.
type model struct {
	replicas int
	hash     hashring.Hash
	nodes    map[string]bool
	cached   []vpoint // points(), until the next add or remove
}

func newModel(replicas int, hash hashring.Hash) *model {
	if hash == nil {
		hash = md5Hash
	}
	return &model{replicas: replicas, hash: hash, nodes: map[string]bool{}}
}

func (m *model) add(nodes ...string) {
	for _, n := range nodes {
		if n != "" {
			m.nodes[n] = true
		}
	}
	m.cached = nil
}

func (m *model) remove(node string) {
	delete(m.nodes, node)
	m.cached = nil
}

func (m *model) sortedNodes() []string {
	out := make([]string, 0, len(m.nodes))
	for n := range m.nodes {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// points are the virtual nodes ordered by position, then node name.
func (m *model) points() []vpoint {
	if m.cached != nil {
		return m.cached
	}
	var ps []vpoint
	for n := range m.nodes {
		for i := range m.replicas {
			name := vnodeName(n, i)
			ps = append(ps, vpoint{m.hash([]byte(name)), n, name})
		}
	}
	slices.SortFunc(ps, func(a, b vpoint) int {
		return cmp.Or(cmp.Compare(a.pos, b.pos), strings.Compare(a.node, b.node), strings.Compare(a.name, b.name))
	})
	m.cached = ps
	return ps
}

// getN walks the ring from the key's position.
func (m *model) getN(k string, n int) []string {
	ps := m.points()
	if n < 1 || len(ps) == 0 {
		return nil
	}
	h := m.hash([]byte(k))
	start, _ := slices.BinarySearchFunc(ps, h, func(p vpoint, h uint32) int { return cmp.Compare(p.pos, h) })
	if start == len(ps) {
		start = 0 // wrap around
	}
	var out []string
	for j := range ps {
		p := ps[(start+j)%len(ps)]
		if !slices.Contains(out, p.node) {
			out = append(out, p.node)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

func (m *model) get(k string) string {
	if out := m.getN(k, 1); len(out) > 0 {
		return out[0]
	}
	return ""
}

// describe lists the virtual nodes as "position:name", for failure reports.
func (m *model) describe() string {
	ps := m.points()
	if len(ps) == 0 {
		return "ring: empty"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%d:%s", p.pos, p.name)
	}
	return "ring (position:virtual node): " + strings.Join(parts, " ")
}

// q formats a list of names as Go string literals: "a", "b".
func q(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = strconv.Quote(n)
	}
	return strings.Join(parts, ", ")
}

// show formats a lookup result for a report.
func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []string:
		return "[" + q(v) + "]"
	}
	return fmt.Sprint(v)
}

// try runs f, a call into the learner's ring, and turns a panic into an
// error that says which call panicked. A stub's "not implemented yet" is
// passed on as it is, so that the grader recognises it.
func try(call string, f func()) error {
	if err := check.Safely(func() error { f(); return nil }); err != nil {
		return withContext(err, "%s panicked:", call)
	}
	return nil
}

// withContext puts the situation, formatted, before err, unless err is a
// stub's "not implemented yet", which stays as it is.
func withContext(err error, format string, args ...any) error {
	if strings.HasPrefix(err.Error(), check.NotImplemented) {
		return err
	}
	return fmt.Errorf(format+"\n%v", append(args, err)...)
}

// get calls ring.Get, reporting a panic as an error.
func get(ring *hashring.Ring, k string) (got string, err error) {
	err = try(fmt.Sprintf("Get(%q)", k), func() { got = ring.Get(k) })
	return got, err
}

// getN calls ring.GetN, reporting a panic as an error.
func getN(ring *hashring.Ring, k string, n int) (got []string, err error) {
	err = try(fmt.Sprintf("GetN(%q, %d)", k, n), func() { got = ring.GetN(k, n) })
	return got, err
}

// serverNames returns n distinct server names such as "10.0.3.17:11211".
func serverNames(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		s := fmt.Sprintf("10.0.%d.%d:11211", r.IntN(256), r.IntN(256))
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// randomKeys returns n distinct random keys such as "user:1234567".
func randomKeys(r *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "user:" + strconv.FormatUint(r.Uint64()>>16, 10) + ":" + strconv.Itoa(i)
	}
	return out
}

// owners maps every key to the node ring.Get returns for it.
func owners(ring *hashring.Ring, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		got, err := get(ring, k)
		if err != nil {
			return nil, err
		}
		out[k] = got
	}
	return out, nil
}
