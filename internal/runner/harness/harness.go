// Package harness is compiled into every graded test binary, beside the
// hidden suite, and is the only source of a verdict. It writes one record per
// top-level check, and a final record with m.Run's result, as JSON lines to
// a file descriptor the grader opened for it. Learner code cannot reach that
// descriptor (its imports are screened: no os, syscall or unsafe), and every
// record carries a per-run secret that is never printed, so what the learner
// prints, however it imitates go test's output, is never taken for a result.
//
// The grader inserts calls to Track and Finish at the top of every check of
// a suite and generates a TestMain that calls Main; suites never call them.
package harness

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

// Environment of a graded test binary, set by the runner.
const (
	// EnvFD names the file descriptor records are written to.
	EnvFD = "DSLEARN_HARNESS_FD"
	// EnvNonce is the per-run secret every record carries.
	EnvNonce = "DSLEARN_HARNESS_NONCE"
)

// Record is one line the harness writes. The runner decodes the same fields.
type Record struct {
	Nonce string `json:"nonce"`
	// Event is "start" (init is over, checks begin), "done" (a check ended;
	// provisional: a data race found after its cleanup can still fail it),
	// "result" (a check's final outcome, after every check ran) or "end".
	Event  string `json:"event"`
	Test   string `json:"test,omitempty"`
	Failed bool   `json:"failed,omitempty"`
	Skip   bool   `json:"skipped,omitempty"`
	// Code is m.Run's result, on the "end" record.
	Code int `json:"code,omitempty"`
}

var (
	mu       sync.Mutex
	out      *json.Encoder
	nonce    string
	tracked  []*testing.T
	panicked = map[*testing.T]bool{}
)

// Main runs the suite's checks and reports them; TestMain calls it.
func Main(m *testing.M) {
	nonce = os.Getenv(EnvNonce)
	os.Unsetenv(EnvNonce)
	if os.Getenv(EnvFD) == "3" {
		out = json.NewEncoder(os.NewFile(3, "harness"))
	}
	os.Unsetenv(EnvFD)
	write(Record{Event: "start"})
	code := m.Run()
	mu.Lock()
	ts := tracked
	mu.Unlock()
	for _, t := range ts {
		write(Record{Event: "result", Test: t.Name(), Failed: t.Failed(), Skip: t.Skipped()})
	}
	write(Record{Event: "end", Code: code})
	os.Exit(code)
}

// Track registers a top-level check, so that its outcome is reported when
// it ends and again, final, when every check has run.
func Track(t *testing.T) {
	mu.Lock()
	tracked = append(tracked, t)
	mu.Unlock()
	t.Cleanup(func() {
		mu.Lock()
		p := panicked[t]
		mu.Unlock()
		if !p {
			write(Record{Event: "done", Test: t.Name(), Failed: t.Failed(), Skip: t.Skipped()})
		}
	})
}

// Finish, deferred at the top of a check, reports a check that panics as
// failed: the testing package runs cleanups before it marks such a test
// failed, and then ends the program. The panic goes on unchanged.
func Finish(t *testing.T) {
	if v := recover(); v != nil {
		mu.Lock()
		panicked[t] = true
		mu.Unlock()
		write(Record{Event: "done", Test: t.Name(), Failed: true})
		panic(v)
	}
}

func write(r Record) {
	mu.Lock()
	defer mu.Unlock()
	if out == nil {
		return
	}
	r.Nonce = nonce
	out.Encode(r)
}
