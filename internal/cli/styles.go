package cli

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/iostreams"
	"github.com/muesli/termenv"
)

// styles are the few text styles dslearn uses; without color every one of
// them renders text unchanged.
type styles struct {
	bold, faint, pass, fail, warn lipgloss.Style
	color                         bool
	// width is the terminal's width for wrapping reports; 0 when piped.
	width int
}

func newStyles(io *iostreams.IOStreams) styles {
	width := 0
	if io.OutTTY {
		width = io.Width
	}
	r := lipgloss.NewRenderer(io.Out)
	if io.Color {
		r.SetColorProfile(lipgloss.ColorProfile())
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return styles{
		bold:  r.NewStyle().Bold(true),
		faint: r.NewStyle().Faint(true),
		pass:  r.NewStyle().Foreground(lipgloss.Color("2")),
		fail:  r.NewStyle().Foreground(lipgloss.Color("1")),
		warn:  r.NewStyle().Foreground(lipgloss.Color("3")),
		color: io.Color,
		width: width,
	}
}

// grader returns the styles for the grader's reports.
func (s styles) grader() grader.Style {
	r := func(st lipgloss.Style) func(string) string { return func(t string) string { return st.Render(t) } }
	return grader.Style{Symbols: s.color, Pass: r(s.pass), Fail: r(s.fail), Faint: r(s.faint), Bold: r(s.bold), Width: s.width}
}
