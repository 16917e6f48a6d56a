// Package render turns lesson markdown into terminal output: glamour's
// styled rendering on a terminal, plain text without escape codes when the
// output is piped or color is off.
package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"
	"gopkg.in/yaml.v3"
)

// MaxWidth is the widest a lesson is wrapped, however wide the terminal.
const MaxWidth = 120

// Meta is a lesson's front matter.
type Meta struct {
	Title       string `yaml:"title"`
	Slug        string `yaml:"slug"`
	Number      int    `yaml:"number"`
	ReadingTime string `yaml:"reading_time"`
}

// SplitFrontMatter separates a leading YAML front matter block ("---" lines)
// from the markdown body. A document without one has empty Meta.
func SplitFrontMatter(src []byte) (Meta, []byte, error) {
	var m Meta
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	if !bytes.HasPrefix(src, []byte("---\n")) && !bytes.HasPrefix(src, []byte("---\r\n")) {
		return m, src, nil
	}
	rest := src[bytes.IndexByte(src, '\n')+1:]
	end := bytes.Index(rest, []byte("\n---"))
	if end < 0 {
		return m, src, fmt.Errorf("front matter has no closing ---")
	}
	dec := yaml.NewDecoder(bytes.NewReader(rest[:end+1]))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return m, src, fmt.Errorf("front matter: %w", err)
	}
	body := rest[end+len("\n---"):]
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		body = nil
	}
	return m, body, nil
}

// Options say how to render.
type Options struct {
	// Width is the terminal's width; output wraps at min(Width, MaxWidth).
	Width int
	// Styled selects glamour's colored rendering; otherwise plain text.
	Styled bool
	// Dark selects the dark style when Styled (detected once by the caller).
	Dark bool
	// Profile is the terminal's color profile when Styled.
	Profile termenv.Profile
}

// Markdown renders a markdown body.
//
// Prose is wrapped here, at word boundaries, to min(Width, MaxWidth) minus
// the margins: glamour's own wrapping strands single words on a line, so
// glamour renders every paragraph on one line and wrapLines folds it.
// Code blocks (diagrams, traces, tables) are never folded or unescaped: each
// line is printed whole. When a block is wider than the terminal, a note
// before it says how wide the terminal must be, and its long lines run past
// the edge (a pager such as less -S scrolls them) instead of breaking the
// drawing.
func Markdown(body string, o Options) (string, error) {
	width := min(max(o.Width, 40), MaxWidth)
	var cfg ansi.StyleConfig
	profile := o.Profile
	switch {
	case !o.Styled:
		cfg, profile = plainStyle(), termenv.Ascii
	case o.Dark:
		cfg = styledConfig(styles.DarkStyleConfig)
	default:
		cfg = styledConfig(styles.LightStyleConfig)
	}
	// glamour wraps at the given width and pads every line to it, so each
	// block is rendered at a width just above its longest line.
	render := func(md string) (string, error) {
		longest := 0
		for _, l := range strings.Split(md, "\n") {
			longest = max(longest, len(l))
		}
		r, err := glamour.NewTermRenderer(glamour.WithWordWrap(longest+16), glamour.WithStyles(cfg), glamour.WithColorProfile(profile))
		if err != nil {
			return "", err
		}
		return r.Render(md)
	}
	md := joinSoftBreaks(body)
	if !o.Styled {
		md = fenceTables(md)
	}
	var parts []string
	for _, seg := range splitFences(md) {
		if seg.code == nil {
			if strings.TrimSpace(seg.text) == "" {
				continue
			}
			out, err := render(seg.text)
			if err != nil {
				return "", err
			}
			out = indentLines(trimLines(out), strings.Repeat(" ", margin))
			parts = append(parts, wrapLines(out, width-margin))
			continue
		}
		need := codeIndent
		for _, l := range seg.code {
			need = max(need, codeIndent+runewidth.StringWidth(l))
		}
		var b strings.Builder
		if need > width {
			note := fmt.Sprintf("(widen your terminal to %d columns to see this whole)", need)
			if o.Styled {
				note = termenv.String(note).Italic().String()
			}
			b.WriteString(strings.Repeat(" ", margin) + note + "\n")
		}
		if o.Styled {
			// glamour keeps code blocks whole at this wrap width and
			// highlights those that name a language.
			out, err := render(seg.text)
			if err != nil {
				return "", err
			}
			b.WriteString(indentLines(trimLines(out), strings.Repeat(" ", margin)))
		} else {
			// glamour's plain style applies backslash escapes inside
			// code blocks ("\-" prints as "-"), so they are printed here.
			for _, l := range seg.code {
				if l != "" {
					l = strings.Repeat(" ", codeIndent) + l
				}
				b.WriteString(l + "\n")
			}
		}
		parts = append(parts, strings.TrimRight(b.String(), "\n"))
	}
	return strings.Join(parts, "\n\n") + "\n", nil
}

// styledConfig is a glamour style for a terminal, changed where it would
// print markdown syntax or break the layout: no document margin (it made
// glamour wrap lines twice), no "##" before headings, no spaces padding
// inline code, and no document-wide text color, so that the padding glamour
// adds to every line is plain spaces that trimLines can drop.
func styledConfig(cfg ansi.StyleConfig) ansi.StyleConfig {
	zero := uint(0)
	cfg.Document.Margin = &zero
	cfg.Document.Color = nil
	for _, h := range []*ansi.StyleBlock{&cfg.H2, &cfg.H3, &cfg.H4, &cfg.H5, &cfg.H6} {
		h.Prefix = ""
	}
	cfg.Code.Prefix, cfg.Code.Suffix = "", ""
	return cfg
}

// segment is a run of markdown outside code blocks (code == nil), or one
// fenced code block: its source text and its lines without the fences.
type segment struct {
	text string
	code []string
}

// splitFences cuts markdown into prose and fenced code blocks.
func splitFences(md string) []segment {
	var segs []segment
	var prose, block []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")):
			if len(prose) > 0 {
				segs = append(segs, segment{text: strings.Join(prose, "\n")})
				prose = nil
			}
			fence, block = trim[:3], []string{line}
		case fence != "" && strings.HasPrefix(trim, fence):
			block = append(block, line)
			code := make([]string, 0, len(block)-2)
			for _, l := range block[1 : len(block)-1] {
				code = append(code, strings.TrimRight(l, " \t"))
			}
			segs = append(segs, segment{text: strings.Join(block, "\n") + "\n", code: code})
			fence, block = "", nil
		case fence != "":
			block = append(block, line)
		default:
			prose = append(prose, line)
		}
	}
	if fence != "" { // an unclosed fence runs to the end, as in CommonMark
		block = append(block, fence)
		code := make([]string, 0, len(block)-2)
		for _, l := range block[1 : len(block)-1] {
			code = append(code, strings.TrimRight(l, " \t"))
		}
		segs = append(segs, segment{text: strings.Join(block, "\n") + "\n", code: code})
	}
	if len(prose) > 0 {
		segs = append(segs, segment{text: strings.Join(prose, "\n")})
	}
	return segs
}

var blockStart = regexp.MustCompile(`^(#|\||>|[-*+] |\d+[.)] |` + "```" + `|~~~|---|\*\*\*|___|<)`)

// joinSoftBreaks joins the lines of each paragraph and list item into one,
// outside code blocks. Markdown treats such line breaks as spaces, but
// glamour's wrapping counts the break and can leave a single word on a
// line of its own.
func joinSoftBreaks(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	fence := ""
	for _, line := range lines {
		trim := strings.TrimSpace(line)
		if fence != "" {
			out = append(out, line)
			if strings.HasPrefix(trim, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			fence = trim[:3]
			out = append(out, line)
			continue
		}
		n := len(out)
		prev := ""
		if n > 0 {
			prev = strings.TrimSpace(out[n-1])
		}
		joinable := trim != "" && prev != "" && !blockStart.MatchString(trim) &&
			!strings.HasPrefix(prev, "#") && !strings.HasPrefix(prev, "|") &&
			!strings.HasPrefix(line, "    ") && !strings.HasSuffix(out[n-1], "  ") && !strings.HasSuffix(prev, "\\")
		if joinable && n > 0 && !strings.HasPrefix(strings.TrimSpace(out[n-1]), "```") {
			out[n-1] += " " + trim
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

var listMarker = regexp.MustCompile(`^(\s*)(• |\d+\. )`)

// wrapLines folds lines wider than width at spaces. Escape sequences take
// no width; a style open at a fold is closed at the end of the line and
// opened again after the next line's indentation. A folded line's
// continuation keeps its indentation, and a list item's continuation is
// indented past the marker.
func wrapLines(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if xansi.StringWidth(line) <= width {
			out = append(out, line)
			continue
		}
		out = append(out, foldLine(line, width)...)
	}
	return strings.Join(out, "\n")
}

type word struct {
	text  string
	width int
}

// foldLine splits one line into lines of at most width columns (a single
// word wider than that stays whole).
func foldLine(line string, width int) []string {
	var words []word
	var indent, cur strings.Builder
	indentW, curW := 0, 0
	leading := true
	for i := 0; i < len(line); {
		if line[i] == 0x1b {
			j := escapeEnd(line, i)
			if leading {
				indent.WriteString(line[i:j])
			} else {
				cur.WriteString(line[i:j])
			}
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == ' ' && leading:
			indent.WriteByte(' ')
			indentW++
		case r == ' ':
			if curW > 0 {
				words = append(words, word{cur.String(), curW})
				cur.Reset()
				curW = 0
			}
		default:
			leading = false
			cur.WriteString(line[i : i+size])
			curW += runewidth.RuneWidth(r)
		}
		i += size
	}
	if curW > 0 || cur.Len() > 0 {
		words = append(words, word{cur.String(), curW})
	}
	hangW := indentW
	if len(words) > 1 {
		if m := listMarker.FindString(xansi.Strip(words[0].text) + " "); m != "" {
			hangW += words[0].width + 1
		}
	}
	var lines []string
	var b strings.Builder
	b.WriteString(indent.String())
	bw := indentW
	active := ""
	first := true
	for _, w := range words {
		if !first && w.width > 0 && bw+1+w.width > width {
			if active != "" {
				b.WriteString("\x1b[0m")
			}
			lines = append(lines, b.String())
			b.Reset()
			b.WriteString(strings.Repeat(" ", hangW) + active)
			bw = hangW
			first = true
		}
		if !first && w.width > 0 {
			b.WriteByte(' ')
			bw++
		}
		b.WriteString(w.text)
		bw += w.width
		if w.width > 0 {
			first = false
		}
		active = activeStyle(active, w.text)
	}
	return append(lines, b.String())
}

// escapeEnd returns the index just past the escape sequence at s[i].
func escapeEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '[' {
		for j++; j < len(s); j++ {
			if s[j] >= 0x40 && s[j] <= 0x7e {
				return j + 1
			}
		}
		return len(s)
	}
	return min(j+1, len(s))
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// activeStyle is the SGR sequences still in force after text, given those
// in force before it: a reset clears them.
func activeStyle(active, text string) string {
	for _, seq := range sgr.FindAllString(text, -1) {
		if seq == "\x1b[0m" || seq == "\x1b[m" {
			active = ""
		} else {
			active += seq
		}
	}
	return active
}

// margin is the space left and right of the text.
const margin = 2

func indentLines(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// fenceTables puts each markdown table in a code block, for plain output:
// a pipe table reads well as it is, and glamour would pad its columns to
// the (unlimited) plain wrap width.
func fenceTables(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines)+8)
	fence, inTable := "", false
	for _, line := range lines {
		trim := strings.TrimSpace(line)
		if fence == "" && (strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~")) {
			fence = trim[:3]
		} else if fence != "" && strings.HasPrefix(trim, fence) {
			fence = ""
		}
		isRow := fence == "" && strings.HasPrefix(trim, "|")
		switch {
		case isRow && !inTable:
			out = append(out, "```")
			inTable = true
		case !isRow && inTable:
			out = append(out, "```")
			inTable = false
		}
		out = append(out, line)
	}
	if inTable {
		out = append(out, "```")
	}
	return strings.Join(out, "\n")
}

// plainStyle is glamour's ASCII style without the ** and _ markers it puts
// around strong and emphasized text: glamour wraps lines before adding
// them, so they push words past the margin and break lines in odd places.
func plainStyle() ansi.StyleConfig {
	cfg := styles.ASCIIStyleConfig
	zero := uint(0)
	cfg.Document.Margin = &zero // added back by Markdown, with the code blocks'
	cfg.Strong.BlockPrefix, cfg.Strong.BlockSuffix = "", ""
	cfg.Emph.BlockPrefix, cfg.Emph.BlockSuffix = "", ""
	return cfg
}

var trailingPad = regexp.MustCompile("(?:\x1b\\[[0-9;]*m| )+$")

// trimLines drops the padding glamour adds to the right of every line (and
// the blank lines around a block), so that lines can be measured and piped
// output is clean text.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := trailingPad.ReplaceAllString(l, "")
		if strings.Contains(t, "\x1b[") {
			t += "\x1b[0m"
		}
		lines[i] = t
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// codeIndent is how far code blocks are indented, the margin included.
const codeIndent = margin + 2
