package dslearn

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

const module = "github.com/dslearn/dslearn"

// TestImportRules holds the invariants of ARCHITECTURE.md that an import
// can break.
func TestImportRules(t *testing.T) {
	for _, v := range importViolations(t, os.DirFS(".")) {
		t.Error(v)
	}
}

// TestImportRulesCatchViolations: each rule reports a file that breaks it.
func TestImportRulesCatchViolations(t *testing.T) {
	file := func(imp string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("package x\n\nimport _ \"" + imp + "\"\n")}
	}
	fsys := fstest.MapFS{
		"internal/cli/ok.go":             file("github.com/spf13/cobra"),
		"internal/grader/bad.go":         file("github.com/spf13/cobra"),
		"internal/runner/bad.go":         file(module + "/internal/grader"),
		"internal/runner/ok_test.go":     file(module + "/internal/grader"),
		"internal/patch/bad.go":          file(module + "/internal/course"),
		"internal/check/ok.go":           file(module + "/internal/check/hb"),
		"internal/check/hb/ok.go":        file("math/rand/v2"),
		"simnet/bad.go":                  file("github.com/charmbracelet/lipgloss"),
		"internal/runner/harness/bad.go": file(module + "/internal/course"),
	}
	var got []string
	for _, v := range importViolations(t, fsys) {
		path, _, _ := strings.Cut(v, " ")
		got = append(got, path)
	}
	want := []string{"internal/grader/bad.go", "internal/patch/bad.go", "internal/runner/bad.go", "internal/runner/harness/bad.go", "simnet/bad.go"}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("violations reported in %v, want %v", got, want)
	}
}

// importViolations checks the project's Go files in fsys against the
// import rules. Each rule names the packages it covers and what they must
// not import.
func importViolations(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	imports := importsOf(t, fsys)
	rules := []struct {
		name string
		// covers reports whether the rule applies to the package in dir.
		covers    func(dir string, test bool) bool
		forbidden func(imp string) bool
	}{
		{
			"the domain never imports cobra: only internal/cli does",
			func(dir string, _ bool) bool { return dir != "internal/cli" },
			func(imp string) bool { return strings.HasPrefix(imp, "github.com/spf13/cobra") },
		},
		{
			"the runner knows nothing of judging: it does not import the grader or the audit",
			func(dir string, test bool) bool { return dir == "internal/runner" && !test },
			func(imp string) bool { return imp == module+"/internal/grader" || imp == module+"/internal/audit" },
		},
		{
			"internal/patch stands alone: it imports no other package of the project",
			func(dir string, test bool) bool { return dir == "internal/patch" },
			func(imp string) bool { return strings.HasPrefix(imp, module+"/") || imp == module },
		},
		{
			"the code compiled into graded builds (simnet, internal/check, internal/porcupine, the harness) imports only the standard library and itself",
			func(dir string, test bool) bool {
				return !test && (dir == "simnet" || dir == "internal/check" || strings.HasPrefix(dir, "internal/check/") || dir == "internal/porcupine" || dir == "internal/runner/harness")
			},
			func(imp string) bool {
				first, _, _ := strings.Cut(imp, "/")
				if !strings.Contains(first, ".") {
					return false // the standard library
				}
				return imp != module+"/simnet" && imp != module+"/internal/check" && !strings.HasPrefix(imp, module+"/internal/check/")
			},
		},
	}
	if len(imports) == 0 {
		t.Fatal("found no Go files to check")
	}
	var violations []string
	for _, r := range rules {
		covered := 0
		for _, f := range imports {
			if !r.covers(f.dir, f.test) {
				continue
			}
			covered++
			for _, imp := range f.imports {
				if r.forbidden(imp) {
					violations = append(violations, fmt.Sprintf("%s imports %s; %s", f.path, imp, r.name))
				}
			}
		}
		if covered == 0 {
			violations = append(violations, fmt.Sprintf("the rule %q covers no file: has a package moved?", r.name))
		}
	}
	return violations
}

type fileImports struct {
	path, dir string
	test      bool
	imports   []string
}

// importsOf parses the imports of the project's Go files: the root package,
// cmd/ and internal/ and simnet/ (not the course content, whose exercise
// packages are learners' code).
func importsOf(t *testing.T, fsys fs.FS) []fileImports {
	t.Helper()
	var out []fileImports
	fset := token.NewFileSet()
	for _, root := range []string{".", "cmd", "internal", "simnet"} {
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			if err != nil {
				return err
			}
			if d.IsDir() {
				if root == "." && p != "." || d.Name() == "testdata" {
					return fs.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") {
				return nil
			}
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
			if err != nil {
				return err
			}
			fi := fileImports{path: p, dir: path.Dir(p), test: strings.HasSuffix(p, "_test.go")}
			for _, s := range f.Imports {
				imp, err := strconv.Unquote(s.Path.Value)
				if err != nil {
					return err
				}
				fi.imports = append(fi.imports, imp)
			}
			out = append(out, fi)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
