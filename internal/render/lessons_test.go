package render

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// codeBlocks returns the lines of each fenced code block of a markdown body.
func codeBlocks(md string) [][]string {
	var blocks [][]string
	var cur []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")):
			fence, cur = trim[:3], nil
		case fence != "" && strings.HasPrefix(trim, fence):
			fence = ""
			blocks = append(blocks, cur)
		case fence != "":
			cur = append(cur, strings.TrimRight(line, " \t"))
		}
	}
	return blocks
}

var widths = []int{60, 80, 120}

// TestEveryLessonRendersAtEveryWidth renders every lesson at 60, 80 and 120
// columns, styled and plain, and checks what a reader sees:
//   - every line of every code block appears whole, in order, with its own
//     spacing, on one output line (a diagram is never wrapped or unescaped);
//   - a code block wider than the terminal is preceded by the note that says
//     how wide to make it;
//   - every other line fits the width;
//   - no prose line could have taken the first word of the line after it
//     (no word stranded by a double wrap);
//   - styled output shows no markdown heading markers (#).
func TestEveryLessonRendersAtEveryWidth(t *testing.T) {
	files, err := filepath.Glob("../../lessons/[0-9]*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found: %v", err)
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, body, err := SplitFrontMatter(src)
		if err != nil {
			t.Fatal(err)
		}
		blocks := codeBlocks(string(body))
		for _, w := range widths {
			for _, styled := range []bool{false, true} {
				name := filepath.Base(file) + "/" + map[bool]string{false: "plain", true: "styled"}[styled] + "/" + strconv.Itoa(w)
				t.Run(name, func(t *testing.T) {
					out, err := Markdown(string(body), Options{Width: w, Styled: styled, Dark: true, Profile: termenv.ANSI256})
					if err != nil {
						t.Fatal(err)
					}
					checkRendered(t, xansi.Strip(out), blocks, w, styled)
				})
			}
		}
	}
}

func checkRendered(t *testing.T, out string, blocks [][]string, w int, styled bool) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if indent := len(lines[0]) - len(strings.TrimLeft(lines[0], " ")); !styled && indent != margin {
		t.Errorf("the first line is indented %d columns, want the margin, %d: %q", indent, margin, lines[0])
	}
	isCode := make([]bool, len(lines))
	pos := 0
	for _, block := range blocks {
		widest := 0
		first := -1
		for _, cl := range block {
			if strings.TrimSpace(cl) == "" {
				continue
			}
			widest = max(widest, xansi.StringWidth(cl))
			found := -1
			for i := pos; i < len(lines); i++ {
				l := strings.TrimRight(lines[i], " ")
				if strings.HasSuffix(l, cl) && strings.TrimSpace(l[:len(l)-len(cl)]) == "" {
					found = i
					break
				}
			}
			if found < 0 {
				t.Errorf("code line broken or missing: %q", cl)
				continue
			}
			if first < 0 {
				first = found
			}
			isCode[found] = true
			pos = found + 1
		}
		if first < 0 {
			continue
		}
		if codeIndent+widest > w {
			if first == 0 || !strings.Contains(strings.Join(lines[max(0, first-3):first], "\n"), "widen your terminal") {
				t.Errorf("a code block %d columns wide at width %d has no note before it (%q)", codeIndent+widest, w, block[0])
			}
		}
	}
	for i, l := range lines {
		if isCode[i] {
			continue
		}
		if lw := xansi.StringWidth(l); lw > w {
			t.Errorf("line of %d columns at width %d: %q", lw, w, l)
		}
		trim := strings.TrimSpace(l)
		if styled && headingMarker.MatchString(trim) {
			t.Errorf("styled output shows a heading marker: %q", l)
		}
		if i == 0 || isCode[i-1] || trim == "" || strings.TrimSpace(lines[i-1]) == "" || startsBlock(trim) {
			continue
		}
		word := strings.Fields(trim)[0]
		if prev := strings.TrimRight(lines[i-1], " "); xansi.StringWidth(prev)+1+xansi.StringWidth(word) <= w-margin {
			t.Errorf("%q would have fit on the line before:\n%s\n%s", word, prev, l)
		}
	}
}

var headingMarker = regexp.MustCompile(`^#+ `)

// startsBlock reports whether a trimmed output line begins a list item,
// heading, quote or rule rather than continuing the line before it.
func startsBlock(trim string) bool {
	return listMarker.MatchString(trim) || headingMarker.MatchString(trim) || strings.HasPrefix(trim, "│") ||
		strings.HasPrefix(trim, "|") || strings.HasPrefix(trim, "--") || strings.HasPrefix(trim, "(widen")
}

// TestNoWrappedLineStartsANumberedList: a line that continues a list item or
// a paragraph must not begin with a number and a full stop ("2017. Chapter
// 9"): markdown may read it as the start of a numbered list, which breaks
// the sentence in two. Rewrap so that the number is not first.
func TestNoWrappedLineStartsANumberedList(t *testing.T) {
	files, err := filepath.Glob("../../lessons/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no lessons found: %v", err)
	}
	numbered := regexp.MustCompile(`^ +[0-9]+[.)] `)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		fence := false
		for i, line := range lines {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				fence = !fence
			}
			if fence || i == 0 || !numbered.MatchString(line) {
				continue
			}
			prev := strings.TrimSpace(lines[i-1])
			if prev != "" && !numbered.MatchString(lines[i-1]) && !regexp.MustCompile(`^[0-9]+[.)] `).MatchString(prev) {
				t.Errorf("%s:%d: %q continues the line before it but would start a numbered list", filepath.Base(file), i+1, line)
			}
		}
	}
}
