package runner

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

const suiteSrc = `//go:build dslearnsuite

package loop_test

import (
	tt "testing"
)

func TestNamed(t *tt.T) {
	t.Log("x")
}

func TestBlank(_ *tt.T) {}

func TestUnnamed(*tt.T) {}

func Test(t *tt.T) {}

func Testhelper(t *tt.T) {}

func TestWithResult(t *tt.T) int { return 0 }

func helper(t *tt.T) {}
`

func TestInstrumentRegistersEveryCheckAndKeepsLines(t *testing.T) {
	out, pkg, err := instrument("l_test.go", []byte(suiteSrc), "example.com/t/internal/dslearnharness")
	if err != nil {
		t.Fatal(err)
	}
	if pkg != "loop_test" {
		t.Errorf("package = %q", pkg)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "l_test.go", out, 0); err != nil {
		t.Fatalf("the instrumented suite does not parse: %v\n%s", err, out)
	}
	src := string(out)
	if got, want := strings.Count(src, "\n"), strings.Count(suiteSrc, "\n"); got != want {
		t.Errorf("the instrumented suite has %d lines; the original %d", got, want)
	}
	for _, want := range []string{
		`package loop_test; import dslearnharness "example.com/t/internal/dslearnharness"`,
		"func TestNamed(t *tt.T) { dslearnharness.Track(t); defer dslearnharness.Finish(t);",
		"func TestBlank(dslearnT *tt.T) { dslearnharness.Track(dslearnT); defer dslearnharness.Finish(dslearnT);}",
		"func TestUnnamed(dslearnT *tt.T) { dslearnharness.Track(dslearnT); defer dslearnharness.Finish(dslearnT);}",
		"func Test(t *tt.T) { dslearnharness.Track(t); defer dslearnharness.Finish(t);}",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the instrumented suite lacks %q:\n%s", want, src)
		}
	}
	for _, not := range []string{"Testhelper(t *tt.T) { dslearn", "TestWithResult(t *tt.T) int { dslearn", "helper(t *tt.T) { dslearn"} {
		if strings.Contains(src, not) {
			t.Errorf("a function go test does not run was instrumented: %q", not)
		}
	}
}

func TestInstrumentRefusesInternalSuitesAndTestMain(t *testing.T) {
	if _, _, err := instrument("a_test.go", []byte("package loop\n"), "h"); err == nil || !strings.Contains(err.Error(), "external test package") {
		t.Errorf("an internal suite was accepted: %v", err)
	}
	src := "package loop_test\n\nimport \"testing\"\n\nfunc TestMain(m *testing.M) {}\n"
	if _, _, err := instrument("a_test.go", []byte(src), "h"); err == nil || !strings.Contains(err.Error(), "TestMain") {
		t.Errorf("a suite's TestMain was accepted: %v", err)
	}
}
