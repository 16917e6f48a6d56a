package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// ListOptions are the inputs of `dslearn list`.
type ListOptions struct {
	F    *Factory
	JSON bool
}

// NewCmdList builds `dslearn list`.
func NewCmdList(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{F: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons, by chapter",
		Long:  "List the lessons by chapter; inside a workspace, with each exercise's state.",
		Example: `  dslearn list
  dslearn list --json | jq '.lessons[] | select(.state != "passed") | .slug'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the lessons as JSON")
	return cmd
}

// ListJSON is the output of `dslearn list --json`; its field names are fixed by a test.
type ListJSON struct {
	Title    string           `json:"title"`
	Chapters []ChapterJSON    `json:"chapters"`
	Lessons  []ListLessonJSON `json:"lessons"`
}

// ChapterJSON is one chapter.
type ChapterJSON struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
}

// ListLessonJSON is one lesson; State is set inside a workspace.
type ListLessonJSON struct {
	Number   int    `json:"number"`
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Chapter  int    `json:"chapter"`
	Written  bool   `json:"written"`
	Exercise bool   `json:"exercise"`
	State    string `json:"state,omitempty"`
}

func listRun(o *ListOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	w := o.F.OptionalWorkspace()
	p, err := o.F.LoadProgress(w)
	if err != nil {
		return err
	}
	out := o.F.IO.Out
	if o.JSON {
		doc := ListJSON{Title: c.Title, Chapters: []ChapterJSON{}, Lessons: []ListLessonJSON{}}
		for _, ch := range c.Chapters {
			doc.Chapters = append(doc.Chapters, ChapterJSON{ch.Number, ch.Title})
		}
		for _, l := range c.Lessons {
			j := ListLessonJSON{Number: l.Number, Slug: l.Slug, Title: l.Title, Chapter: l.Chapter,
				Written: c.Written(l), Exercise: c.HasExercise(l)}
			if w != nil {
				j.State = stateOf(c, l, p)
			}
			doc.Lessons = append(doc.Lessons, j)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	st := newStyles(o.F.IO)
	slugW, titleW := 0, 0
	for _, l := range c.Lessons {
		slugW = max(slugW, utf8.RuneCountInString(l.Slug))
		titleW = max(titleW, utf8.RuneCountInString(l.Title))
	}
	for i, ch := range c.Chapters {
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintln(out, st.bold.Render(fmt.Sprintf("Chapter %d: %s", ch.Number, ch.Title)))
		for _, l := range c.LessonsIn(ch.Number) {
			line := fmt.Sprintf("  %2d  %-*s %-*s", l.Number, slugW, l.Slug, titleW, l.Title)
			if w != nil {
				line += "  " + stateOf(c, l, p)
			}
			if !c.Written(l) {
				line += "  (lesson not written yet)"
			}
			fmt.Fprintln(out, strings.TrimRight(line, " "))
		}
	}
	return nil
}
