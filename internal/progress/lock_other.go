//go:build !unix

package progress

import "sync"

var mu sync.Mutex

// lock serializes updates within one process where file locks are not available.
func lock(string) (func(), error) {
	mu.Lock()
	return mu.Unlock, nil
}
