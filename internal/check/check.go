// Package check is the toolkit the hidden suites are written with: seeded
// randomness with replayable failures, panics turned into readable failures,
// and a small vocabulary for stating what a property expected and what it saw.
//
// The grader reads two things from a suite's output: a line "@seed N" that
// names the seed of the first failing randomized case, and the rest of the
// failure text, shown to the learner as written. Suites therefore report
// failures in the learner's terms and never print temporary paths.
package check

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// Environment variables set by the runner.
const (
	// EnvSeed, when set, makes every randomized property run that one seed only.
	EnvSeed = "DSLEARN_SEED"
	// EnvRuns, when set, overrides how many seeds every randomized property runs.
	EnvRuns = "DSLEARN_RUNS"
)

// SeedMarker starts the line that tells the grader which seed failed.
const SeedMarker = "@seed "

// shrinkOff is set while Seeded runs the seeds after the first failing one,
// whose failures only count: Minimize then skips shrinking.
var shrinkOff atomic.Bool

// Seeds returns the seeds a randomized property should try: the single seed
// in DSLEARN_SEED if set, else 1..n where n is DSLEARN_RUNS if set, else def.
func Seeds(def int) []uint64 {
	if s := os.Getenv(EnvSeed); s != "" {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return []uint64{v}
		}
	}
	n := def
	if s := os.Getenv(EnvRuns); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// Rand returns the deterministic generator for seed.
func Rand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Seeded checks a randomized property on every seed from Seeds(def). prop
// returns nil when the property holds for that seed, or an error that says,
// in the learner's terms, what was expected and what happened. A panic in
// learner code counts as a failure of that seed. On failure the test reports
// the first failing seed in full, marks it for replay, and lists how many
// other seeds failed.
func Seeded(t testing.TB, def int, prop func(r *rand.Rand) error) {
	t.Helper()
	seededOn(t, Seeds(def), prop)
}

// SeededAtMost is Seeded for a long run: it tries at most max seeds, the
// first of those Seeds(max) gives (so DSLEARN_SEED still replays any one
// seed, and DSLEARN_RUNS can only lower the count), so that a run asked for
// many seeds stays within the time limit. Failures are reported, and
// replay, exactly as with Seeded.
func SeededAtMost(t testing.TB, max int, prop func(r *rand.Rand) error) {
	t.Helper()
	seeds := Seeds(max)
	seededOn(t, seeds[:min(len(seeds), max)], prop)
}

func seededOn(t testing.TB, seeds []uint64, prop func(r *rand.Rand) error) {
	t.Helper()
	var failed []uint64
	var first error
	defer shrinkOff.Store(shrinkOff.Load())
	for _, seed := range seeds {
		err := Safely(func() error { return prop(Rand(seed)) })
		if err == nil {
			continue
		}
		if first == nil {
			first = err
			// Only the first failure is shown: later seeds need not shrink.
			shrinkOff.Store(true)
		}
		failed = append(failed, seed)
	}
	if first == nil {
		return
	}
	msg := first.Error()
	if len(failed) > 1 {
		msg += fmt.Sprintf("\n(failed on %d seeds: %s)", len(failed), seedList(failed))
	}
	t.Errorf("%s\n%s%d", msg, SeedMarker, failed[0])
}

func seedList(seeds []uint64) string {
	var b strings.Builder
	for i, s := range seeds {
		if i == 10 {
			fmt.Fprintf(&b, ", … %d more", len(seeds)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(s, 10))
	}
	return b.String()
}

// Safely runs f and turns a panic into an error that names the panic value
// and the learner's frames.
func Safely(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = PanicError(v)
		}
	}()
	return f()
}

// Recover, deferred at the top of a test, turns a panic in learner code into a
// test failure instead of a crash of the whole suite:
//
//	defer check.Recover(t)
func Recover(t testing.TB) {
	if v := recover(); v != nil {
		t.Helper()
		t.Fatal(PanicError(v).Error())
	}
}

// NotImplemented is the panic message stubs use; the grader recognises it.
const NotImplemented = "not implemented yet"

// PanicError describes a recovered panic: its value and where in the
// learner's code it happened.
func PanicError(v any) error {
	msg := fmt.Sprint(v)
	if strings.HasPrefix(msg, NotImplemented) {
		return fmt.Errorf("%s", msg)
	}
	where := learnerFrames(3)
	if where == "" {
		return fmt.Errorf("panic: %s", msg)
	}
	return fmt.Errorf("panic: %s\n%s", msg, where)
}

// learnerFrames returns up to max frames of the current goroutine's stack
// that lie in exercise code (not in the suite, the runtime or this package).
func learnerFrames(max int) string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var lines []string
	for {
		f, more := frames.Next()
		if strings.Contains(f.File, "/exercises/") && !strings.HasSuffix(f.File, "_test.go") {
			lines = append(lines, fmt.Sprintf("    at %s (%s:%d)", shortFunc(f.Function), learnerPath(f.File), f.Line))
			if len(lines) == max {
				break
			}
		}
		if !more {
			break
		}
	}
	return strings.Join(lines, "\n")
}

func shortFunc(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	return fn
}

// learnerPath turns a compiled file path into the path the learner knows:
// exercises/<slug>/<file>.
func learnerPath(file string) string {
	if i := strings.LastIndex(file, "exercises/"); i >= 0 {
		return file[i:]
	}
	return file
}

// Mismatch formats the standard expected-versus-actual report.
func Mismatch(what string, want, got any) error {
	return fmt.Errorf("%s\n  expected: %v\n  actual:   %v", what, want, got)
}

// Errorf is fmt.Errorf, for suites that want one import.
func Errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
