package classroom

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// validate checks a decoded JSON value against the part of JSON Schema the
// schemas in testdata use: type, enum, required, properties,
// additionalProperties: false, items, anyOf, minimum and local $ref. It
// returns every violation, each with its JSON path.
func validate(root, schema map[string]any, v any, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		schema = root["definitions"].(map[string]any)[name].(map[string]any)
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if t, ok := schema["type"].(string); ok && !hasType(v, t) {
		bad("want %s, got %T", t, v)
		return errs
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		bad("%v is not one of %v", v, enum)
	}
	if m, ok := schema["minimum"].(float64); ok {
		if x, isNum := v.(float64); isNum && x < m {
			bad("%v is below %v", x, m)
		}
	}
	if anyOf, ok := schema["anyOf"].([]any); ok {
		matched := false
		for _, s := range anyOf {
			if len(validate(root, s.(map[string]any), v, path)) == 0 {
				matched = true
			}
		}
		if !matched {
			bad("matches none of anyOf")
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range asList(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				bad("missing required %q", r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, val := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					bad("unknown field %q", k)
				}
				continue
			}
			errs = append(errs, validate(root, ps, val, path+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, it := range arr {
				errs = append(errs, validate(root, items, it, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		x, ok := v.(float64)
		return ok && x == math.Trunc(x)
	case "boolean":
		_, ok := v.(bool)
		return ok
	}
	return false
}

// schemaErrors validates the JSON document data against testdata/<schema>.
func schemaErrors(t *testing.T, schema string, data []byte) []string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + schema)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	return validate(s, s, v, "$")
}

// The validator itself: it must reject what the schema forbids, or the
// tests that use it prove nothing.
func TestSchemaValidatorRejects(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"score": 1, "tests": []}`, ""},
		{`{"output": "x"}`, "matches none of anyOf"},
		{`{"score": "10"}`, "$.score: want number"},
		{`{"score": 1, "visibility": "students"}`, "is not one of"},
		{`{"score": 1, "tests": [{"status": "ok"}]}`, "$.tests[0].status"},
		{`{"score": 1, "tests": [{"max_score": -1}]}`, "below 0"},
		{`{"score": 1, "tests": [{"points": 2}]}`, `unknown field "points"`},
		{`{"score": 1, "stdout_visibility": "hidden", "tests": [{"name": "x", "score": 1, "max_score": 1, "status": "passed", "output": "", "visibility": "visible", "tags": ["a"], "execution_time": 0.5}]}`, ""},
	} {
		errs := strings.Join(schemaErrors(t, "gradescope-results.schema.json", []byte(tc.doc)), "; ")
		if tc.want == "" && errs != "" || tc.want != "" && !strings.Contains(errs, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.doc, errs, tc.want)
		}
	}
	errs := schemaErrors(t, "classroom-result.schema.json", []byte(`{"version": 2, "status": "pass", "max_score": 1, "tests": [{"name": "x", "status": "pass"}]}`))
	if got := strings.Join(errs, "; "); !strings.Contains(got, "$.version") || !strings.Contains(got, `missing required "score"`) {
		t.Errorf("classroom schema: %q", got)
	}
}
