package runner

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
)

// yieldName is the name under which an implementation file imports the
// runtime package for yieldAfterUnlock (with a number added if the file
// already uses the name, so that no file can opt out).
const yieldName = "dslearnruntime"

// yieldAfterUnlock prepares one implementation file for a graded build: every
// statement that releases a lock — a call x.Unlock() or x.RUnlock() standing
// alone in a statement list, or deferred — is followed by runtime.Gosched().
//
// Yielding changes no result a correct program can observe, but it makes
// the scheduler run another goroutine exactly where an atomicity bug has
// its window: a program that checks under one lock and acts under another
// ("are there tokens?" ... "take them") lets a second caller check in
// between, which on real hardware happens once in millions of calls and here
// on nearly every contended call. The race detector cannot see such a bug:
// every access is locked.
//
// Text is only inserted within existing lines, so line numbers in the
// learner's panics and compile errors stay as the learner wrote them. A file
// that does not parse is returned unchanged (the compiler then reports the
// learner's own error).
func yieldAfterUnlock(filename string, src []byte) []byte {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return src
	}
	name := unusedName(f, yieldName)
	type insert struct {
		off, del int // delete del bytes at off, then insert text
		text     string
	}
	var ins []insert
	unlock := unusedName(f, "dslearnUnlock")
	offset := func(p token.Pos) int { return fset.Position(p).Offset }
	stmts := func(list []ast.Stmt) {
		for _, s := range list {
			switch s := s.(type) {
			case *ast.ExprStmt:
				if call, ok := s.X.(*ast.CallExpr); ok && isUnlock(call) {
					ins = append(ins, insert{off: offset(s.End()), text: "; " + name + ".Gosched()"})
				}
			case *ast.DeferStmt:
				if isUnlock(s.Call) {
					// defer x.Unlock() becomes
					// defer func(unlock func()) { unlock(); Gosched() }(x.Unlock):
					// the method value is evaluated where the defer
					// statement is, as the deferred call's receiver was.
					ins = append(ins,
						insert{off: offset(s.Call.Fun.Pos()), text: "func(" + unlock + " func()) { " + unlock + "(); " + name + ".Gosched() }("},
						insert{off: offset(s.Call.Lparen), del: offset(s.Call.Rparen) + 1 - offset(s.Call.Lparen), text: ")"})
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
	ins = append(ins, insert{off: offset(f.Name.End()), text: "; import " + name + ` "runtime"`})
	// Apply from the end so that earlier offsets stay valid.
	slices.SortStableFunc(ins, func(a, b insert) int { return b.off - a.off })
	out := bytes.Clone(src)
	for _, in := range ins {
		out = slices.Concat(out[:in.off], []byte(in.text), out[in.off+in.del:])
	}
	return out
}

// isUnlock reports whether call is x.Unlock() or x.RUnlock() with no
// arguments, whatever x is.
func isUnlock(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || len(call.Args) != 0 {
		return false
	}
	return sel.Sel.Name == "Unlock" || sel.Sel.Name == "RUnlock"
}

// unusedName returns base, or base followed by the smallest number that
// makes it, if base is an identifier of f.
func unusedName(f *ast.File, base string) string {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			used[id.Name] = true
		}
		return true
	})
	name := base
	for i := 1; used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}
