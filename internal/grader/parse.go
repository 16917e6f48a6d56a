// Package grader judges a run of a hidden suite: it turns the `go test -json`
// event stream into one result per check, in the learner's terms, and
// reports results per exercise and per chapter.
//
// Parse is a pure function over the streams, golden-tested on recorded runs:
// passing and failing checks, build failures, a panic in a goroutine that
// leaves checks without an end, timeouts, a test binary that exits early,
// suites with no tests, and output lines split across events.
package grader

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Check is the result of one check of a suite (one top-level test).
type Check struct {
	// Name is the test's name, such as TestRemoveMovesOnlyTheRemovedNodesKeys.
	Name string `json:"name"`
	// Title is the name as a sentence: "Remove moves only the removed nodes keys".
	Title  string `json:"title"`
	Status Status `json:"status"`
	// Message says why the check failed, in the learner's terms.
	Message string `json:"message,omitempty"`
	// Seed is the first failing seed of a randomized check (0 if none).
	Seed uint64 `json:"seed,omitempty"`
	// NotImplemented is set when the check failed only because the code it
	// calls still panics with "not implemented yet".
	NotImplemented bool          `json:"not_implemented,omitempty"`
	Duration       time.Duration `json:"-"`

	started bool
	done    bool
	runs    int // "run" events of the check itself: more than one is forged output
	ends    int // pass/fail/skip events of the check itself
	lastSub string
	out     strings.Builder
	cut     int
}

// Result is what one run of a suite produced.
type Result struct {
	Checks []*Check
	// BuildFailed is set when the code (or the suite against it) did not compile.
	BuildFailed bool
	// Refused is set (with BuildFailed) when the learner's files were refused
	// before building: BuildOutput says why, file by file.
	Refused bool
	// BuildOutput is the compiler's (or vet's) report, with the learner's paths.
	BuildOutput string
	// Problem, when set, says why the run as a whole is not trustworthy:
	// a timeout, a crash, an early exit. Checks are still listed.
	Problem string
	// Stderr is what the go command printed outside the event stream.
	Stderr string

	byName  map[string]*Check
	pkgOut  strings.Builder
	timeout string
}

// Limits on what is kept of a check's output, so that a learner's runaway
// printing is cut instead of flooding the terminal.
const (
	maxCheckOutput = 16 << 10
	maxLineLength  = 1 << 20
)

type event struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	Elapsed     float64
	FailedBuild string
}

// Parse reads a `go test -json` stream of one package (stdout) and the go
// command's stderr, concurrently, to the end.
func Parse(stdout, stderr io.Reader) *Result {
	rs, errText := ParseAll(stdout, stderr)
	for _, r := range rs {
		return r
	}
	r := newResult()
	r.Stderr = errText
	r.finish()
	return r
}

// ParseAll reads a `go test -json` stream of any number of packages and the
// go command's stderr, concurrently, to the end. It returns one result per
// package, keyed by import path, and the stderr text.
func ParseAll(stdout, stderr io.Reader) (map[string]*Result, string) {
	rs := map[string]*Result{}
	get := func(pkg string) *Result {
		// Build events name the package as "p [p.test]" or "p_test [p.test]".
		pkg, _, _ = strings.Cut(pkg, " ")
		pkg = strings.TrimSuffix(pkg, "_test")
		r, ok := rs[pkg]
		if !ok {
			r = newResult()
			rs[pkg] = r
		}
		return r
	}
	var wg sync.WaitGroup
	var errText strings.Builder
	wg.Add(1)
	go func() {
		defer wg.Done()
		b, _ := io.ReadAll(io.LimitReader(stderr, maxCheckOutput))
		errText.Write(b)
		io.Copy(io.Discard, stderr)
	}()
	var last *Result
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), maxLineLength)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			if last != nil {
				last.packageOutput(string(line) + "\n")
			}
			continue
		}
		pkg := e.Package
		if pkg == "" {
			pkg = e.ImportPath
		}
		if pkg == "" {
			continue
		}
		last = get(pkg)
		last.handle(e)
	}
	io.Copy(io.Discard, stdout) // a line longer than the limit stops the scanner
	wg.Wait()
	for _, r := range rs {
		r.Stderr = strings.TrimSpace(errText.String())
		r.finish()
	}
	return rs, strings.TrimSpace(errText.String())
}

func newResult() *Result { return &Result{byName: map[string]*Check{}} }

func (r *Result) check(name string) *Check {
	top, _, _ := strings.Cut(name, "/")
	c, ok := r.byName[top]
	if !ok {
		c = &Check{Name: top, Title: Title(top)}
		r.byName[top] = c
		r.Checks = append(r.Checks, c)
	}
	return c
}

func (r *Result) handle(e event) {
	switch e.Action {
	case "build-output":
		if !strings.HasPrefix(e.Output, "# ") {
			r.BuildOutput += e.Output
		}
	case "build-fail":
		r.BuildFailed = true
	case "run":
		if e.Test != "" {
			c := r.check(e.Test)
			c.started = true
			if !strings.Contains(e.Test, "/") {
				c.runs++
			}
		}
	case "output":
		if e.Test == "" {
			r.packageOutput(e.Output)
			return
		}
		c := r.check(e.Test)
		if sub, ok := strings.CutPrefix(e.Test, c.Name+"/"); ok && sub != c.lastSub {
			// Label a subtest's output with its name, once.
			if t := strings.TrimSpace(e.Output); !strings.HasPrefix(t, "=== ") && !strings.HasPrefix(t, "--- ") {
				c.lastSub = sub
				c.out.WriteString("        " + strings.ReplaceAll(sub, "_", " ") + ":\n")
			}
		}
		if c.out.Len()+len(e.Output) > maxCheckOutput {
			c.cut += strings.Count(e.Output, "\n")
			return
		}
		c.out.WriteString(e.Output)
	case "pass", "fail", "skip":
		if e.Test == "" {
			if e.FailedBuild != "" {
				r.BuildFailed = true
			}
			return
		}
		c := r.check(e.Test)
		if strings.Contains(e.Test, "/") {
			return // a subtest: its parent carries the verdict
		}
		c.done = true
		c.ends++
		c.Status = Status(e.Action)
		c.Duration = time.Duration(e.Elapsed * float64(time.Second))
	}
}

func (r *Result) packageOutput(s string) {
	if r.pkgOut.Len()+len(s) <= maxCheckOutput {
		r.pkgOut.WriteString(s)
	}
	if m := timeoutRE.FindStringSubmatch(s); m != nil {
		r.timeout = m[1]
	}
}

var (
	timeoutRE  = regexp.MustCompile(`panic: test timed out after (\S+)`)
	frameRE    = regexp.MustCompile(`^\s+(?:\S*/)?(exercises/[^\s:]+\.go):(\d+)`)
	locationRE = regexp.MustCompile(`^\s{4}[\w.-]+\.go:\d+: ?`)
	seedRE     = regexp.MustCompile(`^\s*@seed (\d+)\s*$`)
	runningRE  = regexp.MustCompile(`^\t\t(Test\S*) \(`)
)

// finish turns each check's raw output into its message and settles checks
// that never ended (a crash or a timeout stopped the binary).
func (r *Result) finish() {
	var crashed *Check
	for _, c := range r.Checks {
		raw := c.out.String()
		if m := timeoutRE.FindStringSubmatch(raw); m != nil {
			r.timeout = m[1]
			// test2json may attribute the timeout panic to the wrong test;
			// the "running tests:" list names the right ones.
			for _, line := range strings.Split(raw, "\n") {
				if mm := runningRE.FindStringSubmatch(line); mm != nil {
					t := r.check(mm[1])
					t.Status, t.done = Fail, true
					t.Message = timeoutMessage(m[1], raw+"\n"+r.allOutput())
				}
			}
		}
	}
	for _, c := range r.Checks {
		if c.Message != "" {
			continue
		}
		c.Message, c.Seed = clean(c.out.String())
		if c.cut > 0 {
			c.Message += fmt.Sprintf("\n… (%d more lines of output cut)", c.cut)
		}
		if !c.done {
			c.Status = Fail
			if crashed == nil && c.started {
				crashed = c
			}
			if c.Message == "" {
				c.Message = "did not finish: the suite stopped while this check was running"
			}
		}
		c.NotImplemented = c.Status == Fail && isNotImplemented(c.Message)
	}
	switch {
	case r.timeout != "":
		r.Problem = fmt.Sprintf("did not finish in %s: a loop that never ends, or a deadlock? The checks after it did not run.", r.timeout)
	case crashed != nil:
		r.Problem = fmt.Sprintf("the suite crashed during %q; the checks after it did not run.", crashed.Name)
	}
	if r.BuildFailed {
		r.BuildOutput = cleanBuild(r.BuildOutput)
	}
}

// allOutput is everything the run printed: the package's output and every
// check's (a goroutine dump may be split between them).
func (r *Result) allOutput() string {
	var b strings.Builder
	b.WriteString(r.pkgOut.String())
	for _, c := range r.Checks {
		b.WriteString(c.out.String())
	}
	return b.String()
}

// Complete adds a failed check for every expected check that produced no
// result, so that a binary that exits early is never read as a pass.
func (r *Result) Complete(expected []string) {
	if r.BuildFailed {
		return
	}
	missing := 0
	for _, name := range expected {
		if _, ok := r.byName[name]; ok {
			continue
		}
		missing++
		c := r.check(name)
		c.Status = Fail
		c.Message = "did not run"
		c.done = true
	}
	if missing > 0 && r.Problem == "" {
		for _, c := range r.Checks {
			if c.Status == Fail && strings.Contains(c.Message, "panic: ") {
				r.Problem = fmt.Sprintf("the suite crashed during %q; the checks after it did not run.", c.Name)
				return
			}
		}
		if len(r.Checks) == missing {
			r.Problem = "the test binary exited before running any check: does your code call os.Exit or log.Fatal?"
		} else {
			r.Problem = fmt.Sprintf("%d checks did not run: the test binary stopped early (os.Exit, log.Fatal, or a crash).", missing)
		}
	}
}

// isNotImplemented reports whether every failure in msg is a stub's
// "not implemented yet" panic (subtest labels aside).
func isNotImplemented(msg string) bool {
	found := false
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasSuffix(line, ":") && !strings.Contains(line, " "+NotImplementedPrefix):
		case strings.HasPrefix(line, NotImplementedPrefix), strings.HasPrefix(line, "panic: "+NotImplementedPrefix):
			found = true
		case strings.HasPrefix(line, "(failed on "):
		default:
			return false
		}
	}
	return found
}

// NotImplementedPrefix starts the panic message of every stub function.
const NotImplementedPrefix = "not implemented yet"

func timeoutMessage(limit, raw string) string {
	msg := fmt.Sprintf("did not finish in %s: a loop that never ends, or a deadlock?", limit)
	if frames := learnerFrames(raw); frames != "" {
		msg += "\nrunning at:\n" + frames
	}
	return msg
}

// clean turns a check's raw output into its message: framing lines and the
// suite's file:line prefixes go, the seed marker is taken out, panics and
// race reports are cut down to their message and the learner's frames.
func clean(raw string) (string, uint64) {
	var seed uint64
	var out []string
	races := map[string]int{} // a race's summary → its index in out
	raceCount := map[int]int{}
	lines := strings.Split(raw, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		switch {
		case trim == "", strings.HasPrefix(trim, "=== "), strings.HasPrefix(trim, "--- PASS"),
			strings.HasPrefix(trim, "--- FAIL"), strings.HasPrefix(trim, "--- SKIP"):
			continue
		case seedRE.MatchString(line):
			if seed == 0 {
				seed, _ = strconv.ParseUint(seedRE.FindStringSubmatch(line)[1], 10, 64)
			}
			continue
		case trim == "==================":
			continue
		case trim == "WARNING: DATA RACE":
			block, n := tailBlock(lines[i:])
			i += n - 1
			sum := raceSummary(block)
			if at, ok := races[sum]; ok {
				raceCount[at]++
				continue
			}
			races[sum] = len(out)
			raceCount[len(out)] = 1
			out = append(out, sum)
			continue
		case strings.HasPrefix(trim, "panic: "):
			block, n := tailBlock(lines[i:])
			out = append(out, summarize(block))
			i += n - 1
			continue
		case strings.Contains(trim, "race detected during execution of test"):
			continue
		}
		if loc := locationRE.FindString(line); loc != "" {
			line = line[len(loc):]
		} else {
			line = strings.TrimPrefix(line, "        ")
		}
		out = append(out, line)
	}
	for at, n := range raceCount {
		if n > 1 {
			out[at] = strings.Replace(out[at], "data race:", fmt.Sprintf("data race (reported %d times):", n), 1)
		}
	}
	return strings.TrimRight(strings.Join(dedupe(out), "\n"), "\n"), seed
}

var raceAccessRE = regexp.MustCompile(`^\s*((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite)) at `)

// raceSummary says what a race detector report found, in the learner's
// terms: each of the two accesses (read or write) at the first line of the
// learner's code on its stack.
func raceSummary(block string) string {
	out := []string{"data race: two goroutines used the same memory without synchronization"}
	lines := strings.Split(block, "\n")
	for i := 0; i < len(lines); i++ {
		m := raceAccessRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		where := "outside the exercise's code"
		for j := i + 1; j < len(lines) && strings.HasPrefix(lines[j], " "); j++ {
			if f := frameRE.FindStringSubmatch(lines[j]); f != nil && !strings.HasSuffix(f[1], "_test.go") {
				where = f[1] + ":" + f[2]
				break
			}
		}
		out = append(out, "    "+strings.ToLower(m[1])+" at "+where)
	}
	if len(out) == 1 {
		if frames := learnerFrames(block); frames != "" {
			out = append(out, frames)
		}
	}
	return strings.Join(out, "\n")
}

// tailBlock returns the lines of a panic or race report: up to the next
// line that is test framing, or the end.
func tailBlock(lines []string) (string, int) {
	n := 1
	for n < len(lines) {
		t := strings.TrimSpace(lines[n])
		if strings.HasPrefix(t, "--- ") || strings.HasPrefix(t, "=== ") || locationRE.MatchString(lines[n]) ||
			seedRE.MatchString(lines[n]) || strings.HasPrefix(t, "(failed on ") {
			break
		}
		if t == "==================" && n+1 < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[n+1]), "WARNING") {
			n++
			break
		}
		n++
	}
	return strings.Join(lines[:n], "\n"), n
}

func summarize(block string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(block), "\n")
	if first == "WARNING: DATA RACE" {
		first = "data race: two goroutines used the same memory without synchronization"
	}
	first = strings.TrimSuffix(strings.TrimSuffix(first, " [recovered, repanicked]"), " [recovered]")
	if strings.Contains(first, "unexpected call to os.Exit") {
		first = "the code called os.Exit during the check: exercise code must never exit the program"
	}
	if frames := learnerFrames(block); frames != "" {
		return first + "\n" + frames
	}
	return first
}

// learnerFrames lists the distinct exercise-file locations in a stack trace.
func learnerFrames(trace string) string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(trace, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "at ") && strings.Contains(t, "exercises/") {
			// Already a learner frame, as the suite toolkit writes them.
			if !seen[t] {
				seen[t] = true
				out = append(out, "    "+t)
			}
			continue
		}
		m := frameRE.FindStringSubmatch(line)
		if m == nil || strings.HasSuffix(m[1], "_test.go") {
			continue
		}
		loc := "    at " + m[1] + ":" + m[2]
		if !seen[loc] {
			seen[loc] = true
			out = append(out, loc)
		}
		if len(out) == 5 {
			break
		}
	}
	return strings.Join(out, "\n")
}

func dedupe(lines []string) []string {
	out := lines[:0]
	for i, l := range lines {
		if i > 0 && l == lines[i-1] && strings.HasPrefix(strings.TrimSpace(l), "at ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

var suiteFileRE = regexp.MustCompile(`exercises/[^/\s]+/[^\s:]+_test\.go:\d+:\d+: `)

// cleanBuild keeps the compiler's messages; errors located in the hidden
// suite are shown without its file name, since the learner never sees it.
func cleanBuild(out string) string {
	var lines []string
	suite := false
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if suiteFileRE.MatchString(l) {
			suite = true
			l = suiteFileRE.ReplaceAllString(l, "hidden suite: ")
		}
		lines = append(lines, l)
	}
	s := strings.Join(lines, "\n")
	if suite {
		s += "\n(the hidden suite calls the API the stub declares: did you rename, remove or change the signature of something it declares?)"
	}
	return s
}

// Title turns a test name into a sentence:
// TestRemoveMovesOnlyTheRemovedNodesKeys → "Remove moves only the removed nodes keys".
func Title(name string) string {
	name = strings.TrimPrefix(name, "Test")
	var words []string
	start := 0
	rs := []rune(name)
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || isBoundary(rs, i) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	out := words[:0]
	for _, w := range words {
		w = strings.Trim(w, "_")
		if w == "" {
			continue
		}
		if len(out) > 0 && !isAcronym(w) {
			w = strings.ToLower(w)
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func isBoundary(rs []rune, i int) bool {
	up := func(r rune) bool { return r >= 'A' && r <= 'Z' }
	digit := func(r rune) bool { return r >= '0' && r <= '9' }
	switch {
	case up(rs[i]) && !up(rs[i-1]):
		return true
	case up(rs[i]) && i+1 < len(rs) && !up(rs[i+1]) && !digit(rs[i+1]) && rs[i+1] != '_':
		return true // the last capital of an acronym starts a word: "LRUCache" → "LRU Cache"
	case digit(rs[i]) && !digit(rs[i-1]):
		return true
	}
	return false
}

// isAcronym keeps "LRU" and single-letter names such as "N" or "W" upper-case
// (but not the article "A").
func isAcronym(w string) bool {
	return w != "A" && strings.ToUpper(w) == w && strings.ToLower(w) != w
}
