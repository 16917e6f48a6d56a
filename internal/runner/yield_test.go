package runner

import (
	"bytes"
	"context"
	"go/parser"
	"go/token"
	"io"
	"strings"
	"testing"
	"testing/fstest"
)

const lockingSrc = `package loop // a comment after the clause

import "sync"

type B struct {
	mu sync.RWMutex
	n  int
}

func (b *B) Take() bool {
	b.mu.Lock()
	ok := b.n > 0
	b.mu.Unlock()
	if !ok { b.mu.RLock(); b.mu.RUnlock() }
	defer b.mu.Unlock()
	switch {
	case ok:
		b.mu.Unlock()
	}
	select {
	default:
		b.mu.RUnlock()
	}
	for i := 0; i < 1; b.mu.Unlock() {
	}
	go b.mu.Unlock()
	f := func() { b.mu.Unlock() }
	f()
	b.Unlock(1)
	return ok
}

func (b *B) Unlock(int) {}
`

func TestYieldAtLocksFollowsEveryLockCallAndKeepsLines(t *testing.T) {
	out := string(yieldAtLocks(map[string][]byte{"b.go": []byte(lockingSrc)})["b.go"])
	if _, err := parser.ParseFile(token.NewFileSet(), "b.go", out, 0); err != nil {
		t.Fatalf("the prepared file does not parse: %v\n%s", err, out)
	}
	if got, want := strings.Count(out, "\n"), strings.Count(lockingSrc, "\n"); got != want {
		t.Errorf("the prepared file has %d lines; the original %d", got, want)
	}
	const y = "; dslearnruntime.Gosched()"
	for _, want := range []string{
		`package loop; import dslearnruntime "runtime" // a comment after the clause`,
		"\tb.mu.Lock()" + y + "\n\tok := b.n > 0",
		"\tb.mu.Unlock()" + y + "\n\tif !ok",
		"if !ok { b.mu.RLock()" + y + "; b.mu.RUnlock()" + y + " }",
		"\tdefer dslearnruntime.Gosched(); defer b.mu.Unlock()\n",
		"\tcase ok:\n\t\tb.mu.Unlock()" + y + "\n",
		"\tdefault:\n\t\tb.mu.RUnlock()" + y + "\n",
		"f := func() { b.mu.Unlock()" + y + " }",
		// Not a statement of a list, or with arguments: untouched.
		"for i := 0; i < 1; b.mu.Unlock() {",
		"\tgo b.mu.Unlock()\n",
		"\tb.Unlock(1)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the prepared file lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Gosched()"); n != 8 {
		t.Errorf("%d yields inserted, want 8:\n%s", n, out)
	}

	for name, src := range map[string]string{
		"no lock":        "package loop\n\nfunc Spin() {}\n",
		"does not parse": "package loop\n\nfunc Spin() { mu.Unlock() \n",
	} {
		if out := yieldAtLocks(map[string][]byte{"a.go": []byte(src)})["a.go"]; !bytes.Equal(out, []byte(src)) {
			t.Errorf("%s: the file was changed:\n%s", name, out)
		}
	}

	// A package that uses the name, in any of its files, cannot opt out:
	// another is chosen, for every file.
	files := map[string][]byte{
		"a.go": []byte("package loop\n\nfunc Spin(mu interface{ Unlock() }) {\n\tdefer mu.Unlock()\n\tmu.Unlock()\n}\n"),
		"b.go": []byte("package loop\n\nfunc dslearnruntime() int { return dslearnruntime1 }\n\nvar dslearnruntime1 = 1\n"),
	}
	got := yieldAtLocks(files)
	for _, want := range []string{
		`package loop; import dslearnruntime2 "runtime"`,
		"\tdefer dslearnruntime2.Gosched(); defer mu.Unlock()\n",
		"\tmu.Unlock(); dslearnruntime2.Gosched()\n",
	} {
		if !strings.Contains(string(got["a.go"]), want) {
			t.Errorf("a.go lacks %q:\n%s", want, got["a.go"])
		}
	}
	if !bytes.Equal(got["b.go"], files["b.go"]) {
		t.Errorf("b.go, without locks, was changed:\n%s", got["b.go"])
	}
	// One file that does not parse leaves the whole package as it is.
	files["c.go"] = []byte("package loop\n\nfunc (\n")
	for name, src := range yieldAtLocks(files) {
		if !bytes.Equal(src, files[name]) {
			t.Errorf("%s was changed although c.go does not parse", name)
		}
	}
}

// bucketSuite lets four goroutines take the one token of a bucket, 200
// times, on one processor.
const bucketSuite = `//go:build dslearnsuite

package loop_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"example.com/t/exercises/loop"
)

func TestEachTokenIsTakenOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for round := range 200 {
		b := loop.New(1)
		var wg sync.WaitGroup
		var took atomic.Int32
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if b.Take() {
					took.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := took.Load(); n != 1 {
			t.Fatalf("round %d: %d callers took the one token", round, n)
		}
	}
}
`

const bucketHead = "package loop\n\nimport \"sync\"\n\ntype Bucket struct {\n\tmu sync.Mutex\n\tn  int\n}\n\nfunc New(n int) *Bucket { return &Bucket{n: n} }\n\nfunc Spin() {}\n\n"

func TestYieldingExposesACheckAndATakeUnderTwoLocks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds test binaries")
	}
	c, l := testCourse(t, bucketSuite)
	for _, tc := range []struct {
		name, take string
		pass       bool
	}{
		// Correct on every schedule, with a deferred release whose
		// receiver changes after the defer statement.
		{"one section", "func (b *Bucket) Take() bool {\n\tm := &b.mu\n\tm.Lock()\n\tdefer m.Unlock()\n\tm = nil\n\tif b.n == 0 {\n\t\treturn false\n\t}\n\tb.n--\n\treturn m == nil\n}\n", true},
		// Wrong: between the check and the take another caller can check.
		// Without a yield the window is a few instructions wide and four
		// goroutines on one processor never meet in it.
		{"two sections", "func (b *Bucket) Take() bool {\n\tb.mu.Lock()\n\tok := b.n > 0\n\tb.mu.Unlock()\n\tif !ok {\n\t\treturn false\n\t}\n\tb.mu.Lock()\n\tb.n--\n\tb.mu.Unlock()\n\treturn true\n}\n", false},
	} {
		b, err := Assemble(c, Item{Lesson: l, Impl: fstest.MapFS{"loop.go": {Data: []byte(bucketHead + tc.take)}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if compiled, err := b.Compile(ctx, Options{}, drain2); err != nil || compiled.Code != 0 {
			b.Remove()
			t.Fatalf("%s: compile: %+v %v", tc.name, compiled, err)
		}
		var out bytes.Buffer
		ran, err := b.Exec(ctx, 0, Options{}, func(r io.Reader) error { _, err := io.Copy(&out, r); return err })
		b.Remove()
		if err != nil {
			t.Fatal(err)
		}
		if passed := ran.Code == 0; passed != tc.pass {
			t.Errorf("%s: passed = %v, want %v (exit %d)\n%s", tc.name, passed, tc.pass, ran.Code, out.String())
		}
		if !tc.pass && !strings.Contains(out.String(), "callers took the one token") {
			t.Errorf("%s: the failure is not the suite's:\n%s", tc.name, out.String())
		}
	}
}
