package progress

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestUpdateAndLoadRoundTrip(t *testing.T) {
	s := Open(t.TempDir())
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.Update(func(p *Progress) error { Record(p, "gossip", "failing", 3, 9, now); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(p *Progress) error { Record(p, "gossip", "passed", 9, 9, now.Add(time.Hour)); return nil }); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := p.Get("gossip")
	if e.Attempts != 2 || e.State != "passed" || e.PassedAt == nil || !e.PassedAt.Equal(now.Add(time.Hour)) || e.ChecksPassed != 9 {
		t.Errorf("progress = %+v", e)
	}
	if err := s.Update(func(p *Progress) error { Record(p, "gossip", "failing", 1, 9, now.Add(2*time.Hour)); return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Load()
	if !p.Passed("gossip") {
		t.Error("a later failing check erased the record that the exercise was passed")
	}
}

func TestUnknownSlugsSurvive(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":1,"exercises":{"retired-lesson":{"state":"passed","attempts":4}}}`), 0o644)
	s := Open(dir)
	if err := s.Update(func(p *Progress) error { Record(p, "lru-cache", "failing", 0, 5, time.Now()); return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Load()
	if p.Get("retired-lesson").Attempts != 4 {
		t.Error("progress on a slug the course no longer has was dropped")
	}
}

func TestCorruptFileIsSetAsideWithANotice(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("{not json"), 0o644)
	var notice string
	s := Open(dir)
	s.Notice = func(m string) { notice = m }
	p, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Exercises) != 0 {
		t.Error("corrupt progress produced entries")
	}
	if !strings.Contains(notice, "could not be read") || !strings.Contains(notice, "corrupt-") {
		t.Errorf("notice = %q", notice)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, FileName+".corrupt-*"))
	if len(matches) != 1 {
		t.Fatalf("set-aside copies: %v", matches)
	}
	if data, _ := os.ReadFile(matches[0]); string(data) != "{not json" {
		t.Errorf("the set-aside copy was changed: %q", data)
	}
}

func TestNewerVersionIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":99,"exercises":{}}`), 0o644)
	s := Open(dir)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("err = %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, FileName)); !strings.Contains(string(data), "99") {
		t.Error("a newer file was overwritten")
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s := Open(t.TempDir())
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(func(p *Progress) error { Record(p, "bloom-filter", "failing", 0, 1, time.Now()); return nil }); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	p, _ := s.Load()
	if got := p.Get("bloom-filter").Attempts; got != 40 {
		t.Errorf("attempts = %d after 40 concurrent updates", got)
	}
}

func TestNormalizeCorrectsImpossibleValues(t *testing.T) {
	when := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		in   Exercise
		want Exercise
		fix  string
	}{
		{"passed without a date", Exercise{State: "passed", Attempts: 2}, Exercise{State: "failing", Attempts: 2}, `state "passed" without a date`},
		{"negative attempts", Exercise{State: "failing", Attempts: -5}, Exercise{State: "failing"}, "attempts -5 read as 0"},
		{"more checks passed than there are", Exercise{State: "failing", Attempts: 1, ChecksPassed: 999, ChecksTotal: 12}, Exercise{State: "failing", Attempts: 1, ChecksPassed: 12, ChecksTotal: 12}, "checks_passed 999 read as 12"},
		{"unknown state, attempted", Exercise{State: "bogus-state", Attempts: 1}, Exercise{State: "failing", Attempts: 1}, `state "bogus-state" read as "failing"`},
		{"unknown state, never attempted", Exercise{State: "bogus-state"}, Exercise{State: "not started"}, `read as "not started"`},
		{"a real record", Exercise{State: "passed", Attempts: 3, ChecksPassed: 9, ChecksTotal: 9, PassedAt: &when}, Exercise{State: "passed", Attempts: 3, ChecksPassed: 9, ChecksTotal: 9, PassedAt: &when}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.in
			p := &Progress{Version: 1, Exercises: map[string]*Exercise{"x": &e}}
			fixes := Normalize(p)
			if e.State != tc.want.State || e.Attempts != tc.want.Attempts || e.ChecksPassed != tc.want.ChecksPassed || (e.PassedAt == nil) != (tc.want.PassedAt == nil) {
				t.Errorf("Normalize: %+v, want %+v", e, tc.want)
			}
			switch {
			case tc.fix == "" && len(fixes) != 0:
				t.Errorf("Normalize changed a valid record: %q", fixes)
			case tc.fix != "" && (len(fixes) != 1 || !strings.Contains(fixes[0], tc.fix) || !strings.HasPrefix(fixes[0], "x: ")):
				t.Errorf("Normalize said %q, want one message about x containing %q", fixes, tc.fix)
			}
		})
	}
}
