package course

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `version: 1
title: T
module: example.com/t
go: "1.24"
chapters:
  - {number: 1, title: One}
lessons:
  - number: 1
    slug: first
    title: First
    chapter: 1
    file: lessons/01.md
  - number: 2
    slug: second
    title: Second
    chapter: 1
    file: lessons/02.md
`

func TestParseErrorsNameTheLineAndTheField(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"bad indentation", "    title: Second\n    chapter: 1", "    title: Second\n   chapter: 1", "line 16: did not find expected '-' indicator (in the block that starts on line 7)"},
		{"item without its dash", "  - number: 2\n    slug: second", "  - number: 2\n  slug: second", "line 14: did not find expected '-' indicator (in the block that starts on line 7)"},
		{"unknown course field", "title: T\n", "title: T\ncolour: red\n", `line 3: unknown field "colour" in the course; known fields: version, title, module, go, workspace_files, grading_files, imports, chapters, lessons, glossary`},
		{"unknown lesson field", "    slug: second\n", "    slug: second\n    titel: x\n", `line 15: unknown field "titel" in lesson 2; known fields: number, slug, title, chapter, file, hints, race, timeout, imports, builds_on`},
		{"unknown chapter field", "{number: 1, title: One}", "{number: 1, title: One, name: x}", `line 6: unknown field "name" in chapter 1; known fields: number, title`},
		{"wrong type", "  - number: 2\n", "  - number: two\n", `line 13: "two" is not a whole number`},
		{"unknown glossary field", "lessons:\n", "glossary:\n  - {term: quorum, lesson: first, definition: x, meaning: y}\nlessons:\n", `line 8: unknown field "meaning" in glossary entry 1; known fields: term, lesson, definition, match`},
		{"lessons not a list", "lessons:\n  - number: 1", "lessons: 3\nx:\n  - number: 1", `line 7: lessons must be a list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.old, tc.new, 1)
			if src == good {
				t.Fatalf("the test's edit %q does not apply", tc.old)
			}
			_, err := Parse([]byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse: %v\nwant it to contain: %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "course.") || strings.Contains(err.Error(), "type ") {
				t.Errorf("Parse: %v: the message names a Go type", err)
			}
		})
	}
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("Parse(good): %v", err)
	}
}

func TestLoadRefusesSymbolicLinks(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.md")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		link string // the path inside the course that is a link to outside
		want string
	}{
		{"lesson file", "lessons/01.md", "lessons/01.md is a symbolic link"},
		{"lessons directory", "lessons", "lessons is a symbolic link"},
		{"exercise directory", "exercises/first", "exercises/first is a symbolic link"},
		{"suite file", "content/suites/first/s_test.go", "content/suites/first/s_test.go is a symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(rel, data string) {
				p := filepath.Join(dir, rel)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write(ManifestPath, good)
			write("lessons/01.md", "# First")
			write("exercises/first/a.go", "package first")
			write("content/suites/first/x_test.go", "package first")
			target := outside
			if !strings.HasSuffix(tc.link, ".md") && !strings.HasSuffix(tc.link, ".go") {
				target = filepath.Dir(outside)
			}
			link := filepath.Join(dir, tc.link)
			os.RemoveAll(link)
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Skip("symbolic links are not available:", err)
			}
			_, err := Load(os.DirFS(dir), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v\nwant: %s", err, tc.want)
			}
		})
	}
}
