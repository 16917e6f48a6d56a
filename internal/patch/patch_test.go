package patch

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

var header = Header{Bug: "Inc adds two instead of one.", Breaks: "Inc adds one to the counter."}

const counter = `package counter

// Counter counts events.
type Counter struct {
	n int
}

// Inc adds one to the counter and returns the new count.
func (c *Counter) Inc() int {
	c.n++
	return c.n
}

// Value returns the count without changing it.
func (c *Counter) Value() int { return c.n }
`

// TestFileFormat fixes the format that docs/authoring.md describes and that
// every producer of known-wrong implementations must write.
func TestFileFormat(t *testing.T) {
	wrong := strings.Replace(counter, "c.n++", "c.n += 2", 1)
	var b bytes.Buffer
	if err := Write(&b, header, Create("counter.go", []byte(counter), []byte(wrong))); err != nil {
		t.Fatal(err)
	}
	want := `Bug: Inc adds two instead of one.
Breaks: Inc adds one to the counter.

--- counter.go
+++ counter.go
@@ -7,7 +7,7 @@
 
 // Inc adds one to the counter and returns the new count.
 func (c *Counter) Inc() int {
-	c.n++
+	c.n += 2
 	return c.n
 }
 
`
	if got := b.String(); got != want {
		t.Errorf("Write wrote\n%s\nwant\n%s", got, want)
	}
}

// TestRoundTrip: what Create and Write produce, Parse and Apply turn back
// into exactly the changed files, leaving the other files alone.
func TestRoundTrip(t *testing.T) {
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				b.WriteString(s)
				continue
			}
			b.WriteString("line " + strings.Repeat("x", i%7) + "\n")
		}
		return b.String()
	}
	cases := []struct {
		name     string
		old, new string
	}{
		{"one line changed", lines(20, nil), lines(20, map[int]string{10: "changed\n"})},
		{"first line changed", lines(20, nil), lines(20, map[int]string{1: "changed\n"})},
		{"last line removed", lines(20, nil), lines(19, nil)},
		{"lines added at the end", lines(5, nil), lines(9, nil)},
		{"two hunks far apart", lines(60, nil), lines(60, map[int]string{3: "a\n", 50: "b\nc\n"})},
		{"new text lacks the final newline", lines(10, nil), strings.TrimSuffix(lines(10, nil), "\n")},
		{"old text lacks the final newline", strings.TrimSuffix(lines(10, nil), "\n"), lines(10, nil)},
		{"everything replaced", lines(4, nil), "something else\n"},
		{"an empty file filled", "", lines(3, nil)},
		{"a file emptied", lines(3, nil), ""},
		{"non-ASCII text", "π ≈ 3.14\nµ\n", "π ≈ 3.1416\nµ\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := fstest.MapFS{
				"a.go":         {Data: []byte(tc.old)},
				"b.go":         {Data: []byte(counter)},
				"sub/c.txt":    {Data: []byte("kept\n")},
				"unchanged.go": {Data: []byte("package x\n")},
			}
			wrongB := strings.Replace(counter, "c.n++", "c.n--", 1)
			diff := Create("a.go", []byte(tc.old), []byte(tc.new)) + Create("b.go", []byte(counter), []byte(wrongB)) +
				Create("unchanged.go", []byte("package x\n"), []byte("package x\n"))
			var file bytes.Buffer
			if err := Write(&file, header, diff); err != nil {
				t.Fatal(err)
			}
			p, err := Parse(file.Bytes())
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, file.String())
			}
			if p.Header != header {
				t.Errorf("header %+v, want %+v", p.Header, header)
			}
			if got := strings.Join(p.Files(), " "); got != "a.go b.go" {
				t.Errorf("Files() = %q, want \"a.go b.go\"", got)
			}
			out, err := p.Apply(base)
			if err != nil {
				t.Fatalf("Apply: %v\n%s", err, file.String())
			}
			for name, want := range map[string]string{"a.go": tc.new, "b.go": wrongB, "sub/c.txt": "kept\n", "unchanged.go": "package x\n"} {
				got, err := fs.ReadFile(out, name)
				if err != nil {
					t.Errorf("%s: %v", name, err)
				} else if string(got) != want {
					t.Errorf("%s after Apply:\n%q\nwant\n%q\nthe patch:\n%s", name, got, want, file.String())
				}
			}
			if again, _ := fs.ReadFile(base, "a.go"); string(again) != tc.old {
				t.Error("Apply changed its base")
			}
		})
	}
}

func TestCreateOfEqualFilesIsEmpty(t *testing.T) {
	if d := Create("x.go", []byte(counter), []byte(counter)); d != "" {
		t.Errorf("Create of equal texts = %q, want \"\"", d)
	}
}

// TestStaleHunkNamesFileAndHunk: after the base changed under a hunk, Apply
// fails and says which file and which hunk, and where.
func TestStaleHunkNamesFileAndHunk(t *testing.T) {
	line := func(i int, suffix string) string { return fmt.Sprintf("line %d%s\n", i, suffix) }
	var old, wrong, edited strings.Builder
	for i := 1; i <= 40; i++ {
		old.WriteString(line(i, ""))
		switch i {
		case 3, 20, 37: // three hunks
			wrong.WriteString(line(i, " changed"))
		default:
			wrong.WriteString(line(i, ""))
		}
		if i == 19 { // the second hunk's context
			edited.WriteString(line(i, " edited"))
		} else {
			edited.WriteString(line(i, ""))
		}
	}
	var file bytes.Buffer
	if err := Write(&file, header, Create("x.go", []byte(old.String()), []byte(wrong.String()))); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(file.String(), "\n@@ "); n != 3 {
		t.Fatalf("the fixture should make three hunks, it made %d:\n%s", n, file.String())
	}
	if _, err := p.Apply(fstest.MapFS{"x.go": {Data: []byte(old.String())}}); err != nil {
		t.Fatalf("Apply on the original: %v", err)
	}
	_, err = p.Apply(fstest.MapFS{"x.go": {Data: []byte(edited.String())}})
	var he *HunkError
	if !errors.As(err, &he) {
		t.Fatalf("Apply on an edited base: err = %v, want a *HunkError", err)
	}
	if he.File != "x.go" || he.Hunk != 2 || he.Line != 19 || !strings.HasPrefix(he.Header, "@@ -") || he.Line == 0 {
		t.Errorf("HunkError = %+v; want file x.go, hunk 2, its @@ line and line 19", he)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "x.go: hunk 2 (@@ -17,7 +17,7 @@) does not apply at line 19: ") {
		t.Errorf("message %q does not name the file, the hunk and the line", msg)
	}
}

// TestHunksFollowMovedLines: like patch(1), a hunk applies where its lines
// are now, so an original that grew or shrank elsewhere keeps its diffs.
func TestHunksFollowMovedLines(t *testing.T) {
	numbered := func(from, to int, change map[int]string) []string {
		var ls []string
		for i := from; i <= to; i++ {
			if s, ok := change[i]; ok {
				ls = append(ls, s)
			} else {
				ls = append(ls, fmt.Sprintf("line %d\n", i))
			}
		}
		return ls
	}
	changes := map[int]string{10: "ten\n", 30: "thirty\n"}
	old, wrong := numbered(1, 40, nil), numbered(1, 40, changes)
	d := Create("x.go", []byte(strings.Join(old, "")), []byte(strings.Join(wrong, "")))
	var file bytes.Buffer
	if err := Write(&file, header, d); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	added := []string{"new a\n", "new b\n", "new c\n"}
	cat := func(parts ...[]string) string {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(strings.Join(p, ""))
		}
		return b.String()
	}
	cases := []struct {
		name       string
		base, want string
	}{
		{"lines added at the top", cat(added, old), cat(added, wrong)},
		{"lines removed at the top", cat(old[2:]), cat(wrong[2:])},
		{"lines added between the hunks", cat(old[:20], added, old[20:]), cat(wrong[:20], added, wrong[20:])},
		{"lines added at the top and removed between the hunks", cat(added, old[:18], old[22:]), cat(added, wrong[:18], wrong[22:])},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := p.Apply(fstest.MapFS{"x.go": {Data: []byte(tc.base)}})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := fs.ReadFile(out, "x.go"); string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestApplyToAMissingFile(t *testing.T) {
	var file bytes.Buffer
	if err := Write(&file, header, Create("gone.go", []byte(counter), []byte(counter+"// more\n"))); err != nil {
		t.Fatal(err)
	}
	p, err := Parse(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Apply(fstest.MapFS{"other.go": {Data: []byte(counter)}})
	if err == nil || !strings.Contains(err.Error(), "gone.go: the diff changes a file that does not exist") {
		t.Errorf("err = %v, want one naming gone.go", err)
	}
}

func TestParseRejects(t *testing.T) {
	body := "--- x.go\n+++ x.go\n@@ -1 +1 @@\n-a\n+b\n"
	cases := []struct {
		name, file, want string
	}{
		{"no Bug line", "Breaks: r.\n\n" + body, "the Bug line is empty"},
		{"no Breaks line", "Bug: b.\n\n" + body, "the Breaks line is empty"},
		{"an empty Bug", "Bug:  \nBreaks: r.\n\n" + body, "the Bug line is empty"},
		{"an unknown line", "Bug: b.\nBreaks: r.\nAuthor: me\n\n" + body, `header line 3: "Author: me" is neither "Bug:" nor "Breaks:"`},
		{"no diff", "Bug: b.\nBreaks: r.\n", "no diff below the header"},
		{"a new file", "Bug: b.\nBreaks: r.\n\n--- /dev/null\n+++ y.go\n@@ -0,0 +1 @@\n+b\n", "y.go: the diff creates, deletes or renames a file"},
		{"a deleted file", "Bug: b.\nBreaks: r.\n\n--- x.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", "x.go: the diff creates, deletes or renames a file"},
		{"a path outside the directory", "Bug: b.\nBreaks: r.\n\n--- ../x.go\n+++ ../x.go\n@@ -1 +1 @@\n-a\n+b\n", "a file in the diff must be named by a relative path"},
		{"two Bug lines", "Bug: b.\nBug: c.\nBreaks: r.\n\n" + body, "header line 2: a second Bug: line"},
		{"a file changed twice", "Bug: b.\nBreaks: r.\n\n" + body + body, "x.go: the diff changes it twice"},
		{"a hunk whose counts are wrong", "Bug: b.\nBreaks: r.\n\n--- x.go\n+++ x.go\n@@ -1,3 +1,3 @@\n-a\n+b\n", "the diff:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse: err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseAcceptsCRLFAndBlankLinesInTheHeader(t *testing.T) {
	p, err := Parse([]byte("\r\nBug: b.\r\n\r\nBreaks: r.\r\n\r\n--- x.go\n+++ x.go\n@@ -1 +1 @@\n-a\n+b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Header != (Header{Bug: "b.", Breaks: "r."}) {
		t.Errorf("header %+v", p.Header)
	}
}

func TestWriteRefuses(t *testing.T) {
	diff := Create("x.go", []byte("a\n"), []byte("b\n"))
	cases := []struct {
		name string
		h    Header
		diff string
		want string
	}{
		{"an empty diff", header, "", "the diff is empty"},
		{"no bug", Header{Breaks: "r."}, diff, "the Bug line is empty"},
		{"no rule", Header{Bug: "b."}, diff, "the Breaks line is empty"},
		{"a bug over two lines", Header{Bug: "b\nc.", Breaks: "r."}, diff, "the Bug line spans more than one line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tc.h, tc.diff)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Write: err = %v, want one containing %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("Write wrote %q although it failed", b.String())
			}
		})
	}
}
