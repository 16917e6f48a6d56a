package dslearn

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/render"
)

// TestEmbeddedCourseIsTheRepositorysCourse: go:embed silently leaves out
// files whose names start with "." or "_"; the binary must carry every file
// of the course as it is in the repository.
func TestEmbeddedCourseIsTheRepositorysCourse(t *testing.T) {
	list := func(fsys fs.FS) []string {
		var out []string
		for _, root := range []string{"content", "lessons", "exercises", "solutions", "simnet", "internal/check", "internal/porcupine"} {
			fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					out = append(out, p)
				}
				return nil
			})
		}
		slices.Sort(out)
		return out
	}
	embedded, disk := list(Files()), list(os.DirFS("."))
	if !slices.Equal(embedded, disk) {
		for _, p := range disk {
			if !slices.Contains(embedded, p) {
				t.Errorf("%s is not embedded in the binary (names starting with . or _ are skipped by go:embed)", p)
			}
		}
	}
}

// TestBuiltInCourseIsComplete: every lesson is written, its front matter
// agrees with the manifest, and it has three hints and an exercise.
func TestBuiltInCourseIsComplete(t *testing.T) {
	c, err := course.Load(Files(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Lessons) != 16 || len(c.Chapters) != 7 {
		t.Errorf("the course has %d lessons in %d chapters; it is 16 in 7", len(c.Lessons), len(c.Chapters))
	}
	for _, l := range c.Lessons {
		src, err := fs.ReadFile(c.FS, l.File)
		if err != nil {
			t.Errorf("lesson %d: %v", l.Number, err)
			continue
		}
		meta, body, err := render.SplitFrontMatter(src)
		if err != nil {
			t.Errorf("%s: %v", l.File, err)
		}
		if meta.Slug != l.Slug || meta.Number != l.Number || meta.Title == "" || meta.ReadingTime == "" {
			t.Errorf("%s: front matter %+v does not match the manifest (%d %s)", l.File, meta, l.Number, l.Slug)
		}
		if !strings.Contains(string(body), "## The exercise") && !strings.Contains(string(body), "## Exercise") {
			t.Errorf("%s has no exercise section", l.File)
		}
		if len(l.Hints) != 3 {
			t.Errorf("lesson %d has %d hints", l.Number, len(l.Hints))
		}
		if !c.HasExercise(l) {
			t.Errorf("lesson %d has no exercise", l.Number)
		}
	}
}

// TestLessonsStateWhatExercisesMayImport: every exercise section tells the
// learner what the screening allows, and names only packages it allows.
func TestLessonsStateWhatExercisesMayImport(t *testing.T) {
	c, err := course.Load(Files(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range c.Lessons {
		src, err := fs.ReadFile(Files(), l.File)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		_, after, ok := strings.Cut(text, "**What your files may import.**")
		if !ok {
			t.Errorf("%s: the exercise section does not say what the files may import", l.File)
			continue
		}
		allowedText, _, _ := strings.Cut(after, "Never allowed")
		allowed := c.AllowedImports(l)
		for _, field := range strings.Split(allowedText, "`")[1:] {
			if strings.ContainsAny(field, " \n") || field == "" {
				continue
			}
			if !slices.Contains(allowed, field) && !slices.Contains(allowed, "github.com/dslearn/dslearn/"+field) {
				t.Errorf("%s names `%s` as allowed, but the manifest does not allow it", l.File, field)
			}
		}
		for _, imp := range l.Imports {
			if !strings.Contains(allowedText, imp) {
				t.Errorf("%s does not tell the learner that %s may be imported", l.File, imp)
			}
		}
	}
}
