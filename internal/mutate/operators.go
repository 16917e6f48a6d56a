package mutate

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// An Operator finds the places in a file it can change. Each site changes
// the syntax tree in place when applied and restores it when undone, so that
// every mutant differs from the solution in exactly one place.
type Operator struct {
	Name string
	// Doc says in one line what the operator changes.
	Doc   string
	sites func(u *unit, f *ast.File) []site
}

// site is one change an operator can make.
type site struct {
	pos    token.Pos
	change string // what changes, e.g. "< → <="
	apply  func()
	undo   func()
}

// unit is the type-checked package a file belongs to.
type unit struct {
	fset *token.FileSet
	pkg  *types.Package
	info *types.Info
}

// Operators are every mutation operator, in the order mutants are generated.
var Operators = []Operator{
	{"boundary", "a comparison's boundary moves: < ↔ <=, > ↔ >=", boundarySites},
	{"relational", "a comparison is negated: == ↔ !=, < ↔ >=, > ↔ <=", relationalSites},
	{"logical", "&& ↔ ||", logicalSites},
	{"negate", "an if's condition is negated: if c → if !(c)", negateSites},
	{"arithmetic", "+ ↔ -, * ↔ /, % → *, and the same in += -= *= /= ++ --", arithmeticSites},
	{"constant", "an integer constant becomes n+1, n-1, 0, or the largest value of its type", constantSites},
	{"narrow", "an integer value round-trips through a narrower type: uint64(uint32(x)), int64(int32(x)), int(float64(x)) …", narrowSites},
	{"remove", "a statement is removed: a call, an assignment, an increment, a send", removeSites},
	{"lock", "a Lock/Unlock (or RLock/RUnlock) pair is removed", lockSites},
	{"alias", "a copy becomes an alias: maps.Clone(x), slices.Clone(x), append([]T(nil), x...) → x", aliasSites},
	{"return", "a function returns zero values at its start or after its first statement", returnSites},
	{"swap", "two adjacent call arguments of the same type are swapped", swapSites},
}

// OperatorNames lists the operators' names.
func OperatorNames() []string {
	names := make([]string, len(Operators))
	for i, op := range Operators {
		names[i] = op.Name
	}
	return names
}

func opSite(e *ast.BinaryExpr, to token.Token) site {
	from := e.Op
	return site{pos: e.OpPos, change: from.String() + " → " + to.String(),
		apply: func() { e.Op = to }, undo: func() { e.Op = from }}
}

// binarySites applies table to every binary expression.
func binarySites(f *ast.File, ok func(*ast.BinaryExpr) bool, table map[token.Token][]token.Token) []site {
	var out []site
	ast.Inspect(f, func(n ast.Node) bool {
		if e, isBin := n.(*ast.BinaryExpr); isBin && (ok == nil || ok(e)) {
			for _, to := range table[e.Op] {
				out = append(out, opSite(e, to))
			}
		}
		return true
	})
	return out
}

func boundarySites(_ *unit, f *ast.File) []site {
	return binarySites(f, nil, map[token.Token][]token.Token{
		token.LSS: {token.LEQ}, token.LEQ: {token.LSS}, token.GTR: {token.GEQ}, token.GEQ: {token.GTR}})
}

func relationalSites(_ *unit, f *ast.File) []site {
	return binarySites(f, nil, map[token.Token][]token.Token{
		token.EQL: {token.NEQ}, token.NEQ: {token.EQL}, token.LSS: {token.GEQ}, token.GEQ: {token.LSS},
		token.GTR: {token.LEQ}, token.LEQ: {token.GTR}})
}

func logicalSites(_ *unit, f *ast.File) []site {
	return binarySites(f, nil, map[token.Token][]token.Token{token.LAND: {token.LOR}, token.LOR: {token.LAND}})
}

func negateSites(_ *unit, f *ast.File) []site {
	var out []site
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(*ast.IfStmt); ok {
			cond := s.Cond
			out = append(out, site{pos: cond.Pos(), change: "if c → if !(c)",
				apply: func() { s.Cond = &ast.UnaryExpr{Op: token.NOT, X: &ast.ParenExpr{X: cond}} },
				undo:  func() { s.Cond = cond }})
		}
		return true
	})
	return out
}

func isNumeric(u *unit, e ast.Expr) bool {
	t := u.info.TypeOf(e)
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsNumeric != 0
}

func arithmeticSites(u *unit, f *ast.File) []site {
	out := binarySites(f, func(e *ast.BinaryExpr) bool { return isNumeric(u, e) }, map[token.Token][]token.Token{
		token.ADD: {token.SUB}, token.SUB: {token.ADD}, token.MUL: {token.QUO}, token.QUO: {token.MUL}, token.REM: {token.MUL}})
	assign := map[token.Token]token.Token{token.ADD_ASSIGN: token.SUB_ASSIGN, token.SUB_ASSIGN: token.ADD_ASSIGN,
		token.MUL_ASSIGN: token.QUO_ASSIGN, token.QUO_ASSIGN: token.MUL_ASSIGN}
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if to, ok := assign[s.Tok]; ok && len(s.Lhs) == 1 && isNumeric(u, s.Lhs[0]) {
				from := s.Tok
				out = append(out, site{pos: s.TokPos, change: from.String() + " → " + to.String(),
					apply: func() { s.Tok = to }, undo: func() { s.Tok = from }})
			}
		case *ast.IncDecStmt:
			from, to := s.Tok, token.DEC
			if from == token.DEC {
				to = token.INC
			}
			out = append(out, site{pos: s.TokPos, change: from.String() + " → " + to.String(),
				apply: func() { s.Tok = to }, undo: func() { s.Tok = from }})
		}
		return true
	})
	return out
}

// maxOf is the largest value of an integer type, as Go source.
func maxOf(t types.Type) string {
	b, ok := t.Underlying().(*types.Basic)
	if !ok {
		return ""
	}
	switch b.Kind() {
	case types.Int, types.Int64:
		return strconv.FormatInt(math.MaxInt64, 10)
	case types.Int32:
		return strconv.FormatInt(math.MaxInt32, 10)
	case types.Int16:
		return strconv.FormatInt(math.MaxInt16, 10)
	case types.Int8:
		return strconv.FormatInt(math.MaxInt8, 10)
	case types.Uint, types.Uint64, types.Uintptr:
		return strconv.FormatUint(math.MaxUint64, 10)
	case types.Uint32:
		return strconv.FormatUint(math.MaxUint32, 10)
	case types.Uint16:
		return strconv.FormatUint(math.MaxUint16, 10)
	case types.Uint8:
		return strconv.FormatUint(math.MaxUint8, 10)
	}
	return ""
}

func constantSites(u *unit, f *ast.File) []site {
	var out []site
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.INT {
			return true
		}
		v, ok := constant.Uint64Val(constant.MakeFromLiteral(lit.Value, token.INT, 0))
		if !ok {
			return true
		}
		var to []string
		to = append(to, strconv.FormatUint(v+1, 10))
		if v > 0 {
			to = append(to, strconv.FormatUint(v-1, 10))
		}
		if v > 1 {
			to = append(to, "0")
		}
		if tv, ok := u.info.Types[lit]; ok {
			if m := maxOf(tv.Type); m != "" && m != strconv.FormatUint(v, 10) {
				to = append(to, m)
			}
		}
		from := lit.Value
		for _, t := range to {
			out = append(out, site{pos: lit.Pos(), change: from + " → " + t,
				apply: func() { lit.Value = t }, undo: func() { lit.Value = from }})
		}
		return true
	})
	return out
}

// narrowings maps an integer type to the types its values round-trip through.
var narrowings = map[types.BasicKind][]string{
	types.Uint64: {"uint32", "float64"},
	types.Uint:   {"uint32", "float64"},
	types.Int64:  {"int32", "float64"},
	types.Int:    {"float64"},
}

// valueSlots are the expressions stored or passed on: right-hand sides,
// declared values, returned results and call arguments.
func valueSlots(f *ast.File) []slot {
	var out []slot
	list := func(es []ast.Expr) {
		for i := range es {
			out = append(out, slot{es[i], func(x ast.Expr) { es[i] = x }})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			list(s.Rhs)
		case *ast.ValueSpec:
			list(s.Values)
		case *ast.ReturnStmt:
			list(s.Results)
		case *ast.CallExpr:
			list(s.Args)
		}
		return true
	})
	return out
}

// small reports whether e holds a value that is always small: a len or
// cap (a length never leaves int32's range in a program that fits in
// memory) or a comparison result (cmp.Compare, strings.Compare, cmp.Or of
// them). Narrowing those only makes equivalent mutants.
func small(u *unit, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return !found
		}
		switch fn := c.Fun.(type) {
		case *ast.Ident:
			if _, builtin := u.info.Uses[fn].(*types.Builtin); builtin && (fn.Name == "len" || fn.Name == "cap") {
				found = true
			}
		case *ast.SelectorExpr:
			if obj, ok := u.info.Uses[fn.Sel].(*types.Func); ok && obj.Pkg() != nil {
				switch obj.Pkg().Path() + "." + obj.Name() {
				case "cmp.Compare", "cmp.Or", "strings.Compare", "bytes.Compare":
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func narrowSites(u *unit, f *ast.File) []site {
	var out []site
	for _, sl := range valueSlots(f) {
		tv, ok := u.info.Types[sl.expr]
		if !ok || tv.Value != nil || !tv.IsValue() || small(u, sl.expr) {
			continue
		}
		b, ok := tv.Type.(*types.Basic) // named types keep their own meaning
		if !ok {
			continue
		}
		for _, via := range narrowings[b.Kind()] {
			e := sl.expr
			wrapped := &ast.CallExpr{Fun: ast.NewIdent(b.Name()), Args: []ast.Expr{
				&ast.CallExpr{Fun: ast.NewIdent(via), Args: []ast.Expr{e}}}}
			out = append(out, site{pos: e.Pos(), change: fmt.Sprintf("%s → %s(%s(…))", firstLine(types.ExprString(e)), b.Name(), via),
				apply: func() { sl.set(wrapped) }, undo: func() { sl.set(e) }})
		}
	}
	return out
}

// stmtLists are the statement lists of a file: blocks and case bodies.
func stmtLists(f *ast.File) []*[]ast.Stmt {
	var out []*[]ast.Stmt
	ast.Inspect(f, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.BlockStmt:
			out = append(out, &s.List)
		case *ast.CaseClause:
			out = append(out, &s.Body)
		case *ast.CommClause:
			out = append(out, &s.Body)
		}
		return true
	})
	return out
}

// without returns list with the statements at the given indices left out.
func without(list []ast.Stmt, drop ...int) []ast.Stmt {
	out := make([]ast.Stmt, 0, len(list))
	for i, s := range list {
		if !containsInt(drop, i) {
			out = append(out, s)
		}
	}
	return out
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func removeSite(l *[]ast.Stmt, pos token.Pos, change string, drop ...int) site {
	var old []ast.Stmt
	return site{pos: pos, change: change,
		apply: func() { old = *l; *l = without(old, drop...) },
		undo:  func() { *l = old }}
}

// lockCall returns x and the method name when s is the call x.M() with M one
// of the sync lock methods.
func lockCall(s ast.Stmt) (recv, method string, deferred bool) {
	var call ast.Expr
	switch s := s.(type) {
	case *ast.ExprStmt:
		call = s.X
	case *ast.DeferStmt:
		call, deferred = s.Call, true
	default:
		return "", "", false
	}
	c, ok := call.(*ast.CallExpr)
	if !ok || len(c.Args) != 0 {
		return "", "", false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", "", false
	}
	switch sel.Sel.Name {
	case "Lock", "Unlock", "RLock", "RUnlock":
		return types.ExprString(sel.X), sel.Sel.Name, deferred
	}
	return "", "", false
}

func removeSites(u *unit, f *ast.File) []site {
	var out []site
	for _, l := range stmtLists(f) {
		for i, s := range *l {
			switch s := s.(type) {
			case *ast.ExprStmt:
				if _, m, _ := lockCall(s); m != "" {
					continue // the lock operator removes whole pairs
				}
			case *ast.AssignStmt:
				if s.Tok == token.DEFINE {
					continue
				}
			case *ast.IncDecStmt, *ast.SendStmt:
			default:
				continue
			}
			out = append(out, removeSite(l, s.Pos(), "removed: "+stmtString(u.fset, s), i))
		}
	}
	return out
}

// stmtString is a statement's first line, for a change's description.
func stmtString(fset *token.FileSet, s ast.Stmt) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, s); err != nil {
		return "?"
	}
	return firstLine(b.String())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func lockSites(_ *unit, f *ast.File) []site {
	var out []site
	for _, l := range stmtLists(f) {
		for i, s := range *l {
			recv, m, deferred := lockCall(s)
			if deferred || (m != "Lock" && m != "RLock") {
				continue
			}
			for j := i + 1; j < len(*l); j++ {
				r2, m2, _ := lockCall((*l)[j])
				if r2 == recv && m2 == strings.TrimSuffix(m, "Lock")+"Unlock" {
					out = append(out, removeSite(l, s.Pos(), fmt.Sprintf("removed: %s.%s() and its %s()", recv, m, m2), i, j))
					break
				}
			}
		}
	}
	return out
}

// slot is a place in the syntax tree holding an expression; set replaces it.
type slot struct {
	expr ast.Expr
	set  func(ast.Expr)
}

var (
	exprType = reflect.TypeFor[ast.Expr]()
	skipType = map[reflect.Type]bool{
		reflect.TypeFor[*ast.Object](): true, reflect.TypeFor[*ast.Scope](): true,
		reflect.TypeFor[*ast.CommentGroup](): true, reflect.TypeFor[[]*ast.CommentGroup](): true,
		reflect.TypeFor[[]*ast.Ident](): true, reflect.TypeFor[[]*ast.ImportSpec](): true,
	}
)

// exprSlots lists every expression-typed field and slice element under n.
func exprSlots(n ast.Node) []slot {
	var out []slot
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return
		}
		s := v.Elem()
		for i := range s.NumField() {
			fv := s.Field(i)
			if skipType[fv.Type()] || !s.Type().Field(i).IsExported() {
				continue
			}
			switch {
			case fv.Type() == exprType:
				if !fv.IsNil() {
					out = append(out, slot{fv.Interface().(ast.Expr), func(x ast.Expr) { fv.Set(reflect.ValueOf(x)) }})
					walk(fv.Elem())
				}
			case fv.Kind() == reflect.Interface:
				if !fv.IsNil() {
					walk(fv.Elem())
				}
			case fv.Kind() == reflect.Pointer:
				walk(fv)
			case fv.Kind() == reflect.Slice:
				for j := range fv.Len() {
					el := fv.Index(j)
					switch {
					case fv.Type().Elem() == exprType:
						out = append(out, slot{el.Interface().(ast.Expr), func(x ast.Expr) { el.Set(reflect.ValueOf(x)) }})
						walk(el.Elem())
					case el.Kind() == reflect.Interface:
						if !el.IsNil() {
							walk(el.Elem())
						}
					default:
						walk(el)
					}
				}
			}
		}
	}
	walk(reflect.ValueOf(n))
	return out
}

// copied returns the expression a copying call copies, or nil.
func copied(e ast.Expr) ast.Expr {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	switch fn := c.Fun.(type) {
	case *ast.SelectorExpr:
		pkg, ok := fn.X.(*ast.Ident)
		if ok && fn.Sel.Name == "Clone" && len(c.Args) == 1 &&
			(pkg.Name == "maps" || pkg.Name == "slices" || pkg.Name == "bytes" || pkg.Name == "strings") {
			return c.Args[0]
		}
	case *ast.Ident:
		// append(empty, x...) where empty is []T(nil), []T{} or x[:0:0].
		if fn.Name != "append" || len(c.Args) != 2 || !c.Ellipsis.IsValid() {
			return nil
		}
		switch a := c.Args[0].(type) {
		case *ast.CallExpr:
			if id, ok := a.Args[0].(*ast.Ident); ok && len(a.Args) == 1 && id.Name == "nil" {
				return c.Args[1]
			}
		case *ast.CompositeLit:
			if len(a.Elts) == 0 {
				return c.Args[1]
			}
		case *ast.SliceExpr:
			if a.Slice3 && types.ExprString(a.X) == types.ExprString(c.Args[1]) {
				return c.Args[1]
			}
		}
	}
	return nil
}

func aliasSites(_ *unit, f *ast.File) []site {
	var out []site
	for _, sl := range exprSlots(f) {
		x := copied(sl.expr)
		if x == nil {
			continue
		}
		e := sl.expr
		out = append(out, site{pos: e.Pos(), change: types.ExprString(e) + " → " + types.ExprString(x),
			apply: func() { sl.set(x) }, undo: func() { sl.set(e) }})
	}
	return out
}

// zero is the zero value of t as an expression in package pkg.
func zero(t types.Type, pkg *types.Package) ast.Expr {
	q := func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return ast.NewIdent("false")
		case u.Info()&types.IsString != 0:
			return &ast.BasicLit{Kind: token.STRING, Value: `""`}
		case u.Info()&types.IsNumeric != 0:
			return &ast.BasicLit{Kind: token.INT, Value: "0"}
		}
	case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
		return ast.NewIdent("nil")
	case *types.Struct, *types.Array:
		if e, err := parser.ParseExpr(types.TypeString(t, q) + "{}"); err == nil {
			return e
		}
	}
	e, err := parser.ParseExpr("*new(" + types.TypeString(t, q) + ")")
	if err != nil {
		return ast.NewIdent("nil")
	}
	return e
}

func returnSites(u *unit, f *ast.File) []site {
	var out []site
	ast.Inspect(f, func(n ast.Node) bool {
		var ft *ast.FuncType
		var body *ast.BlockStmt
		switch fn := n.(type) {
		case *ast.FuncDecl:
			ft, body = fn.Type, fn.Body
		case *ast.FuncLit:
			ft, body = fn.Type, fn.Body
		default:
			return true
		}
		if body == nil || len(body.List) == 0 {
			return true
		}
		ret := &ast.ReturnStmt{}
		if ft.Results != nil && len(ft.Results.List) > 0 && len(ft.Results.List[0].Names) == 0 {
			for _, fld := range ft.Results.List {
				ret.Results = append(ret.Results, zero(u.info.TypeOf(fld.Type), u.pkg))
			}
		}
		// After the first statement, or after a leading Lock and its
		// deferred Unlock: a return that keeps a lock held only deadlocks.
		second := 1
		if _, m, _ := lockCall(body.List[0]); m != "" {
			second = 0
			if len(body.List) > 1 {
				if _, m2, deferred := lockCall(body.List[1]); deferred && strings.HasSuffix(m2, "Unlock") {
					second = 2
				}
			}
		}
		ats := []int{0}
		if second > 0 {
			ats = append(ats, second)
		}
		for _, at := range ats {
			if at >= len(body.List) {
				continue
			}
			if _, isRet := body.List[at].(*ast.ReturnStmt); isRet {
				continue
			}
			var old []ast.Stmt
			pos := body.List[at].Pos()
			change := "return at the start"
			if at > 0 {
				change = "return after " + stmtString(u.fset, body.List[at-1])
			}
			out = append(out, site{pos: pos, change: change,
				apply: func() {
					old = body.List
					l := append(append(append([]ast.Stmt{}, old[:at]...), ret), old[at:]...)
					body.List = l
				},
				undo: func() { body.List = old }})
		}
		return true
	})
	return out
}

func swapSites(u *unit, f *ast.File) []site {
	var out []site
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || len(c.Args) < 2 {
			return true
		}
		if id, ok := c.Fun.(*ast.Ident); ok {
			if _, builtin := u.info.Uses[id].(*types.Builtin); builtin && (id.Name == "min" || id.Name == "max") {
				return true // commutative: swapping changes nothing
			}
		}
		if tv, ok := u.info.Types[c.Fun]; ok && tv.IsType() {
			return true
		}
		for i := 0; i+1 < len(c.Args); i++ {
			if c.Ellipsis.IsValid() && i+1 == len(c.Args)-1 {
				continue
			}
			a, b := c.Args[i], c.Args[i+1]
			ta, tb := u.info.TypeOf(a), u.info.TypeOf(b)
			if ta == nil || tb == nil || !types.Identical(ta, tb) || types.ExprString(a) == types.ExprString(b) {
				continue
			}
			out = append(out, site{pos: a.Pos(), change: fmt.Sprintf("swapped %s and %s", types.ExprString(a), types.ExprString(b)),
				apply: func() { c.Args[i], c.Args[i+1] = b, a }, undo: func() { c.Args[i], c.Args[i+1] = a, b }})
		}
		return true
	})
	return out
}
