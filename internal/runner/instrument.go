package runner

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// harnessName is the name under which instrumented suite files import the
// harness. Imports are file-scoped, so no other file can use it.
const harnessName = "dslearnharness"

// instrument prepares one hidden suite file for a graded build: every check
// (a top-level TestXxx(*testing.T)) starts by registering itself with the
// harness, which reports its outcome on a channel learner code cannot reach.
// Text is only inserted within existing lines, so the suite's line numbers
// stay as the author wrote them.
//
// A suite must be an external test package (package <name>_test): the
// learner's package is then compiled on its own, and learner code can never
// name, read or change anything the suite declares. A suite must not declare
// TestMain: the generated one hands control to the harness.
func instrument(name string, src []byte, harnessPath string) ([]byte, string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, "", err
	}
	pkg := f.Name.Name
	if !strings.HasSuffix(pkg, "_test") {
		return nil, "", fmt.Errorf("%s says package %s: a hidden suite must be an external test package (package <name>_test), so that learner code cannot reach what it declares", name, pkg)
	}
	testing := testingName(f)
	type insert struct {
		off  int
		text string
	}
	var ins []insert
	offset := func(p token.Pos) int { return fset.Position(p).Offset }
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Body == nil {
			continue
		}
		if fn.Name.Name == "TestMain" {
			return nil, "", fmt.Errorf("%s declares TestMain: hidden suites must not; the grader generates it", name)
		}
		if !IsCheckName(fn.Name.Name) || testing == "" || !takesT(fn, testing) {
			continue
		}
		param := fn.Type.Params.List[0]
		t := ""
		switch {
		case len(param.Names) == 0:
			t = "dslearnT"
			ins = append(ins, insert{offset(param.Type.Pos()), t + " "})
		case param.Names[0].Name == "_":
			// The blank name becomes a name the harness call can use.
			t = "dslearnT"
			ins = append(ins, insert{offset(param.Names[0].Pos()), t}, insert{-offset(param.Names[0].End()), ""})
		default:
			t = param.Names[0].Name
		}
		ins = append(ins, insert{offset(fn.Body.Lbrace) + 1, fmt.Sprintf(" %s.Track(%s); defer %s.Finish(%s);", harnessName, t, harnessName, t)})
	}
	if len(ins) > 0 {
		ins = append(ins, insert{offset(f.Name.End()), fmt.Sprintf("; import %s %q", harnessName, harnessPath)})
	}
	// Apply from the end so earlier offsets stay valid. A negative offset
	// deletes the one byte before it (the blank identifier "_").
	slices.SortFunc(ins, func(a, b insert) int { return abs(b.off) - abs(a.off) })
	out := bytes.Clone(src)
	for _, in := range ins {
		if in.off < 0 {
			at := -in.off - 1
			out = slices.Delete(out, at, at+1)
			continue
		}
		out = slices.Insert(out, in.off, []byte(in.text)...)
	}
	return out, pkg, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// testingName is the name under which f imports "testing" ("" if it does not).
func testingName(f *ast.File) string {
	for _, imp := range f.Imports {
		if imp.Path.Value != `"testing"` {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return "testing"
	}
	return ""
}

// takesT reports whether fn's only parameter is a *testing.T.
func takesT(fn *ast.FuncDecl, testing string) bool {
	ps := fn.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) > 1 || fn.Type.Results != nil {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == testing && sel.Sel.Name == "T"
}

// CheckSuite reports whether a hidden suite file can be graded: it parses,
// is an external test package and declares no TestMain.
func CheckSuite(name string, src []byte) error {
	_, _, err := instrument(name, src, "example.com/harness")
	return err
}

// IsCheckName reports whether go test treats a function of this name as a
// test: "Test" alone, or followed by a character that is not lower case.
func IsCheckName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Test")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsLower(r)
}
