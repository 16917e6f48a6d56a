//go:build dslearnsuite

package quorum_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// A workload is a random run of one client issuing overlapping Puts and Gets
// on two keys while the network delays, reorders, duplicates and drops
// messages and the reachable replicas change.
type workload struct {
	rnd      *rand.Rand
	cl       *cluster
	net      simnet.Config
	ops      []*opRec
	written  map[string]map[int]string // key -> version -> value
	done     map[string]int            // key -> highest version of a Put seen OK
	versions map[string][]int          // unused versions, in the order to use them
	reach    string                    // the current partition, for messages
}

type opRec struct {
	id      quorum.OpID
	isGet   bool
	key     string
	version int // Put
	value   string
	start   int // tick at which it started
	bound   int // Get: highest version of a Put on key seen OK before it started
	end     int
	result  quorum.Result
	settled bool
}

func (o *opRec) name() string {
	if o.isGet {
		return fmt.Sprintf("Get(%q)", o.key)
	}
	return fmt.Sprintf("Put(%q, %q, %d)", o.key, o.value, o.version)
}

// newWorkload draws a configuration; with quorum, R + W > N.
func newWorkload(rnd *rand.Rand, quorumOnly bool) *workload {
	n := 1 + rnd.IntN(5)
	w := 1 + rnd.IntN(n)
	r := 1 + rnd.IntN(n)
	if quorumOnly {
		r = n - w + 1 + rnd.IntN(w)
	}
	nc := simnet.Config{
		Seed:          rnd.Uint64(),
		DropRate:      []float64{0, 0, 0.05, 0.2}[rnd.IntN(4)],
		DuplicateRate: []float64{0, 0.1, 0.3}[rnd.IntN(3)],
		MaxDelay:      rnd.IntN(5),
	}
	timeout := 2*(nc.MaxDelay+1) + 1 + rnd.IntN(4)
	wl := &workload{
		rnd:      rnd,
		cl:       newCluster(nc, n, r, w, timeout),
		net:      nc,
		written:  map[string]map[int]string{"x": {}, "y": {}},
		done:     map[string]int{},
		versions: map[string][]int{},
		reach:    "all replicas reachable",
	}
	// Versions are unique per key but not issued in increasing order, as
	// with clients whose clocks disagree; one-, two- and three-digit
	// versions meet.
	for _, k := range []string{"x", "y"} {
		for _, v := range rnd.Perm(150) {
			wl.versions[k] = append(wl.versions[k], v+1)
		}
	}
	return wl
}

func (w *workload) desc() string {
	return fmt.Sprintf("%s, Timeout=%d, network: drop %.2f, duplicate %.2f, delay 0..%d ticks",
		w.cl.desc(), w.cl.cfg.Timeout, w.net.DropRate, w.net.DuplicateRate, w.net.MaxDelay)
}

// history lists the operations so far, for failure messages.
func (w *workload) history() string {
	var b strings.Builder
	b.WriteString("operations (started at tick -> finished at tick):\n")
	for _, o := range w.ops {
		fmt.Fprintf(&b, "  op %d %s: tick %d -> ", o.id, o.name(), o.start)
		switch {
		case o.settled && o.isGet:
			fmt.Fprintf(&b, "%d %s\n", o.end, resultString(o.result))
		case o.settled:
			fmt.Fprintf(&b, "%d %v\n", o.end, o.result.Status)
		default:
			b.WriteString("still Pending\n")
		}
	}
	return b.String()
}

func (w *workload) start() error {
	cl := w.cl
	key := "x"
	if w.rnd.IntN(3) == 0 {
		key = "y"
	}
	o := &opRec{key: key, start: cl.net.Now()}
	var err error
	if w.rnd.IntN(2) == 0 {
		o.version = w.versions[key][0]
		w.versions[key] = w.versions[key][1:]
		o.value = fmt.Sprintf("%s%d", key, o.version)
		w.written[key][o.version] = o.value
		o.id, err = cl.put(key, o.value, o.version)
	} else {
		o.isGet = true
		o.bound = w.done[key]
		o.id, err = cl.get(key)
	}
	w.ops = append(w.ops, o)
	return err
}

// poll records operations that finished, and checks finished Gets with
// check.
func (w *workload) poll(checkGet func(o *opRec) error) error {
	for _, o := range w.ops {
		if o.settled {
			continue
		}
		res := w.cl.co.Result(o.id)
		if res.Status == quorum.Pending {
			continue
		}
		o.settled, o.result, o.end = true, res, w.cl.net.Now()
		if !o.isGet && res.Status == quorum.OK {
			w.done[o.key] = max(w.done[o.key], o.version)
		}
		if o.isGet && checkGet != nil {
			if err := checkGet(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// run drives the workload for 60 ticks and then lets every operation
// finish. afterTick and checkGet, if not nil, are checked after every tick
// and on every Get when it finishes.
func (w *workload) run(afterTick func() error, checkGet func(*opRec) error) error {
	cl := w.cl
	for tick := 0; tick < 60+4*cl.cfg.Timeout; tick++ {
		if tick < 60 {
			if w.rnd.IntN(8) == 0 {
				w.repartition()
			}
			for range w.rnd.IntN(3) {
				if err := w.start(); err != nil {
					return err
				}
			}
		} else if tick == 60 {
			cl.net.Heal()
			w.reach = "all replicas reachable"
		}
		cl.net.Tick()
		if err := w.poll(checkGet); err != nil {
			return err
		}
		if afterTick != nil {
			if err := afterTick(); err != nil {
				return err
			}
		}
	}
	return nil
}

// repartition changes which replicas the coordinator can reach.
func (w *workload) repartition() {
	cl := w.cl
	if w.rnd.IntN(3) == 0 {
		cl.net.Heal()
		w.reach = "all replicas reachable"
		return
	}
	var reach []simnet.NodeID
	for _, id := range cl.ids {
		if w.rnd.IntN(3) != 0 {
			reach = append(reach, id)
		}
	}
	cl.only(reach)
	w.reach = fmt.Sprintf("only replicas %v reachable", reach)
}

// checkGet is the quorum property: a Get that completed returns a version at
// least as new as every Put on its key that completed before the Get
// started, with the value written at that version.
func (w *workload) checkGet(o *opRec) error {
	res := o.result
	if res.Status != quorum.OK {
		return nil
	}
	bad := ""
	switch {
	case res.Found && w.written[o.key][res.Version] != res.Value:
		bad = fmt.Sprintf("no Put wrote %s=%s@%d", o.key, res.Value, res.Version)
	case !res.Found && (res.Version != 0 || res.Value != ""):
		bad = "a result with Found false has Version 0 and Value \"\""
	case res.Version < o.bound:
		bad = fmt.Sprintf("a Put of version %d on %q was OK before this Get started, and with R + W > N the read must see it or something newer", o.bound, o.key)
	}
	if bad == "" {
		return nil
	}
	want := fmt.Sprintf("OK with version >= %d", o.bound)
	if o.bound == 0 {
		want = "OK with a value some Put wrote, or nothing found"
	}
	return check.Mismatch(fmt.Sprintf("%s\nop %d %s finished at tick %d: %s\n%s%s",
		w.desc(), o.id, o.name(), o.end, bad, w.history(), w.cl.diagram()),
		want, resultString(res))
}

func TestQuorumReadsNeverMissACompletedWriteUnderFaults(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		w := newWorkload(rnd, true)
		return w.run(nil, w.checkGet)
	})
}

func TestReplicasNeverMoveBackwards(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(rnd *rand.Rand) error {
		w := newWorkload(rnd, false)
		seen := map[simnet.NodeID]map[string]quorum.Entry{}
		for _, id := range w.cl.ids {
			seen[id] = map[string]quorum.Entry{}
		}
		return w.run(func() error {
			for _, id := range w.cl.ids {
				for _, key := range []string{"x", "y"} {
					e, ok := w.cl.reps[id].Lookup(key)
					if !ok {
						e = quorum.Entry{}
					}
					prev := seen[id][key]
					bad := ""
					switch {
					case ok && w.written[key][e.Version] != e.Value:
						bad = fmt.Sprintf("it holds %s=%s@%d, which no Put wrote", key, e.Value, e.Version)
					case e.Version < prev.Version:
						bad = fmt.Sprintf("it held %s=%s@%d and moved back to an older version; neither a late write nor a read repair may replace a newer version", key, prev.Value, prev.Version)
					}
					if bad != "" {
						return check.Mismatch(fmt.Sprintf("%s\nreplica %d after tick %d: %s\n%s%s",
							w.desc(), id, w.cl.net.Now(), bad, w.history(), w.cl.diagram()),
							fmt.Sprintf("%s=%s@%d or newer", key, prev.Value, prev.Version), entryString(e, ok))
					}
					seen[id][key] = e
				}
			}
			return nil
		}, nil)
	})
}
