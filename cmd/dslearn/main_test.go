package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/internal/cli"
	"github.com/dslearn/dslearn/internal/sandbox"
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
			for k, v := range goEnv {
				e.Setenv(k, v)
			}
			return nil
		},
		// [sandbox]: bubblewrap works on this machine.
		Condition: func(cond string) (bool, error) {
			if cond != "sandbox" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := sandbox.Detect(context.Background(), "")
			return err == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exitcode N PROGRAM ARGS... runs a program and expects exit code N
			// (its output is kept in stdout and stderr, as exec does).
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
				}
				err := ts.Exec(args[1], args[2:]...)
				got := "exit status 0"
				if err != nil {
					got = err.Error()
				}
				if got != "exit status "+args[0] {
					ts.Fatalf("%s: %s, want exit status %s", strings.Join(args[1:], " "), got, args[0])
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
