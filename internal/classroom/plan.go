// Package classroom grades a class on the platforms instructors already use:
// Gradescope's autograder (a zip holding setup.sh and run_autograder) and
// GitHub Classroom (a starter repository whose workflow grades every push).
// Grading itself is the grader package's: this package only finds a
// submission's files, turns graded results into points, and writes each
// platform's files and result format.
package classroom

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
)

// Points modes: the course's points: per lesson, or the same for every exercise.
const (
	PointsCourse = "course"
	PointsEqual  = "equal"
)

// EqualPoints is what each exercise is worth when points are equal (or the
// course gives none).
const EqualPoints = 10

// Plan says what a platform grades: the exercises, what each is worth and
// the checks each suite declares. A check is worth its exercise's points
// divided by the number of checks.
type Plan struct {
	Lessons []*course.Lesson
	// Points per slug.
	Points map[string]float64
	// Checks per slug: the suite's check names in source order.
	Checks map[string][]string
}

// NewPlan makes the plan of grading lessons with points mode "course" or
// "equal". In "course" mode every lesson must have points: in the manifest,
// or none may (then every exercise weighs EqualPoints).
func NewPlan(c *course.Course, lessons []*course.Lesson, mode string) (*Plan, error) {
	if len(lessons) == 0 {
		return nil, errors.New("no exercise to grade")
	}
	p := &Plan{Lessons: lessons, Points: map[string]float64{}, Checks: map[string][]string{}}
	var with, without []string
	for _, l := range lessons {
		if !c.HasExercise(l) {
			return nil, fmt.Errorf("lesson %d, %s, has no exercise", l.Number, l.Slug)
		}
		names, err := grader.SuiteChecks(c, l)
		if err != nil {
			return nil, err
		}
		p.Checks[l.Slug] = names
		if l.Points > 0 {
			with = append(with, l.Slug)
		} else {
			without = append(without, l.Slug)
		}
	}
	switch mode {
	case PointsCourse:
		if len(with) > 0 && len(without) > 0 {
			return nil, fmt.Errorf("course.yaml gives points to %s but not to %s: give every graded lesson points:, or use --points equal",
				strings.Join(with, ", "), strings.Join(without, ", "))
		}
	case PointsEqual:
	default:
		return nil, fmt.Errorf("--points %q: want course or equal", mode)
	}
	for _, l := range lessons {
		p.Points[l.Slug] = EqualPoints
		if mode == PointsCourse && l.Points > 0 {
			p.Points[l.Slug] = l.Points
		}
	}
	return p, nil
}

// CheckPoints is what one check of slug is worth.
func (p *Plan) CheckPoints(slug string) float64 {
	n := len(p.Checks[slug])
	if n == 0 {
		return 0
	}
	return p.Points[slug] / float64(n)
}

// Total is the most a submission can score.
func (p *Plan) Total() float64 {
	t := 0.0
	for _, l := range p.Lessons {
		t += p.Points[l.Slug]
	}
	return t
}

// Slugs lists the plan's exercises.
func (p *Plan) Slugs() []string {
	out := make([]string, len(p.Lessons))
	for i, l := range p.Lessons {
		out[i] = l.Slug
	}
	return out
}

// ParseLessons resolves a lesson selection: empty means every lesson with an
// exercise; otherwise a comma-separated list of numbers, ranges (1-5) and
// slugs, in any order. The result is in course order, without repeats.
func ParseLessons(c *course.Course, spec string) ([]*course.Lesson, error) {
	want := map[string]bool{}
	if strings.TrimSpace(spec) == "" {
		var out []*course.Lesson
		for _, l := range c.Lessons {
			if c.HasExercise(l) {
				out = append(out, l)
			}
		}
		return out, nil
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, b, ok := strings.Cut(part, "-"); ok {
			lo, err1 := strconv.Atoi(a)
			hi, err2 := strconv.Atoi(b)
			if err1 == nil && err2 == nil {
				if lo > hi || lo < 1 || hi > len(c.Lessons) {
					return nil, fmt.Errorf("lessons %q: want a range within 1-%d", part, len(c.Lessons))
				}
				for n := lo; n <= hi; n++ {
					want[c.Lessons[n-1].Slug] = true
				}
				continue
			}
		}
		l, err := c.Find(part)
		if err != nil {
			return nil, err
		}
		want[l.Slug] = true
	}
	var out []*course.Lesson
	for _, l := range c.Lessons {
		if want[l.Slug] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--lessons selects no lesson")
	}
	return out, nil
}

// round keeps scores readable: 10/3 points a check shows as 3.3333.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }
