//go:build dslearnsuite

package twopc_test

import (
	"math/rand/v2"
	"testing"

	"github.com/dslearn/dslearn/internal/check"
	"github.com/dslearn/dslearn/simnet"
)

func TestRandomFailuresNeverBreakAtomicity(t *testing.T) {
	defer check.Recover(t)
	check.Seeded(t, defaultRuns, func(r *rand.Rand) error {
		cfg := simnet.Config{
			Seed:          r.Uint64(),
			MaxDelay:      r.IntN(3),
			DuplicateRate: []float64{0, 0.1, 0.3}[r.IntN(3)],
			DropRate:      []float64{0, 0.05, 0.15}[r.IntN(3)],
		}
		cl := newCluster(cfg, 2+r.IntN(3), safeTimeout(cfg)+r.IntN(3), 1+r.IntN(4))
		plans := workload(r, cl.parts, 3+r.IntN(6), true, 0.2)
		ch := chaos{crash: cl.net.IDs(), pCrash: 0.02, maxDown: 10, partitions: true}
		return runChaos(cl, r, plans, randomStarts(r, len(plans), 40), ch, 60, 400)
	})
}
