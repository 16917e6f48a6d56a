// Package course is the model of a dslearn course: its manifest, chapters,
// lessons and exercises, loaded from any fs.FS (the copy embedded in the
// binary, or a directory an instructor is working in).
package course

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dslearn/dslearn/internal/vet"
)

// ManifestPath is where the manifest lives inside a course.
const ManifestPath = "content/course.yaml"

// DefaultTimeout bounds one graded run of an exercise when the manifest does
// not say otherwise.
const DefaultTimeout = 60 * time.Second

// Course is a loaded, validated course.
type Course struct {
	Version        int      `yaml:"version"`
	Title          string   `yaml:"title"`
	Module         string   `yaml:"module"`
	GoVersion      string   `yaml:"go"`
	WorkspaceFiles []string `yaml:"workspace_files"`
	GradingFiles   []string `yaml:"grading_files"`
	// Imports lists the packages every exercise's files may import; a
	// lesson's own imports add to it. Learner files importing anything else
	// are refused before they are built.
	Imports  []string  `yaml:"imports"`
	Chapters []Chapter `yaml:"chapters"`
	Lessons  []*Lesson `yaml:"lessons"`
	// Glossary defines the terms lessons share, each with the lesson that
	// explains it.
	Glossary []*Term `yaml:"glossary"`

	// FS holds every file of the course; paths in the manifest are relative to it.
	FS fs.FS `yaml:"-"`
	// Source says where the course came from ("built-in" or a directory), for messages.
	Source string `yaml:"-"`
}

// Chapter groups lessons.
type Chapter struct {
	Number int    `yaml:"number"`
	Title  string `yaml:"title"`
}

// Lesson is one lesson and its exercise.
type Lesson struct {
	Number  int      `yaml:"number"`
	Slug    string   `yaml:"slug"`
	Title   string   `yaml:"title"`
	Chapter int      `yaml:"chapter"`
	File    string   `yaml:"file"`
	Hints   []string `yaml:"hints"`
	// Race says whether the suite runs under the race detector (default true).
	Race *bool `yaml:"race,omitempty"`
	// Timeout bounds one graded run (default DefaultTimeout).
	Timeout Duration `yaml:"timeout,omitempty"`
	// Imports adds packages this exercise may import to the course's list.
	Imports []string `yaml:"imports,omitempty"`
	// BuildsOn names, by slug, the earlier lessons this one relies on. The
	// reverse ("used later in") is derived from it.
	BuildsOn []string `yaml:"builds_on,omitempty"`
	// Continues names, by slug, the earlier lesson whose exercise this one
	// extends: the learner carries their code of that lesson into this one
	// (`dslearn carry`). Both exercises must declare the same package.
	Continues string `yaml:"continues,omitempty"`
	// Points is what the exercise is worth when a class is graded on a
	// platform that scores (Gradescope, GitHub Classroom), shared equally
	// by its checks. Zero means not given: every exercise then weighs the
	// same.
	Points float64 `yaml:"points,omitempty"`

	line int
}

// Term is one glossary entry.
type Term struct {
	// Term is the name, as the glossary lists it, such as "quorum".
	Term string `yaml:"term"`
	// Lesson is the slug of the lesson that explains the term.
	Lesson string `yaml:"lesson"`
	// Definition is one or two sentences of markdown.
	Definition string `yaml:"definition"`
	// Match lists the phrases that mark a use of the term in a lesson's
	// text (case-insensitive, whole words, plural allowed); empty means the
	// term itself.
	Match []string `yaml:"match,omitempty"`
}

// phrases are the phrases that mark a use of the term.
func (t *Term) phrases() []string {
	if len(t.Match) > 0 {
		return t.Match
	}
	return []string{t.Term}
}

var markup = strings.NewReplacer("*", "", "_", "", "`", "")

// UsedIn reports whether markdown text uses the term: one of its phrases
// appears as whole words (a plural "s" or "es" allowed), ignoring case and
// emphasis markers.
func (t *Term) UsedIn(text string) bool {
	text = strings.ToLower(markup.Replace(text))
	for _, p := range t.phrases() {
		re := regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(strings.ToLower(p)) + `(s|es)?($|[^\pL\pN])`)
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// BuildsOn returns the earlier lessons l relies on, in course order.
func (c *Course) BuildsOn(l *Lesson) []*Lesson {
	var out []*Lesson
	for _, e := range c.Lessons {
		if slices.Contains(l.BuildsOn, e.Slug) {
			out = append(out, e)
		}
	}
	return out
}

// ContinuesFrom returns the lesson whose exercise l extends, or nil.
func (c *Course) ContinuesFrom(l *Lesson) *Lesson {
	for _, e := range c.Lessons {
		if l.Continues != "" && e.Slug == l.Continues {
			return e
		}
	}
	return nil
}

// UsedLaterIn returns the later lessons that build on l, in course order.
func (c *Course) UsedLaterIn(l *Lesson) []*Lesson {
	var out []*Lesson
	for _, e := range c.Lessons {
		if slices.Contains(e.BuildsOn, l.Slug) {
			out = append(out, e)
		}
	}
	return out
}

// DefinedIn returns the lesson that explains a glossary term.
func (c *Course) DefinedIn(t *Term) *Lesson {
	for _, l := range c.Lessons {
		if l.Slug == t.Lesson {
			return l
		}
	}
	return nil
}

// EarlyTerms returns the glossary terms that text, the body of lesson l,
// uses before the lesson that explains them: terms of later lessons.
func (c *Course) EarlyTerms(l *Lesson, text string) []*Term {
	var out []*Term
	for _, t := range c.Glossary {
		if d := c.DefinedIn(t); d != nil && d.Number > l.Number && t.UsedIn(text) {
			out = append(out, t)
		}
	}
	return out
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: timeout %q: want a duration such as 60s", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// StubDir is where the learner's starting files are.
func (l *Lesson) StubDir() string { return "exercises/" + l.Slug }

// SolutionDir holds the reference solution.
func (l *Lesson) SolutionDir() string { return "solutions/" + l.Slug }

// SuiteDir holds the hidden suite.
func (l *Lesson) SuiteDir() string { return "content/suites/" + l.Slug }

// WrongDir holds the known-wrong implementations, one <name>.diff against
// the solution each (see package patch).
func (l *Lesson) WrongDir() string { return "content/wrong/" + l.Slug }

// UsesRace reports whether the suite wants the race detector.
func (l *Lesson) UsesRace() bool { return l.Race == nil || *l.Race }

// RunTimeout is the time limit of one graded run.
func (l *Lesson) RunTimeout() time.Duration {
	if l.Timeout > 0 {
		return time.Duration(l.Timeout)
	}
	return DefaultTimeout
}

// DefaultImports are the packages exercises may import when a course does
// not list its own: pure computation, nothing that reaches files, the
// environment, processes or raw memory.
var DefaultImports = []string{"bytes", "cmp", "container/heap", "container/list", "container/ring",
	"crypto/md5", "crypto/sha1", "crypto/sha256", "encoding/binary", "errors", "fmt", "hash",
	"hash/crc32", "hash/fnv", "hash/maphash", "iter", "log", "maps", "math", "math/bits",
	"math/rand", "math/rand/v2", "slices", "sort", "strconv", "strings", "sync", "sync/atomic",
	"time", "unicode", "unicode/utf8"}

// AllowedImports lists the packages lesson l's exercise may import: the
// course's list (DefaultImports if it has none) and the lesson's own, sorted.
func (c *Course) AllowedImports(l *Lesson) []string {
	base := c.Imports
	if base == nil {
		base = DefaultImports
	}
	out := slices.Concat(base, l.Imports)
	slices.Sort(out)
	return slices.Compact(out)
}

// ChapterTitle returns the title of the lesson's chapter.
func (c *Course) ChapterTitle(n int) string {
	for _, ch := range c.Chapters {
		if ch.Number == n {
			return ch.Title
		}
	}
	return ""
}

// LessonsIn returns the lessons of chapter n in course order.
func (c *Course) LessonsIn(n int) []*Lesson {
	var out []*Lesson
	for _, l := range c.Lessons {
		if l.Chapter == n {
			out = append(out, l)
		}
	}
	return out
}

// Written reports whether the lesson's text exists yet.
func (c *Course) Written(l *Lesson) bool {
	_, err := fs.Stat(c.FS, l.File)
	return err == nil
}

// HasExercise reports whether the lesson's exercise (stub and suite) exists yet.
func (c *Course) HasExercise(l *Lesson) bool {
	for _, d := range []string{l.StubDir(), l.SuiteDir()} {
		if st, err := fs.Stat(c.FS, d); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// ErrUnknownLesson is wrapped by Find's error for a number or slug that is not in the course.
var ErrUnknownLesson = errors.New("unknown lesson")

// Find looks a lesson up by number ("3") or slug ("consistent-hashing").
func (c *Course) Find(ref string) (*Lesson, error) {
	ref = strings.TrimSpace(ref)
	if n, err := strconv.Atoi(ref); err == nil {
		for _, l := range c.Lessons {
			if l.Number == n {
				return l, nil
			}
		}
		return nil, fmt.Errorf("%w %d: lessons are numbered 1 to %d; see: dslearn list", ErrUnknownLesson, n, len(c.Lessons))
	}
	for _, l := range c.Lessons {
		if l.Slug == strings.ToLower(ref) {
			return l, nil
		}
	}
	msg := fmt.Sprintf("%v %q", ErrUnknownLesson, ref)
	if s := c.closest(ref); s != "" {
		msg += fmt.Sprintf(": did you mean %s?", s)
	}
	return nil, fmt.Errorf("%w%s (lessons are numbered 1 to %d; see: dslearn list)", ErrUnknownLesson, strings.TrimPrefix(msg, ErrUnknownLesson.Error()), len(c.Lessons))
}

func (c *Course) closest(ref string) string {
	ref = strings.ToLower(ref)
	best, bestD := "", 1<<30
	for _, l := range c.Lessons {
		d := distance(ref, l.Slug)
		if strings.HasPrefix(l.Slug, ref) || strings.Contains(l.Slug, ref) && len(ref) >= 3 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = l.Slug, d
		}
	}
	if bestD <= max(2, len(ref)/3) {
		return best
	}
	return ""
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Slugs lists every slug in course order.
func (c *Course) Slugs() []string {
	out := make([]string, len(c.Lessons))
	for i, l := range c.Lessons {
		out[i] = l.Slug
	}
	return out
}

// Load reads and validates the manifest of the course held in fsys.
func Load(fsys fs.FS, source string) (*Course, error) {
	data, err := fs.ReadFile(fsys, ManifestPath)
	if err != nil {
		return nil, fmt.Errorf("course %s: %w", source, err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path.Join(source, ManifestPath), err)
	}
	if err := c.refuseLinks(fsys); err != nil {
		return nil, fmt.Errorf("course %s: %w", source, err)
	}
	c.FS, c.Source = fsys, source
	if err := c.checkGlossaryUse(); err != nil {
		return nil, fmt.Errorf("%s: %w", path.Join(source, ManifestPath), err)
	}
	return c, nil
}

// refuseLinks fails on any symbolic link among the files the course uses:
// a link could make a lesson, a stub or a suite read a file from outside the
// course (a lesson that renders /etc/passwd, an init that copies it into a
// workspace). Links are refused, never followed, so that what the manifest
// names is what is read.
func (c *Course) refuseLinks(fsys fs.FS) error {
	roots := []string{"content", "exercises", "solutions"}
	for _, l := range c.Lessons {
		roots = append(roots, path.Dir(l.File))
	}
	roots = append(roots, c.WorkspaceFiles...)
	roots = append(roots, c.GradingFiles...)
	seen := map[string]bool{}
	for _, root := range roots {
		if seen[root] || root == "." {
			continue
		}
		seen[root] = true
		if p := linkOnPath(fsys, root); p != "" {
			return fmt.Errorf("%s is a symbolic link; a course may not contain links (they could point outside it): replace it with the file or directory itself", p)
		}
		err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir // a part the course does not have yet
				}
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				return fmt.Errorf("%s is a symbolic link; a course may not contain links (they could point outside it): replace it with the file or directory itself", p)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Parse decodes and validates a manifest. Errors name the manifest line
// of the offending node and the fields in the author's terms; unknown fields
// are errors.
func Parse(data []byte) (*Course, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(data, err)
	}
	if err := checkFields(&root); err != nil {
		return nil, err
	}
	var c Course
	if len(root.Content) > 0 {
		if err := root.Content[0].Decode(&c); err != nil {
			return nil, cleanYAMLError(err)
		}
	}
	recordLines(&root, &c)
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError reports a YAML syntax error at the line where the text stops
// being valid YAML. yaml.v3 names the line where the enclosing list or
// mapping began (line 29 for a bad indentation on line 42), so the first
// line whose prefix of the file fails to parse is found here, and the
// enclosing line is kept as context.
func syntaxError(data []byte, err error) error {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return errors.New(strings.TrimPrefix(msg, "yaml: "))
	}
	what := msg[len(m[0]):]
	context, _ := strconv.Atoi(m[1])
	lines := strings.SplitAfter(string(data), "\n")
	for k := 1; k <= len(lines); k++ {
		var n yaml.Node
		if yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n) == nil {
			continue
		}
		if k > context {
			return fmt.Errorf("line %d: %s (in the block that starts on line %d)", k, what, context)
		}
		break
	}
	return fmt.Errorf("line %d: %s", context, what)
}

// fieldNames lists the YAML field names of a struct type, in order.
func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// checkFields rejects unknown fields, naming the line, the field and where
// it is ("in lesson 3"), and listing the fields that are known there.
func checkFields(root *yaml.Node) error {
	if len(root.Content) == 0 {
		return errors.New("the manifest is empty")
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: the manifest must be a mapping of fields (%s)", doc.Line, strings.Join(fieldNames(reflect.TypeOf(Course{})), ", "))
	}
	var errs []error
	check := func(m *yaml.Node, t reflect.Type, where string) {
		known := fieldNames(t)
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if !slices.Contains(known, k.Value) {
				errs = append(errs, fmt.Errorf("line %d: unknown field %q in %s; known fields: %s", k.Line, k.Value, where, strings.Join(known, ", ")))
			}
		}
	}
	check(doc, reflect.TypeOf(Course{}), "the course")
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		// Lists of records (chapters, lessons, the glossary): check each item.
		t := listItemType(reflect.TypeOf(Course{}), key)
		if t == nil {
			continue
		}
		if val.Kind != yaml.SequenceNode {
			if val.Tag != "!!null" {
				errs = append(errs, fmt.Errorf("line %d: %s must be a list (each item starting with \"- \")", val.Line, key))
			}
			continue
		}
		for j, item := range val.Content {
			where := fmt.Sprintf("%s %d", itemName(key), j+1)
			if item.Kind != yaml.MappingNode {
				errs = append(errs, fmt.Errorf("line %d: %s must be a mapping of fields (%s)", item.Line, where, strings.Join(fieldNames(t), ", ")))
				continue
			}
			check(item, t, where)
		}
	}
	return errors.Join(errs...)
}

// listItemType is the struct type of the items of the list field named
// name in t, or nil if that field is not a list of structs.
func listItemType(t reflect.Type, name string) reflect.Type {
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != name {
			continue
		}
		ft := t.Field(i).Type
		if ft.Kind() != reflect.Slice {
			return nil
		}
		e := ft.Elem()
		if e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if e.Kind() != reflect.Struct {
			return nil
		}
		return e
	}
	return nil
}

// itemName names one item of a list field: "lesson", "chapter", "glossary entry".
func itemName(list string) string {
	if list == "glossary" {
		return "glossary entry"
	}
	return strings.TrimSuffix(list, "s")
}

var typeErrorRE = regexp.MustCompile("^(line \\d+: )cannot unmarshal !!\\w+ `(.*)` into (.+)$")

// authorTypes names Go types the way a manifest author thinks of them.
var authorTypes = map[string]string{
	"int":              "a whole number",
	"float64":          "a number",
	"string":           "text",
	"bool":             "true or false",
	"*bool":            "true or false",
	"[]string":         "a list of text",
	"[]course.Chapter": "a list of chapters",
	"[]*course.Lesson": "a list of lessons",
	"course.Chapter":   "a chapter (number and title)",
	"*course.Lesson":   "a lesson",
	"*course.Term":     "a glossary entry",
	"[]*course.Term":   "a list of glossary entries",
	"course.Course":    "the course's fields",
}

// cleanYAMLError turns yaml.v3's decoding errors into the author's terms:
// "line 12: "abc" is not a whole number" instead of "cannot unmarshal !!str
// `abc` into int".
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		if sm := typeErrorRE.FindStringSubmatch(m); sm != nil {
			want, ok := authorTypes[sm[3]]
			if !ok {
				want = strings.ReplaceAll(sm[3], "course.", "")
			}
			msgs[i] = fmt.Sprintf("%s%q is not %s", sm[1], sm[2], want)
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// recordLines remembers the manifest line of each lesson for error messages.
func recordLines(root *yaml.Node, c *Course) {
	if len(root.Content) == 0 {
		return
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "lessons" {
			continue
		}
		for j, n := range m.Content[i+1].Content {
			if j < len(c.Lessons) {
				c.Lessons[j].line = n.Line
			}
		}
	}
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func (c *Course) validate() error {
	var errs []error
	bad := func(line int, format string, args ...any) {
		prefix := ""
		if line > 0 {
			prefix = fmt.Sprintf("line %d: ", line)
		}
		errs = append(errs, fmt.Errorf(prefix+format, args...))
	}
	if c.Version != 1 {
		bad(0, "version %d is not supported (want 1)", c.Version)
	}
	if c.Title == "" {
		bad(0, "title is empty")
	}
	if c.Module == "" {
		bad(0, "module is empty: name the Go module path the exercises are built in")
	}
	if c.GoVersion == "" {
		bad(0, "go is empty: name the Go version workspaces declare, such as \"1.23\"")
	}
	for _, p := range slices.Concat(c.WorkspaceFiles, c.GradingFiles) {
		if !safePath(p) {
			bad(0, "path %q leaves the course directory", p)
		}
	}
	c.validateImports(0, "the course", c.Imports, bad)
	chapters := map[int]bool{}
	for _, ch := range c.Chapters {
		if chapters[ch.Number] {
			bad(0, "chapter %d is declared twice", ch.Number)
		}
		chapters[ch.Number] = true
	}
	slugs, numbers := map[string]int{}, map[int]int{}
	for i, l := range c.Lessons {
		if l.Number != i+1 {
			bad(l.line, "lesson %q has number %d; lessons are numbered 1, 2, 3… in order", l.Slug, l.Number)
		}
		if !slugRE.MatchString(l.Slug) {
			bad(l.line, "slug %q: use lower-case words joined by hyphens", l.Slug)
		}
		if prev, ok := slugs[l.Slug]; ok {
			bad(l.line, "slug %q is already used by lesson %d", l.Slug, prev)
		}
		slugs[l.Slug] = l.Number
		if _, ok := numbers[l.Number]; ok {
			bad(l.line, "number %d is used twice", l.Number)
		}
		numbers[l.Number] = i
		if l.Title == "" {
			bad(l.line, "lesson %q has no title", l.Slug)
		}
		if !chapters[l.Chapter] {
			bad(l.line, "lesson %q is in chapter %d, which is not declared", l.Slug, l.Chapter)
		}
		if !safePath(l.File) || !strings.HasSuffix(l.File, ".md") {
			bad(l.line, "lesson %q: file %q must be a .md path inside the course", l.Slug, l.File)
		}
		c.validateImports(l.line, fmt.Sprintf("lesson %q", l.Slug), l.Imports, bad)
		if l.Points < 0 || math.IsNaN(l.Points) || math.IsInf(l.Points, 0) {
			bad(l.line, "lesson %q has points %v; give a positive number, or leave points out", l.Slug, l.Points)
		}
		if n := len(l.Hints); n != 0 && n != 3 {
			bad(l.line, "lesson %q has %d hints; give three (a nudge, the key idea, nearly the answer)", l.Slug, n)
		}
	}
	for _, l := range c.Lessons {
		seen := map[string]bool{}
		for _, ref := range l.BuildsOn {
			n, ok := slugs[ref]
			switch {
			case !ok:
				bad(l.line, "lesson %q builds on %q, which is not a lesson", l.Slug, ref)
			case n >= l.Number:
				bad(l.line, "lesson %q builds on %q, lesson %d, which does not come before it", l.Slug, ref, n)
			case seen[ref]:
				bad(l.line, "lesson %q names %q twice in builds_on", l.Slug, ref)
			}
			seen[ref] = true
		}
		if l.Continues != "" {
			switch n, ok := slugs[l.Continues]; {
			case !ok:
				bad(l.line, "lesson %q continues %q, which is not a lesson", l.Slug, l.Continues)
			case n >= l.Number:
				bad(l.line, "lesson %q continues %q, lesson %d, which does not come before it", l.Slug, l.Continues, n)
			}
		}
	}
	terms := map[string]bool{}
	for _, t := range c.Glossary {
		key := strings.ToLower(strings.TrimSpace(t.Term))
		switch {
		case key == "":
			bad(0, "a glossary entry has no term")
		case terms[key]:
			bad(0, "glossary term %q is defined twice", t.Term)
		}
		terms[key] = true
		if _, ok := slugs[t.Lesson]; !ok {
			bad(0, "glossary term %q: lesson %q is not a lesson", t.Term, t.Lesson)
		}
		if strings.TrimSpace(t.Definition) == "" {
			bad(0, "glossary term %q has no definition", t.Term)
		}
		for _, p := range t.Match {
			if strings.TrimSpace(p) == "" {
				bad(0, "glossary term %q has an empty match phrase", t.Term)
			}
		}
	}
	return errors.Join(errs...)
}

// checkGlossaryUse requires every glossary term to appear in the lesson
// said to explain it (lessons not written yet are skipped).
func (c *Course) checkGlossaryUse() error {
	var errs []error
	for _, t := range c.Glossary {
		l := c.DefinedIn(t)
		if l == nil {
			continue // reported by validate
		}
		src, err := fs.ReadFile(c.FS, l.File)
		if err != nil {
			continue
		}
		head := &Term{Term: strings.TrimSpace(strings.Split(t.Term, "(")[0])}
		if !t.UsedIn(string(src)) && !head.UsedIn(string(src)) {
			errs = append(errs, fmt.Errorf("glossary term %q: lesson %d (%s) never uses it", t.Term, l.Number, l.File))
		}
	}
	return errors.Join(errs...)
}

// linkOnPath returns the first component of the slash path p that is a
// symbolic link, or "". fs.WalkDir follows a link at its root, so each
// component is looked up in its parent's listing, which does not.
func linkOnPath(fsys fs.FS, p string) string {
	dir := "."
	for _, name := range strings.Split(p, "/") {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return ""
		}
		next := path.Join(dir, name)
		for _, e := range entries {
			if e.Name() == name && e.Type()&fs.ModeSymlink != 0 {
				return next
			}
		}
		dir = next
	}
	return ""
}

// validateImports refuses an allowlist entry that would hand learner code a
// way out of the exercise (vet.DeniedReason), and module packages other
// than the workspace's own support code.
func (c *Course) validateImports(line int, who string, imports []string, bad func(int, string, ...any)) {
	for _, p := range imports {
		if why := vet.DeniedReason(p); why != "" {
			bad(line, "%s allows importing %q, which no exercise may import: %s", who, p, why)
			continue
		}
		if rel, ok := strings.CutPrefix(p, c.Module+"/"); ok {
			if !slices.Contains(c.WorkspaceFiles, rel) {
				bad(line, "%s allows importing %q: of the course's own packages, exercises may import only the workspace files (%s)", who, p, strings.Join(c.WorkspaceFiles, ", "))
			}
			continue
		}
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
			bad(line, "%s allows importing %q: graded builds are offline, so exercises may import only the standard library and the course's workspace packages", who, p)
		}
	}
}

// safePath reports whether p is a relative slash path that stays inside the course.
func safePath(p string) bool {
	return p != "" && fs.ValidPath(p) && p != "."
}
