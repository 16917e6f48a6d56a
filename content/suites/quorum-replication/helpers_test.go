//go:build dslearnsuite

package quorum_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// Message is one message of this exercise.
type Message = simnet.Message[quorum.Msg]

// coordID is the coordinator's node ID; replicas are 1..N.
const coordID simnet.NodeID = 0

// defaultRuns is how many seeds a randomized property tries by default.
const defaultRuns = 30

// diagramEvents bounds the diagrams shown in failure messages.
const diagramEvents = 50

func replicaIDs(n int) []simnet.NodeID {
	ids := make([]simnet.NodeID, n)
	for i := range ids {
		ids[i] = simnet.NodeID(i + 1)
	}
	return ids
}

// cluster is a coordinator and N replicas on one simulated network.
type cluster struct {
	net  *simnet.Network[quorum.Msg]
	co   *quorum.Coordinator
	reps map[simnet.NodeID]*quorum.Replica
	ids  []simnet.NodeID
	cfg  quorum.Config
}

func newCluster(nc simnet.Config, n, r, w, timeout int) *cluster {
	ids := replicaIDs(n)
	cfg := quorum.Config{Replicas: ids, R: r, W: w, Timeout: timeout}
	cl := &cluster{
		net:  simnet.New[quorum.Msg](nc),
		reps: map[simnet.NodeID]*quorum.Replica{},
		ids:  ids,
		cfg:  cfg,
	}
	cfg.Replicas = slices.Clone(ids)
	cl.co = quorum.NewCoordinator(coordID, cfg)
	cl.net.Add(coordID, cl.co)
	for _, id := range ids {
		rep := quorum.NewReplica()
		cl.reps[id] = rep
		cl.net.Add(id, rep)
	}
	return cl
}

// desc names the configuration, e.g. "N=3 R=2 W=2".
func (cl *cluster) desc() string {
	return fmt.Sprintf("N=%d R=%d W=%d", len(cl.ids), cl.cfg.R, cl.cfg.W)
}

// put starts a Put, checks the requests it returns, and injects them.
func (cl *cluster) put(key, value string, version int) (quorum.OpID, error) {
	op, msgs := cl.co.Put(key, value, version)
	want := quorum.Msg{Kind: quorum.PutReq, Op: op, Key: key, Version: version, Value: value}
	if err := checkRequests(fmt.Sprintf("Put(%q, %q, %d)", key, value, version), cl.ids, msgs, want); err != nil {
		return op, err
	}
	cl.net.Send(msgs...)
	return op, nil
}

// get starts a Get, checks the requests it returns, and injects them.
func (cl *cluster) get(key string) (quorum.OpID, error) {
	op, msgs := cl.co.Get(key)
	want := quorum.Msg{Kind: quorum.GetReq, Op: op, Key: key}
	if err := checkRequests(fmt.Sprintf("Get(%q)", key), cl.ids, msgs, want); err != nil {
		return op, err
	}
	cl.net.Send(msgs...)
	return op, nil
}

// checkRequests checks that call returned exactly one copy of want to each
// replica, in the order of Config.Replicas, From the coordinator.
func checkRequests(call string, ids []simnet.NodeID, got []Message, want quorum.Msg) error {
	exp := make([]Message, len(ids))
	for i, id := range ids {
		exp[i] = Message{From: coordID, To: id, Body: want}
	}
	if !slices.Equal(got, exp) {
		return check.Mismatch(fmt.Sprintf(
			"%s on coordinator %d with replicas %v must return one %v to each replica, in the order of Config.Replicas, From the coordinator",
			call, coordID, ids, want.Kind), msgList(exp), msgList(got))
	}
	return nil
}

// await runs the network until op is no longer Pending (or max ticks pass)
// and returns its result.
func (cl *cluster) await(op quorum.OpID, max int) quorum.Result {
	cl.net.RunUntil(func() bool { return cl.co.Result(op).Status != quorum.Pending }, max)
	return cl.co.Result(op)
}

// settle runs the network until no message is in flight (at most max ticks).
func (cl *cluster) settle(max int) {
	cl.net.RunUntil(func() bool { return len(cl.net.InFlight()) == 0 }, max)
}

// only lets the coordinator exchange messages with the given replicas only.
func (cl *cluster) only(ids []simnet.NodeID) {
	cl.net.Partition(append([]simnet.NodeID{coordID}, ids...))
}

// diagram is the run so far, for failure messages.
func (cl *cluster) diagram() string {
	return "messages (coordinator is node 0, replicas are 1.." + fmt.Sprint(len(cl.ids)) + "):\n" + cl.net.Diagram(diagramEvents)
}

// holds describes what replica id holds for key.
func (cl *cluster) holds(id simnet.NodeID, key string) string {
	e, ok := cl.reps[id].Lookup(key)
	return entryString(e, ok)
}

func entryString(e quorum.Entry, ok bool) string {
	if !ok {
		return "nothing"
	}
	return fmt.Sprintf("%s@%d", e.Value, e.Version)
}

// resultString renders a Get's result, e.g. "OK new@10" or "TimedOut".
func resultString(r quorum.Result) string {
	if r.Status != quorum.OK {
		return r.Status.String()
	}
	if !r.Found {
		return "OK, nothing found"
	}
	return fmt.Sprintf("OK %s@%d", r.Value, r.Version)
}

func msgString(m Message) string {
	return fmt.Sprintf("%d->%d %v", m.From, m.To, m.Body)
}

func msgList(ms []Message) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = msgString(m)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// subsets returns every subset of ids with exactly k members, in
// lexicographic order.
func subsets(ids []simnet.NodeID, k int) [][]simnet.NodeID {
	var out [][]simnet.NodeID
	var rec func(start int, cur []simnet.NodeID)
	rec = func(start int, cur []simnet.NodeID) {
		if len(cur) == k {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := start; i < len(ids); i++ {
			rec(i+1, append(cur, ids[i]))
		}
	}
	rec(0, nil)
	return out
}

// without returns the members of ids not in drop.
func without(ids, drop []simnet.NodeID) []simnet.NodeID {
	var out []simnet.NodeID
	for _, id := range ids {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// ack, reply: messages from a replica to the coordinator.
func ack(from simnet.NodeID, op quorum.OpID, key string, version int) Message {
	return Message{From: from, To: coordID, Body: quorum.Msg{Kind: quorum.PutAck, Op: op, Key: key, Version: version}}
}

func reply(from simnet.NodeID, op quorum.OpID, key string, found bool, version int, value string) Message {
	return Message{From: from, To: coordID, Body: quorum.Msg{Kind: quorum.GetReply, Op: op, Key: key, Found: found, Version: version, Value: value}}
}
