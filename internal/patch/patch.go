// Package patch keeps a changed copy of a directory as a unified diff against
// the original, with a short header on top that says what the change is.
// The course keeps its known-wrong implementations this way, one diff per
// bug against the reference solution, so that a reader sees the bug in a few
// lines and a copy can never drift from the solution it was made from.
//
// A patch file is a header, a blank line and a unified diff:
//
//	Bug: Receive sets the clock to max(time, msg) without adding one, so a receipt can share its send's timestamp.
//	Breaks: a receive is an event: the clock becomes max(local, message) + 1.
//
//	--- lamport.go
//	+++ lamport.go
//	@@ -52,7 +52,7 @@
//	…
//
// The header is what unified-diff tools call the preamble (everything before
// the first "--- " line), so patch(1) and git apply read the file as it is.
// Each file is named by its path inside the directory, with no a/ or b/
// prefix: apply one by hand with patch -p0 -d DIR < FILE.
//
// Diffs are parsed and applied with github.com/bluekeyes/go-gitdiff, which
// checks every context and removed line against the original, and created
// with github.com/aymanbagabas/go-udiff (Go's own Myers diff from x/tools).
package patch

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/aymanbagabas/go-udiff"
	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// Header is what a patch says about itself: one line each.
type Header struct {
	// Bug is the bug in one sentence: what the changed code does wrong.
	Bug string
	// Breaks is the rule of the lesson that the bug breaks.
	Breaks string
}

// The header's field names, as they appear at the start of their lines.
const (
	bugField    = "Bug:"
	breaksField = "Breaks:"
)

// Validate reports a header that cannot be written or read back: a field
// that is empty or spans more than one line.
func (h Header) Validate() error {
	for _, f := range []struct{ name, value string }{{"Bug", h.Bug}, {"Breaks", h.Breaks}} {
		switch {
		case strings.TrimSpace(f.value) == "":
			return fmt.Errorf("the %s line is empty: say it in one sentence", f.name)
		case strings.ContainsAny(f.value, "\r\n"):
			return fmt.Errorf("the %s line spans more than one line: say it in one sentence", f.name)
		}
	}
	return nil
}

// Patch is a parsed patch file.
type Patch struct {
	Header Header
	files  []*gitdiff.File
}

// Files lists the files the patch changes, in the order it changes them.
func (p *Patch) Files() []string {
	names := make([]string, len(p.files))
	for i, f := range p.files {
		names[i] = f.OldName
	}
	return names
}

// Parse reads a patch file: the header, then a unified diff that changes
// existing files only (it creates, deletes and renames none) and changes at
// least one.
func Parse(data []byte) (*Patch, error) {
	files, preamble, err := gitdiff.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("the diff: %w", err)
	}
	h, err := parseHeader(preamble)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("no diff below the header: it changes nothing")
	}
	named := map[string]bool{}
	for _, f := range files {
		name := f.OldName
		if name == "" {
			name = f.NewName
		}
		switch {
		case f.IsNew || f.IsDelete || f.IsCopy || f.IsRename || f.OldName != f.NewName:
			return nil, fmt.Errorf("%s: the diff creates, deletes or renames a file; it may only change existing ones", name)
		case f.IsBinary:
			return nil, fmt.Errorf("%s: binary diffs are not supported", name)
		case !fs.ValidPath(name) || name == ".":
			return nil, fmt.Errorf("%q: a file in the diff must be named by a relative path inside the directory", name)
		case len(f.TextFragments) == 0:
			return nil, fmt.Errorf("%s: the diff has no hunk for it", name)
		case named[name]:
			return nil, fmt.Errorf("%s: the diff changes it twice; give all its hunks under one ---/+++ pair", name)
		}
		named[name] = true
	}
	return &Patch{Header: h, files: files}, nil
}

func parseHeader(preamble string) (Header, error) {
	var h Header
	seen := map[string]bool{}
	for i, line := range strings.Split(preamble, "\n") {
		line = strings.TrimSuffix(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, bugField) && seen[bugField], strings.HasPrefix(line, breaksField) && seen[breaksField]:
			return h, fmt.Errorf("header line %d: a second %s line", i+1, line[:strings.Index(line, ":")+1])
		case strings.HasPrefix(line, bugField):
			h.Bug = strings.TrimSpace(strings.TrimPrefix(line, bugField))
			seen[bugField] = true
		case strings.HasPrefix(line, breaksField):
			h.Breaks = strings.TrimSpace(strings.TrimPrefix(line, breaksField))
			seen[breaksField] = true
		default:
			return h, fmt.Errorf("header line %d: %q is neither %q nor %q", i+1, line, bugField, breaksField)
		}
	}
	if err := h.Validate(); err != nil {
		return h, fmt.Errorf("header: %w", err)
	}
	return h, nil
}

// HunkError says which hunk of which file does not apply.
type HunkError struct {
	File string
	// Hunk is the hunk's number in its file, from 1, and Header its "@@" line.
	Hunk   int
	Header string
	// Line is the line of the original file where it stopped matching (0 if unknown).
	Line int64
	Err  error
}

func (e *HunkError) Error() string {
	at := ""
	if e.Line > 0 {
		at = fmt.Sprintf(" at line %d", e.Line)
	}
	return fmt.Sprintf("%s: hunk %d (%s) does not apply%s: %v", e.File, e.Hunk, e.Header, at, e.Err)
}

func (e *HunkError) Unwrap() error { return e.Err }

// Apply applies the patch to the files of base and returns the result: every
// file of base, with the patched ones changed. A file the patch names that
// base lacks, or a hunk whose lines are not in base, is an error naming
// the file and the hunk (a *HunkError for the latter). Like patch(1), a
// hunk whose lines moved (a line was added above them) applies where they
// are now.
func (p *Patch) Apply(base fs.FS) (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(base, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := fs.ReadFile(base, name)
		if err != nil {
			return err
		}
		out[name] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, f := range p.files {
		orig, ok := out[f.OldName]
		if !ok {
			return nil, fmt.Errorf("%s: the diff changes a file that does not exist", f.OldName)
		}
		g := *f
		g.TextFragments = relocate(orig.Data, f.TextFragments)
		var dst bytes.Buffer
		if err := gitdiff.Apply(&dst, bytes.NewReader(orig.Data), &g); err != nil {
			return nil, hunkError(&g, err)
		}
		out[f.OldName] = &fstest.MapFile{Data: dst.Bytes(), Mode: 0o644}
	}
	return out, nil
}

// relocate moves each hunk whose lines are not where its @@ line says, but
// are found elsewhere in src, to the nearest place they are, as patch(1)
// and git apply do: a line added to the original above a hunk does not make
// it stale, a change to the lines it shows does. A hunk that matches where
// it says, or nowhere, is returned as it is, so that applying it reports
// the conflict. The result is in the order of frags.
func relocate(src []byte, frags []*gitdiff.TextFragment) []*gitdiff.TextFragment {
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	matches := func(pre []string, at int64) bool {
		if at < 0 || at+int64(len(pre)) > int64(len(lines)) {
			return false
		}
		for i, l := range pre {
			if lines[at+int64(i)] != l {
				return false
			}
		}
		return true
	}
	out := slices.Clone(frags)
	order := make([]int, len(frags))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(frags[a].OldPosition, frags[b].OldPosition) })
	var shift, next int64 // shift of the hunks so far; the first line a hunk may start at
	for _, i := range order {
		fr := frags[i]
		if fr.OldPosition == 0 || fr.OldLines == 0 {
			continue
		}
		var pre []string
		for _, l := range fr.Lines {
			if l.Old() {
				pre = append(pre, l.Line)
			}
		}
		want := fr.OldPosition - 1 + shift
		at := int64(-1)
		for d := int64(0); want-d >= next || want+d < int64(len(lines)); d++ {
			if want-d >= next && matches(pre, want-d) {
				at = want - d
				break
			}
			if d > 0 && matches(pre, want+d) {
				at = want + d
				break
			}
		}
		if at < 0 {
			continue
		}
		shift = at - (fr.OldPosition - 1)
		if shift != 0 {
			c := *fr
			c.OldPosition += shift
			c.NewPosition += shift
			out[i] = &c
		}
		next = at + int64(len(pre))
	}
	return out
}

// hunkError names the hunk of f that err is about. gitdiff applies the hunks
// sorted by position and numbers them in that order.
func hunkError(f *gitdiff.File, err error) error {
	var ae *gitdiff.ApplyError
	if !errors.As(err, &ae) || ae.Fragment == 0 {
		return fmt.Errorf("%s: %w", f.OldName, err)
	}
	e := &HunkError{File: f.OldName, Hunk: ae.Fragment, Line: ae.Line, Err: ae.Unwrap()}
	frags := slices.Clone(f.TextFragments)
	slices.SortStableFunc(frags, func(a, b *gitdiff.TextFragment) int { return cmp.Compare(a.OldPosition, b.OldPosition) })
	if ae.Fragment <= len(frags) {
		e.Header = strings.TrimSpace(frags[ae.Fragment-1].Header())
		for i, fr := range f.TextFragments {
			if fr == frags[ae.Fragment-1] {
				e.Hunk = i + 1
			}
		}
	}
	return e
}

// Create returns the unified diff that turns old into new, both the contents
// of the file name, with three lines of context; "" when they are equal.
// Concatenate the diffs of several files to make one patch.
func Create(name string, old, new []byte) string {
	return udiff.Unified(name, name, string(old), string(new))
}

// Write writes a patch file: the header, a blank line, then diff, the
// concatenated output of Create. An invalid header or an empty diff is an
// error, and nothing is written.
func Write(w io.Writer, h Header, diff string) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if strings.TrimSpace(diff) == "" {
		return errors.New("the diff is empty: the copy does not differ from the original")
	}
	if !strings.HasSuffix(diff, "\n") {
		diff += "\n"
	}
	_, err := fmt.Fprintf(w, "%s %s\n%s %s\n\n%s", bugField, strings.TrimSpace(h.Bug), breaksField, strings.TrimSpace(h.Breaks), diff)
	return err
}
