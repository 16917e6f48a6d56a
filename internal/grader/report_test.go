package grader

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dslearn/dslearn/internal/course"
)

func TestReportSaysASubtestLabelOnce(t *testing.T) {
	l := &course.Lesson{Number: 1, Slug: "lamport-clocks", Title: "Lamport clocks"}
	msg := "message beyond 32 bits:\nmessage beyond 32 bits: clock at 2, Receive(1099511627781) must return max(2, 1099511627781)+1\n  expected: 1099511627782\n  actual:   6"
	g := &Graded{Lesson: l, Result: &Result{Checks: []*Check{{Name: "TestReceive", Title: "Receive", Status: Fail, Message: msg}}}}
	var b strings.Builder
	WriteReport(&b, g, Style{})
	if n := strings.Count(b.String(), "message beyond 32 bits"); n != 1 {
		t.Errorf("the label appears %d times:\n%s", n, b.String())
	}
	if !strings.Contains(b.String(), "expected: 1099511627782") {
		t.Errorf("the message lost its detail:\n%s", b.String())
	}
	if j := JSON([]*Graded{g}); strings.Count(j.Exercises[0].Checks[0].Message, "message beyond 32 bits") != 1 {
		t.Errorf("--json repeats the label: %q", j.Exercises[0].Checks[0].Message)
	}
}

func TestWrapTextBreaksAtSpacesAndKeepsLongValuesWhole(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"short line", 40, "short line"},
		{"      Implement the functions, then check again.", 30, "      Implement the functions,\n      then check again."},
		{"      Receive(1099511627781) must return", 20, "      Receive(1099511627781)\n      must return"},
		{"a b", 0, "a b"},
	} {
		got := wrapText(tc.in, tc.width)
		if got != tc.want {
			t.Errorf("wrapText(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestReportFitsTheTerminal(t *testing.T) {
	l := &course.Lesson{Number: 1, Slug: "lamport-clocks", Title: "Lamport clocks"}
	g := &Graded{Lesson: l, Result: &Result{Checks: []*Check{{Name: "TestTick", Title: "Tick", Status: Fail, NotImplemented: true, Message: "not implemented yet"}}}}
	var b strings.Builder
	WriteReport(&b, g, Style{Width: 60})
	for _, line := range strings.Split(b.String(), "\n") {
		if utf8.RuneCountInString(line) > 60 {
			t.Errorf("line longer than 60 columns: %q", line)
		}
	}
	// Joined again at the line breaks, the words are whole.
	if joined := strings.ReplaceAll(b.String(), "\n", " "); !strings.Contains(joined, "Implement the functions in exercises/lamport-clocks/, then check again.") {
		t.Errorf("a word was cut:\n%s", b.String())
	}
}
