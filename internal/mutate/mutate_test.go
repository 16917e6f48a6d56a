package mutate

import (
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/patch"
)

const counterSrc = `package counter

// Counter counts.
type Counter struct{ n int }

// Inc adds one.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}
`

func TestMutantSourceDiffAndPatch(t *testing.T) {
	fsys := fstest.MapFS{"sol/counter.go": {Data: []byte(counterSrc)}}
	ops, _ := OperatorsNamed([]string{"remove"})
	set, err := Generate(fsys, "sol", "example.com/c", ops)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Mutants) != 1 {
		t.Fatalf("%d mutants, want 1", len(set.Mutants))
	}
	m := set.Mutants[0]
	wantSrc := strings.Replace(counterSrc, "\tc.n++\n", "", 1)
	if string(m.Source) != wantSrc {
		t.Errorf("source:\n%s\nwant:\n%s", m.Source, wantSrc)
	}
	wantDiff := `--- counter.go
+++ counter.go
@@ -5,6 +5,5 @@
 
 // Inc adds one.
 func (c *Counter) Inc() int {
-	c.n++
 	return c.n
 }
`
	if m.Diff != wantDiff {
		t.Errorf("diff:\n%s\nwant:\n%s", m.Diff, wantDiff)
	}
	if m.Where() != "counter.go:8" || m.Change != "removed: c.n++" {
		t.Errorf("where %s, change %q", m.Where(), m.Change)
	}
	patch := SurvivorPatch(Result{Mutant: m, Outcome: Survived})
	if want := "Bug: mutant remove at counter.go:8\nBreaks: (fill in)\n\n" + wantDiff; patch != want {
		t.Errorf("patch:\n%s\nwant:\n%s", patch, want)
	}
}

func TestIDsSurviveEditsElsewhere(t *testing.T) {
	gen := func(src string) map[string]string {
		fsys := fstest.MapFS{"sol/counter.go": {Data: []byte(src)}}
		set, err := Generate(fsys, "sol", "example.com/c", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, m := range set.Mutants {
			if _, dup := ids[m.ID]; dup {
				t.Errorf("id %s given twice", m.ID)
			}
			ids[m.ID] = m.Operator + " " + m.Change
		}
		return ids
	}
	before := gen(counterSrc)
	after := gen(counterSrc + "\n// Reset sets the counter to zero.\nfunc (c *Counter) Reset() { c.n = 0 }\n")
	if len(before) == 0 {
		t.Fatal("no mutants")
	}
	for id, what := range before {
		if after[id] != what {
			t.Errorf("mutant %s (%s) is %q after a function was added below it", id, what, after[id])
		}
	}
	if len(after) <= len(before) {
		t.Errorf("%d mutants after adding a function, %d before", len(after), len(before))
	}
}

func TestEquivalents(t *testing.T) {
	l := &course.Lesson{Slug: "demo"}
	path := l.SuiteDir() + "/" + EquivalentFile
	tests := []struct {
		name, yaml, err string
	}{
		{"ok", "- id: aaaa1111\n  reason: min and max of equal values\n", ""},
		{"no reason", "- id: aaaa1111\n", "has no reason"},
		{"twice", "- {id: a, reason: x}\n- {id: a, reason: y}\n", "listed twice"},
		{"no id", "- reason: x\n", "has no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eqs, err := Equivalents(fstest.MapFS{path: {Data: []byte(tt.yaml)}}, l)
			if tt.err == "" {
				if err != nil || len(eqs) != 1 || eqs[0].ID != "aaaa1111" {
					t.Fatalf("got %v, %v", eqs, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want one saying %q", err, tt.err)
			}
		})
	}
	if eqs, err := Equivalents(fstest.MapFS{}, l); err != nil || eqs != nil {
		t.Errorf("without the file: %v, %v; want none", eqs, err)
	}
}

func TestSplitEquivalent(t *testing.T) {
	ms := []Mutant{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	rest, eq, stale := SplitEquivalent(ms, []Equivalent{{ID: "b", Reason: "x"}, {ID: "gone", Reason: "y"}})
	ids := func(ms []Mutant) (out []string) {
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	if !slices.Equal(ids(rest), []string{"a", "c"}) || !slices.Equal(ids(eq), []string{"b"}) || len(stale) != 1 || stale[0].ID != "gone" {
		t.Errorf("rest %v, equivalent %v, stale %v", ids(rest), ids(eq), stale)
	}
}

func TestSampleIsDeterministicAndOrdered(t *testing.T) {
	var ms []Mutant
	for i := range 50 {
		ms = append(ms, Mutant{ID: string(rune('A' + i))})
	}
	a, b, c := Sample(ms, 10, 7), Sample(ms, 10, 7), Sample(ms, 10, 8)
	if len(a) != 10 || !slices.EqualFunc(a, b, func(x, y Mutant) bool { return x.ID == y.ID }) {
		t.Fatalf("same seed, different samples: %v %v", a, b)
	}
	if slices.EqualFunc(a, c, func(x, y Mutant) bool { return x.ID == y.ID }) {
		t.Errorf("seeds 7 and 8 chose the same sample")
	}
	if !slices.IsSortedFunc(a, func(x, y Mutant) int { return strings.Compare(x.ID, y.ID) }) {
		t.Errorf("sample not in the mutants' order: %v", a)
	}
	if len(Sample(ms, 0, 1)) != 50 || len(Sample(ms, 99, 1)) != 50 {
		t.Errorf("n of 0 or beyond the mutants must keep them all")
	}
}

func TestMutantTimeout(t *testing.T) {
	for _, tt := range []struct{ sol, limit, want int }{{1, 60, 30}, {10, 60, 50}, {20, 60, 60}, {2, 20, 20}} {
		got := MutantTimeout(secs(tt.sol), secs(tt.limit))
		if got != secs(tt.want) {
			t.Errorf("solution %ds, limit %ds: %v, want %ds", tt.sol, tt.limit, got, tt.want)
		}
	}
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }

func TestRaces(t *testing.T) {
	no := false
	racy, plain := &course.Lesson{}, &course.Lesson{Race: &no}
	lock, logic := Mutant{Operator: "lock"}, Mutant{Operator: "boundary"}
	for _, tt := range []struct {
		o    Options
		l    *course.Lesson
		m    Mutant
		want bool
	}{
		{Options{LockRace: true}, racy, lock, true},
		{Options{LockRace: true}, racy, logic, false},
		{Options{LockRace: true}, plain, lock, false},
		{Options{Race: true}, racy, logic, true},
		{Options{}, racy, lock, false},
	} {
		if got := tt.o.races(tt.l, tt.m); got != tt.want {
			t.Errorf("%+v, lesson race %v, %s mutant: races %v, want %v", tt.o, tt.l.UsesRace(), tt.m.Operator, got, tt.want)
		}
	}
}

// TestGenerateIsDeterministic: a --sample draws from the generation order,
// so the same solution must always give the same mutants in the same order.
func TestGenerateIsDeterministic(t *testing.T) {
	fsys := os.DirFS("../..")
	var first []string
	for i := range 2 {
		set, err := Generate(fsys, "solutions/quorum-replication", "github.com/dslearn/dslearn", nil)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range set.Mutants {
			ids = append(ids, m.ID)
		}
		if i == 0 {
			first = ids
		} else if !slices.Equal(ids, first) {
			t.Fatalf("run %d gave %d mutants, the first %d, or in another order", i, len(ids), len(first))
		}
	}
}

// A survivor's patch is a known-wrong implementation's file as it stands:
// it parses, and applied to the solution it gives the mutant.
func TestSurvivorPatchIsAKnownWrongFile(t *testing.T) {
	fsys := fstest.MapFS{"sol/counter.go": {Data: []byte(counterSrc)}}
	ops, _ := OperatorsNamed([]string{"remove"})
	set, err := Generate(fsys, "sol", "example.com/c", ops)
	if err != nil || len(set.Mutants) != 1 {
		t.Fatalf("%v, %d mutants", err, len(set.Mutants))
	}
	m := set.Mutants[0]
	p, err := patch.Parse([]byte(SurvivorPatch(Result{Mutant: m, Outcome: Survived})))
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Bug != "mutant remove at "+m.File+":"+strconv.Itoa(m.Line) || p.Header.Breaks != "(fill in)" {
		t.Errorf("header = %+v", p.Header)
	}
	out, err := p.Apply(fstest.MapFS{"counter.go": {Data: []byte(counterSrc)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fs.ReadFile(out, "counter.go"); string(got) != string(m.Source) {
		t.Errorf("applied:\n%s\nwant the mutant:\n%s", got, m.Source)
	}
}

func TestDropGivenRemovesOnlyMutantsOfCodeTheStubGivesComplete(t *testing.T) {
	sol := `package counter

// Step is how much Inc adds.
const Step = 1

// Counter counts.
type Counter struct{ n int }

// Inc adds Step.
func (c *Counter) Inc() int {
	c.n += Step
	return c.n
}

// String shows the count.
func (c *Counter) String() string {
	if c.n < 0 {
		return "negative"
	}
	return "count"
}
`
	stub := `package counter

// Step is how much Inc adds (given).
const Step = 1

// Counter counts.
type Counter struct{ n int }

// Inc adds Step. TODO: implement.
func (c *Counter) Inc() int {
	panic("not implemented yet")
}

// String shows the count; it is given complete,
// in a layout of its own.
func (c *Counter) String() string {
	if c.n < 0 { return "negative" }
	return "count"
}
`
	fsys := fstest.MapFS{"sol/counter.go": {Data: []byte(sol)}, "stub/counter.go": {Data: []byte(stub)}}
	set, err := Generate(fsys, "sol", "example.com/c", nil)
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Clone(set.Mutants)
	dropped, err := set.DropGiven(fsys, "stub")
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) == 0 || len(set.Mutants) == 0 || len(dropped)+len(set.Mutants) != len(all) {
		t.Fatalf("%d mutants: %d dropped, %d kept", len(all), len(dropped), len(set.Mutants))
	}
	for _, m := range dropped {
		// const Step (line 4) and String (lines 16-21) are given.
		if !(m.Line == 4 || (m.Line >= 16 && m.Line <= 21)) {
			t.Errorf("dropped %s at line %d (%s), which the learner writes", m.ID, m.Line, m.Change)
		}
	}
	for _, m := range set.Mutants {
		if m.Line < 10 || m.Line > 13 {
			t.Errorf("kept %s at line %d (%s), which the stub gives complete", m.ID, m.Line, m.Change)
		}
	}
	// Without a stub file of that name nothing is given.
	set, _ = Generate(fsys, "sol", "example.com/c", nil)
	if dropped, err := set.DropGiven(fsys, "nostub"); err != nil || len(dropped) != 0 {
		t.Errorf("no stub: dropped %d, %v", len(dropped), err)
	}
}
