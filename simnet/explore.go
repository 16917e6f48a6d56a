package simnet

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// ExploreOptions bound an exhaustive exploration.
type ExploreOptions struct {
	// Ticks is how many ticks every path runs (unless check stops it
	// earlier). Required.
	Ticks int
	// MaxPaths stops the exploration after this many paths (0 means
	// DefaultMaxPaths). Stopping there before every path was run is an
	// error, ErrPathCap, unless Sample is set: a property is then not
	// proven, and passing silently would claim it was.
	MaxPaths int
	// Sample accepts an exploration cut short by MaxPaths: the paths run
	// (the first MaxPaths in depth-first order) are a sample, and
	// ExploreReport.Complete says whether every path was run.
	Sample bool
	// MaxDepth bounds how many choices of a path are explored: after that
	// many, every later choice of the path takes its first option
	// (deliveries in send order, the smallest delay, nothing lost,
	// duplicated or crashed). 0 means no bound.
	MaxDepth int
	// Crashable lists nodes that may crash, at most MaxCrashes of them per
	// path, at every point: before each delivery to the node and before
	// each of its ticks.
	Crashable  []NodeID
	MaxCrashes int
	// MaxDrops is how many message copies per path may be lost, each at
	// every possible message. MaxDuplicates is the same for duplication.
	// Config.DropRate and Config.DuplicateRate are ignored while exploring.
	MaxDrops      int
	MaxDuplicates int
	// DiagramEvents is the maxEvents of the failing path's diagram
	// (0 means 60).
	DiagramEvents int
}

// DefaultMaxPaths bounds an exploration whose MaxPaths is 0.
const DefaultMaxPaths = 100000

// ExploreReport describes a finished exploration.
type ExploreReport struct {
	// Paths is the number of paths run.
	Paths int
	// Complete reports whether every path within the bounds was run (false
	// when MaxPaths stopped the exploration or a path failed).
	Complete bool
	// LongestPath is the largest number of choices made on one path.
	LongestPath int
}

// ExploreError reports a path on which check failed.
type ExploreError struct {
	Err     error  // what check returned
	Path    int    // the failing path's number, from 1, in exploration order
	Choices []int  // the choices of the failing path; see Replay
	Tick    int    // Now() when check failed
	Diagram string // the failing path's trace, drawn by Network.Diagram
}

func (e *ExploreError) Error() string {
	return fmt.Sprintf("%v\n(at tick %d of explored path %d, choices %v)\n%s",
		e.Err, e.Tick, e.Path, e.Choices, e.Diagram)
}

// Unwrap returns the error check returned.
func (e *ExploreError) Unwrap() error { return e.Err }

// ErrPathCap is returned (wrapped, with the numbers) when an exploration
// reaches ExploreOptions.MaxPaths before running every path, and Sample is
// not set.
var ErrPathCap = errors.New("simnet: the exploration reached its path cap before trying every path")

// StopPath, returned by an exploration's check, ends the current path as a
// success (for example once the property has been decided for it).
var StopPath = errors.New("simnet: stop this path")

// Explore runs the system built by setup along every path the network can
// take within opts, by stateless re-execution: for each path it calls setup
// for a fresh network, then runs opts.Ticks ticks, calling check after every
// tick. At each point where the network would draw from its seed it instead
// takes a choice, and the exploration runs every combination of choices, in
// a fixed (depth-first) order:
//
//   - the order in which the messages due at a tick reach each node (orders
//     that differ only in interleaving deliveries to different nodes are
//     equivalent and run once);
//   - the delay of every message, in [MinDelay, MaxDelay] of setup's Config;
//   - losing or duplicating a message, up to opts.MaxDrops and
//     opts.MaxDuplicates times per path;
//   - crashing a node of opts.Crashable, up to opts.MaxCrashes per path.
//
// setup must build a new network every time, add its nodes and may inject
// messages, partition or crash; it must not call Tick. check may inspect the
// network and act on it (Send, Restart, Partition, Heal) as long as what it
// does depends only on what the network shows. Nodes must be deterministic.
//
// Explore returns the first failing path as an *ExploreError, an error
// wrapping ErrPathCap when opts.MaxPaths stopped it before every path was
// run (unless opts.Sample is set), or nil when check passed on every path.
// Panics in nodes or check are not recovered.
func Explore[M any](opts ExploreOptions, setup func() *Network[M], check func(n *Network[M]) error) error {
	_, err := ExploreWithReport(opts, setup, check)
	return err
}

// ExploreWithReport is Explore, also reporting how many paths it ran and
// whether the exploration was complete.
func ExploreWithReport[M any](opts ExploreOptions, setup func() *Network[M], check func(n *Network[M]) error) (ExploreReport, error) {
	if opts.Ticks <= 0 {
		panic("simnet: ExploreOptions.Ticks must be positive")
	}
	maxPaths := opts.MaxPaths
	if maxPaths <= 0 {
		maxPaths = DefaultMaxPaths
	}
	var rep ExploreReport
	var prefix []int
	for {
		x := newExploration(&opts, prefix)
		n, err := runPath(x, setup, check)
		rep.Paths++
		rep.LongestPath = max(rep.LongestPath, len(x.taken))
		if err != nil {
			ev := opts.DiagramEvents
			if ev == 0 {
				ev = 60
			}
			return rep, &ExploreError{Err: err, Path: rep.Paths, Choices: x.taken,
				Tick: n.Now(), Diagram: n.Diagram(ev)}
		}
		// Depth-first: advance the last choice that has options left.
		i := len(x.taken) - 1
		for i >= 0 && x.taken[i]+1 >= x.widths[i] {
			i--
		}
		if i < 0 {
			rep.Complete = true
			return rep, nil
		}
		if rep.Paths >= maxPaths {
			if opts.Sample {
				return rep, nil
			}
			return rep, fmt.Errorf("%w: %d paths run, the longest with %d choices; raise MaxPaths, lower Ticks or MaxDepth, or set Sample to accept a partial exploration",
				ErrPathCap, rep.Paths, rep.LongestPath)
		}
		prefix = append(x.taken[:i:i], x.taken[i]+1)
	}
}

// Replay runs the one path of an exploration given by choices (as reported
// in ExploreError.Choices; choices beyond the list take their first option)
// and returns the network at the end of it with what check returned.
func Replay[M any](opts ExploreOptions, choices []int, setup func() *Network[M], check func(n *Network[M]) error) (*Network[M], error) {
	x := newExploration(&opts, choices)
	return runPath(x, setup, check)
}

func runPath[M any](x *exploration, setup func() *Network[M], check func(n *Network[M]) error) (*Network[M], error) {
	n := setup()
	if n.now != 0 {
		panic("simnet: an exploration's setup must not run ticks")
	}
	n.ex = x
	for n.now < x.opts.Ticks {
		n.Tick()
		if err := check(n); err != nil {
			if errors.Is(err, StopPath) {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

// exploration replaces the network's random source with a sequence of
// choices: a prefix to replay, then first options, recording each choice and
// how many options it had.
type exploration struct {
	opts      *ExploreOptions
	prefix    []int
	taken     []int
	widths    []int
	crashable map[NodeID]bool
	crashes   int
	drops     int
	dups      int
}

func newExploration(opts *ExploreOptions, prefix []int) *exploration {
	x := &exploration{opts: opts, prefix: prefix, crashable: map[NodeID]bool{}}
	for _, id := range opts.Crashable {
		x.crashable[id] = true
	}
	return x
}

// choose returns a choice among w options.
func (x *exploration) choose(w int) int {
	if w <= 1 || (x.opts.MaxDepth > 0 && len(x.taken) >= x.opts.MaxDepth) {
		return 0
	}
	v := 0
	if p := len(x.taken); p < len(x.prefix) {
		v = min(max(x.prefix[p], 0), w-1)
	}
	x.taken = append(x.taken, v)
	x.widths = append(x.widths, w)
	return v
}

func (x *exploration) lose() bool {
	if x.drops >= x.opts.MaxDrops || x.choose(2) == 0 {
		return false
	}
	x.drops++
	return true
}

func (x *exploration) duplicate() bool {
	if x.dups >= x.opts.MaxDuplicates || x.choose(2) == 0 {
		return false
	}
	x.dups++
	return true
}

// exploreDue chooses, for every copy that could also arrive later, whether
// it arrives at this tick; the others move to the next tick. It returns the
// copies arriving now.
func (n *Network[M]) exploreDue(due []flight[M]) []flight[M] {
	sortFlights(due)
	now := due[:0]
	for _, f := range due {
		if f.latest > n.now && n.ex.choose(2) == 1 {
			f.due = n.now + 1
			n.enqueue(f)
			continue
		}
		now = append(now, f)
	}
	return now
}

// sortFlights puts copies in a canonical order: by receiver, then by when
// they were sent, the original before its duplicate.
func sortFlights[M any](fs []flight[M]) {
	if len(fs) < 2 {
		return
	}
	slices.SortStableFunc(fs, func(a, b flight[M]) int {
		switch {
		case a.msg.To != b.msg.To:
			return cmp.Compare(a.msg.To, b.msg.To)
		case a.seq != b.seq:
			return cmp.Compare(a.seq, b.seq)
		case a.dup == b.dup:
			return 0
		case b.dup:
			return -1
		}
		return 1
	})
}

// exploreOrder puts the messages due at a tick in the chosen order: grouped
// by receiver (deliveries to different nodes commute), and within each
// receiver in one of all possible orders.
func (n *Network[M]) exploreOrder(due []flight[M]) []flight[M] {
	sortFlights(due)
	for lo := 0; lo < len(due); {
		hi := lo + 1
		for hi < len(due) && due[hi].msg.To == due[lo].msg.To {
			hi++
		}
		// Every distinct order of due[lo:hi], each once: position i takes
		// one of the remaining messages, where copies of one message (a
		// duplicate) count as one option.
		for i := lo; i < hi-1; i++ {
			var opts []int
			for j := i; j < hi; j++ {
				if !slices.ContainsFunc(due[i:j], func(f flight[M]) bool { return f.seq == due[j].seq }) {
					opts = append(opts, j)
				}
			}
			j := opts[n.ex.choose(len(opts))]
			due[i], due[j] = due[j], due[i]
		}
		lo = hi
	}
	return due
}

// exploreCrash offers to crash node id at this point.
func (n *Network[M]) exploreCrash(id NodeID) {
	x := n.ex
	if !x.crashable[id] || x.crashes >= x.opts.MaxCrashes || !n.Alive(id) {
		return
	}
	if x.choose(2) == 1 {
		x.crashes++
		n.Crash(id)
	}
}
