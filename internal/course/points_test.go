package course

import (
	"strings"
	"testing"
)

const manifestHead = `version: 1
title: T
module: example.com/t
go: "1.24"
chapters:
  - {number: 1, title: C}
lessons:
  - number: 1
    slug: a
    title: A
    chapter: 1
    file: lessons/a.md
`

func TestPoints(t *testing.T) {
	for _, tc := range []struct {
		extra   string
		want    float64
		wantErr string
	}{
		{extra: "", want: 0},
		{extra: "    points: 20\n", want: 20},
		{extra: "    points: 2.5\n", want: 2.5},
		{extra: "    points: -1\n", wantErr: `line 8: lesson "a" has points -1; give a positive number`},
		{extra: "    points: .nan\n", wantErr: `has points NaN`},
		{extra: "    points: ten\n", wantErr: `"ten" is not a number`},
	} {
		c, err := Parse([]byte(manifestHead + tc.extra))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("points %q: error %v, want one containing %q", tc.extra, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("points %q: %v", tc.extra, err)
			continue
		}
		if got := c.Lessons[0].Points; got != tc.want {
			t.Errorf("points %q: got %v, want %v", tc.extra, got, tc.want)
		}
	}
}
