package grader

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// frameFuncRE matches a stack frame's function line and its location line:
// "example.com/m/exercises/x.(*Clock).Tick(0x…)\n\t…/exercises/x/clock.go:1 +0x46".
var frameFuncRE = regexp.MustCompile(`(?m)^\S*?\.(?:\(\*?(\w+)\)\.)?(\w+)\([^\n]*\)\n\s+\S*?(exercises/[^\s:/]+/[^\s:]+\.go):(\d+)`)

// locate corrects the learner locations of timeout reports. A goroutine
// stopped inside a tight loop is often reported at a line the runtime
// cannot know (line 1 of the file); the function's name is still right,
// so the location becomes the loop in that function, read from the
// learner's source.
func locate(r *Result, impl fs.FS) {
	for _, c := range r.Checks {
		if !strings.HasPrefix(c.Message, "did not finish in") {
			continue
		}
		for _, m := range frameFuncRE.FindAllStringSubmatch(c.out.String()+"\n"+r.allOutput(), -1) {
			recv, fn, file, line := m[1], m[2], m[3], m[4]
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			n, _ := strconv.Atoi(line)
			better, name := loopLine(impl, path.Base(file), recv, fn, n)
			if better == 0 {
				continue
			}
			old, repl := "at "+file+":"+line, fmt.Sprintf("at %s:%d (in %s)", file, better, name)
			if strings.Contains(c.Message, repl) {
				continue // already corrected (several frames name this place)
			}
			c.Message = strings.Replace(c.Message, old, repl, 1)
		}
	}
}

// loopLine returns where in function recv.fn of file the goroutine most
// likely is when the runtime reported line: the line itself when it lies in
// the function, else the function's first loop, else its first line.
func loopLine(impl fs.FS, file, recv, fn string, line int) (int, string) {
	src, err := fs.ReadFile(impl, file)
	if err != nil {
		return 0, ""
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return 0, ""
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || fd.Body == nil || receiver(fd) != recv {
			continue
		}
		name := fn
		if recv != "" {
			name = recv + "." + fn
		}
		start, end := fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line
		if line >= start && line <= end {
			return line, name
		}
		loop := 0
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				if loop == 0 {
					loop = fset.Position(n.Pos()).Line
				}
			}
			return loop == 0
		})
		if loop == 0 {
			loop = start
		}
		return loop, name
	}
	return 0, ""
}

// receiver is the name of fd's receiver type ("" for a function).
func receiver(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
