package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dslearn/dslearn/internal/coursemap"
	"github.com/dslearn/dslearn/internal/grader"
)

// mapRun shows the interactive course map, does what the learner picks, and
// comes back to the map until they quit.
func mapRun(ctx context.Context, f *Factory) error {
	c, err := f.Course()
	if err != nil {
		return err
	}
	start := 0
	for {
		w := f.OptionalWorkspace()
		p, err := f.LoadProgress(w)
		if err != nil {
			return err
		}
		var rows []coursemap.Lesson
		next := nextLesson(c, p)
		for _, l := range c.Lessons {
			state := "no workspace yet"
			if w != nil {
				state = stateOf(c, l, p)
			}
			rows = append(rows, coursemap.Lesson{Number: l.Number, Slug: l.Slug, Title: l.Title,
				Chapter: fmt.Sprintf("Chapter %d: %s", l.Chapter, c.ChapterTitle(l.Chapter)), State: state,
				Passed: p.Passed(l.Slug), Next: w != nil && l == next})
		}
		if start == 0 {
			if next := nextLesson(c, p); next != nil {
				start = next.Number
			}
		}
		prog := tea.NewProgram(coursemap.New(c.Title, rows, start), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out), tea.WithContext(ctx))
		final, err := prog.Run()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a := final.(coursemap.Model).Chosen()
		start = a.Lesson.Number
		ref := strconv.Itoa(a.Lesson.Number)
		switch a.Kind {
		case coursemap.Quit:
			return nil
		case coursemap.Read:
			err = lessonRun(&LessonOptions{F: f, Ref: ref})
		case coursemap.Check:
			err = checkRun(ctx, &CheckOptions{F: f, Refs: []string{ref}, Race: true})
			if err == errChecksFailed {
				err = nil
			}
			pause(f)
		case coursemap.Hint:
			err = hintRun(&HintOptions{F: f, Ref: ref, fromMap: true})
			pause(f)
		case coursemap.Watch:
			err = watchRun(ctx, &WatchOptions{F: f, Ref: ref, Interval: 1e9, Race: true})
			if errors.Is(err, grader.ErrInterrupted) && ctx.Err() == nil {
				err = nil // Ctrl-C in the watch: back to the map
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			exitCode(f.IO.ErrOut, nil, err) // report it, then back to the map
			pause(f)
		}
	}
}

func pause(f *Factory) {
	fmt.Fprint(f.IO.Out, "\nPress enter to return to the course map.")
	bufio.NewReader(f.IO.In).ReadString('\n')
}
