package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dslearn/dslearn/internal/runner"
	"github.com/dslearn/dslearn/internal/sandbox"
	"github.com/spf13/cobra"
)

// NewCmdDoctor builds `dslearn doctor`.
func NewCmdDoctor(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check that everything dslearn needs is in place",
		Long: `Check the Go toolchain, the race detector, the course, and (inside a
workspace) the workspace and its progress file. Each problem comes with how
to fix it; the exit code is 3 if there is any.`,
		Example: "  dslearn doctor",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return doctorRun(f)
		},
	}
}

type finding struct {
	ok     bool
	what   string
	detail string
	fix    string
}

func doctorRun(f *Factory) error {
	var fs []finding
	add := func(ok bool, what, detail, fix string) { fs = append(fs, finding{ok, what, detail, fix}) }

	add(true, "dslearn", versionString(), "")
	c, cerr := f.Course()
	if cerr != nil {
		add(false, "course", cerr.Error(), "fix the manifest, or run without --course to use the built-in course")
	} else {
		missing := 0
		for _, l := range c.Lessons {
			if !c.Written(l) || !c.HasExercise(l) {
				missing++
			}
		}
		detail := fmt.Sprintf("%s: %d lessons in %d chapters (manifest version %d)", c.Source, len(c.Lessons), len(c.Chapters), c.Version)
		if missing > 0 {
			detail += fmt.Sprintf("; %d without their lesson or exercise yet", missing)
		}
		add(true, "course", detail, "")
	}

	goPath, err := exec.LookPath("go")
	if err != nil {
		add(false, "go", "not found in PATH", "install Go from https://go.dev/dl/ and make sure `go version` works in this shell")
	} else {
		out, err := exec.Command(goPath, "env", "GOVERSION").Output()
		v := strings.TrimSpace(string(out))
		switch {
		case err != nil:
			add(false, "go", "`go env` failed", "run `go env` to see why")
		case cerr == nil && !atLeast(v, c.GoVersion):
			add(false, "go", v, "the exercises need Go "+c.GoVersion+" or newer: upgrade from https://go.dev/dl/")
		default:
			add(true, "go", v+" ("+goPath+")", "")
		}
		if ok, why := runner.RaceSupport(goPath); ok {
			add(true, "race detector", "available; checks run under -race", "")
		} else {
			add(false, "race detector", why, "install a C compiler (gcc or clang) and set CGO_ENABLED=1; checks still run without it")
		}
	}
	// Not a problem for a learner's own code; an instructor grading a class
	// wants it (grade warns without it).
	if sb, err := sandbox.Detect(context.Background(), os.Getenv(EnvBwrap)); err == nil {
		add(true, "sandbox", "bubblewrap ("+sb.Bwrap+"): check and grade run code isolated", "")
	} else {
		why := strings.TrimPrefix(err.Error(), sandbox.ErrUnavailable.Error()+": ")
		if !strings.Contains(why, "install") {
			why += "; to grade a class isolated, " + sandbox.Install
		}
		add(true, "sandbox", "none, so code is screened but runs as you: "+why, "")
	}

	if w := f.OptionalWorkspace(); w == nil {
		detail := "not inside one"
		if known := f.Known.List(); len(known) > 0 {
			detail += "; yours is " + known[0]
		}
		add(true, "workspace", detail, "")
	} else {
		add(true, "workspace", w.Root, "")
		if cerr == nil {
			data, err := os.ReadFile(filepath.Join(w.Root, "go.mod"))
			if err != nil || !strings.Contains(string(data), "module "+c.Module+"\n") {
				add(false, "go.mod", "missing, or names another module", "restore it with: dslearn init --force "+w.Root+" (existing files are kept), after moving the old go.mod away")
			}
			var gone []string
			for _, l := range c.Lessons {
				if c.HasExercise(l) {
					if err := exerciseFilesPresent(w.ExerciseDir(l)); err != nil {
						gone = append(gone, l.Slug)
					}
				}
			}
			if len(gone) > 0 {
				add(false, "exercises", "missing: "+strings.Join(gone, ", "), "restore them with: dslearn init --force "+w.Root+" (existing files are kept)")
			}
		}
		if _, err := f.Progress(w).Load(); err != nil {
			add(false, "progress", err.Error(), "see the message above")
		} else {
			add(true, "progress", filepath.Join(w.StateDir(), "progress.json"), "")
		}
	}

	st := newStyles(f.IO)
	problems := 0
	for _, x := range fs {
		mark := st.pass.Render("ok")
		if !x.ok {
			mark = st.fail.Render("!!")
			problems++
		}
		fmt.Fprintf(f.IO.Out, "%s %-14s %s\n", mark, x.what, x.detail)
		if x.fix != "" {
			fmt.Fprintf(f.IO.Out, "   %-14s fix: %s\n", "", x.fix)
		}
	}
	if problems > 0 {
		return &EnvError{fmt.Errorf("doctor found %d problem(s)", problems)}
	}
	fmt.Fprintln(f.IO.Out, "\nNo problems found.")
	return nil
}

// atLeast reports whether a Go version such as "go1.26.8" is at least want ("1.24").
func atLeast(have, want string) bool {
	parse := func(s string) []int {
		s = strings.TrimPrefix(s, "go")
		s, _, _ = strings.Cut(s, "-")
		var out []int
		for _, p := range strings.Split(s, ".") {
			if i := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
				p = p[:i]
			}
			n, err := strconv.Atoi(p)
			if err != nil {
				break
			}
			out = append(out, n)
		}
		return out
	}
	h, w := parse(have), parse(want)
	for i := range w {
		if i >= len(h) {
			return false
		}
		if h[i] != w[i] {
			return h[i] > w[i]
		}
	}
	return true
}
