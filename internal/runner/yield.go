package runner

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
)

// yieldName is the name under which implementation files import the runtime
// package for yieldAtLocks (with a number added if the package already uses
// the name, so that no file can opt out).
const yieldName = "dslearnruntime"

// yieldAtLocks prepares the implementation files of one package for a
// graded build: every statement that takes or releases a lock — a call
// x.Lock(), x.RLock(), x.Unlock() or x.RUnlock() with no arguments, standing
// alone in a statement list — is followed by runtime.Gosched(), and every
// deferred release is preceded by a deferred runtime.Gosched(), which runs
// after it.
//
// Yielding changes no result a correct program can observe, but it makes
// the scheduler run another goroutine exactly where a concurrency bug has
// its window, which on real hardware opens once in millions of calls and
// here on nearly every contended call, even on one processor:
//   - after a release: a program that checks under one lock and acts under
//     another ("are there tokens?" ... "take them") lets a second caller
//     check in between;
//   - after an acquisition: another goroutine runs while the lock is held,
//     so a program that checks before it locks ("if tokens >= n { lock;
//     take }") lets a second caller pass the same check.
//
// The race detector sees the second only when it is on, and the first never:
// every access is locked.
//
// Text is only inserted, and only within existing lines, so line numbers in
// the learner's panics stay as the learner wrote them. Files that do not
// parse are returned unchanged; so is every file if one does not (the
// compiler then reports the learner's own errors). If the prepared package
// does not compile where the learner's does (a method named Lock that is
// not a lock, say), the grader builds the learner's files as they are.
func yieldAtLocks(files map[string][]byte) map[string][]byte {
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	used := map[string]bool{}
	for name, src := range files {
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return files
		}
		parsed[name] = f
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
	}
	name := yieldName
	for i := 1; used[name]; i++ {
		name = fmt.Sprintf("%s%d", yieldName, i)
	}
	out := map[string][]byte{}
	for file, src := range files {
		out[file] = yieldFile(fset, parsed[file], src, name)
	}
	return out
}

func yieldFile(fset *token.FileSet, f *ast.File, src []byte, name string) []byte {
	type insert struct {
		off  int
		text string
	}
	var ins []insert
	offset := func(p token.Pos) int { return fset.Position(p).Offset }
	stmts := func(list []ast.Stmt) {
		for _, s := range list {
			switch s := s.(type) {
			case *ast.ExprStmt:
				if call, ok := s.X.(*ast.CallExpr); ok && isLockCall(call, "Lock", "RLock", "Unlock", "RUnlock") {
					ins = append(ins, insert{offset(s.End()), "; " + name + ".Gosched()"})
				}
			case *ast.DeferStmt:
				if isLockCall(s.Call, "Unlock", "RUnlock") {
					// Deferred calls run last-in first-out: the release, then
					// the yield.
					ins = append(ins, insert{offset(s.Pos()), "defer " + name + ".Gosched(); "})
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			stmts(n.List)
		case *ast.CaseClause:
			stmts(n.Body)
		case *ast.CommClause:
			stmts(n.Body)
		}
		return true
	})
	if len(ins) == 0 {
		return src
	}
	ins = append(ins, insert{offset(f.Name.End()), "; import " + name + ` "runtime"`})
	// Apply from the end so that earlier offsets stay valid.
	slices.SortStableFunc(ins, func(a, b insert) int { return b.off - a.off })
	out := bytes.Clone(src)
	for _, in := range ins {
		out = slices.Concat(out[:in.off], []byte(in.text), out[in.off:])
	}
	return out
}

// isLockCall reports whether call is x.M() with no arguments, whatever x is,
// for one of the method names.
func isLockCall(call *ast.CallExpr, names ...string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) != 0 {
		return false
	}
	return slices.Contains(names, sel.Sel.Name)
}
