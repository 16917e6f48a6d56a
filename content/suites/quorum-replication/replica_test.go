//go:build dslearnsuite

package quorum_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

const repID simnet.NodeID = 1

// toReplica addresses a body from the coordinator to replica repID.
func toReplica(b quorum.Msg) Message { return Message{From: coordID, To: repID, Body: b} }

// newest is what a correct replica holds for key after msgs: the write or
// repair with the highest version.
func newest(msgs []Message, key string) (quorum.Entry, bool) {
	var e quorum.Entry
	found := false
	for _, m := range msgs {
		b := m.Body
		if (b.Kind == quorum.PutReq || b.Kind == quorum.Repair) && b.Key == key && (!found || b.Version > e.Version) {
			e, found = quorum.Entry{Version: b.Version, Value: b.Value}, true
		}
	}
	return e, found
}

// keepsNewest feeds msgs to a fresh replica and reports the first Lookup that
// differs from the newest version delivered, with the messages so far.
func keepsNewest(msgs []Message) (failAt int, err error) {
	rep := quorum.NewReplica()
	for i, m := range msgs {
		rep.Receive(m)
		want, wok := newest(msgs[:i+1], m.Body.Key)
		got, gok := rep.Lookup(m.Body.Key)
		if wok != gok || want != got {
			return i, check.Mismatch(fmt.Sprintf(
				"a replica keeps, for each key, the value with the highest version it has received (by PutReq or Repair); versions compare as numbers, and an equal version is the same write, so the value received first is kept\nreplica received, in order: %s\nLookup(%q)",
				bodies(msgs[:i+1]), m.Body.Key), entryString(want, wok), entryString(got, gok))
		}
	}
	return -1, nil
}

func bodies(msgs []Message) string {
	s := "["
	for i, m := range msgs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(m.Body)
	}
	return s + "]"
}

// writeSequence is a random sequence of PutReq and Repair messages over two
// keys, with distinct versions per key drawn from 1..120 (so that one- two-
// and three-digit versions meet).
func writeSequence(r *rand.Rand, size int) []Message {
	perms := map[string][]int{"x": r.Perm(120), "y": r.Perm(120)}
	var msgs []Message
	for i := range size {
		key := "x"
		if r.IntN(4) == 0 {
			key = "y"
		}
		v := perms[key][0] + 1
		perms[key] = perms[key][1:]
		kind := quorum.PutReq
		if r.IntN(2) == 0 {
			kind = quorum.Repair
		}
		msgs = append(msgs, toReplica(quorum.Msg{Kind: kind, Op: quorum.OpID(i + 1), Key: key, Version: v, Value: fmt.Sprintf("%s%d", key, v)}))
	}
	return msgs
}

func TestReplicaKeepsTheHighestVersionItHasReceived(t *testing.T) {
	defer check.Recover(t)
	// An equal version is the same write: whatever value it carries, by
	// PutReq or by Repair, the replica keeps the one it already holds.
	same := func(kind quorum.Kind, value string) Message {
		return toReplica(quorum.Msg{Kind: kind, Op: 1, Key: "k", Version: 5, Value: value})
	}
	for _, msgs := range [][]Message{
		{same(quorum.PutReq, "a"), same(quorum.PutReq, "b")},
		{same(quorum.PutReq, "b"), same(quorum.Repair, "a")},
		{same(quorum.Repair, "a"), same(quorum.PutReq, "b")},
	} {
		if _, err := keepsNewest(msgs); err != nil {
			t.Fatal(err)
		}
	}
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		for _, size := range []int{2, 3, 5, 8, 13, 21} {
			msgs := writeSequence(r, size)
			at, err := keepsNewest(msgs)
			if err == nil {
				continue
			}
			// Shrink: drop messages while the replica still goes wrong.
			msgs = msgs[:at+1]
			for i := 0; i < len(msgs); {
				shorter := slices.Delete(slices.Clone(msgs), i, i+1)
				if at, e := keepsNewest(shorter); e != nil {
					msgs, err = shorter[:at+1], e
					continue
				}
				i++
			}
			return err
		}
		return nil
	})
}

func TestVersionsCompareAsNumbers(t *testing.T) {
	defer check.Recover(t)
	put := func(v int) Message {
		return toReplica(quorum.Msg{Kind: quorum.PutReq, Op: 1, Key: "k", Version: v, Value: fmt.Sprintf("v%d", v)})
	}
	for _, seq := range [][]int{{9, 10}, {10, 9}, {99, 100}, {100, 99}, {2, 10, 9}} {
		var msgs []Message
		for _, v := range seq {
			msgs = append(msgs, put(v))
		}
		if _, err := keepsNewest(msgs); err != nil {
			t.Fatal(err)
		}
	}
	// The coordinator compares the same way: 10 beats 9, 100 beats 99.
	for _, vs := range [][2]int{{9, 10}, {10, 9}, {99, 100}, {100, 99}} {
		c := quorum.NewCoordinator(coordID, quorum.Config{Replicas: []simnet.NodeID{1, 2}, R: 2, W: 2, Timeout: 5})
		op, _ := c.Get("k")
		c.Receive(reply(1, op, "k", true, vs[0], fmt.Sprintf("v%d", vs[0])))
		c.Receive(reply(2, op, "k", true, vs[1], fmt.Sprintf("v%d", vs[1])))
		best := max(vs[0], vs[1])
		want := quorum.Result{Status: quorum.OK, Found: true, Version: best, Value: fmt.Sprintf("v%d", best)}
		if got := c.Result(op); got != want {
			t.Fatal(check.Mismatch(fmt.Sprintf(
				"Get(\"k\") with N=2 R=2: replica 1 replied v%d@%d, then replica 2 replied v%d@%d; the highest version wins, compared as numbers\nResult",
				vs[0], vs[0], vs[1], vs[1]), resultString(want), resultString(got)))
		}
	}
}

func TestReplicaAcknowledgesEveryWriteAndAnswersReads(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		rep := quorum.NewReplica()
		held := map[string]quorum.Entry{}
		var seen []Message
		versions := r.Perm(60)
		for step := range 40 {
			key := []string{"x", "y"}[r.IntN(2)]
			from := []simnet.NodeID{coordID, 7, 8}[r.IntN(3)] // replies go back to whoever asked
			op := quorum.OpID(1 + r.IntN(9))
			var b quorum.Msg
			switch k := r.IntN(8); {
			case k < 3 && len(versions) > 0:
				v := versions[0] + 1
				versions = versions[1:]
				b = quorum.Msg{Kind: quorum.PutReq, Op: op, Key: key, Version: v, Value: fmt.Sprintf("%s%d", key, v)}
			case k < 4 && len(versions) > 0:
				v := versions[0] + 1
				versions = versions[1:]
				b = quorum.Msg{Kind: quorum.Repair, Op: op, Key: key, Version: v, Value: fmt.Sprintf("%s%d", key, v)}
			case k < 5 && len(seen) > 0:
				b = seen[r.IntN(len(seen))].Body // a duplicate is handled again
			case k < 7:
				b = quorum.Msg{Kind: quorum.GetReq, Op: op, Key: key}
			default:
				// Kinds a replica never receives from a correct coordinator.
				b = quorum.Msg{Kind: []quorum.Kind{quorum.PutAck, quorum.GetReply}[r.IntN(2)], Op: op, Key: key, Version: 7, Value: "junk", Found: true}
			}
			m := Message{From: from, To: repID, Body: b}
			seen = append(seen, m)
			var want []Message
			switch b.Kind {
			case quorum.PutReq, quorum.Repair:
				if cur, ok := held[b.Key]; !ok || b.Version > cur.Version {
					held[b.Key] = quorum.Entry{Version: b.Version, Value: b.Value}
				}
				if b.Kind == quorum.PutReq {
					want = []Message{{From: repID, To: from, Body: quorum.Msg{Kind: quorum.PutAck, Op: b.Op, Key: b.Key, Version: b.Version}}}
				}
			case quorum.GetReq:
				e, ok := held[b.Key]
				want = []Message{{From: repID, To: from, Body: quorum.Msg{Kind: quorum.GetReply, Op: b.Op, Key: b.Key, Found: ok, Version: e.Version, Value: e.Value}}}
			}
			got := rep.Receive(m)
			if !slices.Equal(got, want) {
				// The earlier messages on the same key explain what it holds.
				var earlier []Message
				for _, e := range seen[:step] {
					if e.Body.Key == b.Key {
						earlier = append(earlier, e)
					}
				}
				return check.Mismatch(fmt.Sprintf(
					"replica %d: a PutReq gets one PutAck echoing Op, Key and Version (even if the write is older than what it holds); a GetReq gets one GetReply with what it holds; a Repair and any other kind get nothing; replies go To the sender, From the replica\nafter receiving, on key %q: %s\nReceive(%s) returned",
					repID, b.Key, msgList(earlier), msgString(m)), msgList(want), msgList(got))
			}
		}
		return nil
	})
}
