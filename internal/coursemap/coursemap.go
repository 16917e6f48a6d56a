// Package coursemap is the interactive course map shown when dslearn runs
// on a terminal without arguments: chapters and lessons with each
// exercise's state, and keys to read, check, take a hint or watch.
package coursemap

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Lesson is one row of the map.
type Lesson struct {
	Number  int
	Slug    string
	Title   string
	Chapter string
	// State is the exercise's state ("passed", "failing", "not started", …).
	State string
	// Passed is set when the exercise has ever passed (it counts towards
	// the overall progress even if it fails now).
	Passed bool
	// Next marks the first exercise not passed yet.
	Next bool
}

// Kind is what the learner chose to do.
type Kind int

// What the learner can choose.
const (
	Quit Kind = iota
	Read
	Check
	Hint
	Watch
)

// Action is the learner's choice: what to do, and to which lesson.
type Action struct {
	Kind   Kind
	Lesson Lesson
}

// Model is the bubbletea model of the map.
type Model struct {
	title   string
	lessons []Lesson
	cursor  int
	width   int
	chosen  Action
	styles  styles
}

type styles struct {
	title, chapter, cursor, pass, fail, faint, help lipgloss.Style
}

// New returns the map of lessons, with the cursor on lesson number start.
func New(title string, lessons []Lesson, start int) Model {
	m := Model{title: title, lessons: lessons, width: 80}
	for i, l := range lessons {
		if l.Number == start {
			m.cursor = i
		}
	}
	m.styles = styles{
		title:   lipgloss.NewStyle().Bold(true),
		chapter: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("6")),
		cursor:  lipgloss.NewStyle().Reverse(true),
		pass:    lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		fail:    lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		faint:   lipgloss.NewStyle().Faint(true),
		help:    lipgloss.NewStyle().Faint(true),
	}
	return m
}

// Chosen is the action the learner picked when the program ended.
func (m Model) Chosen() Action { return m.chosen }

// Init implements tea.Model.
func (m Model) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
	case tea.KeyMsg:
		choose := func(k Kind) (tea.Model, tea.Cmd) {
			m.chosen = Action{Kind: k, Lesson: m.lessons[m.cursor]}
			return m, tea.Quit
		}
		switch msg.String() {
		case "up", "k":
			if m.cursor > 0 {
				m.cursor--
			}
		case "down", "j":
			if m.cursor < len(m.lessons)-1 {
				m.cursor++
			}
		case "home", "g":
			m.cursor = 0
		case "end", "G":
			m.cursor = len(m.lessons) - 1
		case "enter", "r", "l":
			return choose(Read)
		case "c":
			return choose(Check)
		case "h":
			return choose(Hint)
		case "w":
			return choose(Watch)
		case "q", "esc", "ctrl+c":
			m.chosen = Action{Kind: Quit}
			return m, tea.Quit
		}
	}
	return m, nil
}

// View implements tea.Model.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.styles.title.Render(m.title) + "\n")
	passed := 0
	for _, l := range m.lessons {
		if l.Passed {
			passed++
		}
	}
	if len(m.lessons) > 0 {
		b.WriteString(m.styles.faint.Render(fmt.Sprintf("%d of %d exercises passed (%d%%)", passed, len(m.lessons), passed*100/len(m.lessons))) + "\n")
	}
	chapter := ""
	for i, l := range m.lessons {
		if l.Chapter != chapter {
			chapter = l.Chapter
			b.WriteString("\n" + m.styles.chapter.Render(chapter) + "\n")
		}
		row := fmt.Sprintf(" %2d  %-28s", l.Number, l.Title)
		if i == m.cursor {
			row = m.styles.cursor.Render(row)
		}
		next := ""
		if l.Next {
			next = "  " + m.styles.chapter.Render("← next")
		}
		b.WriteString(" " + row + "  " + m.state(l.State) + next + "\n")
	}
	b.WriteString("\n" + m.styles.help.Render("↑/↓ move · enter read · c check · h hint · w watch · q quit") + "\n")
	return b.String()
}

func (m Model) state(s string) string {
	switch s {
	case "passed":
		return m.styles.pass.Render("✓ passed")
	case "failing", "passed before, failing now":
		return m.styles.fail.Render("✗ " + s)
	}
	return m.styles.faint.Render("· " + s)
}
