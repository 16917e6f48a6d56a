package grader

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/runner"
)

// stream is a go test -json stream in which TestA passed and printed out.
func stream(out string) string {
	ev := func(action, output string) string {
		return fmt.Sprintf(`{"Action":%q,"Package":"p","Test":"TestA","Output":%q}`+"\n", action, output)
	}
	return ev("run", "") + ev("output", "=== RUN   TestA\n") + ev("output", out) + ev("output", "--- PASS: TestA (0.00s)\n") + ev("pass", "")
}

func records(failed bool, end bool, code int) []runner.Record {
	rs := []runner.Record{{Event: "start"}, {Event: "done", Test: "TestA", Failed: failed}}
	if end {
		rs = append(rs, runner.Record{Event: "result", Test: "TestA", Failed: failed}, runner.Record{Event: "end", Code: code})
	}
	return rs
}

const raceReport = "==================\nWARNING: DATA RACE\nWrite at 0x00c000 by goroutine 9:\n  example.com/m/exercises/x.f()\n      exercises/x/x.go:7 +0x3a\n\nPrevious read at 0x00c000 by goroutine 8:\n  example.com/m/exercises/x.g()\n      exercises/x/x.go:9 +0x3a\n==================\n"

func TestJudgeTrustsOnlyTheHarness(t *testing.T) {
	for _, tc := range []struct {
		name    string
		out     string
		ran     runner.Ran
		state   State
		problem string
	}{
		{"a real pass", "", runner.Ran{Started: true, Records: records(false, true, 0)}, Passed, ""},
		{"a pass the harness contradicts", "", runner.Ran{Started: true, Code: 1, Records: records(true, true, 1)}, Failing, "imitates go test's own results for TestA"},
		{"no final record", "panic: boom\n\ngoroutine 7 [running]:\nexample.com/m/exercises/x.f()\n\texercises/x/x.go:3 +0x1\n", runner.Ran{Started: true, Code: 2, Records: records(false, false, 0)}, Failing, `the test binary crashed while the check "A" was running: panic: boom`},
		{"a race after the checks", raceReport, runner.Ran{Started: true, Code: 66, Records: records(false, true, 0)}, Failing, "data race outside the checks"},
		{"an exit status that is not m.Run's", "", runner.Ran{Started: true, Code: 3, Records: records(false, true, 0)}, Failing, "crashed after its checks ran (exit status 3)"},
		{"records without the secret", "", runner.Ran{Started: true, Forged: 2, Records: records(false, true, 0)}, Failing, "private channel"},
		{"stuck in init", "", runner.Ran{Deadline: true, Code: -1}, Failing, "no check had started"},
		{"memory", "", runner.Ran{Started: true, Limit: "memory", Limits: runner.Limits{Memory: 512 << 20}, Code: -1, Records: records(false, false, 0)}, Failing, "used more than 512 MiB of memory"},
		{"output", "", runner.Ran{Started: true, Limit: "output", Limits: runner.Limits{Output: 10 << 20}, Code: -1}, Failing, "printed more than 10 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(strings.NewReader(stream(tc.out)), strings.NewReader(""))
			judge(r, tc.ran, []string{"TestA"}, time.Minute)
			if st := r.State(); st != tc.state {
				t.Errorf("state = %s, want %s (problem %q)", st, tc.state, r.Problem)
			}
			if tc.problem == "" && r.Problem != "" || !strings.Contains(r.Problem, tc.problem) {
				t.Errorf("problem = %q, want %q", r.Problem, tc.problem)
			}
		})
	}
}

func TestLastLinesKeepsTheEnd(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"a\nb\nc", 2, "b\nc"}, {"a", 5, "a"}, {"", 3, ""}} {
		if got := lastLines(tc.in, tc.n); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
