package quorum

import (
	"slices"

	"github.com/dslearn/dslearn/simnet"
)

// Coordinator runs the client's Put and Get operations against the N
// replicas of its Config.
type Coordinator struct {
	id      simnet.NodeID
	cfg     Config
	replica map[simnet.NodeID]bool // membership test for senders
	last    OpID                   // the last OpID handed out
	ops     map[OpID]*operation    // every operation, for Result
	pending map[OpID]*operation    // the operations still Pending, for Tick
}

// operation is the coordinator's record of one Put or Get.
type operation struct {
	kind   Kind // PutReq or GetReq: what the operation sent
	age    int  // Ticks since it started
	result Result
	// Answers counted so far, keyed by replica: a map, so that a duplicated
	// or repeated answer from one replica is counted once.
	acks    map[simnet.NodeID]bool
	replies map[simnet.NodeID]Msg
}

// NewCoordinator returns the coordinator with node ID id. It keeps its own
// copy of cfg.Replicas.
func NewCoordinator(id simnet.NodeID, cfg Config) *Coordinator {
	cfg.Replicas = slices.Clone(cfg.Replicas)
	c := &Coordinator{
		id:      id,
		cfg:     cfg,
		replica: make(map[simnet.NodeID]bool, len(cfg.Replicas)),
		ops:     make(map[OpID]*operation),
		pending: make(map[OpID]*operation),
	}
	for _, r := range cfg.Replicas {
		c.replica[r] = true
	}
	return c
}

// Put starts writing key=value at version (>= 1). It returns the new
// operation's ID and exactly N messages to send, one PutReq to each replica
// in the order of Config.Replicas, each From the coordinator's ID. The
// operation is Pending until W distinct replicas have acknowledged it (it
// is then OK) or Timeout ticks have passed (it is then TimedOut). A Put
// never sends anything else: no retries.
func (c *Coordinator) Put(key, value string, version int) (OpID, []simnet.Message[Msg]) {
	id := c.start(PutReq)
	return id, c.broadcast(Msg{Kind: PutReq, Op: id, Key: key, Version: version, Value: value})
}

// Get starts reading key. It returns the new operation's ID and exactly N
// messages to send, one GetReq to each replica in the order of
// Config.Replicas, each From the coordinator's ID. The operation is Pending
// until R distinct replicas have replied (it is then OK) or Timeout ticks
// have passed (it is then TimedOut).
func (c *Coordinator) Get(key string) (OpID, []simnet.Message[Msg]) {
	id := c.start(GetReq)
	return id, c.broadcast(Msg{Kind: GetReq, Op: id, Key: key})
}

func (c *Coordinator) start(kind Kind) OpID {
	c.last++
	op := &operation{
		kind:    kind,
		acks:    make(map[simnet.NodeID]bool),
		replies: make(map[simnet.NodeID]Msg),
	}
	c.ops[c.last] = op
	c.pending[c.last] = op
	return c.last
}

// broadcast addresses one copy of body to every replica. The request goes
// to all N, not just to W or R of them: whichever answer first form the
// quorum, so one slow or dead replica does not stall the operation.
func (c *Coordinator) broadcast(body Msg) []simnet.Message[Msg] {
	out := make([]simnet.Message[Msg], 0, len(c.cfg.Replicas))
	for _, r := range c.cfg.Replicas {
		out = append(out, simnet.Message[Msg]{From: c.id, To: r, Body: body})
	}
	return out
}

// Receive handles one message from a replica and returns the messages to
// send, each From the coordinator's ID.
//
//   - A PutAck counts for the Put named by its Op if that Put is Pending and
//     this replica has not been counted for it yet; the W-th distinct
//     replica makes the Put OK.
//   - A GetReply counts the same way for a Pending Get; the R-th distinct
//     replica makes the Get OK. Its Result is then the reply with the
//     highest version among the R counted replies, and Receive returns one
//     Repair, with that key, version and value, to each counted replica
//     whose reply was older (a smaller version, or nothing found). If no
//     counted reply found the key, there is nothing to repair.
//   - Everything else is ignored and returns nothing: messages from nodes
//     that are not replicas, for unknown operations, of the wrong kind for
//     the operation, repeated replies from an already counted replica, and
//     replies that arrive after the operation finished (OK or TimedOut).
//     A finished operation never changes its Result.
func (c *Coordinator) Receive(m simnet.Message[Msg]) []simnet.Message[Msg] {
	op, ok := c.ops[m.Body.Op]
	// A late answer must not revive a finished operation: the client has
	// already been told its outcome.
	if !ok || !c.replica[m.From] || op.result.Status != Pending {
		return nil
	}
	switch {
	case m.Body.Kind == PutAck && op.kind == PutReq:
		op.acks[m.From] = true
		if len(op.acks) >= c.cfg.W {
			op.result.Status = OK
			delete(c.pending, m.Body.Op)
		}
	case m.Body.Kind == GetReply && op.kind == GetReq:
		if _, counted := op.replies[m.From]; counted {
			// A repeated answer (a duplicated GetReq is answered twice,
			// perhaps differently): the first one counted stands.
			return nil
		}
		op.replies[m.From] = m.Body
		if len(op.replies) >= c.cfg.R {
			delete(c.pending, m.Body.Op)
			return c.finishGet(op)
		}
	}
	return nil
}

// finishGet completes a Get that has R replies: the highest version wins,
// and every replier that returned something older is repaired.
func (c *Coordinator) finishGet(op *operation) []simnet.Message[Msg] {
	var best Msg // Found false, Version 0: loses to any stored version
	for _, r := range op.replies {
		if r.Found && (!best.Found || newer(r.Version, best.Version)) {
			best = r
		}
	}
	op.result = Result{Status: OK, Found: best.Found, Version: best.Version, Value: best.Value}
	if !best.Found {
		return nil
	}
	var repairs []simnet.Message[Msg]
	// Walk Config.Replicas rather than the map so the output order is
	// deterministic.
	for _, id := range c.cfg.Replicas {
		r, counted := op.replies[id]
		if !counted || (r.Found && !newer(best.Version, r.Version)) {
			continue
		}
		repairs = append(repairs, simnet.Message[Msg]{From: c.id, To: id, Body: Msg{
			Kind: Repair, Op: best.Op, Key: best.Key, Version: best.Version, Value: best.Value,
		}})
	}
	return repairs
}

// Tick is one unit of time. Every Pending operation ages by one tick; an
// operation still Pending on the Timeout-th Tick after the Put or Get call
// that started it becomes TimedOut during that Tick. Tick sends nothing.
func (c *Coordinator) Tick() []simnet.Message[Msg] {
	for id, op := range c.pending {
		op.age++
		if op.age >= c.cfg.Timeout {
			// Not "failed": some replicas may have applied the write, and
			// nothing is undone. The client must treat it as unknown.
			op.result.Status = TimedOut
			delete(c.pending, id)
		}
	}
	// No retries: a resend to every silent replica on every tick is how a
	// slow replica turns into a message storm.
	return nil
}

// Result reports what is known about op: its Status and, for a completed
// Get, the value read. An op this coordinator never started yields the zero
// Result.
func (c *Coordinator) Result(op OpID) Result {
	if o, ok := c.ops[op]; ok {
		return o.result
	}
	return Result{}
}
