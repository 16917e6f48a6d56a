package render

import (
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
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

// TestPlainKeepsBackslashesInCode: glamour's plain style applied markdown
// escapes inside code blocks, so "\-" printed as "-" and broke a diagram.
func TestPlainKeepsBackslashesInCode(t *testing.T) {
	md := "Text.\n\n```\n  \\---- a \\\\ b \\* c \\_ d ---/\n```\n"
	out, err := Markdown(md, Options{Width: 80})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `\---- a \\ b \* c \_ d ---/`) {
		t.Errorf("code line changed:\n%s", out)
	}
}

func TestStyledShowsNoMarkdownSyntax(t *testing.T) {
	md := "# Title\n\n## Section\n\nCall `Value` now.\n\n### Sub\n\nText.\n"
	for _, dark := range []bool{true, false} {
		out, err := Markdown(md, Options{Width: 80, Styled: true, Dark: dark, Profile: termenv.ANSI256})
		if err != nil {
			t.Fatal(err)
		}
		plain := xansi.Strip(out)
		if strings.Contains(plain, "#") {
			t.Errorf("dark=%v: a heading marker:\n%s", dark, plain)
		}
		if !strings.Contains(plain, "Call Value now.") {
			t.Errorf("dark=%v: inline code padded with spaces:\n%s", dark, plain)
		}
		if !strings.Contains(out, "\x1b[") {
			t.Errorf("dark=%v: styled output has no styles", dark)
		}
	}
}

func TestWideCodeBlockIsKeptWholeWithANote(t *testing.T) {
	wide := strings.Repeat("-", 70) + ">"
	md := "Before.\n\n```\n" + wide + "\n```\n\nAfter.\n"
	for _, styled := range []bool{false, true} {
		out, err := Markdown(md, Options{Width: 60, Styled: styled, Dark: true, Profile: termenv.ANSI256})
		if err != nil {
			t.Fatal(err)
		}
		plain := xansi.Strip(out)
		note := strings.Index(plain, "(widen your terminal to 75 columns to see this whole)")
		line := strings.Index(plain, "    "+wide+"\n")
		if note < 0 || line < 0 || note > line {
			t.Errorf("styled=%v: want the note, then the whole line:\n%s", styled, plain)
		}
		out, err = Markdown(md, Options{Width: 80, Styled: styled, Dark: true, Profile: termenv.ANSI256})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "widen") {
			t.Errorf("styled=%v: a note at 80 columns for a 75-column block", styled)
		}
	}
}

// TestFoldLineReopensStyles: a style open where a line is folded (such as
// inline code with a background) is closed before the break and opened
// again after the indentation, so the indentation is not painted.
func TestFoldLineReopensStyles(t *testing.T) {
	code := "\x1b[48;5;236m"
	line := "  • one two three " + code + "four five\x1b[0m six"
	got := wrapLines(line, 24)
	want := "  • one two three " + code + "four\x1b[0m\n    " + code + "five\x1b[0m six"
	if got != want {
		t.Errorf("wrapLines:\n%q\nwant\n%q", got, want)
	}
}
