package runner

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dslearn/dslearn/internal/sandbox"
)

// Record is one line of the harness's report (internal/harness.Record; the
// two must keep the same JSON field names).
type Record struct {
	Nonce  string `json:"nonce"`
	Event  string `json:"event"`
	Test   string `json:"test,omitempty"`
	Failed bool   `json:"failed,omitempty"`
	Skip   bool   `json:"skipped,omitempty"`
	Code   int    `json:"code,omitempty"`
}

// Ran says how one test binary's run ended.
type Ran struct {
	// Code is the binary's exit code (-1 if it was killed by a signal).
	Code int
	// Deadline is set when the binary was stopped for running past its
	// time limit; Interrupted when the user stopped it (Ctrl-C).
	Deadline    bool
	Interrupted bool
	// Limit names the resource limit the binary passed ("memory", "output"
	// or "processes"), or is empty.
	Limit string
	// Started is set once the harness began running checks: every init
	// function had returned.
	Started bool
	// Records are the harness's records that carried this run's secret, in
	// the order written. Forged counts lines on its channel that did not.
	Records []Record
	Forged  int
	// Sandboxed is set when the binary ran inside the sandbox.
	Sandboxed bool
	// Limits are the limits the binary ran under.
	Limits Limits
	// PeakMemory is the most resident memory seen, in bytes (0 where it
	// cannot be measured).
	PeakMemory int64
	Elapsed    time.Duration
}

// End returns the harness's final record, if it wrote one.
func (r *Ran) End() (Record, bool) {
	for _, rec := range r.Records {
		if rec.Event == "end" {
			return rec, true
		}
	}
	return Record{}, false
}

// killGrace is how long a binary may run past its -test.timeout, so that
// the testing package's own timeout report (which names the running check
// and prints every goroutine) arrives before the binary is stopped.
const killGrace = 5 * time.Second

// quitGrace is how long a binary has to print its goroutines after SIGQUIT.
const quitGrace = 2 * time.Second

// Exec runs the test binary of package i of b, after Compile, and sends its
// output, converted to `go test -json` events by test2json, to consume,
// which must read it to the end. The binary runs in an empty directory of
// its own (or the sandbox), with an environment that holds nothing but
// what the suite needs, under the time and resource limits of opts, and
// reports its checks to the runner on a private descriptor. Every process
// it started has ended when Exec returns.
func (b *Build) Exec(ctx context.Context, i int, opts Options, consume func(events io.Reader) error) (Ran, error) {
	goCmd, err := opts.goCommand()
	if err != nil {
		return Ran{}, err
	}
	bin := b.Binary(i)
	if bin == "" {
		return Ran{}, fmt.Errorf("%s has no test binary", b.Pkgs[i])
	}
	limits := opts.Limits.withDefaults()
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	nonce, err := newNonce()
	if err != nil {
		return Ran{}, err
	}
	runDir, err := os.MkdirTemp(b.Dir, "run-")
	if err != nil {
		return Ran{}, err
	}
	defer os.RemoveAll(runDir)

	args := []string{"-test.v=test2json", "-test.count=1", "-test.paniconexit0", "-test.timeout=" + timeout.String()}
	if opts.Run != "" {
		args = append(args, "-test.run="+opts.Run)
	}
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + runDir, "TMPDIR=" + runDir, "GOTRACEBACK=crash",
		"DSLEARN_HARNESS_FD=3", "DSLEARN_HARNESS_NONCE=" + nonce}
	if opts.Seed != 0 {
		env = append(env, "DSLEARN_SEED="+strconv.FormatUint(opts.Seed, 10))
	}
	if opts.Runs > 0 {
		env = append(env, "DSLEARN_RUNS="+strconv.Itoa(opts.Runs))
	}
	if opts.Artifacts != "" {
		if err := os.RemoveAll(opts.Artifacts); err != nil {
			return Ran{}, fmt.Errorf("emptying %s: %w", opts.Artifacts, err)
		}
		if err := os.MkdirAll(opts.Artifacts, 0o755); err != nil {
			return Ran{}, fmt.Errorf("creating %s: %w", opts.Artifacts, err)
		}
		// Only an empty directory goes: files the suite wrote stay for the learner.
		defer os.Remove(opts.Artifacts)
		inside := opts.Artifacts
		if opts.Sandbox != nil {
			inside = sandbox.ArtifactsDir
		}
		env = append(env, "DSLEARN_ARTIFACTS="+inside, "DSLEARN_ARTIFACTS_SHOWN="+opts.ArtifactsShown)
	}
	var cmd *exec.Cmd
	if opts.Sandbox != nil {
		env[1], env[2] = "HOME=/tmp", "TMPDIR=/tmp"
		cmd = opts.Sandbox.CommandWritable(bin, args, env, opts.Artifacts)
	} else {
		cmd = exec.Command(bin, args...)
		cmd.Dir = runDir
		cmd.Env = env
	}
	setProcessGroup(cmd)

	// The harness's channel: fd 3 in the binary, nowhere else.
	recR, recW, err := os.Pipe()
	if err != nil {
		return Ran{}, err
	}
	defer recR.Close()
	cmd.ExtraFiles = []*os.File{recW}
	// The binary's stdout and stderr share one pipe, as under go test.
	outR, outW, err := os.Pipe()
	if err != nil {
		recW.Close()
		return Ran{}, err
	}
	defer outR.Close()
	cmd.Stdout, cmd.Stderr = outW, outW
	cmd.Stdin = nil

	conv := exec.Command(goCmd, "tool", "test2json", "-t", "-p", b.ImportPaths[i])
	conv.Env = goEnv(os.Environ(), opts)
	convIn, err := conv.StdinPipe()
	if err != nil {
		return Ran{}, err
	}
	convOut, err := conv.StdoutPipe()
	if err != nil {
		return Ran{}, err
	}
	if err := startTracked(conv); err != nil {
		return Ran{}, fmt.Errorf("starting go tool test2json: %w", err)
	}
	defer untrack(conv)

	enableReaper()
	start := time.Now()
	err = startTracked(cmd)
	outW.Close()
	recW.Close()
	if err != nil {
		convIn.Close()
		conv.Wait()
		return Ran{}, fmt.Errorf("starting the test binary: %w", err)
	}
	defer untrack(cmd)
	ran := Ran{Sandboxed: opts.Sandbox != nil, Limits: limits}
	tree := newTree(cmd.Process.Pid)
	// The first limit passed is the one reported: a goroutine dump that
	// overflows the output limit after a timeout is still a timeout.
	var limit atomic.Value // string
	setLimit := func(why string) { limit.CompareAndSwap(nil, why) }
	var once sync.Once
	kill := func(why string) {
		if why != "" {
			setLimit(why)
		}
		once.Do(func() {
			tree.kill()
			killProcessGroup(cmd)
		})
	}

	// The binary's output, counted on its way to test2json.
	var copied sync.WaitGroup
	copied.Add(2)
	go func() {
		defer copied.Done()
		defer convIn.Close()
		n, _ := io.Copy(convIn, io.LimitReader(outR, limits.Output))
		if n >= limits.Output {
			kill("output")
			io.Copy(io.Discard, outR)
		}
	}()
	// The harness's records.
	go func() {
		defer copied.Done()
		sc := bufio.NewScanner(io.LimitReader(recR, 4<<20))
		sc.Buffer(make([]byte, 4096), 64<<10)
		for sc.Scan() {
			var rec Record
			if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.Nonce != nonce {
				ran.Forged++
				continue
			}
			ran.Records = append(ran.Records, rec)
		}
		io.Copy(io.Discard, recR)
	}()

	// The watchdog: time, memory and processes.
	done := make(chan struct{})
	var watched sync.WaitGroup
	watched.Add(1)
	go func() {
		defer watched.Done()
		hard := time.NewTimer(timeout + killGrace)
		defer hard.Stop()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				kill("")
				return
			case <-hard.C:
				// Past the limit and the testing package's own report: ask the
				// runtime for every goroutine's stack, then stop it.
				setLimit("time")
				tree.quit()
				select {
				case <-done:
				case <-time.After(quitGrace):
				}
				kill("time")
				return
			case <-tick.C:
				mem, procs := tree.usage()
				if mem > ran.PeakMemory {
					ran.PeakMemory = mem
				}
				switch {
				case mem > limits.Memory:
					kill("memory")
					return
				case procs > limits.Procs:
					kill("processes")
					return
				}
			}
		}
	}()

	cerr := consume(convOut)
	io.Copy(io.Discard, convOut)
	werr := cmd.Wait()
	close(done)
	watched.Wait()
	tree.kill() // anything the binary left behind
	copied.Wait()
	conv.Wait()
	reapOrphans(start)

	ran.Elapsed = time.Since(start)
	ran.Code = cmd.ProcessState.ExitCode()
	if v, _ := limit.Load().(string); v != "" {
		if v == "time" {
			ran.Deadline = true
		} else {
			ran.Limit = v
		}
	}
	if ctx.Err() != nil {
		ran.Interrupted = true
	}
	for _, r := range ran.Records {
		if r.Event == "start" {
			ran.Started = true
		}
	}
	if cerr != nil {
		return ran, cerr
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return ran, werr
	}
	return ran, nil
}

// started holds the pids of the processes this package started and has not
// waited for yet; any other child dslearn has during a run is an orphan.
var started sync.Map

// spawning is held for reading while this package starts a process and
// records it, and for writing while reapOrphans looks for orphans, so that a
// process a concurrent check has just started (a go command compiling,
// another binary) is never taken for an orphan before it is recorded.
var spawning sync.RWMutex

// startTracked starts cmd and records it as this package's own.
func startTracked(cmd *exec.Cmd) error {
	spawning.RLock()
	defer spawning.RUnlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	track(cmd)
	return nil
}

func track(cmd *exec.Cmd) {
	if cmd.Process != nil {
		started.Store(cmd.Process.Pid, true)
	}
}

func untrack(cmd *exec.Cmd) {
	if cmd.Process != nil {
		started.Delete(cmd.Process.Pid)
	}
}

func ours(pid int) bool { _, ok := started.Load(pid); return ok }

func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the run's secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}
