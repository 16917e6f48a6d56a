package simnet

import (
	"bytes"
	"testing"
)

func TestStorageKeepsOnlyWhatWasSaved(t *testing.T) {
	s := NewStorage()
	if got := s.Load(); got != nil {
		t.Fatalf("new storage: Load() = %q, want nil", got)
	}
	buf := []byte("term=3")
	s.Save(buf)
	buf[0] = 'X' // the caller reuses its buffer
	got := s.Load()
	if !bytes.Equal(got, []byte("term=3")) {
		t.Fatalf("Load() = %q after the saved buffer changed, want %q", got, "term=3")
	}
	got[0] = 'Y' // the caller changes what it loaded
	if again := s.Load(); !bytes.Equal(again, []byte("term=3")) {
		t.Fatalf("Load() = %q after a loaded copy changed, want %q", again, "term=3")
	}
	s.Save(nil)
	if got := s.Load(); got == nil || len(got) != 0 {
		t.Fatalf("after Save(nil): Load() = %#v, want an empty non-nil slice", got)
	}
	if s.Saves() != 2 || s.Size() != 0 || s.BytesWritten() != 6 {
		t.Fatalf("Saves, Size, BytesWritten = %d, %d, %d; want 2, 0, 6", s.Saves(), s.Size(), s.BytesWritten())
	}
	c := s.Clone()
	s.Save([]byte("later"))
	if got := c.Load(); len(got) != 0 || c.Saves() != 2 {
		t.Fatalf("a clone changed with its original: Load() = %q, Saves() = %d", got, c.Saves())
	}
}

// saver saves the body of every message it receives only at its next tick:
// the bug of a node that replies before its state is on disk.
type saver struct {
	disk    *Storage
	pending []byte
}

func (s *saver) Receive(m Message[string]) []Message[string] {
	s.pending = []byte(m.Body)
	return []Message[string]{{To: m.From, Body: "ack " + m.Body}}
}

func (s *saver) Tick() []Message[string] {
	if s.pending != nil {
		s.disk.Save(s.pending)
		s.pending = nil
	}
	return nil
}

func TestOnReceiveCanCrashAReceiverRightAfterItReplied(t *testing.T) {
	net := New[string](Config{Seed: 1})
	disk := NewStorage()
	net.Add(1, &saver{disk: disk})
	net.Add(2, &silent{})
	var seen []string
	net.OnReceive(func(m Message[string]) {
		seen = append(seen, m.Body)
		if m.To == 1 {
			net.Crash(1)
		}
	})
	net.Send(msg(2, 1, "v1"))
	net.Run(3)
	if got := net.Node(2).(*silent).got; len(got) != 1 || got[0].Body != "ack v1" {
		t.Fatalf("node 2 got %v, want the reply sent before the crash", got)
	}
	if net.Alive(1) {
		t.Fatal("node 1 is alive; OnReceive crashed it")
	}
	if got := disk.Load(); got != nil {
		t.Fatalf("disk holds %q; the node crashed before its tick saved anything", got)
	}
	if len(seen) != 2 || seen[0] != "v1" || seen[1] != "ack v1" {
		t.Fatalf("OnReceive saw %q, want [v1 ack v1]", seen)
	}
	net.OnReceive(nil)
	net.Restart(1, &saver{disk: disk})
	net.Send(msg(2, 1, "v2"))
	net.Run(2)
	if got := disk.Load(); string(got) != "v2" {
		t.Fatalf("after restart without the hook: disk holds %q, want v2", got)
	}
}
