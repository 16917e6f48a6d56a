package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update the golden files of the scripts in testdata/script")

// TestMain lets the test binary act as the dslearn command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"dslearn": func() { os.Exit(cli.Main()) }})
}

// TestScripts runs the end-to-end scripts in testdata/script: every command,
// without a terminal, with HOME and the config directory inside $WORK.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goEnv := map[string]string{}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT"} {
		out, err := exec.Command("go", "env", k).Output()
		if err == nil {
			goEnv[k] = strings.TrimSpace(string(out))
		}
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("REPO", repo)
			// BINDIR holds only the dslearn command: PATH=$BINDIR is a
			// machine without the Go toolchain.
			e.Setenv("BINDIR", filepath.SplitList(e.Getenv("PATH"))[0])
			e.Setenv("NO_COLOR", "")
			e.Setenv("DSLEARN_COURSE", "")
			// init would start a background build that outlives the script.
			e.Setenv("DSLEARN_NO_WARM", "1")
			for k, v := range goEnv {
				e.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// status N PROG ARGS... runs PROG like exec and asserts that it
			// exits with exactly status N (exec only tells zero from non-zero).
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status N PROG [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%s: %v", args[1], err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
				}
			},
			// solve SLUG copies the reference solution of SLUG over the
			// workspace's exercise files (a learner who got it right).
			"solve": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: solve SLUG")
				}
				src := filepath.Join(repo, "solutions", args[0])
				entries, err := os.ReadDir(src)
				ts.Check(err)
				for _, e := range entries {
					data, err := os.ReadFile(filepath.Join(src, e.Name()))
					ts.Check(err)
					ts.Check(os.WriteFile(ts.MkAbs(filepath.Join("exercises", args[0], e.Name())), data, 0o644))
				}
			},
		},
	})
}
