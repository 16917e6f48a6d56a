//go:build dslearnsuite

package lru_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dslearn/dslearn/exercises/lru-cache"
	"github.com/dslearn/dslearn/internal/check"
)

const defaultRuns = 30

// ---- the reference model ---------------------------------------------------

type opKind int

const (
	opPut opKind = iota
	opGet
	opPeek
	opRemove
)

type op struct {
	kind     opKind
	key, val int
}

func (o op) String() string {
	switch o.kind {
	case opPut:
		return fmt.Sprintf("c.Put(%d, %d)", o.key, o.val)
	case opGet:
		return fmt.Sprintf("c.Get(%d)", o.key)
	case opPeek:
		return fmt.Sprintf("c.Peek(%d)", o.key)
	default:
		return fmt.Sprintf("c.Remove(%d)", o.key)
	}
}

// model is the simplest LRU there is: a slice of keys ordered from least to
// most recently used, scanned on every operation.
type model struct {
	capacity int
	order    []int
	vals     map[int]int
}

func (m *model) touch(key int) {
	i := slices.Index(m.order, key)
	m.order = append(slices.Delete(m.order, i, i+1), key)
}

// apply runs o and returns what the cache should return and the entries it
// should evict, formatted as onEvict calls.
func (m *model) apply(o op) (result string, evicted []string) {
	v, present := m.vals[o.key]
	switch o.kind {
	case opPut:
		if m.capacity <= 0 {
			return "", nil
		}
		if present {
			m.touch(o.key)
		} else {
			if len(m.order) >= m.capacity {
				victim := m.order[0]
				m.order = m.order[1:]
				evicted = append(evicted, fmt.Sprintf("onEvict(%d, %d)", victim, m.vals[victim]))
				delete(m.vals, victim)
			}
			m.order = append(m.order, o.key)
		}
		m.vals[o.key] = o.val
		return "", evicted
	case opGet:
		if present {
			m.touch(o.key)
		}
		return fmt.Sprintf("%d, %v", v, present), nil
	case opPeek:
		return fmt.Sprintf("%d, %v", v, present), nil
	default:
		if present {
			m.order = slices.DeleteFunc(m.order, func(k int) bool { return k == o.key })
			delete(m.vals, o.key)
		}
		return fmt.Sprint(present), nil
	}
}

// state is everything observable after one step.
type state struct {
	result  string
	evicted []string
	length  int
	keys    []int
}

func (s state) String() string {
	var b strings.Builder
	if s.result != "" {
		fmt.Fprintf(&b, "returns %s; ", s.result)
	}
	if len(s.evicted) == 0 {
		b.WriteString("no onEvict call; ")
	} else {
		fmt.Fprintf(&b, "%s; ", strings.Join(s.evicted, ", "))
	}
	fmt.Fprintf(&b, "Len() = %d; Keys() = %v", s.length, s.keys)
	return b.String()
}

func (s state) equal(o state) bool {
	return s.result == o.result && slices.Equal(s.evicted, o.evicted) && s.length == o.length && slices.Equal(s.keys, o.keys)
}

// divergence is the first step at which the cache and the model disagree.
type divergence struct {
	step      int
	want, got state
	panicked  error
}

// compare runs ops on a fresh cache and on the model, comparing everything
// observable after every step.
func compare(capacity int, ops []op) *divergence {
	var evicted []string
	var c *lru.Cache[int, int]
	if err := check.Safely(func() error {
		c = lru.New[int, int](capacity, func(k, v int) { evicted = append(evicted, fmt.Sprintf("onEvict(%d, %d)", k, v)) })
		return nil
	}); err != nil {
		return &divergence{step: -1, panicked: err}
	}
	m := &model{capacity: capacity, vals: map[int]int{}}
	for i, o := range ops {
		var want, got state
		want.result, want.evicted = m.apply(o)
		want.length, want.keys = len(m.order), slices.Clone(m.order)
		if want.keys == nil {
			want.keys = []int{}
		}
		evicted = nil
		err := check.Safely(func() error {
			switch o.kind {
			case opPut:
				c.Put(o.key, o.val)
			case opGet:
				v, ok := c.Get(o.key)
				got.result = fmt.Sprintf("%d, %v", v, ok)
			case opPeek:
				v, ok := c.Peek(o.key)
				got.result = fmt.Sprintf("%d, %v", v, ok)
			default:
				got.result = fmt.Sprint(c.Remove(o.key))
			}
			got.evicted = evicted
			got.length = c.Len()
			got.keys = c.Keys()
			if got.keys == nil {
				got.keys = []int{}
			}
			return nil
		})
		if err != nil {
			return &divergence{step: i, want: want, panicked: err}
		}
		if !want.equal(got) {
			return &divergence{step: i, want: want, got: got}
		}
	}
	return nil
}

// shrink looks for a shorter sequence and a smaller capacity that still
// make the cache disagree with the model.
func shrink(capacity int, ops []op, d *divergence) (int, []op, *divergence) {
	ops = ops[:d.step+1]
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(ops); i++ {
			cand := slices.Delete(slices.Clone(ops), i, i+1)
			if cd := compare(capacity, cand); cd != nil {
				ops, d, changed = cand[:cd.step+1], cd, true
				i--
			}
		}
		if capacity > 1 {
			if cd := compare(capacity-1, ops); cd != nil {
				capacity, ops, d, changed = capacity-1, ops[:cd.step+1], cd, true
			}
		}
	}
	return capacity, ops, d
}

func report(capacity int, ops []op, d *divergence) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the cache disagrees with a reference LRU (a list of keys ordered by last use) on this sequence:\n")
	fmt.Fprintf(&b, "    c := New[int, int](%d, onEvict)\n", capacity)
	if d.step < 0 {
		fmt.Fprintf(&b, "New panicked: %v", d.panicked)
		return fmt.Errorf("%s", b.String())
	}
	for _, o := range ops[:d.step+1] {
		fmt.Fprintf(&b, "    %s\n", o)
	}
	last := ops[d.step].String()
	if d.panicked != nil {
		fmt.Fprintf(&b, "%s panicked: %v\n  expected: %s", last, d.panicked, d.want)
		return fmt.Errorf("%s", b.String())
	}
	return check.Mismatch(b.String()+"after the last step, "+last, d.want, d.got)
}

func randomOps(r *rand.Rand, capacity, n int) []op {
	keys := max(capacity, 1) + 2
	ops := make([]op, n)
	for i := range ops {
		o := op{key: r.IntN(keys)}
		switch x := r.IntN(20); {
		case x < 8:
			o.kind, o.val = opPut, 100+i
		case x < 15:
			o.kind = opGet
		case x < 17:
			o.kind = opPeek
		default:
			o.kind = opRemove
		}
		ops[i] = o
	}
	return ops
}

func TestMatchesReferenceLRUAfterEveryStep(t *testing.T) {
	defer check.Recover(t)
	capacities := []int{-1, 0, 1, 1, 2, 2, 3, 3, 4, 5, 8}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for round := 0; round < 10; round++ {
			capacity := capacities[r.IntN(len(capacities))]
			ops := randomOps(r, capacity, 20+r.IntN(60))
			if d := compare(capacity, ops); d != nil {
				if d.panicked != nil && strings.HasPrefix(d.panicked.Error(), check.NotImplemented) {
					return d.panicked
				}
				return report(shrink(capacity, ops, d))
			}
		}
		return nil
	})
}

// ---- targeted properties ------------------------------------------------------

// recorder collects onEvict calls.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) onEvict(k string, v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("(%s, %d)", k, v))
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func keysOf(c *lru.Cache[string, int]) []string {
	k := c.Keys()
	if k == nil {
		k = []string{}
	}
	return k
}

// script is a sequence of calls on a string-keyed cache, for messages.
type script struct {
	lines []string
	c     *lru.Cache[string, int]
	rec   *recorder
}

func newScript(capacity int) *script {
	rec := &recorder{}
	return &script{
		lines: []string{fmt.Sprintf("c := New[string, int](%d, onEvict)", capacity)},
		c:     lru.New[string, int](capacity, rec.onEvict),
		rec:   rec,
	}
}

func (s *script) put(k string, v int) []string {
	s.lines = append(s.lines, fmt.Sprintf("c.Put(%q, %d)", k, v))
	s.c.Put(k, v)
	return s.rec.take()
}

func (s *script) get(k string) (int, bool) {
	s.lines = append(s.lines, fmt.Sprintf("c.Get(%q)", k))
	return s.c.Get(k)
}

func (s *script) peek(k string) (int, bool) {
	s.lines = append(s.lines, fmt.Sprintf("c.Peek(%q)", k))
	return s.c.Peek(k)
}

func (s *script) remove(k string) bool {
	s.lines = append(s.lines, fmt.Sprintf("c.Remove(%q)", k))
	return s.c.Remove(k)
}

func (s *script) after() string { return "after\n    " + strings.Join(s.lines, "\n    ") + "\n" }

func TestGetHitRefreshesRecency(t *testing.T) {
	defer check.Recover(t)
	s := newScript(2)
	s.put("a", 1)
	s.put("b", 2)
	if v, ok := s.get("a"); v != 1 || !ok {
		t.Fatal(check.Mismatch(s.after()+"the Get of \"a\" returned", "1, true", fmt.Sprintf("%d, %v", v, ok)))
	}
	if ev := s.put("c", 3); !slices.Equal(ev, []string{"(b, 2)"}) {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put: the Get made \"a\" more recently used than \"b\", so \"b\" is the victim", "[(b, 2)]", ev))
	}
	if k := keysOf(s.c); !slices.Equal(k, []string{"a", "c"}) {
		t.Fatal(check.Mismatch(s.after()+"Keys() (least recently used first)", "[a c]", k))
	}
}

func TestPeekDoesNotRefreshRecency(t *testing.T) {
	defer check.Recover(t)
	s := newScript(2)
	s.put("a", 1)
	s.put("b", 2)
	if v, ok := s.peek("a"); v != 1 || !ok {
		t.Fatal(check.Mismatch(s.after()+"the Peek of \"a\" returned", "1, true", fmt.Sprintf("%d, %v", v, ok)))
	}
	if k := keysOf(s.c); !slices.Equal(k, []string{"a", "b"}) {
		t.Fatal(check.Mismatch(s.after()+"Keys() (least recently used first): Peek leaves the order alone", "[a b]", k))
	}
	if ev := s.put("c", 3); !slices.Equal(ev, []string{"(a, 1)"}) {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put: Peek is not a use, so \"a\" is still the least recently used", "[(a, 1)]", ev))
	}
}

func TestOverwriteRefreshesRecencyWithoutEvicting(t *testing.T) {
	defer check.Recover(t)
	s := newScript(2)
	s.put("a", 1)
	s.put("b", 2)
	if ev := s.put("a", 10); len(ev) != 0 {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put: it replaced the value of \"a\", which was already in the full cache, so nothing needs to leave", "none", ev))
	}
	if n := s.c.Len(); n != 2 {
		t.Fatal(check.Mismatch(s.after()+"Len()", 2, n))
	}
	if k := keysOf(s.c); !slices.Equal(k, []string{"b", "a"}) {
		t.Fatal(check.Mismatch(s.after()+"Keys() (least recently used first): an overwrite is a use, so \"a\" is now the most recently used", "[b a]", k))
	}
	if ev := s.put("c", 3); !slices.Equal(ev, []string{"(b, 2)"}) {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put: overwriting \"a\" made it more recently used than \"b\"", "[(b, 2)]", ev))
	}
	if v, ok := s.get("a"); v != 10 || !ok {
		t.Fatal(check.Mismatch(s.after()+"the last Get returned", "10, true (the new value)", fmt.Sprintf("%d, %v", v, ok)))
	}
}

func TestVictimIsTheLeastRecentlyUsedEntry(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		capacity := 2 + r.IntN(20)
		var evicted []int
		c := lru.New[int, int](capacity, func(k, v int) { evicted = append(evicted, k) })
		lastUse := map[int]int{} // key -> time of its last Get or Put
		now := 0
		next := 0
		for round := 0; round < 20; round++ {
			for len(lastUse) < capacity {
				c.Put(next, next)
				lastUse[next] = now
				next++
				now++
			}
			// Use random keys, by Get or by overwriting Put.
			for i := r.IntN(3 * capacity); i > 0; i-- {
				keys := make([]int, 0, len(lastUse))
				for k := range lastUse {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				k := keys[r.IntN(len(keys))]
				if r.IntN(2) == 0 {
					if _, ok := c.Get(k); !ok {
						return fmt.Errorf("c.Get(%d) missed, but %d was put and never evicted (capacity %d)", k, k, capacity)
					}
				} else {
					c.Put(k, k)
				}
				lastUse[k] = now
				now++
			}
			want, oldest := -1, now
			for k, at := range lastUse {
				if at < oldest {
					want, oldest = k, at
				}
			}
			evicted = nil
			c.Put(next, next)
			lastUse[next] = now
			next++
			now++
			if len(evicted) != 1 || evicted[0] != want {
				return check.Mismatch(fmt.Sprintf("keys evicted by a Put of a new key into a full cache of capacity %d: the victim is the key whose last Get or Put is the oldest (key %d, last used %d operations ago), whatever the order of insertion",
					capacity, want, now-1-oldest), []int{want}, evicted)
			}
			delete(lastUse, want)
		}
		return nil
	})
}

func TestEvictsOnlyWhenFull(t *testing.T) {
	defer check.Recover(t)
	for capacity := 1; capacity <= 6; capacity++ {
		s := newScript(capacity)
		for i := 0; i < capacity; i++ {
			if ev := s.put(fmt.Sprint(i), i); len(ev) != 0 {
				t.Fatal(check.Mismatch(s.after()+fmt.Sprintf("onEvict calls of the last Put: the cache held %d entries, fewer than its capacity %d", i, capacity), "none", ev))
			}
			if n := s.c.Len(); n != i+1 {
				t.Fatal(check.Mismatch(s.after()+"Len()", i+1, n))
			}
		}
		if ev := s.put("new", 99); !slices.Equal(ev, []string{"(0, 0)"}) {
			t.Fatal(check.Mismatch(s.after()+fmt.Sprintf("onEvict calls of the last Put: the cache was full (%d of %d), so exactly one entry, the least recently used, must go", capacity, capacity), "[(0, 0)]", ev))
		}
		if n := s.c.Len(); n != capacity {
			t.Fatal(check.Mismatch(s.after()+"Len(): never more than the capacity", capacity, n))
		}
	}
}

func TestCapacityOneKeepsOnlyTheLatestKey(t *testing.T) {
	defer check.Recover(t)
	s := newScript(1)
	if got := s.c.Cap(); got != 1 {
		t.Fatal(check.Mismatch("Cap() of New[string, int](1, onEvict)", 1, got))
	}
	s.put("a", 1)
	if ev := s.put("a", 2); len(ev) != 0 {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the overwrite", "none", ev))
	}
	if ev := s.put("b", 3); !slices.Equal(ev, []string{"(a, 2)"}) {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put", "[(a, 2)]", ev))
	}
	if v, ok := s.get("a"); ok {
		t.Fatal(check.Mismatch(s.after()+"the last Get returned", "0, false", fmt.Sprintf("%d, %v", v, ok)))
	}
	if v, ok := s.get("b"); v != 3 || !ok {
		t.Fatal(check.Mismatch(s.after()+"the last Get returned", "3, true", fmt.Sprintf("%d, %v", v, ok)))
	}
	if n, k := s.c.Len(), keysOf(s.c); n != 1 || !slices.Equal(k, []string{"b"}) {
		t.Fatal(check.Mismatch(s.after()+"Len() and Keys()", "1 [b]", fmt.Sprint(n, " ", k)))
	}
}

func TestNonPositiveCapacityStoresNothing(t *testing.T) {
	defer check.Recover(t)
	for _, capacity := range []int{0, -1, -100} {
		s := newScript(capacity)
		if got := s.c.Cap(); got != capacity {
			t.Fatal(check.Mismatch(fmt.Sprintf("Cap() of New[string, int](%d, onEvict)", capacity), capacity, got))
		}
		for i := 0; i < 3; i++ {
			if ev := s.put(fmt.Sprint(i), i); len(ev) != 0 {
				t.Fatal(check.Mismatch(s.after()+"onEvict calls: a cache of capacity 0 or less stores nothing, so it never has anything to evict", "none", ev))
			}
		}
		if v, ok := s.get("0"); ok {
			t.Fatal(check.Mismatch(s.after()+"the last Get returned", "0, false", fmt.Sprintf("%d, %v", v, ok)))
		}
		if n, k := s.c.Len(), keysOf(s.c); n != 0 || len(k) != 0 {
			t.Fatal(check.Mismatch(s.after()+"Len() and Keys()", "0 []", fmt.Sprint(n, " ", k)))
		}
	}
}

func TestRemoveDeletesWithoutCallingOnEvict(t *testing.T) {
	defer check.Recover(t)
	s := newScript(3)
	s.put("a", 1)
	s.put("b", 2)
	s.put("c", 3)
	if ok := s.remove("b"); !ok {
		t.Fatal(check.Mismatch(s.after()+"the Remove of \"b\", which was present, returned", true, ok))
	}
	if ev := s.rec.take(); len(ev) != 0 {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls: Remove is not an eviction", "none", ev))
	}
	if ok := s.remove("b"); ok {
		t.Fatal(check.Mismatch(s.after()+"the second Remove of \"b\", which was gone, returned", false, ok))
	}
	if v, ok := s.get("b"); ok {
		t.Fatal(check.Mismatch(s.after()+"the last Get returned", "0, false", fmt.Sprintf("%d, %v", v, ok)))
	}
	if n, k := s.c.Len(), keysOf(s.c); n != 2 || !slices.Equal(k, []string{"a", "c"}) {
		t.Fatal(check.Mismatch(s.after()+"Len() and Keys()", "2 [a c]", fmt.Sprint(n, " ", k)))
	}
	if ev := s.put("d", 4); len(ev) != 0 {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put: the Remove freed a place", "none", ev))
	}
	if ev := s.put("e", 5); !slices.Equal(ev, []string{"(a, 1)"}) {
		t.Fatal(check.Mismatch(s.after()+"onEvict calls of the last Put", "[(a, 1)]", ev))
	}
}

func TestKeysListsLeastRecentlyUsedFirst(t *testing.T) {
	defer check.Recover(t)
	s := newScript(4)
	s.put("a", 1)
	s.put("b", 2)
	s.put("c", 3)
	s.get("a")
	s.put("b", 20)
	s.peek("c")
	want := []string{"c", "a", "b"}
	for i := 0; i < 2; i++ { // a second call shows that Keys changed nothing
		if k := keysOf(s.c); !slices.Equal(k, want) {
			t.Fatal(check.Mismatch(s.after()+"Keys(), least recently used first", want, k))
		}
	}
	k := s.c.Keys()
	k[0] = "mutated"
	if k2 := keysOf(s.c); !slices.Equal(k2, want) {
		t.Fatal(check.Mismatch(s.after()+"Keys() after changing the slice an earlier Keys() returned (it must be a new slice)", want, k2))
	}
}

func TestOnEvictFiresExactlyOncePerEviction(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		capacity := 1 + r.IntN(40)
		present := map[int]bool{} // what the cache must hold, by the callbacks seen
		last := map[int]int{}     // the latest value put for each key
		putting := -1             // the key of the Put running now, if any
		current := ""             // the call running now
		calls := 0                // onEvict calls during the current call
		var fail error
		c := lru.New[int, int](capacity, func(k, v int) {
			calls++
			switch {
			case fail != nil:
			case putting < 0:
				fail = fmt.Errorf("onEvict(%d, %d) was called during %s: only a Put of a new key into a full cache evicts", k, v, current)
			case k == putting:
				fail = fmt.Errorf("onEvict(%d, %d) was called during c.Put(%d, …), which overwrote key %d: an overwrite is not an eviction", k, v, k, k)
			case calls > 1:
				fail = fmt.Errorf("onEvict(%d, %d) was the second onEvict call during one Put: a Put evicts at most one entry, and each eviction calls onEvict exactly once", k, v)
			case !present[k]:
				fail = fmt.Errorf("onEvict(%d, %d) was called, but key %d had already been evicted or removed (each eviction calls onEvict exactly once)", k, v, k)
			case v != last[k]:
				fail = check.Mismatch(fmt.Sprintf("the value passed to onEvict for key %d", k), last[k], v)
			}
			delete(present, k)
		})
		keys := 2 * capacity
		for i := 0; i < 800 && fail == nil; i++ {
			k := r.IntN(keys)
			what := ""
			calls = 0
			switch x := r.IntN(10); {
			case x < 6:
				what = fmt.Sprintf("c.Put(%d, %d)", k, i)
				putting = k
				c.Put(k, i)
				putting = -1
				present[k], last[k] = true, i
			case x < 9:
				what = fmt.Sprintf("c.Get(%d)", k)
				current = what
				if v, ok := c.Get(k); ok != present[k] || ok && v != last[k] {
					return check.Mismatch(fmt.Sprintf("%s with capacity %d, after %d operations (by the onEvict calls seen, key %d is present: %v)", what, capacity, i, k, present[k]),
						fmt.Sprintf("%d, %v", last[k]*btoi(present[k]), present[k]), fmt.Sprintf("%d, %v", v, ok))
				}
			default:
				what = fmt.Sprintf("c.Remove(%d)", k)
				current = what
				if ok := c.Remove(k); fail == nil && ok != present[k] {
					return check.Mismatch(fmt.Sprintf("%s with capacity %d, after %d operations (by the onEvict calls seen, key %d is present: %v)", what, capacity, i, k, present[k]), present[k], ok)
				}
				delete(present, k)
			}
			if fail != nil {
				return fmt.Errorf("capacity %d, operation %d, %s: %w", capacity, i, what, fail)
			}
			current = "c.Len()"
			if n := c.Len(); n != len(present) {
				return check.Mismatch(fmt.Sprintf("Len() after %s with capacity %d, operation %d: every entry that left without Remove must have been reported to onEvict exactly once", what, capacity, i), len(present), n)
			}
		}
		return nil
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestNilOnEvictIsAllowed(t *testing.T) {
	defer check.Recover(t)
	c := lru.New[int, int](2, nil)
	for i := 0; i < 5; i++ {
		c.Put(i, i)
	}
	if k := c.Keys(); !slices.Equal(k, []int{3, 4}) {
		t.Fatal(check.Mismatch("Keys() after Put of 0, 1, 2, 3, 4 into New[int, int](2, nil)", []int{3, 4}, k))
	}
}

type point struct {
	x, y int
	name string
}

func TestWorksWithAnyKeyAndValueTypes(t *testing.T) {
	defer check.Recover(t)
	c := lru.New[point, []byte](2, nil)
	c.Put(point{1, 2, "a"}, []byte("first"))
	c.Put(point{1, 2, "b"}, []byte("second"))
	if v, ok := c.Get(point{1, 2, "a"}); !ok || string(v) != "first" {
		t.Fatal(check.Mismatch(`Get(point{1, 2, "a"}) on a cache with struct keys and []byte values`, `"first", true`, fmt.Sprintf("%q, %v", v, ok)))
	}
	if v, ok := c.Get(point{9, 9, "missing"}); ok || v != nil {
		t.Fatal(check.Mismatch("Get of a missing key: the zero value of V ([]byte(nil)) and false", "[], false", fmt.Sprintf("%q, %v", v, ok)))
	}
	s := lru.New[string, string](1, nil)
	if v, ok := s.Get("x"); ok || v != "" {
		t.Fatal(check.Mismatch(`Get("x") on an empty cache of strings`, `"", false`, fmt.Sprintf("%q, %v", v, ok)))
	}
}
