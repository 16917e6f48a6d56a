package grader

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden is what a recorded stream must parse into.
type golden struct {
	Checks      []*Check `json:"checks"`
	BuildFailed bool     `json:"build_failed,omitempty"`
	BuildOutput string   `json:"build_output,omitempty"`
	Problem     string   `json:"problem,omitempty"`
}

// expectedChecks names the tests each recorded suite declared, as the
// grader learns them from the suite's source.
var expectedChecks = map[string][]string{
	"goroutine-panic": {"TestPasses", "TestFailsWithSeed", "TestLongOutput", "TestSkipped", "TestSub", "TestGoroutinePanic", "TestAfterPanic"},
	"timeout":         {"TestPasses", "TestLoops", "TestNeverReached"},
	"exit0":           {"TestPasses", "TestExits", "TestNeverReached"},
	"init-exit":       {"TestPasses"},
	"no-tests":        nil,
	"build-fail":      {"TestA"},
}

func TestParseRecordedStreams(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no recorded streams in testdata")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			in, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			r := Parse(in, strings.NewReader(""))
			r.Complete(expectedChecks[name])
			got, _ := json.MarshalIndent(golden{r.Checks, r.BuildFailed, r.BuildOutput, r.Problem}, "", "  ")
			got = append(got, '\n')
			gf := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(gf, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gf)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/grader -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("parse of %s changed:\n--- got\n%s\n--- want\n%s", f, got, want)
			}
		})
	}
}

// TestParseFacts states, independently of the golden files, what each
// recorded stream must say.
func TestParseFacts(t *testing.T) {
	parse := func(name string) *Result {
		t.Helper()
		in, err := os.Open(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		r := Parse(in, strings.NewReader(""))
		r.Complete(expectedChecks[name])
		return r
	}
	status := func(r *Result) map[string]Status {
		m := map[string]Status{}
		for _, c := range r.Checks {
			m[c.Name] = c.Status
		}
		return m
	}

	r := parse("goroutine-panic")
	st := status(r)
	for name, want := range map[string]Status{"TestPasses": Pass, "TestFailsWithSeed": Fail, "TestSkipped": Skip,
		"TestSub": Fail, "TestGoroutinePanic": Fail, "TestAfterPanic": Fail, "TestLongOutput": Pass} {
		if st[name] != want {
			t.Errorf("goroutine-panic: %s = %q, want %q", name, st[name], want)
		}
	}
	for _, c := range r.Checks {
		switch c.Name {
		case "TestFailsWithSeed":
			if c.Seed != 17 || !strings.Contains(c.Message, "expected: 3") || strings.Contains(c.Message, "@seed") || strings.Contains(c.Message, "x_test.go") {
				t.Errorf("seeded failure parsed as seed=%d message=%q", c.Seed, c.Message)
			}
		case "TestGoroutinePanic":
			if !strings.Contains(c.Message, "assignment to entry in nil map") || !strings.Contains(c.Message, "exercises/x/x.go:6") {
				t.Errorf("goroutine panic message = %q", c.Message)
			}
		case "TestLongOutput":
			if strings.Count(c.Message, "abcdefgh") != 1000 {
				t.Errorf("a line split across events was not joined: %d copies", strings.Count(c.Message, "abcdefgh"))
			}
		}
	}
	if !strings.Contains(r.Problem, "crashed") {
		t.Errorf("goroutine-panic problem = %q", r.Problem)
	}

	r = parse("timeout")
	if st := status(r); st["TestLoops"] != Fail || st["TestNeverReached"] != Fail || st["TestPasses"] != Pass {
		t.Errorf("timeout statuses = %v", st)
	}
	if !strings.Contains(r.Problem, "did not finish in 2s") {
		t.Errorf("timeout problem = %q", r.Problem)
	}

	r = parse("exit0")
	if st := status(r); st["TestExits"] != Fail || st["TestNeverReached"] != Fail {
		t.Errorf("exit0 statuses = %v", st)
	}

	r = parse("init-exit")
	if st := status(r); st["TestPasses"] != Fail || !strings.Contains(r.Problem, "exited before running any check") {
		t.Errorf("init-exit: %v, problem %q", st, r.Problem)
	}

	r = parse("build-fail")
	if !r.BuildFailed || !strings.Contains(r.BuildOutput, "exercises/x/x.go:3:23: undefined: undefinedThing") || strings.Contains(r.BuildOutput, "# ") {
		t.Errorf("build-fail: failed=%v output=%q", r.BuildFailed, r.BuildOutput)
	}
}

func TestTitle(t *testing.T) {
	for name, want := range map[string]string{
		"TestRemoveMovesOnlyTheRemovedNodesKeys": "Remove moves only the removed nodes keys",
		"TestLRUEvictsLeastRecentlyUsed":         "LRU evicts least recently used",
		"TestGetNReturnsDistinctNodes":           "Get N returns distinct nodes",
		"TestWPlusRGreaterThanN":                 "W plus R greater than N",
		"TestTick":                               "Tick",
		"TestMerge_IsCommutative":                "Merge is commutative",
		"TestOneMillionEntriesIn2Steps":          "One million entries in 2 steps",
	} {
		if got := Title(name); got != want {
			t.Errorf("Title(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestSeedAfterAPanicIsKept: a randomized check whose property panicked
// reports the panic, then the seed; the seed must survive the panic's
// clean-up.
func TestSeedAfterAPanicIsKept(t *testing.T) {
	raw := "    ring_test.go:162: Get(\"37\") panicked:\n" +
		"        panic: runtime error: index out of range [2] with length 2\n" +
		"            at hashring.(*Ring).Get (exercises/consistent-hashing/ring.go:145)\n" +
		"        (failed on 3 seeds: 1, 4, 9)\n" +
		"        @seed 1\n"
	msg, seed := clean(raw)
	if seed != 1 {
		t.Errorf("seed = %d, want 1; message:\n%s", seed, msg)
	}
	for _, want := range []string{"panic: runtime error: index out of range", "ring.go:145", "(failed on 3 seeds: 1, 4, 9)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestPrintableEscapesControlCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"plain\n\ttext":               "plain\n\ttext",
		"boom\x1b[2J\x1b]0;pwned\x07": `boom\x1b[2J\x1b]0;pwned\x07`,
		"over\rwrite":                 `over\x0dwrite`,
		"naïve ✓":                     "naïve ✓",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestARaceIsShownOnceWithItsTwoAccesses(t *testing.T) {
	report := `==================
WARNING: DATA RACE
Read at 0x00c00001a0b8 by goroutine 9:
  example.com/x/exercises/lamport-clocks.(*Clock).Tick()
      exercises/lamport-clocks/lamport.go:36 +0x3a
  example.com/x/exercises/lamport-clocks_test.TestC.func1()
      exercises/lamport-clocks/race_test.go:20 +0x44

Previous write at 0x00c00001a0b8 by goroutine 8:
  example.com/x/exercises/lamport-clocks.(*Clock).Receive()
      exercises/lamport-clocks/lamport.go:58 +0x4e

Goroutine 9 (running) created at:
  example.com/x/exercises/lamport-clocks_test.TestC()
      exercises/lamport-clocks/race_test.go:18 +0x1a
==================
`
	msg, _ := clean(report + report + "    race_test.go:30: testing.go:1490: race detected during execution of test\n")
	want := "data race (reported 2 times): two goroutines used the same memory without synchronization\n" +
		"    read at exercises/lamport-clocks/lamport.go:36\n" +
		"    previous write at exercises/lamport-clocks/lamport.go:58"
	if msg != want {
		t.Errorf("message:\n%s\nwant:\n%s", msg, want)
	}
}
