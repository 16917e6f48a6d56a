package cli

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/grader"
)

// jsonFields lists the JSON field names of a struct type, recursively, as
// "path.field". Changing one is changing dslearn's interface for scripts.
func jsonFields(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		out = append(out, prefix+name)
		out = append(out, jsonFields(f.Type, prefix+name+".")...)
	}
	sort.Strings(out)
	return out
}

func TestJSONFieldNamesAreStable(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"check --json", grader.ReportJSON{}, "exercises exercises.build_failed exercises.build_output exercises.chapter exercises.checks exercises.checks.duration_ms exercises.checks.message exercises.checks.name exercises.checks.not_implemented exercises.checks.replay exercises.checks.seed exercises.checks.status exercises.checks.title exercises.checks_passed exercises.checks_total exercises.duration_ms exercises.lesson exercises.problem exercises.slug exercises.state passed total"},
		{"progress --json", ProgressJSON{}, "chapters chapters.exercises chapters.exercises.attempts chapters.exercises.checks_passed chapters.exercises.checks_total chapters.exercises.hints_used chapters.exercises.last_checked chapters.exercises.lesson chapters.exercises.passed_at chapters.exercises.slug chapters.exercises.state chapters.exercises.suite_changed chapters.number chapters.passed chapters.title chapters.total next passed percent total"},
		{"next --json", NextJSON{}, "chapter dir lesson slug state title"},
		{"list --json", ListJSON{}, "chapters chapters.number chapters.title lessons lessons.chapter lessons.exercise lessons.number lessons.slug lessons.state lessons.title lessons.written title"},
		{"grade --json", grader.ClassJSON{}, "students students.error students.exercises students.exercises.build_failed students.exercises.build_output students.exercises.chapter students.exercises.checks students.exercises.checks.duration_ms students.exercises.checks.message students.exercises.checks.name students.exercises.checks.not_implemented students.exercises.checks.replay students.exercises.checks.seed students.exercises.checks.status students.exercises.checks.title students.exercises.checks_passed students.exercises.checks_total students.exercises.duration_ms students.exercises.lesson students.exercises.problem students.exercises.slug students.exercises.state students.name students.passed students.seconds students.total"},
	} {
		got := strings.Join(jsonFields(reflect.TypeOf(tc.v), ""), " ")
		if got != tc.want {
			t.Errorf("%s fields changed:\n got: %s\nwant: %s", tc.name, got, tc.want)
		}
		if _, err := json.Marshal(tc.v); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
