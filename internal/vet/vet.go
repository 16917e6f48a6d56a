// Package vet screens a learner's exercise files before anything of them is
// compiled: only the algorithm the exercise asks for may come from the
// learner. The files are parsed (never built) and refused, with the file,
// line and a one-line reason, when they import a package the exercise does
// not allow, use cgo, carry compiler directives such as //go:linkname, are
// not regular files, or declare another package than the exercise's.
//
// The import allowlist is the first of the grader's defences: without os,
// syscall, unsafe, os/exec or reflect, learner code can print,
// compute and panic, but cannot open a file, read the environment, start a
// process or write to the channel the verdict travels on.
package vet

import (
	"errors"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Problem is one reason the files are refused.
type Problem struct {
	File string // the file's name inside the exercise directory
	Line int    // 0 when the problem is about the whole file
	Col  int    // 0 when not known
	Msg  string
	// Syntax is set when the file does not parse: the screening cannot
	// look inside it, so it is refused, but the learner's mistake is a
	// syntax error, and reported as one.
	Syntax bool
}

func (p Problem) String() string {
	if p.Line > 0 && p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Rules say what an exercise's files may contain.
type Rules struct {
	// Package is the package name the exercise's stub declares.
	Package string
	// Allowed lists the import paths the exercise may use.
	Allowed []string
}

// Denied lists packages no course may allow, with the power each would hand
// to learner code. A course's allowlist is checked against it when loaded.
var Denied = map[string]string{
	"C":                "cgo runs C code outside Go's safety",
	"unsafe":           "it reads and writes any memory, the grader's included",
	"os":               "it opens files, reads the environment and exits the program",
	"os/exec":          "it starts other programs",
	"os/signal":        "it intercepts the signals that stop a check",
	"os/user":          "it reads the machine's accounts",
	"syscall":          "it makes raw system calls",
	"plugin":           "it loads compiled code at run time",
	"runtime/debug":    "it changes memory limits and crash behaviour",
	"runtime/pprof":    "it writes profiles to files",
	"runtime/trace":    "it writes traces to files",
	"reflect":          "it inspects and calls code the exercise never names",
	"testing":          "it belongs to the hidden suite",
	"flag":             "it reads the test binary's command line",
	"embed":            "it compiles files from the disk into the program",
	"io/ioutil":        "it reads and writes files",
	"path/filepath":    "it walks the file system",
	"net":              "it opens network connections",
	"log/syslog":       "it writes to the system log",
	"internal/testenv": "it belongs to the Go project's tests",
}

// deniedPrefixes deny whole families of packages.
var deniedPrefixes = []string{"net/", "os/", "syscall/", "golang.org/x/sys/", "runtime/", "debug/", "testing/", "internal/", "vendor/", "cmd/"}

// DeniedReason says why no course may allow importing p, or "" if one may.
func DeniedReason(p string) string {
	if why, ok := Denied[p]; ok {
		return why
	}
	for _, pre := range deniedPrefixes {
		if strings.HasPrefix(p, pre) {
			return "packages under " + pre + " reach outside the exercise"
		}
	}
	return ""
}

// Check screens the named files of fsys against the rules. Files are read
// with fs.ReadFile, so fsys decides what a name means; the caller must have
// refused non-regular files already (see Entries).
func Check(fsys fs.FS, names []string, r Rules) []Problem {
	var probs []Problem
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: "cannot be read: " + err.Error()})
			continue
		}
		probs = append(probs, checkFile(name, src, r)...)
	}
	return probs
}

// maxFileSize bounds one learner file: an exercise needs a few hundred lines.
const maxFileSize = 1 << 20

func checkFile(name string, src []byte, r Rules) []Problem {
	var probs []Problem
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if len(src) > maxFileSize {
		add(0, "is larger than %d KiB; an exercise needs far less", maxFileSize>>10)
		return probs
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		// A file the screening cannot read is never built (fail closed):
		// go/parser refuses a few programs the compiler accepts (a
		// nesting deeper than it allows), whose insides would then go
		// unscreened. For an ordinary syntax error the learner sees the
		// parser's messages, as from the compiler.
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			for i, e := range list {
				if i == 10 {
					break
				}
				probs = append(probs, Problem{File: name, Line: e.Pos.Line, Col: e.Pos.Column, Msg: "syntax error: " + e.Msg, Syntax: true})
			}
			return probs
		}
		return []Problem{{File: name, Msg: "syntax error: " + err.Error(), Syntax: true}}
	}
	line := func(p token.Pos) int { return fset.Position(p).Line }
	if r.Package != "" && f.Name.Name != r.Package {
		add(line(f.Name.Pos()), "says package %s, but the exercise's package is %s: every file of the exercise starts with \"package %s\"", f.Name.Name, r.Package, r.Package)
	}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		switch {
		case p == "C":
			add(line(imp.Pos()), "imports \"C\": cgo is not allowed in exercises")
		case !slices.Contains(r.Allowed, p):
			msg := fmt.Sprintf("imports %q, which this exercise does not allow", p)
			if why := DeniedReason(p); why != "" {
				msg += " (" + why + ")"
			}
			add(line(imp.Pos()), "%s", msg)
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if why := directive(c.Text); why != "" {
				add(line(c.Pos()), "%s", why)
			}
		}
	}
	return probs
}

// directive returns why a comment is refused, or "" when it is an ordinary
// comment or a build constraint.
func directive(text string) string {
	switch {
	case strings.HasPrefix(text, "//go:build"):
		return ""
	case strings.HasPrefix(text, "//go:"):
		name, _, _ := strings.Cut(strings.TrimPrefix(text, "//"), " ")
		return fmt.Sprintf("the compiler directive //%s is not allowed in exercises", name)
	case strings.HasPrefix(text, "//export "):
		return "the cgo directive //export is not allowed in exercises"
	case strings.HasPrefix(text, "//line ") || strings.HasPrefix(text, "/*line "):
		return "//line directives are not allowed: they would make errors point at the wrong place"
	}
	return ""
}

// Entries returns the names of the non-test .go files of an exercise
// directory, and a problem for each entry that is not a regular file (a
// symbolic link could point anywhere on the machine).
func Entries(fsys fs.FS) ([]string, []Problem) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, []Problem{{File: ".", Msg: "cannot be listed: " + err.Error()}}
	}
	var names []string
	var probs []Problem
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if !e.Type().IsRegular() {
			kind := "not a regular file"
			if e.Type()&fs.ModeSymlink != 0 {
				kind = "a symbolic link"
			}
			probs = append(probs, Problem{File: name, Msg: kind + ": exercise files must be plain files in the exercise's directory; replace it with a copy of the file"})
			continue
		}
		names = append(names, path.Clean(name))
	}
	return names, probs
}
