package grader

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/dslearn/dslearn/internal/course"
)

// Student is the graded work of one learner workspace.
type Student struct {
	// Name is how the workspace was named on the command line.
	Name string
	// Err, when set, says why the workspace could not be graded at all.
	Err error
	// Graded holds one result per exercise present in the workspace.
	Graded []*Graded
	// Elapsed is the wall time spent grading the workspace.
	Elapsed time.Duration
}

// WriteCSV writes one row per student: name, exercises passed, then each
// exercise's state in course order, the wall time and an error column.
func WriteCSV(w io.Writer, c *course.Course, students []Student) error {
	cw := NewCSVWriter(w, c)
	for _, s := range students {
		cw.Row(s)
	}
	return cw.Error()
}

// CSVWriter writes the CSV of a class one row at a time, flushing each, so
// that what was graded is kept when grading stops halfway.
type CSVWriter struct {
	c   *course.Course
	cw  *csv.Writer
	hdr bool
}

// NewCSVWriter returns a writer of the class CSV of course c.
func NewCSVWriter(w io.Writer, c *course.Course) *CSVWriter {
	return &CSVWriter{c: c, cw: csv.NewWriter(w)}
}

// Header writes the header row (Row writes it first if needed).
func (x *CSVWriter) Header() {
	if x.hdr {
		return
	}
	x.hdr = true
	header := []string{"student", "passed", "total"}
	header = append(header, x.c.Slugs()...)
	header = append(header, "seconds", "error")
	x.cw.Write(header)
	x.cw.Flush()
}

// Row writes one student's row and flushes it.
func (x *CSVWriter) Row(s Student) {
	x.Header()
	c := x.c
	byslug := map[string]*Graded{}
	passed := 0
	for _, g := range s.Graded {
		byslug[g.Lesson.Slug] = g
		if g.State() == Passed {
			passed++
		}
	}
	row := []string{s.Name, fmt.Sprint(passed), fmt.Sprint(len(c.Lessons))}
	for _, slug := range c.Slugs() {
		if g, ok := byslug[slug]; ok {
			row = append(row, string(g.State()))
		} else {
			row = append(row, "missing")
		}
	}
	row = append(row, fmt.Sprintf("%.1f", s.Elapsed.Seconds()))
	errText := ""
	if s.Err != nil {
		errText = s.Err.Error()
	}
	x.cw.Write(append(row, errText))
	x.cw.Flush()
}

// Error reports the first error of a write.
func (x *CSVWriter) Error() error {
	x.Header()
	x.cw.Flush()
	return x.cw.Error()
}

// ClassJSON is the machine-readable result of `dslearn grade --json`.
type ClassJSON struct {
	Students []StudentJSON `json:"students"`
}

// StudentJSON is one student's result.
type StudentJSON struct {
	Name      string         `json:"name"`
	Error     string         `json:"error,omitempty"`
	Passed    int            `json:"passed"`
	Total     int            `json:"total"`
	Seconds   float64        `json:"seconds"`
	Exercises []ExerciseJSON `json:"exercises"`
}

// Class converts graded students to their machine-readable form.
func Class(c *course.Course, students []Student) ClassJSON {
	out := ClassJSON{Students: []StudentJSON{}}
	for _, s := range students {
		out.Students = append(out.Students, StudentResult(c, s))
	}
	return out
}

// StudentResult is one student's machine-readable result.
func StudentResult(c *course.Course, s Student) StudentJSON {
	r := JSON(s.Graded)
	sj := StudentJSON{Name: s.Name, Passed: r.Passed, Total: len(c.Lessons), Exercises: r.Exercises,
		Seconds: math.Round(s.Elapsed.Seconds()*10) / 10}
	if s.Err != nil {
		sj.Error = s.Err.Error()
	}
	return sj
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes JUnit XML: a test suite per student and exercise, a
// test case per check, for CI systems that display such reports.
func WriteJUnit(w io.Writer, students []Student) error {
	var doc junitSuites
	for _, s := range students {
		if s.Err != nil {
			doc.Suites = append(doc.Suites, junitSuite{Name: s.Name, Tests: 1, Errors: 1, Time: "0",
				Cases: []junitCase{{Name: "grade", Classname: s.Name, Time: "0", Error: &junitFailure{Message: s.Err.Error()}}}})
			continue
		}
		for _, g := range s.Graded {
			suite := junitSuite{Name: s.Name + "/" + g.Lesson.Slug, Time: fmt.Sprintf("%.3f", g.Elapsed.Seconds())}
			if g.BuildFailed || g.Problem != "" {
				msg := g.Problem
				if g.BuildFailed {
					msg = "does not compile:\n" + g.BuildOutput
				}
				suite.Errors++
				suite.Cases = append(suite.Cases, junitCase{Name: "run", Classname: g.Lesson.Slug, Time: "0", Error: &junitFailure{Message: firstLine(msg), Text: msg}})
			}
			for _, c := range g.Checks {
				jc := junitCase{Name: c.Name, Classname: g.Lesson.Slug, Time: fmt.Sprintf("%.3f", c.Duration.Seconds())}
				switch c.Status {
				case Fail:
					suite.Failures++
					text := c.Message
					if c.Seed != 0 && !c.NotImplemented {
						text += fmt.Sprintf("\nseed %d: %s", c.Seed, Replay(g.Lesson.Slug, c.Name, c.Seed))
					}
					jc.Failure = &junitFailure{Message: firstLine(c.Message), Text: text}
				case Skip:
					jc.Skipped = &struct{}{}
				}
				suite.Cases = append(suite.Cases, jc)
			}
			suite.Tests = len(suite.Cases)
			doc.Suites = append(doc.Suites, suite)
		}
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
