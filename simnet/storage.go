package simnet

import "slices"

// Storage is a node's stable storage: a disk that survives a crash. A test
// creates one per node, gives it to the node it builds, and gives the same
// Storage to the node value it passes to Restart; whatever the node saved
// before the crash is there, and nothing else is.
//
// It holds one state, replaced as a whole by each Save (as Raft's persistent
// state is written in the course's exercises). Save is durable when it
// returns, like a write followed by fsync: a node that saves and then replies
// within one Receive has its state on disk before the reply is sent.
//
// A Storage is not safe for concurrent use.
type Storage struct {
	state []byte
	saved bool
	saves int
	bytes int
}

// NewStorage returns an empty Storage.
func NewStorage() *Storage { return &Storage{} }

// Save replaces the saved state with a copy of state. Saving nil or an
// empty slice saves an empty state, which Load returns as an empty, non-nil
// slice.
func (s *Storage) Save(state []byte) {
	s.state = append(make([]byte, 0, len(state)), state...)
	s.saved = true
	s.saves++
	s.bytes += len(state)
}

// Load returns a copy of the last saved state, or nil if nothing was ever
// saved.
func (s *Storage) Load() []byte {
	if !s.saved {
		return nil
	}
	return append(make([]byte, 0, len(s.state)), s.state...)
}

// Saves counts the calls to Save so far.
func (s *Storage) Saves() int { return s.saves }

// Size is the length of the saved state.
func (s *Storage) Size() int { return len(s.state) }

// BytesWritten is the total length of every state saved so far (what a
// disk would have written).
func (s *Storage) BytesWritten() int { return s.bytes }

// Clone returns an independent copy of the storage, for a test that wants
// to keep a disk as it was at some point.
func (s *Storage) Clone() *Storage {
	c := *s
	c.state = slices.Clone(s.state)
	return &c
}
