package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dslearn/dslearn/internal/workspace"
	"github.com/spf13/cobra"
)

// InitOptions are the inputs of `dslearn init`.
type InitOptions struct {
	F     *Factory
	Dir   string
	Force bool
}

// NewCmdInit builds `dslearn init [dir]`.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{F: f}
	cmd := &cobra.Command{
		Use:   "init [dir]",
		Short: "Create your workspace with every exercise's starting files",
		Long: `Create a workspace: exercises/<slug>/ for every exercise (the starting
files only: the hidden suites stay inside dslearn), a go.mod so that plain go
build, go vet and your editor work, and a short README. The directory
defaults to the current one. A non-empty directory is refused unless --force
is given, and even then no existing file is overwritten.`,
		Example: `  dslearn init ~/dslearn
  dslearn init --force .`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "use a non-empty directory (existing files are kept)")
	return cmd
}

func initRun(o *InitOptions) error {
	c, err := o.F.Course()
	if err != nil {
		return err
	}
	dir := o.Dir
	if !filepath.IsAbs(dir) {
		wd, err := o.F.Getwd()
		if err != nil {
			return &EnvError{err}
		}
		dir = filepath.Join(wd, dir)
	}
	if w, err := workspace.Find(dir); err == nil && !o.Force {
		return &UsageError{Err: fmt.Errorf("%s is already inside the workspace %s; use that one, or pass --force to add missing files to it", o.Dir, w.Root)}
	}
	w, res, err := workspace.Init(c, dir, o.Force, o.F.Now())
	if errors.Is(err, workspace.ErrNotEmpty) {
		return &UsageError{Err: fmt.Errorf("%s is not empty; choose a new directory, or run: dslearn init --force %s (existing files are kept)", o.Dir, o.Dir)}
	}
	if err != nil {
		return &EnvError{fmt.Errorf("creating the workspace: %w", err)}
	}
	out := o.F.IO.Out
	fmt.Fprintf(out, "Created your workspace in %s (%d files", w.Root, len(res.Created))
	if len(res.Kept) > 0 {
		fmt.Fprintf(out, "; kept %d existing files unchanged", len(res.Kept))
	}
	fmt.Fprintln(out, ").")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Next:")
	if o.Dir != "." {
		fmt.Fprintf(out, "  cd %s\n", o.Dir)
	}
	fmt.Fprintln(out, "  dslearn lesson 1")
	fmt.Fprintf(out, "  dslearn check %s\n", c.Lessons[0].Slug)
	if o.F.StartWarm != nil && o.F.StartWarm(o.F, w.Root) {
		fmt.Fprintln(out)
		fmt.Fprintln(out, "While you read, Go's build cache is being filled in the background, so that")
		fmt.Fprintln(out, "your first check takes seconds, not a minute.")
	}
	return nil
}
