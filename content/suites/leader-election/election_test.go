//go:build dslearnsuite

package election_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	election "github.com/dslearn/dslearn/exercises/leader-election"
	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

// sizes runs prop on clusters of increasing size, so that the first failure
// reported is the smallest one this seed finds.
func sizes(r *rand.Rand, from, to int, prop func(s setup) error) error {
	for n := from; n <= to; n++ {
		if err := prop(randomSetup(r, n)); err != nil {
			return err
		}
	}
	return nil
}

// settled starts a cluster and runs it until every node follows the highest
// ID, and until the startup's messages have all been delivered.
func settled(s setup, r *rand.Rand) (*cluster, error) {
	c := newCluster(s, r)
	top := slices.Max(s.ids)
	if err := c.runUntilAllFollow(top, s.ids, s.startBound(),
		"All nodes started together at tick 0 and the highest ID is alive, so it wins at its first Tick and its Coordinator arrives within MaxDelay+1 ticks."); err != nil {
		return c, err
	}
	return c, c.run(2*s.D + 4)
}

func TestSingleNodeLeadsItselfFromItsFirstTick(t *testing.T) {
	defer check.Recover(t)
	n := election.NewNode(7, []simnet.NodeID{7}, election.DefaultConfig())
	if l, ok := n.Leader(); ok {
		t.Fatal(check.Mismatch("a new node, before its first Tick, knows no leader: Leader()", "(0, false)", fmt.Sprintf("(%d, %v)", l, ok)))
	}
	for i := 1; i <= 50; i++ {
		out := n.Tick()
		if len(out) != 0 {
			t.Fatal(check.Mismatch(fmt.Sprintf("a node whose only peer is itself has no one to send to; Tick number %d returned", i), "no messages", out))
		}
		if l, ok := n.Leader(); !ok || l != 7 {
			t.Fatal(check.Mismatch(fmt.Sprintf("a lone node wins its election at its first Tick; after Tick number %d, Leader()", i), "(7, true)", fmt.Sprintf("(%d, %v)", l, ok)))
		}
	}
}

func TestNodesStartingTogetherAllFollowTheHighestIDWithinMaxDelayPlusTwoTicks(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			_, err := settled(s, r)
			return err
		})
	})
}

func TestStartupElectionSendsAtMostQuadraticMessages(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			if err := c.run(s.cfg.CoordinatorTimeout + s.cfg.LeaderTimeout); err != nil {
				return err
			}
			return c.checkElectionCost(len(s.ids), "all nodes started together")
		})
	})
}

// checkElectionCost checks the lesson's bound on one election's messages.
func (c *cluster) checkElectionCost(n int, what string) error {
	e, a, co := c.sent[election.Election], c.sent[election.Answer], c.sent[election.Coordinator]
	if e > n*(n-1)/2 || a > n*(n-1)/2 || co > 2*(n-1) {
		return c.failf("%s: an election among n = %d nodes sends at most n(n-1)/2 = %d Election, %d Answer and 2(n-1) = %d Coordinator messages "+
			"(counted from tick %d to tick %d, with no other failure)\n"+
			"expected: Election <= %d, Answer <= %d, Coordinator <= %d\nactual:   Election %d, Answer %d, Coordinator %d",
			what, n, n*(n-1)/2, n*(n-1)/2, 2*(n-1), c.countedFrom, c.net.Now(), n*(n-1)/2, n*(n-1)/2, 2*(n-1), e, a, co)
	}
	return nil
}

func TestHighestLiveNodeWinsWhenHigherNodesAreDownFromTheStart(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c := newCluster(s, r)
			k := 1 + r.IntN(len(s.ids)-1) // how many of the highest are down
			for _, x := range s.ids[len(s.ids)-k:] {
				c.crash(x)
			}
			want := c.highestLive(s.ids)
			bound := s.cfg.AnswerTimeout + s.D + 2
			if err := c.runUntilAllFollow(want, s.ids, bound, fmt.Sprintf(
				"The nodes above node %d were down from the start, so none answers its Election: it declares itself AnswerTimeout = %d ticks after its first Tick, "+
					"and its Coordinator arrives within MaxDelay+1 = %d ticks.", want, s.cfg.AnswerTimeout, s.D+1)); err != nil {
				return err
			}
			return c.stable(s.cfg.CoordinatorTimeout+2*s.cfg.LeaderTimeout, "Once every live node follows the highest live ID, nothing changes while nothing fails.")
		})
	})
}

func TestStableLeaderSendsOnlyHeartbeatsAndNoOneReElects(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			c.resetCounts()
			h := s.cfg.HeartbeatInterval
			w := 20*h + 3*s.cfg.LeaderTimeout
			if err := c.stable(w, "Nothing failed: no node may start an election or change its leader."); err != nil {
				return err
			}
			n := len(s.ids)
			if c.electionMessages() != 0 {
				return c.failf("Nothing failed for %d ticks after the election settled, yet nodes sent election messages.\nexpected: only Heartbeats\nactual:   %s", w, c.counts())
			}
			if hb, most := c.sent[election.Heartbeat], (n-1)*(w/h+1); hb > most {
				return c.failf("A leader sends one Heartbeat to each of the other %d nodes every HeartbeatInterval = %d ticks.\n"+
					"expected: at most %d Heartbeats in %d ticks\nactual:   %d", n-1, h, most, w, hb)
			}
			return nil
		})
	})
}

func TestCrashOfAFollowerCausesNoElection(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			x := s.ids[r.IntN(len(s.ids)-1)]
			c.crash(x)
			c.resetCounts()
			if err := c.stable(s.quiet(), fmt.Sprintf("Node %d, a follower, crashed: the leader is still alive, so no node may change its belief.", x)); err != nil {
				return err
			}
			if c.electionMessages() != 0 {
				return c.failf("Only a follower crashed, so no election is needed.\nexpected: only Heartbeats\nactual:   %s", c.counts())
			}
			return nil
		})
	})
}

func TestLeaderCrashMakesTheNextHighestLeaderWithinTheBound(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			// Crash the leader again and again, until one node is left.
			for len(c.live(s.ids)) > 1 {
				if err := c.run(r.IntN(2 * s.cfg.HeartbeatInterval)); err != nil {
					return err
				}
				old := c.highestLive(s.ids)
				c.crash(old)
				c.resetCounts()
				next := c.highestLive(s.ids)
				if err := c.runUntilAllFollow(next, s.ids, s.crashBound(), fmt.Sprintf(
					"Leader %d crashed. Its followers notice within LeaderTimeout+MaxDelay = %d ticks, node %d wins AnswerTimeout = %d ticks after it starts its election, "+
						"and its Coordinator arrives within MaxDelay+1 = %d ticks.",
					old, s.cfg.LeaderTimeout+s.D, next, s.cfg.AnswerTimeout, s.D+1)); err != nil {
					return err
				}
				if err := c.run(2*s.D + 4); err != nil {
					return err
				}
				if err := c.checkElectionCost(len(s.ids), fmt.Sprintf("re-election after leader %d crashed", old)); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func TestEveryLowerNodeFollowsANewLeaderWithinMaxDelayPlusOneTicksOfItsDeclaration(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 3, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			old := slices.Max(s.ids)
			c.crash(old)
			next := c.highestLive(s.ids)
			for range s.crashBound() {
				if l, ok := c.leader(next); ok && l == next {
					break
				}
				if err := c.tick(); err != nil {
					return err
				}
			}
			if l, ok := c.leader(next); !ok || l != next {
				return c.failf("Leader %d crashed; node %d, the highest live node, should have declared itself by tick %d.\nexpected: node %d leads\nactual:   node %d: %s",
					old, next, c.net.Now(), next, next, c.belief(next))
			}
			return c.runUntilAllFollow(next, s.ids, s.followBound(), fmt.Sprintf(
				"Node %d declared itself leader at tick %d: it sends Coordinator to every lower node at once, which arrives within MaxDelay+1 = %d ticks.",
				next, c.net.Now(), s.D+1))
		})
	})
}

func TestWaitingNodeHoldsANewElectionWhenTheNodeThatAnsweredDies(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 3, 7, func(s setup) error {
			c := newCluster(s, r)
			k := len(s.ids)
			top, answerer, want := s.ids[k-1], s.ids[k-2], s.ids[k-3]
			c.crash(top)
			// The answerer declares itself at its Tick number AnswerTimeout+1;
			// by then it has answered every lower node. Crash it just before.
			if err := c.run(s.cfg.AnswerTimeout); err != nil {
				return err
			}
			c.crash(answerer)
			bound := s.cfg.CoordinatorTimeout + s.cfg.AnswerTimeout + 3*s.D + 3 - c.net.Now()
			return c.runUntilAllFollow(want, s.ids, bound, fmt.Sprintf(
				"Node %d answered node %d's Election and then crashed before declaring itself. A node that got an Answer but no Coordinator "+
					"within CoordinatorTimeout = %d ticks holds a new election; node %d, now the highest live node, wins it.",
				answerer, want, s.cfg.CoordinatorTimeout, want))
		})
	})
}

func TestRecoveredHigherNodeTakesOverAndTheOldLeaderStepsDown(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			// Crash the top one or two nodes; later restart the lower of them.
			k := 1
			if len(s.ids) >= 3 && r.IntN(2) == 0 {
				k = 2
			}
			down := s.ids[len(s.ids)-k:]
			for _, x := range down {
				c.crash(x)
			}
			interim := c.highestLive(s.ids)
			if err := c.runUntilAllFollow(interim, s.ids, s.crashBound(), fmt.Sprintf("Node %d is the highest live node after %v crashed.", interim, down)); err != nil {
				return err
			}
			if err := c.run(r.IntN(s.quiet())); err != nil {
				return err
			}
			back := down[0]
			c.restart(back)
			bound, why := s.startBound(), fmt.Sprintf("Node %d restarted; it is the highest node, so it wins at its first Tick (Bully: a recovering node holds an election), "+
				"and its Coordinator makes every lower node, leader %d included, follow it within MaxDelay+1 = %d ticks.", back, interim, s.D+1)
			if k == 2 {
				bound = s.cfg.AnswerTimeout + s.D + 2
				why = fmt.Sprintf("Node %d restarted; it is the highest live node, so it wins its election AnswerTimeout = %d ticks after its first Tick "+
					"(node %d above it is down), and its Coordinator makes every lower node, leader %d included, follow it within MaxDelay+1 = %d ticks.",
					back, s.cfg.AnswerTimeout, down[1], interim, s.D+1)
			}
			if err := c.runUntilAllFollow(back, s.ids, bound, why); err != nil {
				return err
			}
			return c.stable(2*s.cfg.LeaderTimeout, "After the takeover nothing fails, so nothing may change.")
		})
	})
}

func TestRecoveredLowerNodeLearnsTheLeaderWithoutDisturbingAnyone(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			leader := slices.Max(s.ids)
			x := s.ids[r.IntN(len(s.ids)-1)]
			c.crash(x)
			if err := c.run(r.IntN(s.quiet())); err != nil {
				return err
			}
			c.restart(x)
			c.resetCounts()
			before := map[id]string{}
			for _, y := range s.ids {
				before[y] = c.belief(y)
			}
			bound := 2*s.D + 3
			for i := 0; i < s.quiet(); i++ {
				if err := c.tick(); err != nil {
					return err
				}
				for _, y := range s.ids {
					if y != x && c.belief(y) != before[y] {
						return c.failf("Node %d restarted below leader %d. It asks the nodes above it (Election); they answer, and the leader also sends it a Coordinator. "+
							"No other node has any reason to change its mind.\nexpected: node %d: %s\nactual:   node %d: %s after tick %d",
							x, leader, y, before[y], y, c.belief(y), c.net.Now())
					}
				}
				if i+1 >= bound {
					if l, ok := c.leader(x); !ok || l != leader {
						return c.failf("Node %d restarted below leader %d: its Election reaches the leader within MaxDelay+1 ticks, and the leader's reply (Answer and Coordinator) "+
							"comes back within MaxDelay+1 more.\nexpected by tick %d: node %d follows %d\nactual:   node %d: %s",
							x, leader, c.net.Now(), x, leader, x, c.belief(x))
					}
				}
			}
			for _, y := range s.ids {
				if y != x && c.sentBy[y][election.Election] > 0 {
					return c.failf("Node %d restarted below a live leader; only it may send Election messages.\nexpected: node %d sends no Election\nactual:   it sent %d",
						x, y, c.sentBy[y][election.Election])
				}
			}
			return nil
		})
	})
}

// split divides ids into two non-empty groups at random.
func split(r *rand.Rand, ids []id) ([]id, []id) {
	for {
		var a, b []id
		for _, x := range ids {
			if r.IntN(2) == 0 {
				a = append(a, x)
			} else {
				b = append(b, x)
			}
		}
		if len(a) > 0 && len(b) > 0 {
			return a, b
		}
	}
}

func TestPartitionGivesEachSideItsOwnLeaderAndHealingLeavesOne(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			a, b := split(r, s.ids)
			c.partition(a, b)
			// Split brain: Bully has no quorum, so each side elects its own.
			for _, side := range [][]id{a, b} {
				want := c.highestLive(side)
				if err := c.runUntilAllFollow(want, side, s.crashBound(), fmt.Sprintf(
					"The network split into %v and %v. Bully has no majority rule: the side without the old leader notices its silence "+
						"and elects its own highest node, so each side ends up with its own leader (split brain).", a, b)); err != nil {
					return err
				}
			}
			if err := c.stable(r.IntN(3*s.cfg.LeaderTimeout), "While the partition lasts, each side keeps its own leader."); err != nil {
				return err
			}
			c.heal()
			top := slices.Max(s.ids)
			if err := c.runUntilAllFollow(top, s.ids, s.healBound(), fmt.Sprintf(
				"The partition healed. Within HeartbeatInterval = %d ticks leader %d sends Heartbeats to every node, which arrive within MaxDelay+1 = %d ticks; "+
					"a node (the other side's leader too) follows a higher node that claims to lead.", s.cfg.HeartbeatInterval, top, s.D+1)); err != nil {
				return err
			}
			return c.stable(2*s.cfg.LeaderTimeout, "After the heal one leader remains and nothing changes.")
		})
	})
}

func TestAllNodesCrashedThenARestartedLowNodeLeadsAlone(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 7, func(s setup) error {
			c, err := settled(s, r)
			if err != nil {
				return err
			}
			for _, x := range s.ids {
				c.crash(x)
			}
			if err := c.run(s.quiet()); err != nil {
				return err
			}
			low := s.ids[0]
			c.restart(low)
			if err := c.runUntilAllFollow(low, s.ids, s.cfg.AnswerTimeout+1, fmt.Sprintf(
				"Every other node is down, so none answers node %d's Election: it declares itself AnswerTimeout = %d ticks after its first Tick.",
				low, s.cfg.AnswerTimeout)); err != nil {
				return err
			}
			top := s.ids[len(s.ids)-1]
			c.restart(top)
			return c.runUntilAllFollow(top, s.ids, s.startBound(), fmt.Sprintf(
				"Node %d, the highest node, restarted: it wins at its first Tick and its Coordinator reaches node %d within MaxDelay+1 = %d ticks.", top, low, s.D+1))
		})
	})
}

func TestRandomCrashesAndRestartsNeverBreakSafetyAndEndWithTheHighestLiveLeader(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		return sizes(r, 2, 6, func(s setup) error {
			c := newCluster(s, r)
			for range 6 {
				if err := c.run(r.IntN(3 * s.cfg.LeaderTimeout)); err != nil {
					return err
				}
				x := s.ids[r.IntN(len(s.ids))]
				if c.net.Alive(x) {
					c.crash(x)
				} else {
					c.restart(x)
				}
			}
			want := c.highestLive(s.ids)
			if want == 0 {
				return nil
			}
			return c.runUntilAllFollow(want, s.ids, s.quiet(), "After the last crash or restart nothing fails, so every live node ends up following the highest live node.")
		})
	})
}

// explored runs an exploration and turns its failure into a learner's report.
func explored(err error) error {
	var xe *simnet.ExploreError
	if errors.As(err, &xe) {
		// The replay command runs the exploration again, which is
		// deterministic and reaches the same path first.
		return fmt.Errorf("%w\n\n(found by trying every delivery order of this tiny cluster; this was order number %d)\n%s%d", xe.Err, xe.Path, check.SeedMarker, xe.Path)
	}
	return err
}

func TestEveryDeliveryOrderOfAThreeNodeStartElectsTheHighest(t *testing.T) {
	defer check.Recover(t)
	s := setup{ids: []id{1, 2, 3}, D: 1, cfg: election.Config{HeartbeatInterval: 2, LeaderTimeout: 4, AnswerTimeout: 4, CoordinatorTimeout: 8}}
	var c *cluster
	err := simnet.Explore(simnet.ExploreOptions{Ticks: s.startBound()},
		func() *simnet.Network[election.Kind] {
			c = newCluster(s, check.Rand(1))
			return c.net
		},
		func(*simnet.Network[election.Kind]) error {
			if err := c.observe(); err != nil {
				return err
			}
			if c.net.Now() < s.startBound() {
				return nil
			}
			if bad := c.notFollowing(3, s.ids); len(bad) > 0 {
				return c.failf("All nodes started together and node 3 is the highest: by tick %d every node follows it.\nactual: %v", s.startBound(), bad)
			}
			return nil
		})
	if err != nil {
		t.Fatal(explored(err))
	}
}

func TestEveryCrashPointOfTheLeaderEndsWithTheNextHighestAndItsReturnWithItself(t *testing.T) {
	defer check.Recover(t)
	s := setup{ids: []id{1, 2, 3}, D: 0, fixed: true, cfg: election.Config{HeartbeatInterval: 2, LeaderTimeout: 3, AnswerTimeout: 2, CoordinatorTimeout: 5}}
	const window = 10          // node 3 crashes at some point of the first window ticks
	back := s.crashBound() + 1 // and restarts this many ticks after it crashed
	var c *cluster
	crashedAt, restartedAt := -1, -1
	err := simnet.Explore(simnet.ExploreOptions{Ticks: window + back + s.startBound(), Crashable: []id{3}, MaxCrashes: 1},
		func() *simnet.Network[election.Kind] {
			c = newCluster(s, check.Rand(1))
			crashedAt, restartedAt = -1, -1
			return c.net
		},
		func(*simnet.Network[election.Kind]) error {
			now := c.net.Now()
			if crashedAt < 0 && !c.net.Alive(3) {
				crashedAt = now
				c.notes = append(c.notes, fmt.Sprintf("during tick %d: node 3 crashed", now))
			}
			if err := c.observe(); err != nil {
				return err
			}
			switch {
			case crashedAt < 0:
				if now >= s.startBound() {
					if bad := c.notFollowing(3, s.ids); len(bad) > 0 {
						return c.failf("All nodes started together and node 3 is the highest: by tick %d every node follows it.\nactual: %v", s.startBound(), bad)
					}
				}
				if now >= window {
					return simnet.StopPath
				}
			case restartedAt < 0:
				if now >= crashedAt+s.crashBound() {
					if bad := c.notFollowing(2, s.ids); len(bad) > 0 {
						return c.failf("Node 3 crashed during tick %d; by tick %d (LeaderTimeout + AnswerTimeout + 2*MaxDelay + 1 later) every live node follows node 2.\nactual: %v",
							crashedAt, crashedAt+s.crashBound(), bad)
					}
				}
				if now == crashedAt+back {
					c.restart(3)
					restartedAt = now
				}
			default:
				if now >= restartedAt+s.startBound() {
					if bad := c.notFollowing(3, s.ids); len(bad) > 0 {
						return c.failf("Node 3 restarted after tick %d; it is the highest node, so by tick %d every node follows it.\nactual: %v",
							restartedAt, restartedAt+s.startBound(), bad)
					}
					return simnet.StopPath
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(explored(err))
	}
}
