// Package watch reports changes to the Go files of a directory: through
// file-system events where they arrive (fsnotify), by polling where they do
// not (network file systems, WSL on a Windows drive). Editors that save by
// writing a new file and renaming it over the old one (vim) are handled by
// watching the directory rather than the files.
package watch

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher sends a value on Changes after the Go files of a directory change,
// once per burst of changes.
type Watcher struct {
	// Changes receives one value per settled burst of changes.
	Changes <-chan struct{}
	// Mode says how changes are noticed: "events", or "polling" and why.
	Mode string

	stop func()
}

// Close stops watching.
func (w *Watcher) Close() { w.stop() }

// Settle is how long a burst of events must be quiet before it is reported:
// an editor's save is often several events.
const Settle = 150 * time.Millisecond

// New watches dir. With poll set, or on a file system where events do not
// arrive, it polls every interval.
func New(dir string, poll bool, interval time.Duration) (*Watcher, error) {
	if !poll {
		if why := eventsUnreliable(dir); why != "" {
			return newPoller(dir, interval, "polling every "+interval.String()+": "+why)
		}
		fw, err := fsnotify.NewWatcher()
		if err == nil {
			if err = fw.Add(dir); err == nil {
				return newEventWatcher(fw), nil
			}
			fw.Close()
		}
		return newPoller(dir, interval, "polling every "+interval.String()+": file events are not available here ("+err.Error()+")")
	}
	return newPoller(dir, interval, "polling every "+interval.String())
}

func isGoFile(name string) bool { return strings.HasSuffix(name, ".go") }

func newEventWatcher(fw *fsnotify.Watcher) *Watcher {
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		var timer *time.Timer
		var fire <-chan time.Time
		for {
			select {
			case <-done:
				return
			case ev, ok := <-fw.Events:
				if !ok {
					return
				}
				if !isGoFile(filepath.Base(ev.Name)) || ev.Op == fsnotify.Chmod {
					continue
				}
				if timer == nil {
					timer = time.NewTimer(Settle)
				} else {
					timer.Reset(Settle)
				}
				fire = timer.C
			case <-fw.Errors:
			case <-fire:
				fire = nil
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}()
	return &Watcher{Changes: ch, Mode: "events", stop: func() { close(done); fw.Close() }}
}

type stamp struct {
	size int64
	mod  time.Time
}

func snapshot(dir string) map[string]stamp {
	out := map[string]stamp{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || !isGoFile(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil {
			out[e.Name()] = stamp{info.Size(), info.ModTime()}
		}
	}
	return out
}

func same(a, b map[string]stamp) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func newPoller(dir string, interval time.Duration, mode string) (*Watcher, error) {
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	last := snapshot(dir)
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				now := snapshot(dir)
				if !same(now, last) {
					last = now
					select {
					case ch <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	return &Watcher{Changes: ch, Mode: mode, stop: func() { close(done) }}, nil
}
