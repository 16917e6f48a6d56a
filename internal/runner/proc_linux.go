package runner

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A tree is a process and every descendant it has been seen with. Learner
// code that starts a process in a new session escapes a process-group kill;
// it cannot escape this list once the watchdog has seen it, and an orphan
// it leaves is adopted by dslearn (a child subreaper) and ended after the run.
type tree struct {
	root int
	mu   sync.Mutex
	seen map[int]uint64 // pid → start time, to never signal a reused pid
}

func newTree(root int) *tree {
	t := &tree{root: root, seen: map[int]uint64{}}
	if st, ok := readStat(root); ok {
		t.seen[root] = st.start
	}
	return t
}

type procStat struct {
	ppid  int
	start uint64
	rss   int64 // pages
	comm  string
}

// readStat reads /proc/<pid>/stat.
func readStat(pid int) (procStat, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:])
	// Fields after the command: state(0) ppid(1) … starttime(19) vsize(20) rss(21).
	if len(f) < 22 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	start, _ := strconv.ParseUint(f[19], 10, 64)
	rss, _ := strconv.ParseInt(f[21], 10, 64)
	return procStat{ppid: ppid, start: start, rss: rss, comm: s[open+1 : end]}, true
}

// allProcs reads every process's stat.
func allProcs() map[int]procStat {
	entries, _ := os.ReadDir("/proc")
	out := make(map[int]procStat, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok {
			out[pid] = st
		}
	}
	return out
}

// refresh adds the current descendants of the tree's processes to it and
// returns the live members with their stats.
func (t *tree) refresh() map[int]procStat {
	procs := allProcs()
	t.mu.Lock()
	defer t.mu.Unlock()
	live := map[int]procStat{}
	for changed := true; changed; {
		changed = false
		for pid, st := range procs {
			if _, ok := live[pid]; ok {
				continue
			}
			start, known := t.seen[pid]
			member := known && start == st.start
			if _, parentLive := live[st.ppid]; !member && (parentLive || st.ppid == t.root) {
				member = true
				t.seen[pid] = st.start
			}
			if member {
				live[pid] = st
				changed = true
			}
		}
	}
	return live
}

var pageSize = int64(os.Getpagesize())

// usage returns the resident memory of the tree's live processes and how
// many there are.
func (t *tree) usage() (int64, int) {
	var mem int64
	live := t.refresh()
	for _, st := range live {
		mem += st.rss * pageSize
	}
	return mem, len(live)
}

// quit asks every live process of the tree, except the sandbox's own
// (which would take the binary down before it can answer), to print its
// goroutines and exit (SIGQUIT, as the go command does at its time limit).
func (t *tree) quit() {
	for pid, st := range t.refresh() {
		if st.comm != "bwrap" {
			syscall.Kill(pid, syscall.SIGQUIT)
		}
	}
}

// kill ends every live process of the tree.
func (t *tree) kill() {
	for range 3 {
		live := t.refresh()
		if len(live) == 0 {
			return
		}
		for pid := range live {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var reaper struct {
	once sync.Once
	on   bool
}

// enableReaper makes dslearn the parent of every orphan its descendants
// leave (PR_SET_CHILD_SUBREAPER), so that none outlives a check.
func enableReaper() {
	reaper.once.Do(func() {
		const prSetChildSubreaper = 36
		_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
		reaper.on = errno == 0
		// Test binaries run with GOTRACEBACK=crash, so that a timeout report
		// shows the stack of a goroutine busy on another thread; that ends in
		// SIGABRT, which must not leave a core file.
		var lim syscall.Rlimit
		if syscall.Getrlimit(syscall.RLIMIT_CORE, &lim) == nil {
			lim.Cur = 0
			syscall.Setrlimit(syscall.RLIMIT_CORE, &lim)
		}
	})
}

// reapOrphans ends every process that dslearn adopted as an orphan and that
// was started after since: a process left behind by a test binary.
func reapOrphans(since time.Time) {
	if !reaper.on {
		return
	}
	spawning.Lock()
	defer spawning.Unlock()
	self := os.Getpid()
	boot := bootTime()
	for pid, st := range allProcs() {
		if st.ppid != self || ours(pid) {
			continue
		}
		// Only what started during the run (start is in clock ticks since boot).
		if boot.IsZero() || boot.Add(time.Duration(st.start)*time.Second/100).Before(since.Add(-time.Second)) {
			continue
		}
		newTree(pid).kill()
		for range 20 {
			var ws syscall.WaitStatus
			if n, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); n == pid {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// bootTime is when the machine started, from /proc/stat.
func bootTime() time.Time {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return time.Unix(n, 0)
			}
		}
	}
	return time.Time{}
}
