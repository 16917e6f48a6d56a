package course

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	dslearn "github.com/dslearn/dslearn"
	"github.com/dslearn/dslearn/internal/vet"
)

const header = `version: 1
title: t
module: example.com/m
go: "1.24"
chapters:
  - {number: 1, title: C}
lessons:
  - {number: 1, slug: first, title: First, chapter: 1, file: lessons/01.md}
  - {number: 2, slug: second, title: Second, chapter: 1, file: lessons/02.md, builds_on: [first]}
  - {number: 3, slug: third, title: Third, chapter: 1, file: lessons/03.md, builds_on: [first, second]}
`

func TestCrossReferencesAndGlossaryAreValidated(t *testing.T) {
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"valid", "glossary:\n  - {term: quorum, lesson: third, definition: a set}\n", ""},
		{"dangling builds_on", "  - {number: 4, slug: fourth, title: F, chapter: 1, file: lessons/04.md, builds_on: [nowhere]}\n",
			`lesson "fourth" builds on "nowhere", which is not a lesson`},
		{"builds on itself", "  - {number: 4, slug: fourth, title: F, chapter: 1, file: lessons/04.md, builds_on: [fourth]}\n",
			`lesson "fourth" builds on "fourth", lesson 4, which does not come before it`},
		{"builds on a later lesson", "  - {number: 4, slug: fourth, title: F, chapter: 1, file: lessons/04.md, builds_on: [fifth]}\n  - {number: 5, slug: fifth, title: V, chapter: 1, file: lessons/05.md}\n",
			`lesson "fourth" builds on "fifth", lesson 5, which does not come before it`},
		{"named twice", "  - {number: 4, slug: fourth, title: F, chapter: 1, file: lessons/04.md, builds_on: [first, first]}\n",
			`lesson "fourth" names "first" twice`},
		{"term of no lesson", "glossary:\n  - {term: quorum, lesson: sixth, definition: a set}\n",
			`glossary term "quorum": lesson "sixth" is not a lesson`},
		{"term twice", "glossary:\n  - {term: Quorum, lesson: third, definition: a set}\n  - {term: quorum, lesson: first, definition: again}\n",
			`glossary term "quorum" is defined twice`},
		{"no definition", "glossary:\n  - {term: quorum, lesson: third, definition: \" \"}\n",
			`glossary term "quorum" has no definition`},
		{"empty match", "glossary:\n  - {term: quorum, lesson: third, definition: d, match: [\"\"]}\n",
			`glossary term "quorum" has an empty match phrase`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(header + tc.extra))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Parse error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBuildsOnAndUsedLaterIn(t *testing.T) {
	c, err := Parse([]byte(header))
	if err != nil {
		t.Fatal(err)
	}
	slugs := func(ls []*Lesson) string {
		var s []string
		for _, l := range ls {
			s = append(s, l.Slug)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		lesson        int
		on, usedLater string
	}{
		{1, "", "second third"},
		{2, "first", "third"},
		{3, "first second", ""},
	} {
		l := c.Lessons[tc.lesson-1]
		if got := slugs(c.BuildsOn(l)); got != tc.on {
			t.Errorf("BuildsOn(%s) = %q, want %q", l.Slug, got, tc.on)
		}
		if got := slugs(c.UsedLaterIn(l)); got != tc.usedLater {
			t.Errorf("UsedLaterIn(%s) = %q, want %q", l.Slug, got, tc.usedLater)
		}
	}
}

func TestTermUsedIn(t *testing.T) {
	lease := &Term{Term: "lease"}
	raft := &Term{Term: "term (Raft)", Match: []string{"Raft's terms", "Raft term"}}
	for _, tc := range []struct {
		term *Term
		text string
		want bool
	}{
		{lease, "A lease expires.", true},
		{lease, "Kubernetes **Leases** add time.", true},
		{lease, "a release of the software", false},
		{lease, "leased lines", false},
		{raft, "Raft's *terms* work exactly this way", true},
		{raft, "each Raft term has one leader", true},
		{raft, "in the long term", false},
		{&Term{Term: "2PC"}, "as in `2PC`, the coordinator", true},
	} {
		if got := tc.term.UsedIn(tc.text); got != tc.want {
			t.Errorf("%q.UsedIn(%q) = %v, want %v", tc.term.Term, tc.text, got, tc.want)
		}
	}
}

func TestGlossaryTermMustAppearInItsLesson(t *testing.T) {
	manifest := header + "glossary:\n  - {term: quorum, lesson: third, definition: a set}\n"
	fsys := fstest.MapFS{
		ManifestPath:    {Data: []byte(manifest)},
		"lessons/03.md": {Data: []byte("# Third\n\nA read and a write **quorum** overlap.\n")},
	}
	if _, err := Load(fsys, "test"); err != nil {
		t.Fatalf("Load: %v", err)
	}
	fsys["lessons/03.md"] = &fstest.MapFile{Data: []byte("# Third\n\nNothing about it.\n")}
	if _, err := Load(fsys, "test"); err == nil || !strings.Contains(err.Error(), `glossary term "quorum": lesson 3 (lessons/03.md) never uses it`) {
		t.Fatalf("Load error = %v", err)
	}
}

// TestTheCourseLinksEarlyTerms: in the real course, the terms that lessons
// use before the lesson that explains them are found, so that the lesson's
// footer defines them.
func TestTheCourseLinksEarlyTerms(t *testing.T) {
	c, err := Load(dslearn.Files(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lesson int
		terms  []string
	}{
		{1, []string{"term (Raft)", "epoch", "fencing token", "gossip", "consensus"}},
		{5, []string{"quorum"}},
		{2, []string{"join-semilattice"}},
		{6, []string{"anti-entropy"}},
	} {
		l := c.Lessons[tc.lesson-1]
		src, err := fs.ReadFile(dslearn.Files(), l.File)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, term := range c.EarlyTerms(l, string(src)) {
			got[term.Term] = true
			if d := c.DefinedIn(term); d.Number <= l.Number {
				t.Errorf("lesson %d: %q is explained in lesson %d, not later", l.Number, term.Term, d.Number)
			}
		}
		for _, want := range tc.terms {
			if !got[want] {
				t.Errorf("lesson %d uses %q before its lesson, but EarlyTerms misses it (got %v)", l.Number, want, got)
			}
		}
	}
}

func TestImportAllowlists(t *testing.T) {
	for _, p := range DefaultImports {
		if why := vet.DeniedReason(p); why != "" {
			t.Errorf("DefaultImports holds %s, which no exercise may import: %s", p, why)
		}
	}
	base := "version: 1\ntitle: T\nmodule: example.com/t\ngo: \"1.24\"\nworkspace_files: [simnet]\nchapters: [{number: 1, title: One}]\n"
	lesson := "lessons:\n  - {number: 1, slug: a, title: A, chapter: 1, file: lessons/01.md%s}\n"
	for _, tc := range []struct {
		course, lesson, err string
	}{
		{"", "", ""},
		{"imports: [fmt, sync]\n", ", imports: [example.com/t/simnet]", ""},
		{"imports: [fmt, os]\n", "", `the course allows importing "os", which no exercise may import`},
		{"", ", imports: [unsafe]", `lesson "a" allows importing "unsafe"`},
		{"", ", imports: [example.com/t/internal/check]", "of the course's own packages, exercises may import only the workspace files (simnet)"},
		{"", ", imports: [github.com/some/lib]", "graded builds are offline"},
	} {
		c, err := Parse([]byte(base + tc.course + fmt.Sprintf(lesson, tc.lesson)))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q %q: %v", tc.course, tc.lesson, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q %q: err = %v, want %q", tc.course, tc.lesson, err, tc.err)
		case tc.err == "" && tc.course == "" && !slices.Equal(c.AllowedImports(c.Lessons[0]), DefaultImports):
			t.Errorf("a course without imports: allows %q, want the defaults", c.AllowedImports(c.Lessons[0]))
		}
	}
}
