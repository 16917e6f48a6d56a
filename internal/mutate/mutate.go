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
	"errors"
	"fmt"
	"github.com/dslearn/dslearn/internal/patch"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	imp := &courseImporter{fsys: fsys, module: module, std: std, done: map[string]*types.Package{}}
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
				src = tidy(set.Files[name], src)
				src, ok := compiles(set.Files, name, src, imp)
				if !ok {
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
	return patch.Create(name, []byte(old), []byte(new))
}

// tidy drops the blank lines the printer leaves where a statement was
// removed or before one it inserted: a changed region gains no blank line
// that it did not have.
func tidy(old, new []byte) []byte {
	edits := udiff.Lines(string(old), string(new))
	for i, e := range edits {
		if strings.Contains("\n"+string(old[e.Start:e.End]), "\n\n") {
			continue
		}
		var keep []string
		for _, line := range strings.SplitAfter(e.New, "\n") {
			if strings.TrimSpace(line) != "" {
				keep = append(keep, line)
			}
		}
		edits[i].New = strings.Join(keep, "")
	}
	out, err := udiff.Apply(string(old), edits)
	if err != nil {
		return new
	}
	return []byte(out)
}

// mutantID hashes the file, the operator, the changed lines and the line
// before them (not their line numbers): it survives edits elsewhere in the file.
func mutantID(m Mutant) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", m.File, m.Operator)
	before := ""
	for _, line := range strings.Split(m.Diff, "\n") {
		switch {
		case strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "@@"):
		case strings.HasPrefix(line, "-"), strings.HasPrefix(line, "+"):
			fmt.Fprintf(h, "%s\n%s\n", before, line)
			before = ""
		case strings.TrimSpace(line) != "":
			before = line
		}
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
// Imports the change left unused are removed (as goimports would); it
// returns the source that compiles.
func compiles(files map[string][]byte, name string, src []byte, imp types.Importer) ([]byte, bool) {
	for range 2 {
		fset := token.NewFileSet()
		var all []*ast.File
		var mutated *ast.File
		for n, orig := range files {
			if n == name {
				orig = src
			}
			f, err := parser.ParseFile(fset, n, orig, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return nil, false
			}
			if n == name {
				mutated = f
			}
			all = append(all, f)
		}
		var errs []types.Error
		conf := types.Config{Importer: imp, Error: func(err error) { errs = append(errs, err.(types.Error)) }}
		if _, err := conf.Check(all[0].Name.Name, fset, all, nil); err == nil {
			return src, true
		}
		unused := map[string]bool{}
		for _, e := range errs {
			m := unusedImportRE.FindStringSubmatch(e.Msg)
			if m == nil || fset.Position(e.Pos).Filename != name {
				return nil, false
			}
			unused[m[1]] = true
		}
		dropImports(mutated, unused)
		var err error
		if src, err = formatFile(fset, mutated); err != nil {
			return nil, false
		}
	}
	return nil, false
}

var unusedImportRE = regexp.MustCompile(`^"([^"]+)" imported (?:as \w+ )?and not used`)

// dropImports removes the imports of the given paths from f.
func dropImports(f *ast.File, paths map[string]bool) {
	decls := f.Decls[:0]
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if ok && g.Tok == token.IMPORT {
			specs := g.Specs[:0]
			for _, s := range g.Specs {
				if p, err := strconv.Unquote(s.(*ast.ImportSpec).Path.Value); err != nil || !paths[p] {
					specs = append(specs, s)
				}
			}
			g.Specs = specs
			if len(specs) == 0 {
				continue
			}
		}
		decls = append(decls, d)
	}
	f.Decls = decls
	imports := f.Imports[:0]
	for _, s := range f.Imports {
		if p, err := strconv.Unquote(s.Path.Value); err != nil || !paths[p] {
			imports = append(imports, s)
		}
	}
	f.Imports = imports
}

func typeCheck(fset *token.FileSet, files []*ast.File, imp types.Importer, info *types.Info) (*types.Package, error) {
	conf := types.Config{Importer: imp}
	return conf.Check(files[0].Name.Name, fset, files, info)
}

// std imports the standard library from export data, which the go command
// produces; one importer serves every Generate, so each package is read once.
var std = &lockedImporter{imp: importer.Default()}

type lockedImporter struct {
	mu  sync.Mutex
	imp types.Importer
}

func (l *lockedImporter) Import(path string) (*types.Package, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.imp.Import(path)
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

// DropGiven removes from the set the mutants inside code the stub in
// stubDir gives the learner complete: a top-level declaration (a function, a
// method, a type, a const or var block) that the stub's file of the same name
// declares identically, comments aside. The learner does not write that
// code, so no suite has to pin it down (a String method, the constants of an
// enumeration, DefaultConfig). The removed mutants are returned, in order.
func (s *Set) DropGiven(fsys fs.FS, stubDir string) ([]Mutant, error) {
	given := map[string][][2]int{} // file -> line ranges of given declarations
	for name, src := range s.Files {
		stubSrc, err := fs.ReadFile(fsys, path.Join(stubDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		stub, err := parser.ParseFile(fset, name, stubSrc, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("the stub %s: %w", path.Join(stubDir, name), err)
		}
		inStub := map[string]bool{}
		for _, d := range stub.Decls {
			if t := declText(fset, d); t != "" {
				inStub[t] = true
			}
		}
		sol, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range sol.Decls {
			if inStub[declText(fset, d)] {
				given[name] = append(given[name], [2]int{fset.Position(d.Pos()).Line, fset.Position(d.End()).Line})
			}
		}
	}
	var kept, dropped []Mutant
	for _, m := range s.Mutants {
		in := slices.ContainsFunc(given[m.File], func(r [2]int) bool { return r[0] <= m.Line && m.Line <= r[1] })
		if in {
			dropped = append(dropped, m)
		} else {
			kept = append(kept, m)
		}
	}
	s.Mutants = kept
	return dropped, nil
}

// declText prints a declaration of a file parsed without comments, so that
// two declarations that differ only in comments or layout print the same.
func declText(fset *token.FileSet, d ast.Decl) string {
	var b bytes.Buffer
	if err := format.Node(&b, fset, d); err != nil {
		return ""
	}
	return b.String()
}
