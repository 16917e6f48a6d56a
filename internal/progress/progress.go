// Package progress keeps a learner's progress in their workspace: per
// exercise, its state, attempts, when it was last checked and passed, and
// how many hints were used. The file is versioned, keyed by slug (so a
// course update that adds or reorders lessons keeps it valid), written
// atomically, and updated under a lock so that two checks running at once
// lose no update. A file that cannot be read is set aside, never silently
// replaced.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dslearn/dslearn/internal/workspace"
)

// Version is the format version this package writes.
const Version = 1

// FileName is the progress file inside the workspace's state directory.
const FileName = "progress.json"

// Progress is the content of the progress file.
type Progress struct {
	Version   int                  `json:"version"`
	Exercises map[string]*Exercise `json:"exercises"`
}

// Exercise is the progress on one exercise.
type Exercise struct {
	// State is "not started", "failing" or "passed" (as the grader judges).
	State        string     `json:"state"`
	Attempts     int        `json:"attempts"`
	ChecksPassed int        `json:"checks_passed"`
	ChecksTotal  int        `json:"checks_total"`
	LastChecked  time.Time  `json:"last_checked,omitzero"`
	PassedAt     *time.Time `json:"passed_at,omitempty"`
	HintsUsed    int        `json:"hints_used,omitempty"`
	// Suite identifies the hidden suite that gave State (see
	// grader.SuiteFingerprints); empty in records made before it existed.
	Suite string `json:"suite,omitempty"`
}

// Get returns the progress on slug (a zero value if none yet).
func (p *Progress) Get(slug string) Exercise {
	if e, ok := p.Exercises[slug]; ok {
		return *e
	}
	return Exercise{}
}

// Entry returns the progress on slug for updating, creating it if needed.
func (p *Progress) Entry(slug string) *Exercise {
	if p.Exercises == nil {
		p.Exercises = map[string]*Exercise{}
	}
	e, ok := p.Exercises[slug]
	if !ok {
		e = &Exercise{}
		p.Exercises[slug] = e
	}
	return e
}

// Passed reports whether slug has ever passed.
func (p *Progress) Passed(slug string) bool { return p.Get(slug).PassedAt != nil }

// Store reads and writes a workspace's progress file.
type Store struct {
	dir string
	// Notice receives a message when the file had to be set aside.
	Notice func(string)
}

// Open returns the store in a workspace's state directory.
func Open(stateDir string) *Store { return &Store{dir: stateDir} }

// Path is the progress file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, FileName) }

// ErrNewerVersion means the file was written by a newer dslearn.
var ErrNewerVersion = errors.New("the progress file was written by a newer version of dslearn")

// Load reads the progress. A missing file is empty progress. An unreadable
// file is moved aside (progress.json.corrupt-<time>), Notice is told where,
// and empty progress is returned; a file from a newer dslearn is left alone
// and ErrNewerVersion returned.
func (s *Store) Load() (*Progress, error) {
	p := &Progress{Version: Version, Exercises: map[string]*Exercise{}}
	data, err := os.ReadFile(s.Path())
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading progress: %w", err)
	}
	var got Progress
	if err := json.Unmarshal(data, &got); err != nil || got.Version < 1 {
		why := "it has no version"
		if err != nil {
			why = err.Error()
		}
		return p, s.setAside(why)
	}
	if got.Version > Version {
		return nil, fmt.Errorf("%w (format %d; this one reads %d): upgrade dslearn", ErrNewerVersion, got.Version, Version)
	}
	if got.Exercises == nil {
		got.Exercises = map[string]*Exercise{}
	}
	for slug, e := range got.Exercises {
		if e == nil {
			delete(got.Exercises, slug)
		}
	}
	if fixed := Normalize(&got); len(fixed) > 0 && s.Notice != nil {
		s.Notice(fmt.Sprintf("your progress file holds values dslearn never writes; they are read as corrected, and saved so at the next check:\n  %s", strings.Join(fixed, "\n  ")))
	}
	return &got, nil
}

// Normalize corrects values dslearn never writes (a hand-edited or damaged
// file), so that no view shows a row that contradicts its chapter's count:
// a pass needs its date, counts are not negative, and the state is one of
// the three the grader gives. The rest of the file is kept. It returns one
// description per correction, sorted by slug.
func Normalize(p *Progress) []string {
	var out []string
	for _, slug := range slices.Sorted(maps.Keys(p.Exercises)) {
		e := p.Exercises[slug]
		var fixes []string
		for _, n := range []struct {
			name string
			v    *int
		}{{"attempts", &e.Attempts}, {"checks_passed", &e.ChecksPassed}, {"checks_total", &e.ChecksTotal}, {"hints_used", &e.HintsUsed}} {
			if *n.v < 0 {
				fixes = append(fixes, fmt.Sprintf("%s %d read as 0", n.name, *n.v))
				*n.v = 0
			}
		}
		if e.ChecksPassed > e.ChecksTotal {
			fixes = append(fixes, fmt.Sprintf("checks_passed %d read as %d, the number of checks", e.ChecksPassed, e.ChecksTotal))
			e.ChecksPassed = e.ChecksTotal
		}
		switch e.State {
		case "", "not started", "failing", "passed":
		default:
			to := "failing"
			if e.Attempts == 0 {
				to = "not started"
			}
			fixes = append(fixes, fmt.Sprintf("state %q read as %q", e.State, to))
			e.State = to
		}
		if e.State == "passed" && e.PassedAt == nil {
			fixes = append(fixes, `state "passed" without a date (passed_at) read as "failing" (check it again to record the pass)`)
			e.State = "failing"
		}
		if len(fixes) > 0 {
			out = append(out, slug+": "+strings.Join(fixes, ", "))
		}
	}
	return out
}

func (s *Store) setAside(why string) error {
	aside := fmt.Sprintf("%s.corrupt-%s", s.Path(), time.Now().UTC().Format("20060102T150405"))
	if err := os.Rename(s.Path(), aside); err != nil {
		return fmt.Errorf("the progress file %s cannot be read (%s) nor moved aside: %w", s.Path(), why, err)
	}
	if s.Notice != nil {
		s.Notice(fmt.Sprintf("your progress file could not be read (%s); it was kept as %s and progress starts again from here; run dslearn check --all to rebuild it (every exercise that passes is recorded again)", why, workspace.Rel(aside)))
	}
	return nil
}

// Update applies fn to the progress under an exclusive lock and saves the
// result atomically.
func (s *Store) Update(fn func(*Progress) error) error {
	unlock, err := lock(filepath.Join(s.dir, "progress.lock"))
	if err != nil {
		return fmt.Errorf("locking progress: %w", err)
	}
	defer unlock()
	p, err := s.Load()
	if err != nil {
		return err
	}
	if err := fn(p); err != nil {
		return err
	}
	p.Version = Version
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return workspace.WriteFileAtomic(s.Path(), append(data, '\n'))
}

// Record notes the outcome of one check of slug at time now.
func Record(p *Progress, slug, state string, passed, total int, now time.Time) {
	e := p.Entry(slug)
	e.Attempts++
	e.State = state
	e.ChecksPassed, e.ChecksTotal = passed, total
	e.LastChecked = now.UTC()
	if state == "passed" && e.PassedAt == nil {
		t := now.UTC()
		e.PassedAt = &t
	}
}
