package coursemap

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func lessons() []Lesson {
	return []Lesson{
		{Number: 1, Slug: "lamport-clocks", Title: "Lamport clocks", Chapter: "1 Clocks", State: "passed", Passed: true},
		{Number: 2, Slug: "vector-clocks", Title: "Vector clocks", Chapter: "1 Clocks", State: "failing", Next: true},
		{Number: 3, Slug: "consistent-hashing", Title: "Consistent hashing", Chapter: "2 Data", State: "not started"},
	}
}

func press(m tea.Model, keys ...string) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, cmd = m.Update(msg)
	}
	return m, cmd
}

func TestKeysChooseActions(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		kind Kind
		slug string
	}{
		{[]string{"enter"}, Read, "vector-clocks"},
		{[]string{"down", "c"}, Check, "consistent-hashing"},
		{[]string{"down", "down", "down", "h"}, Hint, "consistent-hashing"},
		{[]string{"up", "up", "w"}, Watch, "lamport-clocks"},
		{[]string{"j", "k", "k", "r"}, Read, "lamport-clocks"},
		{[]string{"q"}, Quit, ""},
	} {
		m, cmd := press(New("Course", lessons(), 2), tc.keys...)
		got := m.(Model).Chosen()
		if got.Kind != tc.kind || got.Lesson.Slug != tc.slug {
			t.Errorf("keys %v chose %v %q, want %v %q", tc.keys, got.Kind, got.Lesson.Slug, tc.kind, tc.slug)
		}
		if cmd == nil {
			t.Errorf("keys %v did not end the program", tc.keys)
		}
	}
}

func TestViewShowsChaptersStatesAndKeys(t *testing.T) {
	v := New("Course", lessons(), 1).View()
	for _, want := range []string{"1 Clocks", "2 Data", "Lamport clocks", "passed", "failing", "not started", "c check", "q quit"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestViewShowsOverallProgressAndTheNextExercise(t *testing.T) {
	v := New("Course", lessons(), 1).View()
	if !strings.Contains(v, "1 of 3 exercises passed (33%)") {
		t.Errorf("no overall progress:\n%s", v)
	}
	for _, line := range strings.Split(v, "\n") {
		if strings.Contains(line, "next") != strings.Contains(line, "Vector clocks") {
			t.Errorf("the next marker is not on the next exercise alone: %q", line)
		}
	}
}
