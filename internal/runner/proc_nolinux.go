//go:build !linux

package runner

import "time"

// Without /proc, a tree is its root process only: no memory or process
// limit applies, and the process group is what is stopped.
type tree struct{ root int }

func newTree(root int) *tree { return &tree{root: root} }

func (t *tree) usage() (int64, int) { return 0, 1 }

func (t *tree) quit() {}

func (t *tree) kill() {}

func enableReaper() {}

func reapOrphans(time.Time) {}
