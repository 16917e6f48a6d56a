//go:build dslearnsuite

package quorum_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// randomConfig draws N in [minN, maxN], R and W in [1, N], and distinct
// replica IDs in random order (not necessarily 1..N).
func randomConfig(r *rand.Rand, minN, maxN, timeout int) quorum.Config {
	n := minN + r.IntN(maxN-minN+1)
	var ids []simnet.NodeID
	for _, i := range r.Perm(20)[:n] {
		ids = append(ids, simnet.NodeID(i+1))
	}
	return quorum.Config{Replicas: ids, R: 1 + r.IntN(n), W: 1 + r.IntN(n), Timeout: timeout}
}

func cfgString(cfg quorum.Config) string {
	return fmt.Sprintf("N=%d R=%d W=%d Timeout=%d, replicas %v", len(cfg.Replicas), cfg.R, cfg.W, cfg.Timeout, cfg.Replicas)
}

func newCoordinator(cfg quorum.Config) *quorum.Coordinator {
	cfg.Replicas = slices.Clone(cfg.Replicas)
	return quorum.NewCoordinator(coordID, cfg)
}

// receive delivers m and reports an error if the coordinator answered with
// anything (only the reply completing a Get may produce messages).
func receiveNothing(c *quorum.Coordinator, m Message, what string) error {
	if out := c.Receive(m); len(out) > 0 {
		return check.Mismatch(fmt.Sprintf("%s: Receive(%s) must send nothing", what, msgString(m)), msgList(nil), msgList(out))
	}
	return nil
}

func TestPutAndGetSendOneRequestToEachReplica(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randomConfig(r, 1, 7, 5)
		c := newCoordinator(cfg)
		if got := c.Result(42); got != (quorum.Result{}) {
			return check.Mismatch(fmt.Sprintf("coordinator with %s: Result of an operation never started", cfgString(cfg)), quorum.Result{}, got)
		}
		for i := range 1 + r.IntN(6) {
			var op quorum.OpID
			var msgs []Message
			var want quorum.Msg
			var call string
			if r.IntN(2) == 0 {
				v := 1 + r.IntN(200)
				op, msgs = c.Put("k", "val", v)
				want = quorum.Msg{Kind: quorum.PutReq, Op: op, Key: "k", Version: v, Value: "val"}
				call = fmt.Sprintf("Put(\"k\", \"val\", %d)", v)
			} else {
				op, msgs = c.Get("k")
				want = quorum.Msg{Kind: quorum.GetReq, Op: op, Key: "k"}
				call = "Get(\"k\")"
			}
			where := fmt.Sprintf("coordinator with %s, operation number %d", cfgString(cfg), i+1)
			if op != quorum.OpID(i+1) {
				return check.Mismatch(fmt.Sprintf("%s: a coordinator numbers its operations 1, 2, 3, … in call order; the OpID returned by %s", where, call), i+1, op)
			}
			if err := checkRequests(call, cfg.Replicas, msgs, want); err != nil {
				return fmt.Errorf("%s:\n%w", where, err)
			}
			if st := c.Result(op).Status; st != quorum.Pending {
				return check.Mismatch(fmt.Sprintf("%s: right after %s, before any replica answered, Result(%d).Status", where, call, op), quorum.Pending, st)
			}
		}
		return nil
	})
}

// quorumSequence starts a Put (or a Get) and feeds it answers from distinct
// replicas in random order, checking after every answer that the operation
// is OK exactly once W (or R) distinct replicas have answered. With dups,
// answers of already counted replicas are repeated in between.
func quorumSequence(r *rand.Rand, isGet, dups bool) error {
	minN := 1
	if dups {
		minN = 2
	}
	cfg := randomConfig(r, minN, 7, 100)
	if dups && cfg.W == 1 {
		cfg.W = 2
	}
	if dups && cfg.R == 1 {
		cfg.R = 2
	}
	c := newCoordinator(cfg)
	need, what, name := cfg.W, "acknowledgements", "Put(\"k\", \"v\", 5)"
	rule := fmt.Sprintf("a Put is OK once W=%d distinct replicas acknowledged it, and Pending before", cfg.W)
	var op quorum.OpID
	if isGet {
		need, what, name = cfg.R, "replies", "Get(\"k\")"
		rule = fmt.Sprintf("a Get is OK once R=%d distinct replicas replied, and Pending before", cfg.R)
		op, _ = c.Get("k")
	} else {
		op, _ = c.Put("k", "v", 5)
	}
	if dups {
		rule += "; repeated answers from one replica count once"
	}
	answer := func(id simnet.NodeID) Message {
		if isGet {
			if r.IntN(3) == 0 {
				return reply(id, op, "k", false, 0, "")
			}
			return reply(id, op, "k", true, 5, "v")
		}
		return ack(id, op, "k", 5)
	}
	order := slices.Clone(cfg.Replicas)
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var fed []Message
	counted := 0
	feed := func(m Message) error {
		fed = append(fed, m)
		c.Receive(m)
		want := quorum.Pending
		if counted >= need {
			want = quorum.OK
		}
		if got := c.Result(op).Status; got != want {
			return check.Mismatch(fmt.Sprintf("coordinator with %s: %s\n%s, then the %s %s (distinct replicas: %d)\nResult(%d).Status",
				cfgString(cfg), rule, name, what, msgList(fed), counted, op), want, got)
		}
		return nil
	}
	for _, id := range order {
		if counted >= need {
			break
		}
		if dups && counted > 0 {
			// Repeat answers of already counted replicas: networks duplicate.
			for range 1 + r.IntN(need) {
				if err := feed(answer(order[r.IntN(counted)])); err != nil {
					return err
				}
			}
		}
		counted++
		if err := feed(answer(id)); err != nil {
			return err
		}
	}
	return nil
}

func TestPutIsOKExactlyWhenWDistinctReplicasAcknowledged(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error { return quorumSequence(r, false, false) })
}

func TestGetIsOKExactlyWhenRDistinctReplicasReplied(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error { return quorumSequence(r, true, false) })
}

func TestDuplicateAnswersFromOneReplicaCountOnce(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		if err := quorumSequence(r, false, true); err != nil {
			return err
		}
		return quorumSequence(r, true, true)
	})
}

func TestAnswersThatAreNotForAPendingOperationAreIgnored(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randomConfig(r, 1, 5, 100)
		c := newCoordinator(cfg)
		put, _ := c.Put("k", "v", 3)
		get, _ := c.Get("k")
		other, _ := c.Put("j", "w", 4)
		stranger := simnet.NodeID(50) // not a replica
		var noise []Message
		for _, id := range cfg.Replicas {
			noise = append(noise,
				ack(id, get, "k", 3),              // an ack for a Get
				reply(id, put, "k", true, 3, "v"), // a reply for a Put
				ack(id, 99, "k", 3),               // an unknown operation
				reply(id, 98, "k", true, 3, "v"),  // an unknown operation
				ack(id, other, "j", 4),            // another Put's ack...
				ack(stranger, put, "k", 3),        // not from a replica
				reply(stranger, get, "k", true, 3, "v"),
			)
		}
		r.Shuffle(len(noise), func(i, j int) { noise[i], noise[j] = noise[j], noise[i] })
		for i, m := range noise {
			out := c.Receive(m)
			// ...which may complete that other Put; nothing else may change.
			for _, op := range []quorum.OpID{put, get} {
				if st := c.Result(op).Status; st != quorum.Pending {
					return check.Mismatch(fmt.Sprintf(
						"coordinator with %s: Put is op %d, Get is op %d, another Put is op %d; answers of the wrong kind, for other or unknown operations, or from nodes that are not replicas (node %d) must be ignored\nafter receiving %s, Result(%d).Status",
						cfgString(cfg), put, get, other, stranger, msgList(noise[:i+1]), op), quorum.Pending, st)
				}
			}
			if len(out) > 0 {
				return check.Mismatch(fmt.Sprintf("coordinator with %s: an answer that does not count must send nothing; Receive(%s) returned", cfgString(cfg), msgString(m)), msgList(nil), msgList(out))
			}
		}
		return nil
	})
}

// getCase is a Get whose counted replies are given.
type getCase struct {
	cfg     quorum.Config
	replies []Message // from distinct replicas, in delivery order; len == R
}

// randomGet draws a Get and the R replies that complete it, with versions
// from 1..150 (so that one-, two- and three-digit versions meet) and some
// replicas holding nothing.
func randomGet(r *rand.Rand, maxN int) getCase {
	cfg := randomConfig(r, 1, maxN, 100)
	order := slices.Clone(cfg.Replicas)
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	versions := r.Perm(150)
	var replies []Message
	for i, id := range order[:cfg.R] {
		if r.IntN(4) == 0 {
			replies = append(replies, reply(id, 1, "k", false, 0, ""))
			continue
		}
		v := versions[i] + 1
		if i > 0 && r.IntN(4) == 0 { // two replicas holding the same write
			if prev := replies[r.IntN(i)].Body; prev.Found {
				v = prev.Version
			}
		}
		replies = append(replies, reply(id, 1, "k", true, v, fmt.Sprintf("val%d", v)))
	}
	return getCase{cfg: cfg, replies: replies}
}

// best is the reply with the highest version (Found false if none found).
func (g getCase) best() quorum.Msg {
	var b quorum.Msg
	for _, m := range g.replies {
		if m.Body.Found && (!b.Found || m.Body.Version > b.Version) {
			b = m.Body
		}
	}
	return b
}

func (g getCase) describe() string {
	return fmt.Sprintf("coordinator with %s: Get(\"k\") is op 1; it received the replies %s", cfgString(g.cfg), msgList(g.replies))
}

// run feeds the replies and returns what the last Receive returned; it
// checks that earlier ones returned nothing.
func (g getCase) run(c *quorum.Coordinator) ([]Message, error) {
	c.Get("k")
	var out []Message
	for i, m := range g.replies {
		out = c.Receive(m)
		if i == len(g.replies)-1 {
			break
		}
		if st := c.Result(1).Status; st != quorum.Pending {
			return nil, check.Mismatch(fmt.Sprintf("%s\na Get completes once R=%d distinct replicas replied; after %d of them, Result(1).Status", g.describe(), g.cfg.R, i+1), quorum.Pending, st)
		}
		if len(out) > 0 {
			return nil, check.Mismatch(fmt.Sprintf("%s\nbefore R replies arrived, Receive(%s) must send nothing", g.describe(), msgString(m)), msgList(nil), msgList(out))
		}
	}
	return out, nil
}

func TestGetReturnsTheHighestVersionAmongTheRReplies(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Small cases first, so that a failure shows a short example.
		for _, maxN := range []int{2, 3, 5, 7} {
			for range 3 {
				g := randomGet(r, maxN)
				c := newCoordinator(g.cfg)
				if _, err := g.run(c); err != nil {
					return err
				}
				b := g.best()
				want := quorum.Result{Status: quorum.OK, Found: b.Found, Version: b.Version, Value: b.Value}
				if got := c.Result(1); got != want {
					return check.Mismatch(g.describe()+"\nthe result is the counted reply with the highest version (versions compare as numbers; a reply that found nothing loses to any version)\nResult(1)",
						resultString(want), resultString(got))
				}
			}
		}
		return nil
	})
}

func TestReadRepairGoesToExactlyTheStaleRepliers(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, maxN := range []int{2, 3, 5, 7} {
			for range 3 {
				g := randomGet(r, maxN)
				c := newCoordinator(g.cfg)
				out, err := g.run(c)
				if err != nil {
					return err
				}
				b := g.best()
				var want []Message
				if b.Found {
					for _, id := range g.cfg.Replicas {
						for _, m := range g.replies {
							if m.From == id && (!m.Body.Found || m.Body.Version < b.Version) {
								want = append(want, Message{From: coordID, To: id, Body: quorum.Msg{Kind: quorum.Repair, Op: 1, Key: "k", Version: b.Version, Value: b.Value}})
							}
						}
					}
				}
				sorted := slices.Clone(out)
				slices.SortStableFunc(sorted, func(a, b Message) int { return slices.Index(g.cfg.Replicas, a.To) - slices.Index(g.cfg.Replicas, b.To) })
				if !slices.Equal(sorted, want) {
					return check.Mismatch(g.describe()+"\nthe Receive that completes a Get returns one Repair (the Get's Op, the winning key, version and value) to each counted replica whose reply was older or found nothing, and nothing else (in any order)\nit returned",
						msgList(want), msgList(out))
				}
				// Late replies change nothing and repair nothing.
				for _, id := range g.cfg.Replicas {
					late := reply(id, 1, "k", true, 1000+int(id), "late")
					if err := receiveNothing(c, late, g.describe()+"\na reply that arrives after the Get completed is ignored"); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func TestOperationsTimeOutOnTheTimeoutthTick(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		// Any configuration, then one where R and W are at least 2, so
		// that a Get can time out with replies counted and a Put with
		// acknowledgements counted, on every seed.
		partial := randomConfig(r, 2, 5, 1+r.IntN(6))
		partial.R, partial.W = 2+r.IntN(len(partial.Replicas)-1), 2+r.IntN(len(partial.Replicas)-1)
		for _, cfg := range []quorum.Config{randomConfig(r, 1, 5, 1+r.IntN(6)), partial} {
			if err := timeoutRun(r, cfg); err != nil {
				return err
			}
		}
		return nil
	})
}

// timeoutRun starts up to four operations short of their quorum on a
// coordinator with cfg, the first a Get and the second a Put, and checks
// every Result after every Tick.
func timeoutRun(r *rand.Rand, cfg quorum.Config) error {
	c := newCoordinator(cfg)
	type started struct {
		op   quorum.OpID
		name string
		at   int // how many Ticks had run when it started
	}
	var ops []started
	ticks := 0
	var log []string
	for ticks < 3*cfg.Timeout+3 {
		if len(ops) < 4 && (len(ops) < 2 || r.IntN(3) == 0) {
			var s started
			if len(ops) == 1 || (len(ops) > 1 && r.IntN(2) == 0) {
				s.op, _ = c.Put("k", "v", 1+len(ops))
				s.name = fmt.Sprintf("Put(\"k\", \"v\", %d)", 1+len(ops))
				// Fewer than W acknowledgements: it cannot complete.
				for _, id := range cfg.Replicas[:cfg.W-1] {
					c.Receive(ack(id, s.op, "k", 1+len(ops)))
				}
			} else {
				s.op, _ = c.Get("k")
				s.name = "Get(\"k\")"
				// Replies that found something: a Get that times out
				// still reports nothing but its Status.
				for i, id := range cfg.Replicas[:cfg.R-1] {
					c.Receive(reply(id, s.op, "k", true, 1+i, fmt.Sprintf("v%d", 1+i)))
				}
			}
			s.at = ticks
			ops = append(ops, s)
			log = append(log, fmt.Sprintf("%s (op %d) after Tick %d", s.name, s.op, ticks))
		}
		if out := c.Tick(); len(out) > 0 {
			return check.Mismatch(fmt.Sprintf("coordinator with %s: Tick sends nothing (no retries)\nTick number %d returned", cfgString(cfg), ticks+1), msgList(nil), msgList(out))
		}
		ticks++
		for _, s := range ops {
			want := quorum.Pending
			if ticks-s.at >= cfg.Timeout {
				want = quorum.TimedOut
			}
			if got := c.Result(s.op).Status; got != want {
				return check.Mismatch(fmt.Sprintf(
					"coordinator with %s: an operation still Pending on the Timeout-th Tick after the call that started it becomes TimedOut during that Tick, and stays Pending before\nstarted (each short of its quorum): %s\nafter Tick number %d, that is %d Ticks after %s started, Result(%d).Status",
					cfgString(cfg), strings.Join(log, "; "), ticks, ticks-s.at, s.name, s.op), want, got)
			}
			if got := c.Result(s.op); want == quorum.TimedOut && got != (quorum.Result{Status: quorum.TimedOut}) {
				return check.Mismatch(fmt.Sprintf(
					"coordinator with %s: for a Put, and for a Get that timed out, only Status is meaningful and the other fields stay zero, even when some replies had been counted\nstarted (each short of its quorum): %s\nafter Tick number %d, Result(%d) of %s",
					cfgString(cfg), strings.Join(log, "; "), ticks, s.op, s.name), resultString(quorum.Result{Status: quorum.TimedOut}), resultString(got))
			}
		}
	}
	return nil
}

func TestFinishedOperationsNeverChange(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := randomConfig(r, 1, 5, 1+r.IntN(4))
		c := newCoordinator(cfg)
		desc := "coordinator with " + cfgString(cfg)
		timedPut, _ := c.Put("k", "v", 7)
		timedGet, _ := c.Get("k")
		for range cfg.Timeout {
			c.Tick()
		}
		for _, op := range []quorum.OpID{timedPut, timedGet} {
			if st := c.Result(op).Status; st != quorum.TimedOut {
				return check.Mismatch(fmt.Sprintf("%s: no replica answered op %d for Timeout Ticks; Result(%d).Status", desc, op, op), quorum.TimedOut, st)
			}
		}
		// Late answers after the timeout: the client was told TimedOut.
		for _, id := range cfg.Replicas {
			what := fmt.Sprintf("%s: Put (op %d) and Get (op %d) timed out; a late answer must not revive them", desc, timedPut, timedGet)
			if err := receiveNothing(c, ack(id, timedPut, "k", 7), what); err != nil {
				return err
			}
			if err := receiveNothing(c, reply(id, timedGet, "k", true, 7, "v"), what); err != nil {
				return err
			}
		}
		for _, op := range []quorum.OpID{timedPut, timedGet} {
			if got := c.Result(op); got.Status != quorum.TimedOut {
				return check.Mismatch(fmt.Sprintf("%s: op %d timed out, then every replica's answer arrived late; a finished operation never changes its Result\nResult(%d).Status", desc, op, op), quorum.TimedOut, got.Status)
			}
		}
		// A completed Get ignores later, newer replies.
		get, _ := c.Get("k")
		for i, id := range cfg.Replicas[:cfg.R] {
			c.Receive(reply(id, get, "k", true, 10+i, fmt.Sprintf("v%d", 10+i)))
		}
		want := c.Result(get)
		if want.Status != quorum.OK {
			return check.Mismatch(fmt.Sprintf("%s: Get (op %d) after R replies; Result(%d).Status", desc, get, get), quorum.OK, want.Status)
		}
		for _, id := range cfg.Replicas {
			if err := receiveNothing(c, reply(id, get, "k", true, 500, "newer"), fmt.Sprintf("%s: Get (op %d) completed with %s; a later reply is ignored", desc, get, resultString(want))); err != nil {
				return err
			}
		}
		for range cfg.Timeout + 1 {
			c.Tick()
		}
		if got := c.Result(get); got != want {
			return check.Mismatch(fmt.Sprintf("%s: Get (op %d) completed; then newer replies arrived late and Timeout more Ticks ran; a finished operation never changes its Result\nResult(%d)", desc, get, get), resultString(want), resultString(got))
		}
		return nil
	})
}
