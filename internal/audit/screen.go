package audit

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/grader"
	"github.com/dslearn/dslearn/internal/runner"
)

// screening checks, without building anything, that lesson l's own code
// obeys the rules learners' code is held to (the stub and the solution pass
// the import screening) and that its suite can be instrumented for the
// harness (an external test package without TestMain).
func screening(c *course.Course, l *course.Lesson) []error {
	var errs []error
	for _, dir := range []string{l.StubDir(), l.SolutionDir()} {
		sub, err := fs.Sub(c.FS, dir)
		if err != nil {
			continue
		}
		for _, p := range grader.Screen(c, l, sub) {
			errs = append(errs, fmt.Errorf("%s/%s (add the package to the lesson's imports: in course.yaml if the exercise needs it)", dir, p))
		}
	}
	entries, _ := fs.ReadDir(c.FS, l.SuiteDir())
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := fs.ReadFile(c.FS, l.SuiteDir()+"/"+e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := runner.CheckSuite(e.Name(), src); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l.SuiteDir(), err))
		}
	}
	return errs
}
