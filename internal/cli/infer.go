package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/progress"
	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// How a command without a lesson argument picked its exercise.
const (
	fromDir  = "the exercise of this directory"
	fromNext = "the first exercise you have not passed"
)

// exerciseHere is the lesson whose exercise directory holds dir, or nil.
func exerciseHere(c *course.Course, w *workspace.Workspace, dir string) *course.Lesson {
	if w == nil {
		return nil
	}
	rel, err := filepath.Rel(w.Root, dir)
	if err != nil {
		return nil
	}
	rel = filepath.ToSlash(rel)
	for _, l := range c.Lessons {
		if rel == l.StubDir() || strings.HasPrefix(rel, l.StubDir()+"/") {
			return l
		}
	}
	return nil
}

// inferLesson picks the exercise of a command run without naming one, as
// exercism and rustlings do: the exercise whose directory the learner is
// in, else (when next is set) the first one not yet passed. It says which,
// on the first line of stderr, so that output stays clean for scripts.
func inferLesson(f *Factory, c *course.Course, w *workspace.Workspace, p *progress.Progress, verb string, next bool) (*course.Lesson, error) {
	wd, err := f.Getwd()
	if err != nil {
		return nil, &EnvError{err}
	}
	l, why := exerciseHere(c, w, wd), fromDir
	if l == nil && next {
		l, why = nextLesson(c, p), fromNext
		if l == nil {
			return nil, &UsageError{Err: errors.New("you have passed every exercise; name the one you mean, such as: dslearn " + verb + " 1")}
		}
	}
	if l == nil {
		return nil, &UsageError{Err: fmt.Errorf("name the exercise, such as: dslearn %s %s (or run it inside the exercise's directory)", verb, c.Lessons[0].Slug)}
	}
	fmt.Fprintf(f.IO.ErrOut, "%s: lesson %d, %s (%s)\n", l.Slug, l.Number, l.Title, why)
	return l, nil
}

// lessonOrInferred resolves ref, or infers the exercise when ref is empty.
func lessonOrInferred(f *Factory, c *course.Course, w *workspace.Workspace, ref, verb string) (*course.Lesson, error) {
	if ref != "" {
		return findLesson(c, ref)
	}
	p, err := f.LoadProgress(w)
	if err != nil {
		return nil, err
	}
	return inferLesson(f, c, w, p, verb, true)
}

func argOrEmpty(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// atMostOne accepts zero or one argument, with a message that says what to type.
func atMostOne(hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return &UsageError{Err: fmt.Errorf("%s takes one exercise, got %d: %s", cmd.CommandPath(), len(args), hint)}
		}
		return nil
	}
}
