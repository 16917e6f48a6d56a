package grader

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/vet"
)

// Screen vets an implementation's files against what lesson l's exercise
// allows, before anything of them is built.
func Screen(c *course.Course, l *course.Lesson, impl fs.FS) []vet.Problem {
	names, probs := vet.Entries(impl)
	rules := vet.Rules{Package: StubPackage(c, l), Allowed: c.AllowedImports(l)}
	return append(probs, vet.Check(impl, names, rules)...)
}

// StubPackage is the package name lesson l's stub declares ("" if unknown).
func StubPackage(c *course.Course, l *course.Lesson) string {
	entries, err := fs.ReadDir(c.FS, l.StubDir())
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := fs.ReadFile(c.FS, l.StubDir()+"/"+e.Name())
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), src, parser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name
		}
	}
	return ""
}

// refused is the result of files that were not built at all.
func refused(probs []vet.Problem, allowed []string, dir string) *Result {
	r := newResult()
	r.BuildFailed, r.Refused = true, true
	if !slices.ContainsFunc(probs, func(p vet.Problem) bool { return !p.Syntax }) {
		// Only syntax errors: the learner's code does not compile.
		r.Refused = false
		var lines []string
		for _, p := range probs {
			p.File = path.Join(dir, p.File) // as the compiler names it
			lines = append(lines, p.String())
		}
		r.BuildOutput = strings.Join(lines, "\n")
		return r
	}
	var lines []string
	imports := false
	for _, p := range probs {
		lines = append(lines, p.String())
		imports = imports || strings.Contains(p.Msg, "does not allow")
	}
	if imports {
		lines = append(lines, "", "This exercise may import: "+strings.Join(allowed, ", "))
	}
	r.BuildOutput = strings.Join(lines, "\n")
	return r
}

// judge settles a run's result from the harness's records, which learner
// code cannot write, instead of from the output stream, which it can. A
// check passes only when the harness reported it passed; an exercise passes
// only when the harness also reported that every check ran and m.Run
// returned 0, and the binary then exited with that code. The stream still
// supplies every failure's message.
func judge(r *Result, ran runner.Ran, expected []string, timeout time.Duration) {
	final := map[string]runner.Record{}
	provisional := map[string]runner.Record{}
	for _, rec := range ran.Records {
		switch rec.Event {
		case "result":
			final[rec.Test] = rec
		case "done":
			provisional[rec.Test] = rec
		}
	}
	end, ended := ran.End()
	trusted := provisional
	if ended {
		trusted = final
	}
	var forged []string
	for _, c := range r.Checks {
		if c.runs > 1 || c.ends > 1 {
			forged = append(forged, c.Name)
		}
		rec, ok := trusted[c.Name]
		switch {
		case ok && rec.Skip:
			c.Status = Skip
		case !ok && !ran.Started:
			// Nothing ran: whatever the stream shows was printed by init code.
			if c.Status == Pass {
				forged = append(forged, c.Name)
			}
			c.Status, c.Message = Fail, "did not run"
		case ok && !rec.Failed:
			if c.Status != Pass {
				forged = append(forged, c.Name)
			}
			c.Status = Pass
		default:
			if c.Status == Pass && (ok || ended) {
				// The stream said it passed; the suite says otherwise.
				forged = append(forged, c.Name)
			}
			c.Status = Fail
			if c.Message == "" {
				switch {
				case ok:
					c.Message = "failed"
				case !ran.Started:
					c.Message = "did not run"
				default:
					c.Message = "did not finish: the test binary stopped while this check was running"
					if !c.started {
						c.Message = "did not run"
					}
				}
			}
		}
		c.NotImplemented = c.Status == Fail && isNotImplemented(c.Message)
	}
	// Checks the harness reported but the stream never showed.
	for name, rec := range trusted {
		if _, ok := r.byName[name]; ok {
			continue
		}
		c := r.check(name)
		c.done = true
		c.Status = Pass
		if rec.Failed {
			c.Status, c.Message = Fail, "failed (its output was lost)"
		}
	}
	if expected != nil {
		r.Complete(expected)
	}

	// The run as a whole, most specific cause first, from what the runner
	// and the harness saw; the stream's own account (finish) is replaced.
	limit := round(timeout)
	r.Problem = ""
	switch {
	case ran.Limit == "memory":
		r.Problem = fmt.Sprintf("used more than %s of memory, the limit of one check run: does something grow without bound (a slice, a map, goroutines)?", bytesText(ran.Limits.Memory))
	case ran.Limit == "output":
		r.Problem = fmt.Sprintf("printed more than %s, the limit of one check run: remove the printing from the code the checks call.", bytesText(ran.Limits.Output))
	case ran.Limit == "processes":
		r.Problem = "started more processes than a check may: exercise code runs inside the suite and must not start programs."
	case ran.Deadline && !ran.Started:
		r.Problem = fmt.Sprintf("did not finish in %s, and no check had started: the code is stuck in an init function or a package-level variable's initializer.", limit)
	case !ended && (ran.Deadline || r.timeout != ""):
		r.Problem = fmt.Sprintf("did not finish in %s: a loop that never ends, or a deadlock? The checks after it did not run.", limit)
	case !ended && ran.Started:
		// Checks run one after another: the last one started was running.
		during := ""
		for _, c := range r.Checks {
			if c.started {
				during = fmt.Sprintf(" while the check %q was running", c.Title)
			}
		}
		r.Problem = "the test binary crashed" + during + "; the checks after it did not run."
		if p := r.packagePanic(); p != "" {
			r.Problem = "the test binary crashed" + during + ": " + p
		}
	case !ended:
		r.Problem = "the test binary exited before running any check."
		if p := r.packagePanic(); p != "" {
			r.Problem += " " + p
		} else if out := lastLines(strings.TrimSpace(r.allOutput()), 5); out != "" {
			// Exited on purpose, as log.Fatal does: show why.
			r.Problem += " Does the code exit in an init function? Its last output:\n" + out
		} else {
			r.Problem += " Does the code panic or loop in an init function?"
		}
	case ran.Code != end.Code && strings.Contains(r.allOutput(), "WARNING: DATA RACE"):
		// The race detector's exit status (66): a race no check was running for.
		all := r.allOutput()
		block, _ := tailBlock(strings.Split(all[strings.Index(all, "WARNING: DATA RACE"):], "\n"))
		r.Problem = "the race detector found a data race outside the checks (in code that kept running after one ended): " + raceSummary(block)
	case ran.Code != end.Code:
		r.Problem = fmt.Sprintf("the test binary crashed after its checks ran (exit status %d): a goroutine the code started may have panicked.", ran.Code)
		if p := r.packagePanic(); p != "" {
			r.Problem += "\n" + p
		}
	case ran.Forged > 0:
		r.Problem = "something other than the suite wrote to the grader's private channel; the run cannot be trusted."
	}
	if len(forged) > 0 && r.Problem == "" {
		r.Problem = fmt.Sprintf("the output imitates go test's own results for %s (lines such as \"--- PASS: %s\"); only the suite's report counts, and code must not print test results.", strings.Join(forged, ", "), forged[0])
	}
}

// packagePanic finds a panic in output that belongs to no check (a crash in
// a goroutine, or in init) and returns its message and the learner's frames.
func (r *Result) packagePanic() string {
	raw := r.allOutput()
	i := strings.Index(raw, "panic: ")
	if i < 0 {
		i = strings.Index(raw, "fatal error: ")
	}
	if i < 0 {
		return ""
	}
	block, _ := tailBlock(strings.Split(raw[i:], "\n"))
	return summarize(block)
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unreadable is the result of an implementation whose files could not be
// read (or are far too large): refused, with the reason.
func unreadable(err error) *Result {
	r := newResult()
	r.BuildFailed, r.Refused = true, true
	r.BuildOutput = "the exercise's files could not be read: " + err.Error()
	return r
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
