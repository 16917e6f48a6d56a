// Package mutate measures how strong a hidden suite is: it changes the
// reference solution in one small place at a time (a mutant), and a strong
// suite rejects (kills) every mutant that changes what the program does.
// The operators work on the solution's syntax tree (go/ast); mutants that do
// not type-check are discarded and counted. `dslearn dev mutate` uses it.
package mutate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Mutant is the solution with one change.
type Mutant struct {
	// ID is stable while the changed lines and their context stay the same,
	// so that an equivalent mutant can be recorded by it.
	ID       string
	Operator string
	// File is the changed file's name in the exercise directory.
	File      string
	Line, Col int
	// Change says what changed, e.g. "< → <=".
	Change string
	// Source is the changed file.
	Source []byte
	// Diff is the change as a unified diff against the solution.
	Diff string
}

// Where is the mutant's position, file:line.
func (m Mutant) Where() string { return fmt.Sprintf("%s:%d", m.File, m.Line) }

// Set is every mutant of one solution.
type Set struct {
	// Files are the solution's files, name → source.
	Files map[string][]byte
	// Mutants are the mutants that type-check, in generation order.
	Mutants []Mutant
	// NotCompiling counts the mutants discarded because they do not type-check.
	NotCompiling int
}

// Generate makes the mutants of the solution in directory dir of fsys with
// the given operators (all when ops is nil). module is the course's module
// path: imports below it are type-checked from fsys.
func Generate(fsys fs.FS, dir, module string, ops []Operator) (*Set, error) {
	if ops == nil {
		ops = Operators
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	set := &Set{Files: map[string][]byte{}}
	var names []string
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		set.Files[name] = src
		names = append(names, name)
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no .go files", dir)
	}
	imp := &courseImporter{fsys: fsys, module: module, std: importer.Default(), done: map[string]*types.Package{}}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	pkg, err := typeCheck(fset, files, imp, info)
	if err != nil {
		return nil, fmt.Errorf("the solution in %s does not type-check: %w", dir, err)
	}
	u := &unit{fset: fset, pkg: pkg, info: info}
	seen := map[string]int{}
	for i, f := range files {
		name := names[i]
		base, err := formatFile(fset, f)
		if err != nil {
			return nil, err
		}
		for _, op := range ops {
			for _, s := range op.sites(u, f) {
				s.apply()
				src, ferr := formatFile(fset, f)
				s.undo()
				if ferr != nil || bytes.Equal(src, base) {
					continue
				}
				if !compiles(set.Files, name, src, imp) {
					set.NotCompiling++
					continue
				}
				pos := fset.Position(s.pos)
				m := Mutant{Operator: op.Name, File: name, Line: pos.Line, Col: pos.Column, Change: s.change, Source: src,
					Diff: UnifiedDiff(name, string(set.Files[name]), string(src))}
				m.ID = mutantID(m)
				seen[m.ID]++
				if n := seen[m.ID]; n > 1 {
					m.ID = fmt.Sprintf("%s-%d", m.ID, n)
				}
				set.Mutants = append(set.Mutants, m)
			}
		}
	}
	return set, nil
}

// UnifiedDiff is the change from old to new of the exercise file name, as
// a unified diff with the paths a/name and b/name.
func UnifiedDiff(name, old, new string) string {
	return udiff.Unified("a/"+name, "b/"+name, old, new)
}

// mutantID hashes the file, the operator and the diff's hunks without their
// line numbers: it survives edits elsewhere in the file.
func mutantID(m Mutant) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", m.File, m.Operator)
	for _, line := range strings.Split(m.Diff, "\n") {
		if strings.HasPrefix(line, "@@") || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "+++ ") {
			continue
		}
		fmt.Fprintln(h, line)
	}
	return hex.EncodeToString(h.Sum(nil))[:8]
}

func formatFile(fset *token.FileSet, f *ast.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compiles type-checks the package with file name's source replaced by src.
func compiles(files map[string][]byte, name string, src []byte, imp types.Importer) bool {
	fset := token.NewFileSet()
	var all []*ast.File
	for n, orig := range files {
		if n == name {
			orig = src
		}
		f, err := parser.ParseFile(fset, n, orig, parser.SkipObjectResolution)
		if err != nil {
			return false
		}
		all = append(all, f)
	}
	_, err := typeCheck(fset, all, imp, nil)
	return err == nil
}

func typeCheck(fset *token.FileSet, files []*ast.File, imp types.Importer, info *types.Info) (*types.Package, error) {
	conf := types.Config{Importer: imp}
	return conf.Check(files[0].Name.Name, fset, files, info)
}

// courseImporter imports the standard library from export data and the
// course's own packages (such as simnet) from source.
type courseImporter struct {
	fsys   fs.FS
	module string
	std    types.Importer
	done   map[string]*types.Package
}

func (im *courseImporter) Import(p string) (*types.Package, error) {
	if pkg, ok := im.done[p]; ok {
		return pkg, nil
	}
	rel, ok := strings.CutPrefix(p, im.module+"/")
	if !ok {
		pkg, err := im.std.Import(p)
		if err == nil {
			im.done[p] = pkg
		}
		return pkg, err
	}
	entries, err := fs.ReadDir(im.fsys, rel)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := fs.ReadFile(im.fsys, path.Join(rel, e.Name()))
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, e.Name(), src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", rel)
	}
	conf := types.Config{Importer: im}
	pkg, err := conf.Check(p, fset, files, nil)
	if err != nil {
		return nil, err
	}
	im.done[p] = pkg
	return pkg, nil
}

// OperatorsNamed returns the operators with the given names, or an error
// naming the unknown ones.
func OperatorsNamed(names []string) ([]Operator, error) {
	var ops []Operator
	for _, n := range names {
		i := slices.IndexFunc(Operators, func(op Operator) bool { return op.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown operator %q; the operators are %s", n, strings.Join(OperatorNames(), ", "))
		}
		ops = append(ops, Operators[i])
	}
	return ops, nil
}
