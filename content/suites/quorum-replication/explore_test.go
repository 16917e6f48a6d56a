//go:build dslearnsuite

package quorum_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dslearn/dslearn/exercises/quorum-replication"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// TestEveryDeliveryOrderLetsAReadAfterAWriteSeeIt explores, for N=3 and
// R + W > N, every way the network can deliver this: all replicas hold
// x=old@1; the client starts Put(x, new, 2); as soon as the Put is OK it
// starts a Get. In every delivery order, with any one message lost (and,
// for R=W=2, any one message duplicated), the Get, if OK, returns new@2, and
// no replica ever holds anything but old@1 or new@2.
func TestEveryDeliveryOrderLetsAReadAfterAWriteSeeIt(t *testing.T) {
	defer check.Recover(t)
	for _, c := range []struct {
		r, w  int
		opts  simnet.ExploreOptions
		fault string
	}{
		{2, 2, simnet.ExploreOptions{Ticks: 6, MaxDrops: 1, MaxPaths: 20000}, "any one message lost"},
		{1, 3, simnet.ExploreOptions{Ticks: 6, MaxDrops: 1, MaxPaths: 20000}, "any one message lost"},
		{3, 1, simnet.ExploreOptions{Ticks: 6, MaxDrops: 1, MaxPaths: 20000}, "any one message lost"},
		{2, 2, simnet.ExploreOptions{Ticks: 6, MaxDuplicates: 1, MaxPaths: 20000}, "any one message duplicated"},
	} {
		var cl *cluster
		var put, get quorum.OpID
		var failed error
		setup := func() *simnet.Network[quorum.Msg] {
			cl = newCluster(simnet.Config{}, 3, c.r, c.w, 4)
			for _, id := range cl.ids {
				cl.reps[id].Receive(Message{From: coordID, To: id, Body: quorum.Msg{Kind: quorum.PutReq, Op: 100, Key: "x", Version: 1, Value: "old"}})
			}
			get = 0
			put, failed = cl.put("x", "new", 2)
			return cl.net
		}
		prop := func(n *simnet.Network[quorum.Msg]) error {
			if failed != nil {
				return failed
			}
			// 3 PutReq, 3 GetReq, at most 2 repairs.
			if sent := n.CountSent(func(m Message) bool { return m.From == coordID }); sent > 8 {
				return check.Mismatch("the coordinator sends N requests per operation, once (no retries), and at most R-1 repairs per Get; messages it sent so far", "at most 8", sent)
			}
			for _, id := range cl.ids {
				if got := cl.holds(id, "x"); got != "old@1" && got != "new@2" {
					return check.Mismatch(fmt.Sprintf("replica %d held old@1 and received only new@2; Lookup(\"x\")", id), "old@1 or new@2", got)
				}
			}
			if get == 0 && cl.co.Result(put).Status == quorum.OK {
				var err error
				if get, err = cl.get("x"); err != nil {
					return err
				}
			}
			if get != 0 {
				if res := cl.co.Result(get); res.Status == quorum.OK {
					want := quorum.Result{Status: quorum.OK, Found: true, Version: 2, Value: "new"}
					if res != want {
						return check.Mismatch(fmt.Sprintf("Get(\"x\") (op %d) started after the Put was OK; with R + W > N it must see the write; its result", get), resultString(want), resultString(res))
					}
				}
			}
			return nil
		}
		if err := simnet.Explore(c.opts, setup, prop); err != nil {
			// A failing path is marked for replay: the replay command runs
			// the exploration again, which is deterministic and reaches the
			// same path first.
			replay := ""
			var xe *simnet.ExploreError
			if errors.As(err, &xe) {
				replay = fmt.Sprintf("\n%s%d", check.SeedMarker, xe.Path)
			}
			t.Fatalf("N=3 R=%d W=%d, Timeout=4, %s: every replica holds x=old@1; Put(\"x\", \"new\", 2) is op 1; op 2 is a Get started as soon as the Put is OK. Trying every delivery order:\n%v%s", c.r, c.w, c.fault, err, replay)
		}
	}
}
