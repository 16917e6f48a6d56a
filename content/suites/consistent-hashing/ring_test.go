//go:build dslearnsuite

package hashring_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	hashring "github.com/dslearn/dslearn/exercises/consistent-hashing"
	"github.com/dslearn/dslearn/internal/check"
)

// expectEmpty checks that ring answers as an empty ring does.
func expectEmpty(t *testing.T, ring *hashring.Ring, when string) {
	t.Helper()
	if got := ring.Get("user:42"); got != "" {
		t.Fatal(check.Mismatch(when+`, Get("user:42") must return "" (no node owns anything)`, `""`, show(got)))
	}
	if got := ring.GetN("user:42", 3); len(got) != 0 {
		t.Fatal(check.Mismatch(when+`, GetN("user:42", 3) must return an empty slice`, "[]", show(got)))
	}
	if got := ring.Nodes(); len(got) != 0 {
		t.Fatal(check.Mismatch(when+", Nodes() must return an empty slice", "[]", show(got)))
	}
}

func TestEmptyRingHasNoOwner(t *testing.T) {
	defer check.Recover(t)
	ring := hashring.New(3, nil)
	expectEmpty(t, ring, "on a new ring")
	ring.Add("a", "b")
	ring.Remove("a")
	ring.Remove("b")
	expectEmpty(t, ring, `after Add("a", "b"), Remove("a"), Remove("b")`)
}

func TestOneNodeOwnsEveryKey(t *testing.T) {
	defer check.Recover(t)
	ring := hashring.New(5, nil)
	ring.Add("solo")
	if got := ring.Nodes(); !slices.Equal(got, []string{"solo"}) {
		t.Fatal(check.Mismatch(`after Add("solo"), Nodes()`, show([]string{"solo"}), show(got)))
	}
	for _, k := range randomKeys(check.Rand(1), 300) {
		if got := ring.Get(k); got != "solo" {
			t.Fatal(check.Mismatch(fmt.Sprintf(`a ring holding only "solo": Get(%q)`, k), `"solo"`, show(got)))
		}
		if got := ring.GetN(k, 3); !slices.Equal(got, []string{"solo"}) {
			t.Fatal(check.Mismatch(fmt.Sprintf(`a ring holding only "solo": GetN(%q, 3) returns min(3, 1 node) = 1 node`, k),
				show([]string{"solo"}), show(got)))
		}
	}
}

func TestNewPanicsWhenReplicasIsLessThanOne(t *testing.T) {
	defer check.Recover(t)
	hashring.New(1, nil) // must work
	for _, n := range []int{0, -1} {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			hashring.New(n, nil)
			return
		}()
		if !panicked {
			t.Errorf("New(%d, nil) returned a ring; New must panic when replicas is less than 1", n)
		}
	}
}

func TestVirtualNodesAreNamedNodeHashIndex(t *testing.T) {
	defer check.Recover(t)
	table := map[string]uint32{
		"a#0": 1000, "a#1": 2000, "a#2": 3000,
		"b#0": 1500, "b#1": 2500, "b#2": 3500,
	}
	var mu sync.Mutex
	var hashed []string
	base := tableHash(table)
	hash := func(b []byte) uint32 {
		mu.Lock()
		hashed = append(hashed, string(b))
		mu.Unlock()
		return base(b)
	}
	ring := hashring.New(3, hash)
	ring.Add("a", "b")
	mu.Lock()
	seen := slices.Clone(hashed)
	mu.Unlock()
	var missing []string
	for _, name := range []string{"a#0", "a#1", "a#2", "b#0", "b#1", "b#2"} {
		if !slices.Contains(seen, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		if len(seen) > 12 {
			seen = append(seen[:12], "…")
		}
		t.Fatalf("with replicas = 3, Add(\"a\", \"b\") must hash the virtual node names "+
			"a#0, a#1, a#2, b#0, b#1, b#2 (node + \"#\" + index, index from 0)\n"+
			"  never hashed: %s\n  your ring hashed: %s", q(missing), q(seen))
	}
	m := newModel(3, base)
	m.add("a", "b")
	for _, c := range []struct {
		pos  uint32
		want string
	}{
		{1000, "a"}, {1001, "b"}, {1500, "b"}, {1501, "a"}, {2000, "a"},
		{2001, "b"}, {2500, "b"}, {2501, "a"}, {3000, "a"}, {3001, "b"}, {3500, "b"},
	} {
		got, err := get(ring, key(c.pos))
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Fatal(check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d: Get(%q)",
				m.describe(), key(c.pos), c.pos, key(c.pos)), show(c.want), show(got)))
		}
	}
}

// spacedRing builds a ring of size nodes "a", "b", … whose virtual nodes sit
// at distinct positions, multiples of 10 in [10, 10000], so that the
// positions just before and after each are free.
func spacedRing(r *rand.Rand, size int) (*hashring.Ring, *model, error) {
	replicas := 1 + r.IntN(3)
	nodes := []string{"a", "b", "c", "d", "e"}[:size]
	table := map[string]uint32{}
	used := map[uint32]bool{}
	for _, n := range nodes {
		for i := range replicas {
			for {
				p := 10 * (1 + r.Uint32N(1000))
				if !used[p] {
					used[p] = true
					table[vnodeName(n, i)] = p
					break
				}
			}
		}
	}
	hash := tableHash(table)
	m := newModel(replicas, hash)
	m.add(nodes...)
	var ring *hashring.Ring
	err := try(fmt.Sprintf("New(%d, hash) then Add(%s)", replicas, q(nodes)), func() {
		ring = hashring.New(replicas, hash)
		ring.Add(nodes...)
	})
	return ring, m, err
}

func TestKeyAtAVirtualNodesPositionGoesToThatVirtualNode(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for size := 1; size <= 4; size++ {
			ring, m, err := spacedRing(r, size)
			if err != nil {
				return err
			}
			ps := m.points()
			for i, p := range ps {
				cases := []struct {
					pos  uint32
					want vpoint
					why  string
				}{
					{p.pos, p, fmt.Sprintf("exactly the position of virtual node %s; a key belongs to the first virtual node at or after (>=) its position, so to %s itself", p.name, p.name)},
					{p.pos - 1, p, fmt.Sprintf("just before virtual node %s at %d", p.name, p.pos)},
				}
				if i+1 < len(ps) {
					next := ps[i+1]
					cases = append(cases, struct {
						pos  uint32
						want vpoint
						why  string
					}{p.pos + 1, next, fmt.Sprintf("just after virtual node %s, so it belongs to the next one, %s at %d", p.name, next.name, next.pos)})
				}
				for _, c := range cases {
					got, err := get(ring, key(c.pos))
					if err != nil {
						return err
					}
					if got != c.want.node {
						return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d, %s: Get(%q)",
							m.describe(), key(c.pos), c.pos, c.why, key(c.pos)), show(c.want.node), show(got))
					}
				}
			}
		}
		return nil
	})
}

func TestKeysPastTheLastVirtualNodeWrapToTheFirst(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for size := 1; size <= 4; size++ {
			ring, m, err := spacedRing(r, size)
			if err != nil {
				return err
			}
			ps := m.points()
			first, last := ps[0], ps[len(ps)-1]
			past := []uint32{last.pos + 1, last.pos + 1 + r.Uint32N(math.MaxUint32-last.pos), math.MaxUint32}
			for _, pos := range past {
				got, err := get(ring, key(pos))
				if err != nil {
					return withContext(err, "%s\nkey %q sits at position %d, past the last virtual node (%s at %d)",
						m.describe(), key(pos), pos, last.name, last.pos)
				}
				if got != first.node {
					return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d, past the last virtual node (%s at %d), so it wraps around to the first, %s at %d: Get(%q)",
						m.describe(), key(pos), pos, last.name, last.pos, first.name, first.pos, key(pos)), show(first.node), show(got))
				}
				want := m.getN(key(pos), size)
				gotN, err := getN(ring, key(pos), size)
				if err != nil {
					return withContext(err, "%s\nkey %q sits at position %d, past the last virtual node", m.describe(), key(pos), pos)
				}
				if !slices.Equal(gotN, want) {
					return check.Mismatch(fmt.Sprintf("%s\nkey %q sits past the last virtual node; GetN wraps around to the first virtual node and walks on from there: GetN(%q, %d)",
						m.describe(), key(pos), key(pos), size), show(want), show(gotN))
				}
			}
			for _, pos := range []uint32{0, first.pos - 1} {
				got, err := get(ring, key(pos))
				if err != nil {
					return err
				}
				if got != first.node {
					return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d, before the first virtual node (%s at %d): Get(%q)",
						m.describe(), key(pos), pos, first.name, first.pos, key(pos)), show(first.node), show(got))
				}
			}
		}
		return nil
	})
}

// compareWithModel checks Nodes, and Get and GetN for every key position in
// [0, span], against the reference ring.
func compareWithModel(ring *hashring.Ring, m *model, span uint32, history []string) error {
	context := func() string {
		return "after " + strings.Join(history, ", ") + "\n" + m.describe()
	}
	var nodes []string
	if err := try("Nodes()", func() { nodes = ring.Nodes() }); err != nil {
		return withContext(err, "%s", context())
	}
	if want := m.sortedNodes(); !slices.Equal(nodes, want) {
		return check.Mismatch(context()+"\nNodes() (each node once, sorted)", show(want), show(nodes))
	}
	for pos := uint32(0); pos <= span; pos++ {
		k := key(pos)
		got, err := get(ring, k)
		if err != nil {
			return withContext(err, "%s", context())
		}
		if want := m.get(k); got != want {
			return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d: Get(%q)", context(), k, pos, k), show(want), show(got))
		}
		// Two replicas and "all of them"; TestGetNReturnsDistinctNodesInRingOrder
		// tries every n.
		for _, n := range []int{2, len(m.nodes) + 1} {
			gotN, err := getN(ring, k, n)
			if err != nil {
				return withContext(err, "%s", context())
			}
			if want := m.getN(k, n); !slices.Equal(gotN, want) {
				return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d: GetN(%q, %d)", context(), k, pos, k, n), show(want), show(gotN))
			}
		}
	}
	return nil
}

func TestLookupsMatchTheRingDefinition(t *testing.T) {
	defer check.Recover(t)
	const span = 40
	pool := []string{"a", "b", "c", "d", "e"}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Small rings first, so that the first failure is a small one.
		for size := 2; size <= len(pool); size++ {
			replicas := 1 + r.IntN(3)
			hash := numHash(r.Uint32(), span)
			m := newModel(replicas, hash)
			var ring *hashring.Ring
			history := []string{fmt.Sprintf("New(%d, hash)", replicas)}
			if err := try(history[0], func() { ring = hashring.New(replicas, hash) }); err != nil {
				return err
			}
			for range 2*size + 2 {
				var call string
				var op func()
				if r.IntN(3) < 2 {
					batch := make([]string, 1+r.IntN(2))
					for i := range batch {
						batch[i] = pool[r.IntN(size)]
					}
					call = "Add(" + q(batch) + ")"
					op = func() { ring.Add(batch...) }
					m.add(batch...)
				} else {
					node := pool[r.IntN(size)]
					call = fmt.Sprintf("Remove(%q)", node)
					op = func() { ring.Remove(node) }
					m.remove(node)
				}
				history = append(history, call)
				if err := try(call, op); err != nil {
					return withContext(err, "after %s", strings.Join(history[:len(history)-1], ", "))
				}
				if err := compareWithModel(ring, m, span, history); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func TestMappingDoesNotDependOnInsertionOrder(t *testing.T) {
	defer check.Recover(t)
	letters := []string{"a", "b", "c", "d", "e", "f"}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Crowded rings first, small to large: positions in [0, 32), so
		// virtual nodes often share a position. Then a realistic ring with
		// the default hash.
		for size := 2; size <= len(letters)+1; size++ {
			crowded := size <= len(letters)
			var nodes, extras, keys []string
			var hash hashring.Hash // nil: the default
			hashDesc := "nil"
			var replicas int
			if crowded {
				nodes, extras = letters[:size], []string{"x", "y"}
				replicas = 1 + r.IntN(3)
				hash, hashDesc = numHash(r.Uint32(), 32), "hash"
				for p := range uint32(33) {
					keys = append(keys, key(p))
				}
			} else {
				nodes, extras = serverNames(r, 2+r.IntN(6)), []string{"10.1.0.1:11211", "10.1.0.2:11211"}
				slices.Sort(nodes)
				replicas = 1 + r.IntN(20)
				keys = randomKeys(r, 300)
			}
			one := hashring.New(replicas, hash)
			one.Add(nodes...)
			oneDesc := fmt.Sprintf("New(%d, %s), Add(%s)", replicas, hashDesc, q(nodes))

			// The same nodes, shuffled, in batches, with duplicates and with
			// extra nodes that come and go.
			two := hashring.New(replicas, hash)
			calls := []string{fmt.Sprintf("New(%d, %s)", replicas, hashDesc)}
			shuffled := slices.Clone(nodes)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			for i := 0; i < len(shuffled); {
				j := min(len(shuffled), i+1+r.IntN(2))
				batch := slices.Clone(shuffled[i:j])
				if r.IntN(3) == 0 {
					batch = append(batch, extras[0])
				}
				if i > 0 && r.IntN(3) == 0 {
					batch = append(batch, shuffled[r.IntN(i)])
				}
				two.Add(batch...)
				calls = append(calls, "Add("+q(batch)+")")
				if r.IntN(3) == 0 {
					two.Add(extras[1])
					calls = append(calls, fmt.Sprintf("Add(%q)", extras[1]))
				}
				i = j
			}
			for _, x := range extras {
				two.Remove(x)
				calls = append(calls, fmt.Sprintf("Remove(%q)", x))
			}
			twoDesc := strings.Join(calls, ", ")
			layout := ""
			if crowded {
				m := newModel(replicas, hash)
				m.add(nodes...)
				layout = "\n" + m.describe()
			}

			for _, k := range keys {
				a, err := get(one, k)
				if err != nil {
					return withContext(err, "%s", oneDesc)
				}
				b, err := get(two, k)
				if err != nil {
					return withContext(err, "%s", twoDesc)
				}
				if a != b {
					return check.Mismatch(fmt.Sprintf("the same nodes added in a different order must give the same owners%s\n  ring 1: %s\n  ring 2: %s\nGet(%q) (expected is ring 1's answer, actual is ring 2's)",
						layout, oneDesc, twoDesc, k), show(a), show(b))
				}
				an, err := getN(one, k, 3)
				if err != nil {
					return withContext(err, "%s", oneDesc)
				}
				bn, err := getN(two, k, 3)
				if err != nil {
					return withContext(err, "%s", twoDesc)
				}
				if !slices.Equal(an, bn) {
					return check.Mismatch(fmt.Sprintf("the same nodes added in a different order must give the same replicas%s\n  ring 1: %s\n  ring 2: %s\nGetN(%q, 3) (expected is ring 1's answer, actual is ring 2's)",
						layout, oneDesc, twoDesc, k), show(an), show(bn))
				}
			}
		}
		return nil
	})
}

func TestVirtualNodesAtTheSamePositionGoToTheSmallerName(t *testing.T) {
	defer check.Recover(t)
	table := map[string]uint32{"a#0": 500, "b#0": 500, "c#0": 900}
	const layout = "ring (position:virtual node): 500:a#0 500:b#0 900:c#0 (a#0 and b#0 share position 500)"
	for _, order := range [][]string{{"b", "a", "c"}, {"a", "b", "c"}, {"c", "b", "a"}} {
		ring := hashring.New(1, tableHash(table))
		history := []string{"New(1, hash)"}
		for _, n := range order {
			ring.Add(n)
			history = append(history, fmt.Sprintf("Add(%q)", n))
		}
		expect := func(pos uint32, want string, why string) {
			t.Helper()
			got, err := get(ring, key(pos))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatal(check.Mismatch(fmt.Sprintf("%s\nafter %s\n%s: Get(%q)", layout, strings.Join(history, ", "), why, key(pos)), show(want), show(got)))
			}
		}
		why := "a#0 and b#0 share position 500; the smaller node name owns it, whatever the order of the Add calls"
		expect(500, "a", why)
		expect(100, "a", why)
		expect(501, "c", "key 501 is past 500, so it goes to c#0 at 900")
		expect(901, "a", why+" (key 901 wraps around to position 500)")
		if got := ring.GetN(key(500), 3); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatal(check.Mismatch(fmt.Sprintf("%s\nafter %s\nat equal positions the smaller name comes first: GetN(\"500\", 3)", layout, strings.Join(history, ", ")),
				show([]string{"a", "b", "c"}), show(got)))
		}
		ring.Remove("a")
		history = append(history, `Remove("a")`)
		why = "b#0 still sits at 500 after a is removed, so b owns that point now"
		expect(500, "b", why)
		expect(901, "b", why)
		ring.Add("a")
		history = append(history, `Add("a")`)
		expect(500, "a", "a is back at 500, and the smaller name owns a shared position")
		ring.Remove("b")
		history = append(history, `Remove("b")`)
		expect(500, "a", "a#0 still sits at 500 after b is removed")
	}

	// Ties go by node name, not by virtual node name: "a" < "a!", but
	// "a!#0" < "a#0" because '!' sorts before '#'.
	for _, order := range [][]string{{"a!", "a"}, {"a", "a!"}} {
		ring := hashring.New(1, tableHash(map[string]uint32{"a#0": 500, "a!#0": 500}))
		ring.Add(order...)
		const layout = "ring (position:virtual node): 500:a#0 500:a!#0 (both at position 500; the node names \"a\" < \"a!\", although the virtual node names \"a!#0\" < \"a#0\")"
		history := fmt.Sprintf("New(1, hash), Add(%s)", q(order))
		if got := ring.Get(key(500)); got != "a" {
			t.Fatal(check.Mismatch(fmt.Sprintf("%s\nafter %s\nvirtual nodes at the same position are ordered by node name, not by virtual node name: Get(\"500\")", layout, history), show("a"), show(got)))
		}
		if got := ring.GetN(key(500), 2); !slices.Equal(got, []string{"a", "a!"}) {
			t.Fatal(check.Mismatch(fmt.Sprintf("%s\nafter %s\nvirtual nodes at the same position are ordered by node name, not by virtual node name: GetN(\"500\", 2)", layout, history), show([]string{"a", "a!"}), show(got)))
		}
	}

	// Two virtual nodes of the same node at one position both go on Remove.
	table2 := map[string]uint32{"x#0": 700, "x#1": 700, "y#0": 300, "y#1": 1000}
	ring := hashring.New(2, tableHash(table2))
	ring.Add("x", "y")
	if got := ring.Get("700"); got != "x" {
		t.Fatal(check.Mismatch("ring (position:virtual node): 300:y#0 700:x#0 700:x#1 1000:y#1\nGet(\"700\")", show("x"), show(got)))
	}
	ring.Remove("x")
	if got := ring.Get("700"); got != "y" {
		t.Fatal(check.Mismatch("ring (position:virtual node): 300:y#0 700:x#0 700:x#1 1000:y#1\n"+
			"after Remove(\"x\") neither x#0 nor x#1 may remain, so key \"700\" goes on to y#1 at 1000: Get(\"700\")", show("y"), show(got)))
	}
	if got := ring.Nodes(); !slices.Equal(got, []string{"y"}) {
		t.Fatal(check.Mismatch(`after Add("x", "y"), Remove("x"): Nodes()`, show([]string{"y"}), show(got)))
	}
}

func TestAddingANodeMovesKeysOnlyToTheNewNode(t *testing.T) {
	defer check.Recover(t)
	const replicas, nkeys = 100, 1000
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 1 + r.IntN(10)
		names := serverNames(r, n+1)
		old, added := names[:n], names[n]
		ring := hashring.New(replicas, nil)
		ring.Add(old...)
		keys := randomKeys(r, nkeys)
		before, err := owners(ring, keys)
		if err != nil {
			return err
		}
		ring.Add(added)
		after, err := owners(ring, keys)
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("a ring of %d node(s) with %d virtual nodes each (default hash), then Add(%q)", n, replicas, added)
		moved := 0
		for _, k := range keys {
			if after[k] == before[k] {
				continue
			}
			if after[k] != added {
				return check.Mismatch(fmt.Sprintf("%s:\nkey %q moved from %q to %q; adding a node may only move keys to the new node: Get(%q)",
					desc, k, before[k], after[k], k), show(before[k])+" (unchanged) or "+show(added), show(after[k]))
			}
			moved++
		}
		share, fair := float64(moved)/nkeys, 1/float64(n+1)
		if share > 2*fair || share < fair/3 {
			return check.Mismatch(fmt.Sprintf("%s:\nthe new node should take about 1/(N+1) = 1/%d of the keys (between 1/3 and 2 times that); share of %d keys that moved",
				desc, n+1, nkeys), fmt.Sprintf("about %.3f", fair), fmt.Sprintf("%.3f (%d keys)", share, moved))
		}
		return nil
	})
}

func TestRemovingANodeMovesOnlyItsKeys(t *testing.T) {
	defer check.Recover(t)
	const replicas, nkeys = 100, 1000
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 2 + r.IntN(9)
		names := serverNames(r, n)
		gone := names[r.IntN(n)]
		ring := hashring.New(replicas, nil)
		ring.Add(names...)
		keys := randomKeys(r, nkeys)
		before, err := owners(ring, keys)
		if err != nil {
			return err
		}
		ring.Remove(gone)
		after, err := owners(ring, keys)
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("a ring of %d nodes with %d virtual nodes each (default hash), then Remove(%q)", n, replicas, gone)
		for _, k := range keys {
			switch {
			case before[k] != gone && after[k] != before[k]:
				return check.Mismatch(fmt.Sprintf("%s:\nkey %q belonged to %q, not to the removed node, so it must stay where it was: Get(%q)",
					desc, k, before[k], k), show(before[k]), show(after[k]))
			case before[k] == gone && (after[k] == gone || !slices.Contains(names, after[k])):
				return check.Mismatch(fmt.Sprintf("%s:\nkey %q belonged to the removed node, so it must move to one of the remaining nodes: Get(%q)",
					desc, k, k), "another node", show(after[k]))
			}
		}
		return nil
	})
}

func TestAddThenRemoveRestoresTheMapping(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 1 + r.IntN(8)
		names := serverNames(r, n+1)
		replicas := 1 + r.IntN(50)
		ring := hashring.New(replicas, nil)
		ring.Add(names[:n]...)
		keys := randomKeys(r, 400)
		snapshot := func() (map[string][]string, error) {
			out := map[string][]string{}
			for _, k := range keys {
				got, err := getN(ring, k, 3)
				if err != nil {
					return nil, err
				}
				out[k] = got
			}
			return out, nil
		}
		before, err := snapshot()
		if err != nil {
			return err
		}
		for _, step := range [][2]string{{"Add", names[n]}, {"Remove", names[0]}} {
			var calls string
			if step[0] == "Add" {
				ring.Add(step[1])
				ring.Remove(step[1])
				calls = fmt.Sprintf("Add(%q) then Remove(%q)", step[1], step[1])
			} else {
				ring.Remove(step[1])
				ring.Add(step[1])
				calls = fmt.Sprintf("Remove(%q) then Add(%q)", step[1], step[1])
			}
			after, err := snapshot()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if !slices.Equal(after[k], before[k]) {
					return check.Mismatch(fmt.Sprintf("a ring of %d node(s) with %d virtual nodes each (default hash); %s must restore every key's placement: GetN(%q, 3)",
						n, replicas, calls, k), show(before[k]), show(after[k]))
				}
			}
		}
		return nil
	})
}

func TestVirtualNodesSpreadTheLoadEvenly(t *testing.T) {
	defer check.Recover(t)
	const replicas, nkeys, bound = 160, 5000, 1.5
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		n := 8 + r.IntN(5)
		names := serverNames(r, n)
		ring := hashring.New(replicas, nil)
		ring.Add(names...)
		load := map[string]int{}
		for _, k := range randomKeys(r, nkeys) {
			got, err := get(ring, k)
			if err != nil {
				return err
			}
			load[got]++
		}
		mean := float64(nkeys) / float64(n)
		busiest := ""
		for _, name := range names {
			if busiest == "" || load[name] > load[busiest] {
				busiest = name
			}
		}
		if ratio := float64(load[busiest]) / mean; ratio > bound {
			var parts []string
			for _, name := range names {
				parts = append(parts, fmt.Sprintf("%s=%d", name, load[name]))
			}
			return check.Mismatch(fmt.Sprintf("%d nodes with %d virtual nodes each (default hash), %d random keys: with virtual nodes no node should get more than %.1f× its fair share (%.0f keys)\n  keys per node: %s\nbusiest node's load / mean load",
				n, replicas, nkeys, bound, mean, strings.Join(parts, " ")), fmt.Sprintf("at most %.1f", bound), fmt.Sprintf("%.2f (%s got %d)", ratio, busiest, load[busiest]))
		}
		return nil
	})
}

func TestGetNReturnsDistinctNodesInRingOrder(t *testing.T) {
	defer check.Recover(t)
	const span = 32
	pool := []string{"a", "b", "c", "d", "e", "f"}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for size := 2; size <= len(pool); size++ {
			replicas := 1 + r.IntN(4)
			hash := numHash(r.Uint32(), span)
			nodes := pool[:size]
			m := newModel(replicas, hash)
			m.add(nodes...)
			ring := hashring.New(replicas, hash)
			ring.Add(nodes...)
			context := fmt.Sprintf("New(%d, hash), Add(%s)\n%s", replicas, q(nodes), m.describe())
			for pos := uint32(0); pos <= span; pos++ {
				k := key(pos)
				for n := -1; n <= size+2; n++ {
					got, err := getN(ring, k, n)
					if err != nil {
						return withContext(err, "%s", context)
					}
					call := fmt.Sprintf("GetN(%q, %d)", k, n)
					if want := min(max(n, 0), size); len(got) != want {
						return check.Mismatch(fmt.Sprintf("%s\n%s returns min(n, number of nodes) nodes (none when n < 1); number of nodes in %s",
							context, call, call), want, fmt.Sprintf("%d: %s", len(got), show(got)))
					}
					for i, node := range got {
						if slices.Contains(got[:i], node) {
							return check.Mismatch(fmt.Sprintf("%s\n%s must return distinct nodes (replicas on different machines); %s returned %q twice",
								context, call, call, node), "no node twice", show(got))
						}
					}
					if want := m.getN(k, n); !slices.Equal(got, want) {
						return check.Mismatch(fmt.Sprintf("%s\nkey %q sits at position %d; GetN lists the owner, then the nodes of the next virtual nodes clockwise, skipping nodes already listed: %s",
							context, k, pos, call), show(want), show(got))
					}
				}
			}
		}
		return nil
	})
}

func TestAddingTwiceOrRemovingAnUnknownNodeChangesNothing(t *testing.T) {
	defer check.Recover(t)
	ring := hashring.New(4, mixHash)
	ring.Add("a", "b", "c")
	keys := randomKeys(check.Rand(7), 500)
	before, err := owners(ring, keys)
	if err != nil {
		t.Fatal(err)
	}
	history := []string{`New(4, hash)`, `Add("a", "b", "c")`}
	steps := []struct {
		call string
		do   func()
	}{
		{`Add("b")`, func() { ring.Add("b") }},
		{`Add("a", "a")`, func() { ring.Add("a", "a") }},
		{`Add("")`, func() { ring.Add("") }},
		{`Remove("zz")`, func() { ring.Remove("zz") }},
		{`Remove("")`, func() { ring.Remove("") }},
	}
	for _, s := range steps {
		history = append(history, s.call)
		if err := try(s.call, s.do); err != nil {
			t.Fatal(err)
		}
		if got := ring.Nodes(); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatal(check.Mismatch(fmt.Sprintf("after %s\nadding a node already on the ring, adding \"\", or removing a node not on it changes nothing: Nodes()",
				strings.Join(history, ", ")), show([]string{"a", "b", "c"}), show(got)))
		}
		after, err := owners(ring, keys)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if after[k] != before[k] {
				t.Fatal(check.Mismatch(fmt.Sprintf("after %s\nadding a node already on the ring, adding \"\", or removing a node not on it changes nothing: Get(%q)",
					strings.Join(history, ", "), k), show(before[k]), show(after[k])))
			}
		}
	}
	ring.Remove("b")
	history = append(history, `Remove("b")`)
	for _, k := range keys {
		if got := ring.Get(k); got == "b" || got == "" {
			t.Fatal(check.Mismatch(fmt.Sprintf("after %s\nb was added twice but is on the ring once, so one Remove takes it off: Get(%q)",
				strings.Join(history, ", "), k), `"a" or "c"`, show(got)))
		}
	}
	if got := ring.Nodes(); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatal(check.Mismatch(fmt.Sprintf("after %s: Nodes()", strings.Join(history, ", ")), show([]string{"a", "c"}), show(got)))
	}
}

func TestNilHashMeansDefaultHash(t *testing.T) {
	defer check.Recover(t)
	for _, s := range []string{"", "a#0", "10.0.0.1:11211#3", "user:42"} {
		if got, want := hashring.DefaultHash([]byte(s)), md5Hash([]byte(s)); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("DefaultHash([]byte(%q)) is the first four bytes of MD5, little-endian", s), want, got))
		}
	}
	r := check.Rand(3)
	names := serverNames(r, 5)
	ring := hashring.New(20, nil)
	ring.Add(names...)
	m := newModel(20, md5Hash)
	m.add(names...)
	for _, k := range randomKeys(r, 1000) {
		got, err := get(ring, k)
		if err != nil {
			t.Fatal(err)
		}
		if want := m.get(k); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf("New(20, nil) must place virtual nodes and keys with DefaultHash; ring of %s: Get(%q)", q(names), k), show(want), show(got)))
		}
	}
}

func TestNodesAndGetNReturnNewSlices(t *testing.T) {
	defer check.Recover(t)
	ring := hashring.New(10, mixHash)
	ring.Add("a", "b", "c")
	nodes := ring.Nodes()
	nodes[0] = "zz"
	if got := ring.Nodes(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatal(check.Mismatch("changing the slice Nodes() returned must not change the ring: Nodes()", show([]string{"a", "b", "c"}), show(got)))
	}
	first := ring.GetN("user:1", 3)
	want := slices.Clone(first)
	first[0], first[1], first[2] = "zz", "zz", "zz"
	if got := ring.GetN("user:1", 3); !slices.Equal(got, want) {
		t.Fatal(check.Mismatch(`changing the slice GetN returned must not change the ring: GetN("user:1", 3)`, show(want), show(got)))
	}
	if got := ring.Get("user:1"); got != want[0] {
		t.Fatal(check.Mismatch(`changing the slice GetN returned must not change the ring: Get("user:1")`, show(want[0]), show(got)))
	}
}
