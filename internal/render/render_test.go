package render

import (
	"strings"
	"testing"
)

func TestSplitFrontMatter(t *testing.T) {
	src := "---\ntitle: Lamport clocks\nslug: lamport-clocks\nnumber: 1\nreading_time: 15 min\n---\n# Lamport clocks\n\nText.\n"
	m, body, err := SplitFrontMatter([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.Title != "Lamport clocks" || m.Number != 1 || m.Slug != "lamport-clocks" || m.ReadingTime != "15 min" {
		t.Errorf("meta = %+v", m)
	}
	if string(body) != "# Lamport clocks\n\nText.\n" {
		t.Errorf("body = %q", body)
	}
	if _, body, _ := SplitFrontMatter([]byte("# No front matter\n")); string(body) != "# No front matter\n" {
		t.Errorf("body without front matter = %q", body)
	}
	for _, bad := range []string{"---\ntitle: x\n", "---\nunknown_field: 1\n---\n"} {
		if _, _, err := SplitFrontMatter([]byte(bad)); err == nil {
			t.Errorf("SplitFrontMatter(%q) gave no error", bad)
		}
	}
}

func TestMarkdownPlainHasNoEscapeCodes(t *testing.T) {
	out, err := Markdown("# Title\n\nSome *emphasis* and `code`.\n\n```\n  +---+\n  | A |\n  +---+\n```\n", Options{Width: 80})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("plain output has escape codes: %q", out)
	}
	for _, want := range []string{"Title", "emphasis", "| A |"} {
		if !strings.Contains(out, want) {
			t.Errorf("plain output lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line with trailing spaces: %q", l)
		}
	}
}

func TestMarkdownWrapsAtMaxWidth(t *testing.T) {
	long := strings.Repeat("word ", 200)
	out, err := Markdown(long, Options{Width: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > MaxWidth {
			t.Fatalf("line of %d columns exceeds %d", len(l), MaxWidth)
		}
	}
}

func TestJoinSoftBreaks(t *testing.T) {
	in := "A paragraph\nover two lines.\n\n- an item\n  continued\n- next\n\n```\ncode\n  kept\n```\n# Head\ntext\n\n| a |\n| b |\n"
	want := "A paragraph over two lines.\n\n- an item continued\n- next\n\n```\ncode\n  kept\n```\n# Head\ntext\n\n| a |\n| b |\n"
	if got := joinSoftBreaks(in); got != want {
		t.Errorf("joinSoftBreaks:\n%s\nwant:\n%s", got, want)
	}
}

// TestNoOrphanWords: a soft line break next to a multi-byte character once
// left a single word on a line of its own.
func TestNoOrphanWords(t *testing.T) {
	md := "The order extends happened-before: every\na → b keeps its direction, and concurrent pairs get one fixed by the\ntimestamps and IDs, and so on — for a while longer than one line."
	for _, w := range []int{60, 70, 80, 100} {
		out, err := Markdown(md, Options{Width: w})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) == 1 {
				t.Errorf("width %d: a word alone on a line: %q in\n%s", w, l, out)
			}
		}
	}
}

func TestPlainTablesStayNarrow(t *testing.T) {
	md := "Text before.\n\n| level | replicas |\n|---|---|\n| ONE | 1 |\n| QUORUM | 2 |\n\nText after.\n"
	out, err := Markdown(md, Options{Width: 80})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 80 {
			t.Fatalf("a table line of %d columns:\n%s", len(l), out)
		}
	}
	if !strings.Contains(out, "| QUORUM | 2 |") || !strings.Contains(out, "Text after.") {
		t.Errorf("plain table:\n%s", out)
	}
}
