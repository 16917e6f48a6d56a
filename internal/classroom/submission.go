package classroom

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
)

// Submission is what a student handed in, mapped to exercises.
type Submission struct {
	// Files per slug: file name in the exercise → path of the submitted file.
	Files map[string]map[string]string
	// Notes say what was done with files that were ambiguous or ignored,
	// for the student to read.
	Notes []string
}

// maxSubmissionFile bounds one file read from a submission.
const maxSubmissionFile = 1 << 20

// FindSubmission maps the .go files anywhere under dir to the exercises of
// lessons: a whole workspace, an exercises/ tree, or loose files at any
// depth. A file belongs to the exercise whose stub has the same package
// clause; when several exercises share a package name, to the one whose stub
// has a file of the same name, else to the one the other files of its
// directory belong to. A file under exercises/<slug>/ belongs to
// that exercise whatever its package. Test files, hidden directories and
// files that match no exercise are ignored. When two files map to the same
// name in one exercise, the one under exercises/<slug>/ wins, else the
// shallower one, else the first in path order, and a note says so.
func FindSubmission(c *course.Course, lessons []*course.Lesson, dir string) (*Submission, error) {
	type stub struct {
		l     *course.Lesson
		pkg   string
		names []string
	}
	var stubs []stub
	bySlug := map[string]*course.Lesson{}
	for _, l := range lessons {
		s := stub{l: l}
		entries, err := fs.ReadDir(c.FS, l.StubDir())
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || !isSource(e.Name()) {
				continue
			}
			s.names = append(s.names, e.Name())
			if s.pkg == "" {
				src, err := fs.ReadFile(c.FS, l.StubDir()+"/"+e.Name())
				if err != nil {
					return nil, err
				}
				s.pkg = packageName(src)
			}
		}
		stubs = append(stubs, s)
		bySlug[l.Slug] = l
	}

	sub := &Submission{Files: map[string]map[string]string{}}
	var unmatched []string
	type cand struct{ rel, abs string }
	chosen := map[string]map[string][]cand{}
	add := func(slug, name string, c cand) {
		if chosen[slug] == nil {
			chosen[slug] = map[string][]cand{}
		}
		chosen[slug][name] = append(chosen[slug][name], c)
	}
	// Files whose package several exercises share, and whose name is in no
	// stub, go where the other files of their directory went.
	type pending struct {
		cand
		name  string
		slugs []string
	}
	var ambiguous []pending
	dirSlugs := map[string]map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || name == "__MACOSX" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isSource(name) || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > maxSubmissionFile {
			sub.Notes = append(sub.Notes, fmt.Sprintf("ignored %s: larger than %d bytes", rel, maxSubmissionFile))
			return nil
		}
		slug := ""
		if parent := path.Base(path.Dir(rel)); path.Base(path.Dir(path.Dir(rel))) == "exercises" && bySlug[parent] != nil {
			slug = parent
		} else {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			pkg := packageName(src)
			var matches []stub
			for _, s := range stubs {
				if s.pkg != "" && s.pkg == pkg {
					matches = append(matches, s)
				}
			}
			if len(matches) > 1 {
				var byName []stub
				for _, s := range matches {
					if slices.Contains(s.names, name) {
						byName = append(byName, s)
					}
				}
				if len(byName) == 0 {
					pend := pending{cand: cand{rel, p}, name: name}
					for _, s := range matches {
						pend.slugs = append(pend.slugs, s.l.Slug)
					}
					ambiguous = append(ambiguous, pend)
					return nil
				}
				matches = byName
			}
			if len(matches) != 1 {
				unmatched = append(unmatched, rel)
				return nil
			}
			slug = matches[0].l.Slug
		}
		if dirSlugs[path.Dir(rel)] == nil {
			dirSlugs[path.Dir(rel)] = map[string]bool{}
		}
		dirSlugs[path.Dir(rel)][slug] = true
		add(slug, name, cand{rel, p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the submission: %w", err)
	}
	for _, a := range ambiguous {
		var found []string
		for _, s := range a.slugs {
			if dirSlugs[path.Dir(a.rel)][s] {
				found = append(found, s)
			}
		}
		if len(found) != 1 {
			unmatched = append(unmatched, a.rel)
			continue
		}
		add(found[0], a.name, a.cand)
	}
	sort.Strings(unmatched)
	for slug, names := range chosen {
		sub.Files[slug] = map[string]string{}
		for name, cs := range names {
			sort.SliceStable(cs, func(i, j int) bool {
				ri, rj := rank(cs[i].rel, slug), rank(cs[j].rel, slug)
				if ri != rj {
					return ri < rj
				}
				return cs[i].rel < cs[j].rel
			})
			sub.Files[slug][name] = cs[0].abs
			if len(cs) > 1 {
				var others []string
				for _, c := range cs[1:] {
					others = append(others, c.rel)
				}
				sub.Notes = append(sub.Notes, fmt.Sprintf("%s: graded %s; ignored %s (same file name)", slug, cs[0].rel, strings.Join(others, ", ")))
			}
		}
	}
	if len(unmatched) > 0 {
		sub.Notes = append(sub.Notes, fmt.Sprintf("ignored %d .go file(s) that belong to no graded exercise: %s", len(unmatched), limitList(unmatched, 5)))
	}
	sort.Strings(sub.Notes)
	return sub, nil
}

// rank orders candidates for one file: under exercises/<slug>/ first, then
// by depth.
func rank(rel, slug string) int {
	if strings.HasSuffix(path.Dir(rel), "exercises/"+slug) {
		return 0
	}
	return 1 + strings.Count(rel, "/")
}

// Materialize writes the exercise's files to dir: the stub's files, each
// replaced by the submitted file of the same name, plus any other submitted
// file. It returns the names of stub files the submission lacked.
func Materialize(c *course.Course, l *course.Lesson, files map[string]string, dir string) (fromStub []string, err error) {
	entries, err := fs.ReadDir(c.FS, l.StubDir())
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !isSource(e.Name()) {
			continue
		}
		if _, ok := files[e.Name()]; ok {
			continue
		}
		data, err := fs.ReadFile(c.FS, l.StubDir()+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			return nil, err
		}
		fromStub = append(fromStub, e.Name())
	}
	for name, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	return fromStub, nil
}

func packageName(src []byte) string {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly)
	if err != nil || f.Name == nil {
		return ""
	}
	return f.Name.Name
}

func isSource(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

func limitList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
