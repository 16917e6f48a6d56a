package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
)

// classWriter writes a class's results as each student finishes: a CSV row
// flushed at once, or one entry of the JSON document. Close ends the JSON
// document, so that what was written is valid JSON even after Ctrl-C.
type classWriter struct {
	mu   sync.Mutex
	w    io.Writer
	c    *course.Course
	json bool
	csv  *grader.CSVWriter
	n    int
	err  error
}

func newClassWriter(w io.Writer, c *course.Course, asJSON bool) *classWriter {
	cw := &classWriter{w: w, c: c, json: asJSON}
	if asJSON {
		_, cw.err = io.WriteString(w, "{\n  \"students\": [")
	} else {
		cw.csv = grader.NewCSVWriter(w, c)
		cw.csv.Header()
	}
	return cw
}

// Add writes one student's result.
func (cw *classWriter) Add(s grader.Student) {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if !cw.json {
		cw.csv.Row(s)
		return
	}
	data, err := json.MarshalIndent(grader.StudentResult(cw.c, s), "    ", "  ")
	if err == nil {
		sep := ",\n    "
		if cw.n == 0 {
			sep = "\n    "
		}
		_, err = io.WriteString(cw.w, sep+string(data))
	}
	cw.n++
	if cw.err == nil {
		cw.err = err
	}
}

// Close ends the output and reports the first write error.
func (cw *classWriter) Close() error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if !cw.json {
		return cw.csv.Error()
	}
	end := "\n  ]\n}\n"
	if cw.n == 0 {
		end = "]\n}\n"
	}
	if _, err := io.WriteString(cw.w, end); cw.err == nil {
		cw.err = err
	}
	return cw.err
}

// progressBar draws, on a terminal, how many workspaces are graded:
//
//	grading [#########...........] 12/30  students/alice 41.2s
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	done  int
	width int
}

func newProgressBar(w io.Writer, total, termWidth int) *progressBar {
	p := &progressBar{w: w, total: total, width: max(10, min(30, termWidth-50))}
	fmt.Fprint(w, p.line("", 0))
	return p
}

// Done records one more graded workspace: it clears the bar, calls write
// (which may print the workspace's row on the same terminal), and redraws
// the bar below it.
func (p *progressBar) Done(name string, took time.Duration, write func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	fmt.Fprint(p.w, "\r\x1b[K")
	write()
	fmt.Fprint(p.w, p.line(name, took))
}

func (p *progressBar) line(name string, took time.Duration) string {
	fill := 0
	if p.total > 0 {
		fill = p.done * p.width / p.total
	}
	if len(name) > 30 {
		name = "…" + name[len(name)-29:]
	}
	line := fmt.Sprintf("grading [%s%s] %d/%d", strings.Repeat("#", fill), strings.Repeat(".", p.width-fill), p.done, p.total)
	if name != "" {
		line += fmt.Sprintf("  %s %.1fs", name, took.Seconds())
	}
	return line
}

// Finish ends the bar's line.
func (p *progressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w)
}
