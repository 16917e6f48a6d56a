package grader

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"

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
}

// WriteCSV writes one row per student: name, exercises passed, then each
// exercise's state in course order, and an error column.
func WriteCSV(w io.Writer, c *course.Course, students []Student) error {
	cw := csv.NewWriter(w)
	header := []string{"student", "passed", "total"}
	header = append(header, c.Slugs()...)
	header = append(header, "error")
	cw.Write(header)
	for _, s := range students {
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
		errText := ""
		if s.Err != nil {
			errText = s.Err.Error()
		}
		cw.Write(append(row, errText))
	}
	cw.Flush()
	return cw.Error()
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
	Exercises []ExerciseJSON `json:"exercises"`
}

// Class converts graded students to their machine-readable form.
func Class(c *course.Course, students []Student) ClassJSON {
	out := ClassJSON{Students: []StudentJSON{}}
	for _, s := range students {
		r := JSON(s.Graded)
		sj := StudentJSON{Name: s.Name, Passed: r.Passed, Total: len(c.Lessons), Exercises: r.Exercises}
		if s.Err != nil {
			sj.Error = s.Err.Error()
		}
		out.Students = append(out.Students, sj)
	}
	return out
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
