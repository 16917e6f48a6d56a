// Package render turns lesson markdown into terminal output: glamour's
// styled rendering on a terminal, plain text without escape codes when the
// output is piped or color is off.
package render

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/styles"
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
	opts := []glamour.TermRendererOption{glamour.WithWordWrap(width - 2)}
	switch {
	case !o.Styled:
		opts = append(opts, glamour.WithStandardStyle(styles.NoTTYStyle), glamour.WithColorProfile(termenv.Ascii))
	case o.Dark:
		opts = append(opts, glamour.WithStandardStyle(styles.DarkStyle), glamour.WithColorProfile(o.Profile))
	default:
		opts = append(opts, glamour.WithStandardStyle(styles.LightStyle), glamour.WithColorProfile(o.Profile))
	}
	r, err := glamour.NewTermRenderer(opts...)
	if err != nil {
		return "", err
	}
	out, err := r.Render(body)
	if err != nil {
		return "", err
	}
	if !o.Styled {
		out = trimLines(out)
	}
	return out, nil
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
