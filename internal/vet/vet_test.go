package vet

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

var rules = Rules{Package: "lamport", Allowed: []string{"fmt", "sync", "example.com/c/simnet"}}

func TestCheckRefusesWhatTheExerciseDoesNotAllow(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // substrings of the problems, in order; none means accepted
	}{
		{"allowed imports", "package lamport\n\nimport (\n\t\"fmt\"\n\t\"sync\"\n\t\"example.com/c/simnet\"\n)\n", nil},
		{"build constraint", "//go:build !windows\n\npackage lamport\n", nil},
		{"os", "package lamport\n\nimport \"os\"\n", []string{`a.go:3: imports "os", which this exercise does not allow (it opens files`}},
		{"renamed unsafe", "package lamport\n\nimport u \"unsafe\"\n", []string{`a.go:3: imports "unsafe"`}},
		{"blank os/exec", "package lamport\n\nimport _ \"os/exec\"\n", []string{`imports "os/exec"`}},
		{"syscall and testing", "package lamport\n\nimport (\n\t\"syscall\"\n\t\"testing\"\n)\n", []string{`a.go:4: imports "syscall"`, `a.go:5: imports "testing"`}},
		{"the course's own packages", "package lamport\n\nimport \"example.com/c/internal/check\"\n", []string{`imports "example.com/c/internal/check"`}},
		{"cgo", "package lamport\n\n// int f() { return 1; }\nimport \"C\"\n", []string{`a.go:4: imports "C": cgo is not allowed`}},
		{"linkname", "package lamport\n\nimport _ \"fmt\"\n\n//go:linkname now runtime.nanotime\nfunc now() int64\n", []string{`a.go:5: the compiler directive //go:linkname is not allowed`}},
		{"embed", "package lamport\n\n//go:embed secrets.txt\nvar s string\n", []string{`the compiler directive //go:embed`}},
		{"export", "package lamport\n\n//export F\nfunc F() {}\n", []string{`the cgo directive //export`}},
		{"line directive", "package lamport\n\n//line other.go:1\nfunc F() {}\n", []string{`//line directives are not allowed`}},
		{"another package", "package helpers\n\nfunc F() {}\n", []string{`a.go:1: says package helpers, but the exercise's package is lamport`}},
		{"syntax error, reported as one", "package lamport\n\nfunc F( {\n", []string{`a.go:3:9: syntax error: expected ')', found '{'`}},
		{"deeper than the parser reads", "package lamport\n\nvar x = " + strings.Repeat("(", 100_001) + "1" + strings.Repeat(")", 100_001) + "\n", []string{`syntax error: exceeded max nesting depth`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probs := Check(fstest.MapFS{"a.go": {Data: []byte(tc.src)}}, []string{"a.go"}, rules)
			if len(probs) != len(tc.want) {
				t.Fatalf("problems = %q, want %d like %q", probs, len(tc.want), tc.want)
			}
			for i, p := range probs {
				if !strings.Contains(p.String(), tc.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p, tc.want[i])
				}
			}
		})
	}
}

func TestEntriesRefusesLinksAndSkipsTests(t *testing.T) {
	fsys := fstest.MapFS{
		"clock.go":      {Data: []byte("package lamport\n")},
		"clock_test.go": {Data: []byte("package lamport\n")},
		"notes.md":      {Data: []byte("x")},
		"leak.go":       {Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink},
	}
	names, probs := Entries(fsys)
	if strings.Join(names, " ") != "clock.go" {
		t.Errorf("names = %q, want only clock.go", names)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].String(), "leak.go: a symbolic link") {
		t.Errorf("problems = %q, want leak.go refused as a symbolic link", probs)
	}
}

func TestDeniedReasonCoversFamilies(t *testing.T) {
	for _, p := range []string{"os", "os/exec", "net/http", "net", "syscall", "golang.org/x/sys/unix", "runtime/debug", "unsafe", "reflect", "internal/abi", "plugin", "embed"} {
		if DeniedReason(p) == "" {
			t.Errorf("%s may be allowed by a course; it must not", p)
		}
	}
	for _, p := range []string{"fmt", "sync", "time", "math/rand/v2", "runtime", "strings"} {
		if why := DeniedReason(p); why != "" {
			t.Errorf("%s is denied (%s); a course may allow it", p, why)
		}
	}
}
