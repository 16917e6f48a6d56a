// Package render turns lesson markdown into terminal output: glamour's
// styled rendering on a terminal, plain text without escape codes when the
// output is piped or color is off.
package render

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
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
func Markdown(body string, o Options) (string, error) {
	width := min(max(o.Width, 40), MaxWidth)
	// glamour's document margin makes it wrap some lines twice (a word
	// that ends in the last columns lands alone on the next line), so the
	// margin is set to zero here and added back below.
	var cfg ansi.StyleConfig
	profile := o.Profile
	switch {
	case !o.Styled:
		cfg, profile = plainStyle(), termenv.Ascii
	case o.Dark:
		cfg = styles.DarkStyleConfig
	default:
		cfg = styles.LightStyleConfig
	}
	zero := uint(0)
	cfg.Document.Margin = &zero
	wrapAt := width - 2*margin
	if !o.Styled {
		// Plain text is wrapped here instead: glamour miscounts list
		// markers and some characters and leaves words alone on a line.
		wrapAt = noWrap
	}
	opts := []glamour.TermRendererOption{glamour.WithWordWrap(wrapAt), glamour.WithStyles(cfg), glamour.WithColorProfile(profile)}
	r, err := glamour.NewTermRenderer(opts...)
	if err != nil {
		return "", err
	}
	md := joinSoftBreaks(body)
	if !o.Styled {
		md = fenceTables(md)
	}
	out, err := r.Render(md)
	if err != nil {
		return "", err
	}
	out = indentLines(out, strings.Repeat(" ", margin))
	if !o.Styled {
		out = wrapPlain(trimLines(out), width-margin)
	}
	return out, nil
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

// noWrap is a wrap width no line reaches.
const noWrap = 1000

var listMarker = regexp.MustCompile(`^(\s*)(• |\d+\. )`)

// wrapPlain folds plain-text lines longer than width at spaces. A folded
// line's continuation keeps its indentation, and a list item's continuation
// is indented past the marker. Code blocks are never folded: in glamour's
// plain output they are the lines indented by four or more spaces beyond
// the margin, which prose lines never are.
func wrapPlain(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if runewidth.StringWidth(line) <= width || strings.HasPrefix(line, strings.Repeat(" ", margin+4)) {
			out = append(out, line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		hang := indent
		if m := listMarker.FindStringSubmatch(line); m != nil {
			hang = m[1] + strings.Repeat(" ", runewidth.StringWidth(m[2]))
		}
		cur := indent
		curW := runewidth.StringWidth(indent)
		first := true
		for _, word := range strings.Fields(line) {
			w := runewidth.StringWidth(word)
			if !first && curW+1+w > width && strings.TrimSpace(cur) != "" {
				out = append(out, cur)
				cur, curW, first = hang+word, runewidth.StringWidth(hang)+w, false
				continue
			}
			if strings.TrimSpace(cur) == "" {
				cur += word
				curW += w
			} else {
				cur += " " + word
				curW += 1 + w
			}
			first = false
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
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
	cfg.Strong.BlockPrefix, cfg.Strong.BlockSuffix = "", ""
	cfg.Emph.BlockPrefix, cfg.Emph.BlockSuffix = "", ""
	return cfg
}

// trimLines drops the padding glamour adds to the right of every line, so
// piped output is clean text.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n") + "\n"
}
