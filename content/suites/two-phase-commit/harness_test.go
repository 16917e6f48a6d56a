//go:build dslearnsuite

package twopc_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// Message is one message of this exercise.
type Message = simnet.Message[twopc.Msg]

// coordID is the coordinator's node ID; participants are 1..n.
const coordID simnet.NodeID = 0

// defaultRuns is how many seeds a randomized property tries by default.
const defaultRuns = 30

// diagramEvents bounds the diagrams shown in failure messages.
const diagramEvents = 40

// txPlan is one transaction of a test: what it writes where, and how each
// participant's VoteFunc answers.
type txPlan struct {
	id     twopc.TxID
	writes map[simnet.NodeID][]twopc.Write
	parts  []simnet.NodeID // sorted
	no     map[simnet.NodeID]bool
	begun  bool
}

// allYes reports whether every participant's VoteFunc says yes.
func (p *txPlan) allYes() bool {
	for _, id := range p.parts {
		if p.no[id] {
			return false
		}
	}
	return true
}

func (p *txPlan) String() string {
	var b strings.Builder
	b.WriteString(string(p.id) + ":")
	for _, id := range p.parts {
		v := "Yes"
		if p.no[id] {
			v = "No"
		}
		fmt.Fprintf(&b, " node %d writes %s (its VoteFunc says %s);", id, writesString(p.writes[id]), v)
	}
	return strings.TrimSuffix(b.String(), ";")
}

func writesString(ws []twopc.Write) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.Key + "=" + w.Value
	}
	return strings.Join(s, ",")
}

// cluster is a coordinator and its participants on one simulated network,
// with their durable logs, and the record of what every node did across
// all of its lives. Nodes are wrapped by watchers that check, at the moment
// a message leaves, what the protocol requires of it.
type cluster struct {
	net         *simnet.Network[twopc.Msg]
	cfg         simnet.Config
	parts       []simnet.NodeID
	logs        map[simnet.NodeID]*twopc.Log
	voteTimeout int
	retryEvery  int
	txs         map[twopc.TxID]*txPlan
	order       []twopc.TxID
	// explore: running inside simnet.Explore, which draws its own diagram.
	explore bool

	// violation is the first rule a watcher saw broken, with its
	// transaction.
	violation   error
	violationTx twopc.TxID

	yesFrom      map[twopc.TxID]map[simnet.NodeID]bool // Yes votes delivered to the coordinator
	decisionSent map[twopc.TxID]twopc.Kind             // first decision the coordinator sent
	voteSent     map[simnet.NodeID]map[twopc.TxID]twopc.Kind
	partSeen     map[simnet.NodeID]map[twopc.TxID]twopc.State
	commitRound  map[simnet.NodeID]map[twopc.TxID]int // check round in which the commit was first seen
	coordSeen    map[twopc.TxID]twopc.State
	round        int
	logChecked   map[simnet.NodeID]int                  // log length at the last checkLog
	keyIndex     map[simnet.NodeID]map[string][]*txPlan // per participant, the transactions writing each key
	keyOrder     map[simnet.NodeID][]string

	// swallow makes the coordinator die right after it logs a commit: the
	// call that returns the first Commit loses everything it returns, and
	// the coordinator is crashed at the end of that tick.
	swallow   bool
	swallowed bool
}

func participantIDs(n int) []simnet.NodeID {
	ids := make([]simnet.NodeID, n)
	for i := range ids {
		ids[i] = simnet.NodeID(i + 1)
	}
	return ids
}

func newCluster(cfg simnet.Config, nparts, voteTimeout, retryEvery int) *cluster {
	cl := &cluster{
		net:          simnet.New[twopc.Msg](cfg),
		cfg:          cfg,
		parts:        participantIDs(nparts),
		logs:         map[simnet.NodeID]*twopc.Log{coordID: {}},
		voteTimeout:  voteTimeout,
		retryEvery:   retryEvery,
		txs:          map[twopc.TxID]*txPlan{},
		yesFrom:      map[twopc.TxID]map[simnet.NodeID]bool{},
		decisionSent: map[twopc.TxID]twopc.Kind{},
		voteSent:     map[simnet.NodeID]map[twopc.TxID]twopc.Kind{},
		partSeen:     map[simnet.NodeID]map[twopc.TxID]twopc.State{},
		commitRound:  map[simnet.NodeID]map[twopc.TxID]int{},
		coordSeen:    map[twopc.TxID]twopc.State{},
		logChecked:   map[simnet.NodeID]int{},
	}
	cl.net.Add(coordID, cl.newCoordinator())
	for _, id := range cl.parts {
		cl.logs[id] = &twopc.Log{}
		cl.voteSent[id] = map[twopc.TxID]twopc.Kind{}
		cl.partSeen[id] = map[twopc.TxID]twopc.State{}
		cl.commitRound[id] = map[twopc.TxID]int{}
		cl.net.Add(id, cl.newParticipant(id))
	}
	return cl
}

func (cl *cluster) newCoordinator() *coordNode {
	return &coordNode{cl: cl, c: twopc.NewCoordinator(coordID, cl.logs[coordID], cl.voteTimeout)}
}

func (cl *cluster) newParticipant(id simnet.NodeID) *partNode {
	vote := func(tx twopc.TxID, _ []twopc.Write) bool {
		p := cl.txs[tx]
		return p == nil || !p.no[id]
	}
	return &partNode{cl: cl, id: id, p: twopc.NewParticipant(coordID, cl.logs[id], cl.retryEvery, vote)}
}

// coordinator is the current coordinator (crashed or not).
func (cl *cluster) coordinator() *twopc.Coordinator {
	return cl.net.Node(coordID).(*coordNode).c
}

func (cl *cluster) participant(id simnet.NodeID) *twopc.Participant {
	return cl.net.Node(id).(*partNode).p
}

// restart replaces node id by a new node built from its log.
func (cl *cluster) restart(id simnet.NodeID) {
	if id == coordID {
		cl.net.Restart(id, cl.newCoordinator())
		return
	}
	cl.net.Restart(id, cl.newParticipant(id))
}

// desc describes the setting of a run for failure messages.
func (cl *cluster) desc() string {
	var b strings.Builder
	fmt.Fprintf(&b, "setting: coordinator is node 0, participants are nodes %v; NewCoordinator(0, log, %d), NewParticipant(0, log, %d, vote)",
		cl.parts, cl.voteTimeout, cl.retryEvery)
	if !cl.explore {
		fmt.Fprintf(&b, "; message delays %d..%d ticks", cl.cfg.MinDelay, max(cl.cfg.MinDelay, cl.cfg.MaxDelay))
		if cl.cfg.DuplicateRate > 0 {
			fmt.Fprintf(&b, ", %.0f%% duplicated", 100*cl.cfg.DuplicateRate)
		}
		if cl.cfg.DropRate > 0 {
			fmt.Fprintf(&b, ", %.0f%% lost", 100*cl.cfg.DropRate)
		}
	}
	for _, tx := range cl.order {
		b.WriteString("\n  " + cl.txs[tx].String())
	}
	return b.String()
}

// fail reports a broken property about tx with the setting and the
// messages of tx.
func (cl *cluster) fail(tx twopc.TxID, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...) + "\n" + cl.desc()
	if !cl.explore && cl.hasEvents(tx) {
		msg += "\n" + cl.diagram(tx)
	}
	return fmt.Errorf("%s", msg)
}

// keepTx selects the events a diagram of tx shows: its messages, and
// crashes, restarts and partitions (every event if tx is empty).
func keepTx(tx twopc.TxID) func(simnet.Event) bool {
	return func(e simnet.Event) bool {
		if tx == "" || e.Msg == nil {
			return true
		}
		m, ok := e.Msg.(Message)
		return !ok || m.Body.Tx == tx
	}
}

func (cl *cluster) hasEvents(tx twopc.TxID) bool {
	keep := keepTx(tx)
	for _, e := range cl.net.Trace() {
		if e.Kind != simnet.EventSend && keep(e) {
			return true
		}
	}
	return false
}

// diagram draws the messages of tx (all messages if tx is empty), with
// crashes, restarts and partitions.
func (cl *cluster) diagram(tx twopc.TxID) string {
	keep := keepTx(tx)
	what := "messages"
	if tx != "" {
		what = "messages of " + string(tx)
	}
	return what + " (tick | node columns):\n" + cl.net.DiagramFunc(diagramEvents, keep)
}

// addTx registers a transaction of the test (not begun yet).
func (cl *cluster) addTx(p *txPlan) {
	p.parts = p.parts[:0]
	for id := range p.writes {
		p.parts = append(p.parts, id)
	}
	slices.Sort(p.parts)
	if p.no == nil {
		p.no = map[simnet.NodeID]bool{}
	}
	cl.txs[p.id] = p
	cl.order = append(cl.order, p.id)
	cl.keyIndex = nil
}

// begin calls Begin on the coordinator, checks the Prepares it returns and
// sends them.
func (cl *cluster) begin(tx twopc.TxID) error {
	p := cl.txs[tx]
	arg := map[simnet.NodeID][]twopc.Write{}
	var want []Message
	for _, id := range p.parts {
		arg[id] = slices.Clone(p.writes[id])
		want = append(want, Message{From: coordID, To: id, Body: twopc.Msg{Kind: twopc.Prepare, Tx: tx, Writes: slices.Clone(p.writes[id])}})
	}
	got := cl.coordinator().Begin(tx, arg)
	p.begun = true
	if !sameMessages(got, want) {
		return cl.fail(tx, "%s", check.Mismatch(fmt.Sprintf(
			"Begin(%s) must return one Prepare per participant, in increasing ID order, From the coordinator, each with that participant's writes (nothing may commit before every participant has voted)", tx),
			msgList(want), msgList(got)))
	}
	cl.net.Send(got...)
	return nil
}

func sameMessages(a, b []Message) bool {
	return slices.EqualFunc(a, b, func(x, y Message) bool {
		return x.From == y.From && x.To == y.To && x.Body.Kind == y.Body.Kind && x.Body.Tx == y.Body.Tx &&
			slices.Equal(x.Body.Writes, y.Body.Writes)
	})
}

func msgList(ms []Message) string {
	if len(ms) == 0 {
		return "(no messages)"
	}
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fmt.Sprintf("%d->%d %v", m.From, m.To, m.Body)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func (cl *cluster) violate(tx twopc.TxID, format string, args ...any) {
	if cl.violation == nil {
		cl.violation = fmt.Errorf(format, args...)
		cl.violationTx = tx
	}
}

// coordNode watches the coordinator.
type coordNode struct {
	cl   *cluster
	c    *twopc.Coordinator
	dead bool // swallowed a commit: behaves as crashed until the test crashes it
}

func (w *coordNode) Receive(m Message) []Message {
	if w.dead {
		return nil
	}
	cl := w.cl
	if p := cl.txs[m.Body.Tx]; p != nil && m.Body.Kind == twopc.Yes && slices.Contains(p.parts, m.From) {
		if cl.yesFrom[p.id] == nil {
			cl.yesFrom[p.id] = map[simnet.NodeID]bool{}
		}
		cl.yesFrom[p.id][m.From] = true
	}
	return w.sent(w.c.Receive(m), fmt.Sprintf("Receive(%v from node %d)", m.Body, m.From))
}

func (w *coordNode) Tick() []Message {
	if w.dead {
		return nil
	}
	return w.sent(w.c.Tick(), "Tick()")
}

func (w *coordNode) sent(out []Message, call string) []Message {
	cl := w.cl
	commit := false
	for _, m := range out {
		k, tx := m.Body.Kind, m.Body.Tx
		if k != twopc.Commit && k != twopc.Abort {
			continue
		}
		p := cl.txs[tx]
		if p == nil || !p.begun {
			cl.violate(tx, "the coordinator's %s returned %v to node %d for %s, which was never begun", call, m.Body, m.To, tx)
			continue
		}
		if k == twopc.Commit {
			commit = true
			if !hasRecord(cl.logs[coordID], twopc.Committed, tx) {
				cl.violate(tx, "the coordinator's %s returned Commit %s to node %d while its log held no Committed %s record: the commit must be in the log before any Commit is sent, or a crash right after sending loses it (coordinator log: %v)",
					call, tx, m.To, tx, cl.logs[coordID].Records())
			}
			if missing := cl.missingYes(p); len(missing) > 0 {
				cl.violate(tx, "the coordinator's %s returned Commit %s to node %d, but no Yes from participant(s) %v had reached it: commit requires a Yes from every participant (a missing vote is a No)",
					call, tx, m.To, missing)
			}
		}
		if prev, ok := cl.decisionSent[tx]; ok && prev != k {
			cl.violate(tx, "the coordinator's %s returned %v %s to node %d after it had sent %v %s: a decision never changes, not even across a restart",
				call, k, tx, m.To, prev, tx)
		}
		if _, ok := cl.decisionSent[tx]; !ok {
			cl.decisionSent[tx] = k
		}
	}
	if commit && cl.swallow && !cl.swallowed {
		cl.swallowed = true
		w.dead = true
		return nil
	}
	return out
}

func (cl *cluster) missingYes(p *txPlan) []simnet.NodeID {
	var missing []simnet.NodeID
	for _, id := range p.parts {
		if !cl.yesFrom[p.id][id] {
			missing = append(missing, id)
		}
	}
	return missing
}

func hasRecord(l *twopc.Log, st twopc.State, tx twopc.TxID) bool {
	for _, r := range l.Records() {
		if r.State == st && r.Tx == tx {
			return true
		}
	}
	return false
}

// partNode watches a participant.
type partNode struct {
	cl *cluster
	id simnet.NodeID
	p  *twopc.Participant
}

func (w *partNode) Receive(m Message) []Message {
	return w.sent(w.p.Receive(m), fmt.Sprintf("Receive(%v)", m.Body))
}

func (w *partNode) Tick() []Message { return w.sent(w.p.Tick(), "Tick()") }

func (w *partNode) sent(out []Message, call string) []Message {
	cl := w.cl
	for _, m := range out {
		k, tx := m.Body.Kind, m.Body.Tx
		if k != twopc.Yes && k != twopc.No {
			continue
		}
		p := cl.txs[tx]
		if p == nil {
			continue
		}
		if k == twopc.Yes && !hasPrepared(cl.logs[w.id], tx, p.writes[w.id]) {
			cl.violate(tx, "participant %d's %s returned Yes %s while its log held no Prepared %s record with its writes [%s]: a Yes is a promise to commit even after a crash, so the writes must be logged before the vote leaves (participant log: %v)",
				w.id, call, tx, tx, writesString(p.writes[w.id]), cl.logs[w.id].Records())
		}
		// A No after a Yes is harmless once T is aborted here (only the
		// coordinator can have aborted it); any other change of vote is not.
		if prev, ok := cl.voteSent[w.id][tx]; ok && prev != k && (k == twopc.Yes || w.p.Status(tx) != twopc.Aborted) {
			cl.violate(tx, "participant %d's %s returned %v %s after it had voted %v on %s (and %s is %v there): a vote never changes while the transaction is undecided (a repeated Prepare gets the same vote)",
				w.id, call, k, tx, prev, tx, tx, w.p.Status(tx))
		}
		if _, ok := cl.voteSent[w.id][tx]; !ok {
			cl.voteSent[w.id][tx] = k
		}
	}
	return out
}

func hasPrepared(l *twopc.Log, tx twopc.TxID, ws []twopc.Write) bool {
	for _, r := range l.Records() {
		if r.State == twopc.Prepared && r.Tx == tx && slices.Equal(r.Writes, ws) {
			return true
		}
	}
	return false
}

// tick runs one tick and checks every invariant.
func (cl *cluster) tick() error {
	cl.net.Tick()
	if cl.swallowed && cl.net.Alive(coordID) && cl.net.Node(coordID).(*coordNode).dead {
		cl.net.Crash(coordID)
	}
	return cl.check()
}

// run runs n ticks, checking after each.
func (cl *cluster) run(n int) error {
	for range n {
		if err := cl.tick(); err != nil {
			return err
		}
	}
	return nil
}

// allowed says whether a participant may go from state a to state b.
func allowed(a, b twopc.State) bool {
	switch a {
	case twopc.Prepared:
		return b == twopc.Prepared || b == twopc.Committed || b == twopc.Aborted
	case twopc.Committed, twopc.Aborted:
		return b == a
	}
	return true
}

// check verifies, between two ticks, everything the protocol promises at
// every moment: agreement, finality, validity, locks, visibility and the
// shape of the participants' logs.
func (cl *cluster) check() error {
	if cl.violation != nil {
		return cl.fail(cl.violationTx, "%v", cl.violation)
	}
	cl.round++
	c := cl.coordinator()
	for _, tx := range cl.order {
		p := cl.txs[tx]
		if !p.begun {
			continue
		}
		var committed, aborted []simnet.NodeID
		for _, id := range p.parts {
			part := cl.participant(id)
			cur := part.Status(tx)
			prev := cl.partSeen[id][tx]
			if !allowed(prev, cur) {
				why := "an outcome is final"
				if prev == twopc.Prepared {
					why = "a Prepared transaction can only become Committed or Aborted"
				}
				restarted := ""
				if cur == twopc.Unknown || prev == twopc.Prepared {
					restarted = " (a restarted participant rebuilds its state from its log)"
				}
				return cl.fail(tx, "participant %d had %s %v and now reports Status(%s) = %v: %s%s",
					id, tx, prev, tx, cur, why, restarted)
			}
			if cur == twopc.Committed && prev != twopc.Committed {
				cl.commitRound[id][tx] = cl.round
			}
			cl.partSeen[id][tx] = cur
			switch cur {
			case twopc.Committed:
				committed = append(committed, id)
			case twopc.Aborted:
				aborted = append(aborted, id)
			}
			for _, w := range p.writes[id] {
				holder, locked := part.LockedBy(w.Key)
				if cur == twopc.Prepared && (!locked || holder != tx) {
					return cl.fail(tx, "participant %d has %s Prepared, but LockedBy(%q) = %s: a Prepared transaction holds the lock of every key it writes until the decision arrives",
						id, tx, w.Key, lockString(holder, locked))
				}
				if cur != twopc.Prepared && locked && holder == tx {
					return cl.fail(tx, "participant %d has %s %v, but LockedBy(%q) = %s: locks are released when the transaction commits or aborts",
						id, tx, cur, w.Key, lockString(holder, locked))
				}
			}
		}
		if len(committed) > 0 && len(aborted) > 0 {
			return cl.fail(tx, "agreement broken: participant(s) %v committed %s and participant(s) %v aborted it", committed, tx, aborted)
		}
		d := c.Decision(tx)
		prev := cl.coordSeen[tx]
		if prev == twopc.Committed && d != twopc.Committed {
			return cl.fail(tx, "the coordinator's Decision(%s) was Committed and is now %v: a logged commit stays committed, also after a restart", tx, d)
		}
		if prev == twopc.Aborted && d == twopc.Committed {
			return cl.fail(tx, "the coordinator's Decision(%s) was Aborted and is now Committed: a decision never changes", tx)
		}
		if d != twopc.Unknown || prev == twopc.Unknown {
			cl.coordSeen[tx] = d
		}
		if d == twopc.Committed && len(aborted) > 0 {
			return cl.fail(tx, "agreement broken: the coordinator's Decision(%s) is Committed but participant(s) %v aborted it", tx, aborted)
		}
		if d == twopc.Aborted && len(committed) > 0 {
			return cl.fail(tx, "agreement broken: the coordinator's Decision(%s) is Aborted but participant(s) %v committed it", tx, committed)
		}
		if d == twopc.Committed || len(committed) > 0 {
			if missing := cl.missingYes(p); len(missing) > 0 {
				who := fmt.Sprintf("participant(s) %v report Committed", committed)
				if d == twopc.Committed {
					who = "the coordinator's Decision is Committed"
				}
				return cl.fail(tx, "%s for %s, but no Yes from participant(s) %v ever reached the coordinator: commit requires a Yes from every participant",
					who, tx, missing)
			}
		}
	}
	for _, id := range cl.parts {
		if err := cl.checkVisible(id); err != nil {
			return err
		}
		if err := cl.checkLog(id); err != nil {
			return err
		}
	}
	return nil
}

func lockString(tx twopc.TxID, ok bool) string {
	if !ok {
		return "not locked"
	}
	return fmt.Sprintf("(%s, true)", tx)
}

// checkVisible checks that every key at participant id shows the value of
// the transaction that committed it last there, and nothing else.
func (cl *cluster) checkVisible(id simnet.NodeID) error {
	part := cl.participant(id)
	if cl.keyIndex == nil {
		cl.keyIndex = map[simnet.NodeID]map[string][]*txPlan{}
		cl.keyOrder = map[simnet.NodeID][]string{}
		for _, pid := range cl.parts {
			byKey := map[string][]*txPlan{}
			for _, tx := range cl.order {
				p := cl.txs[tx]
				for _, w := range p.writes[pid] {
					if _, ok := byKey[w.Key]; !ok {
						cl.keyOrder[pid] = append(cl.keyOrder[pid], w.Key)
					}
					byKey[w.Key] = append(byKey[w.Key], p)
				}
			}
			cl.keyIndex[pid] = byKey
		}
	}
	byKey, keys := cl.keyIndex[id], cl.keyOrder[id]
	for _, k := range keys {
		var want []string // acceptable values
		var last *txPlan
		best := -1
		for _, p := range byKey[k] {
			if cl.partSeen[id][p.id] != twopc.Committed {
				continue
			}
			r := cl.commitRound[id][p.id]
			v := valueOf(p, id, k)
			switch {
			case r > best:
				best, want, last = r, []string{v}, p
			case r == best:
				want = append(want, v)
			}
		}
		got, found := part.Read(k)
		if last == nil {
			if found {
				tx := twopc.TxID("")
				if p := cl.txs[twopc.TxID(got)]; p != nil {
					tx = p.id
				}
				return cl.fail(tx, "participant %d: Read(%q) = (%q, true), but no transaction writing %q has committed at this participant (%s): writes become visible only when their transaction commits",
					id, k, got, k, cl.statusList(id, byKey[k]))
			}
			continue
		}
		if !found || !slices.Contains(want, got) {
			return cl.fail(last.id, "participant %d: Read(%q) = %s, expected %q, the value written by %s, the last transaction writing %q to commit at this participant (%s)",
				id, k, readString(got, found), want[0], last.id, k, cl.statusList(id, byKey[k]))
		}
	}
	return nil
}

func valueOf(p *txPlan, id simnet.NodeID, key string) string {
	for _, w := range p.writes[id] {
		if w.Key == key {
			return w.Value
		}
	}
	return ""
}

func readString(v string, ok bool) string {
	if !ok {
		return `("", false)`
	}
	return fmt.Sprintf("(%q, true)", v)
}

func (cl *cluster) statusList(id simnet.NodeID, ps []*txPlan) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s is %v", p.id, cl.partSeen[id][p.id])
	}
	return strings.Join(s, ", ")
}

// checkLog checks the shape of participant id's log: at most one outcome
// record per transaction, and Committed only after Prepared.
func (cl *cluster) checkLog(id simnet.NodeID) error {
	n := cl.logs[id].Len()
	if n == cl.logChecked[id] {
		return nil
	}
	cl.logChecked[id] = n
	prepared := map[twopc.TxID]bool{}
	outcome := map[twopc.TxID]twopc.State{}
	for _, r := range cl.logs[id].Records() {
		switch r.State {
		case twopc.Prepared:
			prepared[r.Tx] = true
		case twopc.Committed, twopc.Aborted:
			if prev, ok := outcome[r.Tx]; ok {
				return cl.fail(r.Tx, "participant %d's log records %v %s after %v %s: a transaction gets at most one outcome record (log: %v)",
					id, r.State, r.Tx, prev, r.Tx, cl.logs[id].Records())
			}
			if r.State == twopc.Committed && !prepared[r.Tx] {
				return cl.fail(r.Tx, "participant %d's log records Committed %s with no Prepared %s before it (log: %v)",
					id, r.Tx, r.Tx, cl.logs[id].Records())
			}
			outcome[r.Tx] = r.State
		}
	}
	return nil
}

// unresolved names a transaction that still waits for a decision, and
// where: Pending at the coordinator or Prepared at a participant. It
// returns "" if nothing waits.
func (cl *cluster) unresolved() (twopc.TxID, string) {
	c := cl.coordinator()
	for _, tx := range cl.order {
		p := cl.txs[tx]
		if !p.begun {
			continue
		}
		if c.Decision(tx) == twopc.Pending {
			return tx, fmt.Sprintf("the coordinator's Decision(%s) is still Pending", tx)
		}
		for _, id := range p.parts {
			if cl.participant(id).Status(tx) == twopc.Prepared {
				return tx, fmt.Sprintf("participant %d still has %s Prepared", id, tx)
			}
		}
	}
	return "", ""
}

// settle repairs every failure (heals the partition, restarts crashed
// nodes from their logs) and runs until nothing waits for a decision; it
// fails if that takes more than maxTicks.
func (cl *cluster) settle(maxTicks int) error {
	cl.net.Heal()
	for _, id := range cl.net.IDs() {
		if !cl.net.Alive(id) {
			cl.restart(id)
		}
	}
	for range maxTicks {
		if tx, _ := cl.unresolved(); tx == "" {
			break
		}
		if err := cl.tick(); err != nil {
			return err
		}
	}
	if tx, where := cl.unresolved(); tx != "" {
		return cl.fail(tx, "every node has been up and connected for %d ticks, yet %s: once failures stop, every transaction gets decided (a Prepared participant asks again every retryEvery ticks and the coordinator answers from its record, with Abort if it has none; a Pending vote times out)",
			maxTicks, where)
	}
	// Let the last messages (late copies, answers to repeats) arrive.
	for range 4*(cl.cfg.MaxDelay+1) + 4 {
		if len(cl.net.InFlight()) == 0 {
			break
		}
		if err := cl.tick(); err != nil {
			return err
		}
	}
	return nil
}

// outcome is the agreed outcome of tx once settled: the participants'.
func (cl *cluster) outcome(tx twopc.TxID) twopc.State {
	for _, id := range cl.txs[tx].parts {
		if st := cl.participant(id).Status(tx); st == twopc.Committed || st == twopc.Aborted {
			return st
		}
	}
	if d := cl.coordinator().Decision(tx); d == twopc.Committed {
		return d
	}
	return twopc.Aborted
}

// expectOutcome checks that every participant of tx and the coordinator
// ended with want (a participant that never voted may know nothing of an
// aborted transaction).
func (cl *cluster) expectOutcome(tx twopc.TxID, want twopc.State, why string) error {
	for _, id := range cl.txs[tx].parts {
		st := cl.participant(id).Status(tx)
		if want == twopc.Aborted && st == twopc.Unknown && cl.voteSent[id][tx] == 0 {
			continue // it never voted (its Prepare was lost): nothing to undo
		}
		if st != want {
			return cl.fail(tx, "%s", check.Mismatch(fmt.Sprintf("%s; participant %d's Status(%s)", why, id, tx), want, st))
		}
	}
	d := cl.coordinator().Decision(tx)
	if want == twopc.Committed && d != twopc.Committed {
		return cl.fail(tx, "%s", check.Mismatch(fmt.Sprintf("%s; the coordinator's Decision(%s)", why, tx), want, d))
	}
	if want == twopc.Aborted && d != twopc.Aborted && d != twopc.Unknown {
		return cl.fail(tx, "%s", check.Mismatch(fmt.Sprintf("%s; the coordinator's Decision(%s) (Unknown is fine after a restart)", why, tx), want, d))
	}
	return nil
}

// workload makes n transactions named T1..Tn over the given participants.
// Each touches a random nonempty set of participants with one or two keys
// each; with shared keys they draw from keys a, b, c (so transactions
// conflict), otherwise every transaction has keys of its own. Each
// participant's VoteFunc says No with probability pNo. Values are the
// transaction's name, so a value shows who wrote it.
func workload(r *rand.Rand, parts []simnet.NodeID, n int, shared bool, pNo float64) []*txPlan {
	var out []*txPlan
	for i := 1; i <= n; i++ {
		id := twopc.TxID(fmt.Sprintf("T%d", i))
		p := &txPlan{id: id, writes: map[simnet.NodeID][]twopc.Write{}, no: map[simnet.NodeID]bool{}}
		for len(p.writes) == 0 {
			for _, pid := range parts {
				if r.IntN(3) == 0 {
					continue
				}
				nk := 1 + r.IntN(2)
				var keys []string
				if shared {
					keys = []string{"a", "b", "c"}
					r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
					keys = keys[:nk]
					sort.Strings(keys)
				} else {
					keys = []string{fmt.Sprintf("x%d", i), fmt.Sprintf("y%d", i)}[:nk]
				}
				for _, k := range keys {
					p.writes[pid] = append(p.writes[pid], twopc.Write{Key: k, Value: string(id)})
				}
				p.no[pid] = r.Float64() < pNo
			}
		}
		out = append(out, p)
	}
	return out
}

// oneKeyEach is a transaction writing key k=tx at each of parts.
func oneKeyEach(tx twopc.TxID, k string, parts []simnet.NodeID, no ...simnet.NodeID) *txPlan {
	p := &txPlan{id: tx, writes: map[simnet.NodeID][]twopc.Write{}, no: map[simnet.NodeID]bool{}}
	for _, id := range parts {
		p.writes[id] = []twopc.Write{{Key: k, Value: string(tx)}}
	}
	for _, id := range no {
		p.no[id] = true
	}
	return p
}

// randNet draws a network configuration without losses.
func randNet(r *rand.Rand, maxDelay int, dups bool) simnet.Config {
	cfg := simnet.Config{Seed: r.Uint64(), MaxDelay: r.IntN(maxDelay + 1)}
	if dups && r.IntN(3) > 0 {
		cfg.DuplicateRate = []float64{0.2, 0.4, 0.6}[r.IntN(3)]
	}
	return cfg
}

// safeTimeout is a vote timeout that never fires before the votes of live
// participants arrive, for message delays up to maxDelay.
func safeTimeout(cfg simnet.Config) int { return 2*cfg.MaxDelay + 2 }
