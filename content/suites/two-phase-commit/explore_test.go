//go:build dslearnsuite

package twopc_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dslearn/dslearn/exercises/two-phase-commit"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// exploreTicks bounds every explored path; each path stops as soon as
// every node is up and nothing waits for a decision.
const exploreTicks = 40

// The explored cluster's vote timeout and retry interval.
const exploreVoteTimeout, exploreRetry = 4, 3

// restartAfter is how many ticks an explored crash lasts before the node is
// rebuilt from its log.
const restartAfter = 3

// explore runs one transaction T1 over three participants (one key each)
// along every path simnet.Explore can take within opts, checking every
// invariant after every tick, restarting crashed nodes from their logs
// restartAfter ticks after their crash, and requiring that every path ends
// with T1 decided everywhere (and committed, if mustCommit).
func explore(opts simnet.ExploreOptions, no []simnet.NodeID, mustCommit bool) (simnet.ExploreReport, error) {
	var cl *cluster
	var setupErr error
	var downSince map[simnet.NodeID]int
	setup := func() *simnet.Network[twopc.Msg] {
		cl = newCluster(simnet.Config{}, 3, exploreVoteTimeout, exploreRetry)
		cl.explore = true
		cl.addTx(oneKeyEach("T1", "a", cl.parts, no...))
		setupErr = cl.begin("T1")
		downSince = map[simnet.NodeID]int{}
		return cl.net
	}
	checkPath := func(n *simnet.Network[twopc.Msg]) error {
		if setupErr != nil {
			return setupErr
		}
		if err := cl.check(); err != nil {
			return err
		}
		up := true
		for _, id := range n.IDs() {
			if n.Alive(id) {
				continue
			}
			since, ok := downSince[id]
			if !ok {
				downSince[id] = n.Now()
				since = n.Now()
			}
			if n.Now()-since >= restartAfter {
				cl.restart(id)
				delete(downSince, id)
				if err := cl.check(); err != nil {
					return err
				}
				continue
			}
			up = false
		}
		if tx, _ := cl.unresolved(); up && tx == "" {
			if mustCommit && cl.outcome("T1") != twopc.Committed {
				return cl.fail("T1", "every participant votes Yes and no message is lost, yet T1 ended %v", cl.outcome("T1"))
			}
			if err := cl.checkSettled(); err != nil {
				return err
			}
			return simnet.StopPath
		}
		if n.Now() == exploreTicks {
			_, where := cl.unresolved()
			return cl.fail("T1", "after %d ticks, with every crashed node restarted from its log %d ticks after its crash, %s: once failures stop, every transaction gets decided",
				exploreTicks, restartAfter, where)
		}
		return nil
	}
	return simnet.ExploreWithReport(opts, setup, checkPath)
}

func exploreFailure(err error, what string) string {
	var ee *simnet.ExploreError
	if errors.As(err, &ee) {
		// The replay command runs the exploration again, which is
		// deterministic and reaches the same path first.
		return fmt.Sprintf("%s: on one explored path, %v\n(explored path %d, at tick %d)\n%s\n%s%d", what, ee.Err, ee.Path, ee.Tick, ee.Diagram, check.SeedMarker, ee.Path)
	}
	return fmt.Sprintf("%s: %v", what, err)
}

func TestAgreementAtEveryCrashPointAndDeliveryOrder(t *testing.T) {
	defer check.Recover(t)
	everyone := []simnet.NodeID{coordID, 1, 2, 3}
	cases := []struct {
		name string
		no   []simnet.NodeID
	}{
		{"every participant votes Yes", nil},
		{"participant 2 votes No", []simnet.NodeID{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer check.Recover(t)
			opts := simnet.ExploreOptions{Ticks: exploreTicks, Crashable: everyone, MaxCrashes: 1, DiagramEvents: 60}
			if _, err := explore(opts, c.no, false); err != nil {
				t.Fatal(exploreFailure(err, fmt.Sprintf(
					"every order of delivery and every crash of one node (coordinator 0 or a participant), %s, with crashed nodes rebuilt from their logs", c.name)))
			}
		})
	}
}

func TestAgreementWithALostOrDuplicatedMessageInEveryOrder(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		name string
		opts simnet.ExploreOptions
	}{
		{"one message lost", simnet.ExploreOptions{Ticks: exploreTicks, MaxDrops: 1}},
		{"one message duplicated", simnet.ExploreOptions{Ticks: exploreTicks, MaxDuplicates: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer check.Recover(t)
			for _, no := range [][]simnet.NodeID{nil, {3}} {
				// With only a duplicate, nothing fails: all Yes must commit.
				mustCommit := c.opts.MaxDrops == 0 && len(no) == 0
				if _, err := explore(c.opts, no, mustCommit); err != nil {
					votes := "every participant votes Yes"
					if len(no) > 0 {
						votes = "participant 3 votes No"
					}
					t.Fatal(exploreFailure(err, fmt.Sprintf("every order of delivery with %s, %s", c.name, votes)))
				}
			}
		})
	}
}
