package grader

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dslearn/dslearn/internal/runner"
)

func TestAGoroutinePanicIsShownWithItsLineAndCheck(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	impl := exercise(t, c, l.SolutionDir(), nil, "\tc.time++\n\treturn c.time\n", "\tc.time++\n\tgo func() { panic(\"boom in a goroutine\") }()\n\treturn c.time\n")
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: impl})[0]
	for _, want := range []string{"boom in a goroutine", "exercises/lamport-clocks/lamport.go:", "while the check"} {
		if !strings.Contains(g.Problem, want) {
			t.Errorf("problem = %q, want it to mention %q", g.Problem, want)
		}
	}
}

func TestATightLoopIsReportedInTheLearnersFunction(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	impl := exercise(t, c, l.SolutionDir(), nil, "\tc.time++\n\treturn c.time\n", "\tfor {\n\t\tc.time++\n\t}\n")
	g := grade(t, c, runner.Options{Timeout: 2 * time.Second}, runner.Item{Lesson: l, Impl: impl})[0]
	var msg string
	for _, ch := range g.Checks {
		if ch.Name == "TestTickAdvancesByOneAndReturnsTheNewTime" {
			msg = ch.Message
		}
	}
	if !strings.Contains(msg, "(in Clock.Tick)") || strings.Contains(msg, "lamport.go:1 ") {
		t.Errorf("message = %q, want the loop in Clock.Tick", msg)
	}
	if !strings.HasPrefix(g.Problem, "did not finish in 2s") {
		t.Errorf("problem = %q", g.Problem)
	}
}

func TestABrokenGoEnvironmentIsNotBlamedOnTheCode(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	impl := exercise(t, c, l.SolutionDir(), nil)
	for _, env := range [][2]string{{"GOCACHE", "off"}, {"GOROOT", "/nonexistent"}} {
		t.Run(env[0], func(t *testing.T) {
			t.Setenv(env[0], env[1])
			_, err := GradeAll(context.Background(), c, []runner.Item{{Lesson: l, Impl: impl}}, runner.Options{})
			var ge *GoError
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v, want a GoError", err)
			}
			// The go command names the variable or its value, or (Go 1.26
			// with a missing GOROOT) the tool it could not find.
			if !strings.Contains(err.Error(), env[0]) && !strings.Contains(err.Error(), env[1]) && !strings.Contains(err.Error(), "go: no such tool") {
				t.Errorf("the go command's own message is lost: %v", err)
			}
		})
	}
	t.Run("settings for another machine are dropped", func(t *testing.T) {
		t.Setenv("GOOS", "windows")
		t.Setenv("GOARCH", "arm64")
		t.Setenv("GOEXPERIMENT", "nosuchexperiment")
		g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: impl})[0]
		if g.State() != Passed {
			t.Errorf("state = %s, problem %q, build %q", g.State(), g.Problem, g.BuildOutput)
		}
	})
}

func TestAnExitFromInitShowsWhatTheCodePrinted(t *testing.T) {
	c := builtIn(t)
	l := lesson(t, c, "lamport-clocks")
	impl := exercise(t, c, l.SolutionDir(), map[string]string{"zz_init.go": "package lamport\n\nimport \"log\"\n\nfunc init() { log.Fatal(\"boom: config missing\") }\n"})
	g := grade(t, c, runner.Options{}, runner.Item{Lesson: l, Impl: impl})[0]
	wantFailing(t, g, "Its last output:")
	wantFailing(t, g, "boom: config missing")
}
