//go:build dslearnsuite

package raft_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// Message is one message of this exercise.
type Message = simnet.Message[raft.KVMsg]

// defaultRuns is how many seeds a randomized property tries by default.
const defaultRuns = 20

// diagramEvents bounds the diagrams shown in failure messages.
const diagramEvents = 40

// Timing of every cluster: the lesson's DefaultConfig.
const (
	electionMin = 10
	electionMax = 20
	heartbeat   = 3
)

// clientBase is the first client's node ID; servers are 1..n.
const clientBase simnet.NodeID = 101

func serverIDs(n int) []simnet.NodeID {
	ids := make([]simnet.NodeID, n)
	for i := range ids {
		ids[i] = simnet.NodeID(i + 1)
	}
	return ids
}

// cluster is n key-value servers on one simulated network, with their
// storages, and what every server applied across all of its lives.
type cluster struct {
	net     *simnet.Network[raft.KVMsg]
	ids     []simnet.NodeID
	seed    uint64
	stores  map[simnet.NodeID]*simnet.Storage
	servers map[simnet.NodeID]*raft.Server
	// applied[i] is the entry applied at index i+1 by the first server to
	// apply it; every server must apply the same one.
	applied []raft.Entry
	// applyTick[id][i] is the tick server id (its current life) applied
	// index i+1.
	applyTick map[simnet.NodeID][]int
	// onApply, when set, runs in the caller's Apply of every server, after
	// the checks.
	onApply func(id simnet.NodeID, index int, e raft.Entry)
	err     error // the first broken rule seen by the watchers
}

func newCluster(nc simnet.Config, n int, seed uint64) *cluster {
	cl := &cluster{
		net:       simnet.New[raft.KVMsg](nc),
		ids:       serverIDs(n),
		seed:      seed,
		stores:    map[simnet.NodeID]*simnet.Storage{},
		servers:   map[simnet.NodeID]*raft.Server{},
		applyTick: map[simnet.NodeID][]int{},
	}
	cl.net.CopyBodies(cloneKV, sameKV)
	for _, id := range cl.ids {
		cl.stores[id] = simnet.NewStorage()
		cl.net.Add(id, &watcher{cl: cl, id: id, s: cl.newServer(id)})
	}
	return cl
}

// newServer builds server id from its storage, as NewServer does after a
// crash.
func (cl *cluster) newServer(id simnet.NodeID) *raft.Server {
	cl.applyTick[id] = nil
	var s *raft.Server
	cfg := raft.Config{
		ElectionTimeoutMin: electionMin, ElectionTimeoutMax: electionMax, HeartbeatInterval: heartbeat,
		Seed: cl.seed, Storage: cl.stores[id],
	}
	cfg.Apply = func(index int, e raft.Entry) { cl.sawApply(id, s, index, e) }
	s = raft.NewServer(id, slices.Clone(cl.ids), cfg)
	cl.servers[id] = s
	return s
}

// restart crashes server id (if alive) and starts it again from the same
// storage.
func (cl *cluster) restart(id simnet.NodeID) {
	cl.net.Restart(id, &watcher{cl: cl, id: id, s: cl.newServer(id)})
}

// restartEmpty replaces server id by a brand-new one with a new, empty
// storage.
func (cl *cluster) restartEmpty(id simnet.NodeID) {
	cl.stores[id] = simnet.NewStorage()
	cl.restart(id)
}

func (cl *cluster) fail(err error) {
	if cl.err == nil {
		cl.err = err
	}
}

// sawApply checks one call of the caller's Apply (rule L9 and state-machine
// safety): indexes in order from 1 in each life of a server, the entry is the
// one in the node's log, and every server applies the same entry at an index.
func (cl *cluster) sawApply(id simnet.NodeID, s *raft.Server, index int, e raft.Entry) {
	ticks := cl.applyTick[id]
	if index != len(ticks)+1 {
		cl.fail(check.Mismatch(fmt.Sprintf("server %d called the Apply given in its Config for index %d; since it started, it had applied indexes 1..%d, so the next must be", id, index, len(ticks)), len(ticks)+1, index))
		return
	}
	cl.applyTick[id] = append(ticks, cl.net.Now())
	if s != nil {
		if log := s.Raft().Log(); index > len(log) || log[index-1] != e {
			cl.fail(fmt.Errorf("server %d applied %s at index %d, which is not the entry at that index of its own log (Raft().Log())", id, entryString(e), index))
			return
		}
	}
	if index <= len(cl.applied) {
		if cl.applied[index-1] != e {
			cl.fail(fmt.Errorf("two servers applied different entries at index %d: %s and, on server %d, %s (state-machine safety: every server applies the same command at each index)",
				index, entryString(cl.applied[index-1]), id, entryString(e)))
			return
		}
	} else {
		cl.applied = append(cl.applied, e)
	}
	if cl.onApply != nil {
		cl.onApply(id, index, e)
	}
}

func entryString(e raft.Entry) string { return fmt.Sprintf("{Term %d, Command %q}", e.Term, e.Command) }

func (cl *cluster) isServer(id simnet.NodeID) bool { return slices.Contains(cl.ids, id) }

// stableLeader returns the one server that is Leader in the highest term
// any live server has, and that every live server connected to it knows as
// leader.
func (cl *cluster) stableLeader() (simnet.NodeID, bool) { return cl.stableLeaderWithout(0) }

// stableLeaderWithout is stableLeader, ignoring server skip.
func (cl *cluster) stableLeaderWithout(skip simnet.NodeID) (simnet.NodeID, bool) {
	var lead simnet.NodeID
	best := -1
	for _, id := range cl.ids {
		if !cl.net.Alive(id) || id == skip {
			continue
		}
		term, role := cl.servers[id].Raft().State()
		if role == raft.Leader && term > best {
			lead, best = id, term
		}
	}
	if lead == 0 {
		return 0, false
	}
	for _, id := range cl.ids {
		if id == lead || id == skip || !cl.net.Alive(id) || !cl.net.Connected(lead, id) || !cl.net.Connected(id, lead) {
			continue
		}
		if l, ok := cl.servers[id].Raft().Leader(); !ok || l != lead {
			return 0, false
		}
		if term, _ := cl.servers[id].Raft().State(); term != best {
			return 0, false
		}
	}
	return lead, true
}

// awaitLeader runs until a stable leader exists (at most max ticks).
func (cl *cluster) awaitLeader(max int) (simnet.NodeID, error) { return cl.awaitLeaderWithout(0, max) }

// awaitLeaderWithout runs until a stable leader other than skip exists,
// ignoring skip (at most max ticks).
func (cl *cluster) awaitLeaderWithout(skip simnet.NodeID, max int) (simnet.NodeID, error) {
	var lead simnet.NodeID
	ok := cl.net.RunUntil(func() bool {
		var ok bool
		lead, ok = cl.stableLeaderWithout(skip)
		return ok || cl.err != nil
	}, max)
	if cl.err != nil {
		return 0, cl.err
	}
	if !ok {
		return 0, fmt.Errorf("no leader that every connected server knows after %d ticks (timeouts %d..%d, heartbeat %d)\n%s", max, electionMin, electionMax, heartbeat, cl.diagram())
	}
	return lead, nil
}

// settle runs until there is a stable leader and every live server has
// committed and applied what the leader has committed (at most max ticks).
// Entries of earlier terms at the end of the log may stay uncommitted: the
// leader commits them only with an entry of its own term (rule L7).
func (cl *cluster) settle(max int) bool {
	return cl.net.RunUntil(func() bool {
		lead, ok := cl.stableLeader()
		if !ok {
			return false
		}
		c := cl.servers[lead].Raft().CommitIndex()
		for _, id := range cl.ids {
			if cl.net.Alive(id) && (cl.servers[id].Raft().CommitIndex() != c || len(cl.applyTick[id]) != c) {
				return false
			}
		}
		return true
	}, max)
}

// diagram lists the end of the run so far, without Raft's own messages,
// for failure messages: the deliveries and losses of requests and replies,
// crashes, restarts, partitions and heals.
func (cl *cluster) diagram() string {
	var lines []string
	for _, e := range cl.net.Trace() {
		var line string
		switch e.Kind {
		case simnet.EventDeliver, simnet.EventDrop:
			m, ok := e.Msg.(Message)
			if !ok || m.Body.Raft != nil {
				continue
			}
			line = fmt.Sprintf("t=%d %s (sent at %d)", e.Tick, msgString(m), e.SentAt)
			if e.Kind == simnet.EventDrop {
				line += " lost: " + e.Reason
			}
		case simnet.EventSend, simnet.EventDuplicate:
			continue
		default:
			line = e.String()
		}
		lines = append(lines, line)
	}
	head := "the run's client messages (servers are 1.." + fmt.Sprint(len(cl.ids)) + ", clients from " + fmt.Sprint(clientBase) + "; Raft messages left out)"
	if len(lines) > diagramEvents {
		head += fmt.Sprintf(", the last %d of %d events", diagramEvents, len(lines))
		lines = lines[len(lines)-diagramEvents:]
	}
	return head + ":\n" + strings.Join(lines, "\n")
}

// watcher wraps a server on the network and checks what it sends (rule K1
// and K2's shape): Raft messages go to peers only, wrapped in KVMsg.Raft;
// replies go to clients only; exactly one field of every KVMsg is set.
type watcher struct {
	cl *cluster
	id simnet.NodeID
	s  *raft.Server
}

func (w *watcher) Receive(m Message) []Message {
	out := w.s.Receive(m)
	w.look(out, func() string { return "Receive of " + msgString(m) })
	return out
}

func (w *watcher) Tick() []Message {
	out := w.s.Tick()
	w.look(out, func() string { return "Tick" })
	return out
}

func (w *watcher) look(out []Message, callString func() string) {
	for _, m := range out {
		if m.Body.Raft != nil && m.Body.Request == nil && m.Body.Reply == nil && w.cl.isServer(m.To) && m.To != w.id {
			continue // the common case, cheaply
		}
		call := callString()
		b := m.Body
		set := 0
		for _, p := range []bool{b.Raft != nil, b.Request != nil, b.Reply != nil} {
			if p {
				set++
			}
		}
		switch {
		case set != 1:
			w.cl.fail(fmt.Errorf("server %d, %s, returned %s: exactly one field of a KVMsg is set", w.id, call, msgString(m)))
		case b.Request != nil:
			w.cl.fail(fmt.Errorf("server %d, %s, returned a Request (%s): servers send Raft messages and Replies only", w.id, call, msgString(m)))
		case b.Raft != nil && (!w.cl.isServer(m.To) || m.To == w.id):
			w.cl.fail(fmt.Errorf("server %d, %s, sent a Raft message to %d, which is not another server: %s", w.id, call, m.To, msgString(m)))
		case b.Reply != nil && w.cl.isServer(m.To):
			w.cl.fail(fmt.Errorf("server %d, %s, sent a Reply to server %d; replies go to the client that sent the request: %s", w.id, call, m.To, msgString(m)))
		case b.Reply != nil && b.Reply.Err == raft.ErrWrongLeader && b.Reply.Leader != 0 && !w.cl.isServer(b.Reply.Leader):
			w.cl.fail(fmt.Errorf("server %d, %s, replied ErrWrongLeader with Leader %d, which is not a server (the leader it knows, or 0): %s", w.id, call, b.Reply.Leader, msgString(m)))
		}
	}
}

func msgString(m Message) string {
	return fmt.Sprintf("%d->%d %s", m.From, m.To, bodyString(m.Body))
}

func bodyString(b raft.KVMsg) string {
	var parts []string
	if b.Raft != nil {
		parts = append(parts, fmt.Sprintf("Raft %v", *b.Raft))
	}
	if b.Request != nil {
		parts = append(parts, requestString(*b.Request))
	}
	if b.Reply != nil {
		parts = append(parts, replyString(*b.Reply))
	}
	if len(parts) == 0 {
		return "KVMsg{} (no field set)"
	}
	return strings.Join(parts, " + ")
}

func opName(op raft.Op) string {
	switch op {
	case raft.Get:
		return "Get"
	case raft.Put:
		return "Put"
	case raft.Append:
		return "Append"
	}
	return fmt.Sprintf("Op(%d)", int(op))
}

func requestString(r raft.Request) string {
	if r.Op == raft.Get {
		return fmt.Sprintf("Request{ClientID %d, Seq %d, Get %q}", r.ClientID, r.Seq, r.Key)
	}
	return fmt.Sprintf("Request{ClientID %d, Seq %d, %s %q %q}", r.ClientID, r.Seq, opName(r.Op), r.Key, r.Value)
}

func replyString(r raft.Reply) string {
	return fmt.Sprintf("Reply{ClientID %d, Seq %d, %s, Value %q, Leader %d}", r.ClientID, r.Seq, r.Err, r.Value, r.Leader)
}

// cloneKV copies every pointer and slice of a body, as a real network does.
func cloneKV(b raft.KVMsg) raft.KVMsg {
	var c raft.KVMsg
	if b.Raft != nil {
		m := *b.Raft
		m.Entries = slices.Clone(m.Entries)
		c.Raft = &m
	}
	if b.Request != nil {
		r := *b.Request
		c.Request = &r
	}
	if b.Reply != nil {
		r := *b.Reply
		c.Reply = &r
	}
	return c
}

func sameKV(a, b raft.KVMsg) bool {
	if (a.Raft == nil) != (b.Raft == nil) || (a.Request == nil) != (b.Request == nil) || (a.Reply == nil) != (b.Reply == nil) {
		return false
	}
	if a.Raft != nil {
		x, y := a.Raft, b.Raft
		if x.Kind != y.Kind || x.Term != y.Term || x.LastLogIndex != y.LastLogIndex || x.LastLogTerm != y.LastLogTerm ||
			x.VoteGranted != y.VoteGranted || x.PrevLogIndex != y.PrevLogIndex || x.PrevLogTerm != y.PrevLogTerm ||
			x.LeaderCommit != y.LeaderCommit || x.Success != y.Success || x.Index != y.Index || !slices.Equal(x.Entries, y.Entries) {
			return false
		}
	}
	if a.Request != nil && *a.Request != *b.Request {
		return false
	}
	if a.Reply != nil && *a.Reply != *b.Reply {
		return false
	}
	return true
}

// bodyChanges reports a body a server changed after sending it.
func (cl *cluster) bodyChanges() error {
	if ch := cl.net.BodyChanges(); len(ch) > 0 {
		return fmt.Errorf("a message body changed after it was sent (the sender kept and modified what it handed to the network):\n%v", ch[0])
	}
	return nil
}

// subRand derives an independent generator from r.
func subRand(r *rand.Rand) *rand.Rand { return rand.New(rand.NewPCG(r.Uint64(), r.Uint64())) }
