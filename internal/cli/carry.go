package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dslearn/dslearn/internal/course"
	"github.com/dslearn/dslearn/internal/workspace"
)

// CarryOptions are the inputs of `dslearn carry`.
type CarryOptions struct {
	F             *Factory
	Ref           string
	FromReference bool
	Force         bool
}

// NewCmdCarry builds `dslearn carry <slug>`.
func NewCmdCarry(f *Factory, runF func(*CarryOptions) error) *cobra.Command {
	opts := &CarryOptions{F: f}
	cmd := &cobra.Command{
		Use:   "carry [number|slug]",
		Short: "Start an exercise from your code of the lesson it continues",
		Long: `Some lessons grow one program over several exercises (the Raft chapter
builds one Raft, lesson by lesson). carry copies your files of the lesson an
exercise continues into that exercise's directory, so you go on from your
own code: your .go files replace the starting files, files the new lesson
adds (such as kv.go) stay, and your own *_test.go files come along unless
the new directory already has one of that name.

It does this only while the exercise's files are still the starting files;
once you have changed them it asks for --force, and then first copies them
to .dslearn/backups/<slug>-<time>/, so nothing is lost.

With --from-reference it starts from the reference solution of the earlier
lesson instead: for when your own code is not where you want it. That needs
the earlier exercise passed, or --force.`,
		Example: `  dslearn carry raft-log
  dslearn carry raft-log --from-reference
  dslearn carry 15 --force`,
		Args:              atMostOne("name one exercise, such as: dslearn carry raft-log"),
		ValidArgsFunction: completeLessons(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = argOrEmpty(args)
			if runF != nil {
				return runF(opts)
			}
			return carryRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.FromReference, "from-reference", false, "start from the reference solution of the earlier lesson (once you have passed it)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace files you changed (backed up first); with --from-reference, also before you passed the earlier lesson")
	return cmd
}

func carryRun(o *CarryOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	w, err := o.F.Workspace()
	if err != nil {
		return err
	}
	l, err := lessonOrInferred(o.F, c, w, o.Ref, "carry")
	if err != nil {
		return err
	}
	prev := c.ContinuesFrom(l)
	if prev == nil {
		var which []string
		for _, e := range c.Lessons {
			if e.Continues != "" {
				which = append(which, e.Slug)
			}
		}
		msg := fmt.Sprintf("lesson %d (%s) does not continue an earlier exercise: there is nothing to carry into it", l.Number, l.Slug)
		if len(which) > 0 {
			msg += fmt.Sprintf("; the exercises that do: %s", strings.Join(which, ", "))
		}
		return &UsageError{Err: fmt.Errorf("%s", msg)}
	}
	if !c.HasExercise(l) || !c.HasExercise(prev) {
		return &EnvError{fmt.Errorf("lesson %d or lesson %d has no exercise yet", prev.Number, l.Number)}
	}

	// What to carry: the learner's files, or the reference.
	var src fs.FS
	var from string
	if o.FromReference {
		if !o.Force {
			p, err := o.F.LoadProgress(w)
			if err != nil {
				return err
			}
			if !p.Passed(prev.Slug) {
				return &UsageError{Err: fmt.Errorf("you have not passed %s yet; its reference solution is given once your exercise passes (dslearn check %s).\nTo start %s from it anyway: dslearn carry %s --from-reference --force", prev.Slug, prev.Slug, l.Slug, l.Slug)}
			}
		}
		sub, err := fs.Sub(c.FS, prev.SolutionDir())
		if err != nil {
			return &EnvError{err}
		}
		src, from = sub, "the reference solution of "+prev.Slug
	} else {
		dir := w.ExerciseDir(prev)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return &UsageError{Err: fmt.Errorf("%s is missing, so there is nothing of yours to carry; restore it with: dslearn reset %s, or start from the reference: dslearn carry %s --from-reference", workspace.Rel(dir), prev.Slug, l.Slug)}
		}
		src, from = os.DirFS(dir), workspace.Rel(dir)+"/"
		// An untouched exercise is the stub of the earlier lesson: carrying
		// it would only replace this lesson's stub with an older one.
		prevStub, err := readStub(c, prev)
		if err != nil {
			return &EnvError{err}
		}
		if changed, err := changedFromStub(dir, prevStub); err == nil && len(changed) == 0 && !o.Force {
			return &UsageError{Err: fmt.Errorf("%s is still the stub: there is nothing of yours to carry. Write lesson %d's exercise first (dslearn lesson %d), or, once %s passes, start from its reference: dslearn carry %s --from-reference", workspace.Rel(dir), prev.Number, prev.Number, prev.Slug, l.Slug)}
		}
	}
	code, tests, err := carriedFiles(src)
	if err != nil {
		return &EnvError{fmt.Errorf("reading %s: %w", from, err)}
	}
	if len(code) == 0 {
		return &UsageError{Err: fmt.Errorf("%s has no .go files to carry", from)}
	}
	stub, err := readStub(c, l)
	if err != nil {
		return &EnvError{err}
	}
	if err := samePackage(stub, code, from, l); err != nil {
		return err
	}

	dst := w.ExerciseDir(l)
	changed, err := changedFromStub(dst, stub)
	if err != nil {
		return &EnvError{err}
	}
	var backup string
	if len(changed) > 0 {
		if !o.Force {
			return &UsageError{Err: fmt.Errorf("%s already has your changes (%s); carrying would replace them.\nTo replace them anyway (they are backed up first): dslearn carry %s --force", workspace.Rel(dst), strings.Join(changed, ", "), l.Slug)}
		}
		if backup, err = backupExercise(o.F, w, l, dst); err != nil {
			return err
		}
	}

	// Start from the stub (so files the new lesson adds are there), drop
	// any other code file, then lay the carried files over it.
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return &EnvError{err}
	}
	if err := removeCode(dst); err != nil {
		return &EnvError{err}
	}
	write := func(name string, data []byte) error {
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			return &EnvError{fmt.Errorf("writing %s: %w (your earlier files are in %s)", name, err, workspace.Rel(backup))}
		}
		return nil
	}
	for _, name := range sortedKeys(stub) {
		if _, ok := code[name]; !ok {
			if err := write(name, stub[name]); err != nil {
				return err
			}
		}
	}
	var carried, keptStub, carriedTests []string
	for _, name := range sortedKeys(code) {
		if err := write(name, code[name]); err != nil {
			return err
		}
		carried = append(carried, name)
	}
	for _, name := range sortedKeys(stub) {
		if _, ok := code[name]; !ok {
			keptStub = append(keptStub, name)
		}
	}
	for _, name := range sortedKeys(tests) {
		if _, err := os.Lstat(filepath.Join(dst, name)); err == nil {
			continue
		}
		if err := write(name, tests[name]); err != nil {
			return err
		}
		carriedTests = append(carriedTests, name)
	}

	out := o.F.IO.Out
	fmt.Fprintf(out, "Carried %s into %s/: %s.\n", from, l.StubDir(), strings.Join(carried, ", "))
	if len(keptStub) > 0 {
		fmt.Fprintf(out, "New in this lesson, from the starting files: %s.\n", strings.Join(keptStub, ", "))
	}
	if len(carriedTests) > 0 {
		fmt.Fprintf(out, "Your own tests came along: %s.\n", strings.Join(carriedTests, ", "))
	}
	if backup != "" {
		fmt.Fprintf(out, "Your earlier files of %s/ are kept in %s\n", l.StubDir(), workspace.Rel(backup))
	}
	fmt.Fprintf(out, "Next: read lesson %d (dslearn lesson %d), then: dslearn check %s\n", l.Number, l.Number, l.Slug)
	return nil
}

// carriedFiles reads the regular .go files at the top of src: code files and
// the learner's own tests apart.
func carriedFiles(src fs.FS) (code, tests map[string][]byte, err error) {
	code, tests = map[string][]byte{}, map[string][]byte{}
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".go") {
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasSuffix(name, "_test.go") {
			tests[name] = data
		} else {
			code[name] = data
		}
	}
	return code, tests, nil
}

// readStub reads the starting files of l's exercise.
func readStub(c *course.Course, l *course.Lesson) (map[string][]byte, error) {
	out := map[string][]byte{}
	entries, err := fs.ReadDir(c.FS, l.StubDir())
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, err := fs.ReadFile(c.FS, path.Join(l.StubDir(), e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}

// changedFromStub lists the code files of dir that are not the stub's: a
// file changed, added or removed. A missing dir has none.
func changedFromStub(dir string, stub map[string][]byte) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var changed []string
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		seen[name] = true
		want, ok := stub[name]
		if !ok || !e.Type().IsRegular() {
			changed = append(changed, name)
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, want) {
			changed = append(changed, name)
		}
	}
	for name := range stub {
		if !seen[name] {
			changed = append(changed, name+" (deleted)")
		}
	}
	slices.Sort(changed)
	return changed, nil
}

// samePackage refuses to carry files of another package than the stub's.
func samePackage(stub, code map[string][]byte, from string, l *course.Lesson) error {
	want := ""
	for _, name := range sortedKeys(stub) {
		if want = packageName(stub[name]); want != "" {
			break
		}
	}
	for _, name := range sortedKeys(code) {
		if got := packageName(code[name]); want != "" && got != "" && got != want {
			return &UsageError{Err: fmt.Errorf("%s%s is package %s, but %s is package %s; carry copies only code of the same package", from, name, got, l.StubDir(), want)}
		}
	}
	return nil
}

// packageName returns the name in the first package clause of a Go file,
// or "" if there is none.
func packageName(src []byte) string {
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "package "); ok {
			return strings.Fields(rest)[0]
		}
	}
	return ""
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
