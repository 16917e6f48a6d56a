package grader

import (
	"testing"
	"testing/fstest"
)

func TestATightLoopIsLocatedInItsFunction(t *testing.T) {
	impl := fstest.MapFS{"lamport.go": {Data: []byte("package lamport\n\ntype Clock struct{ time uint64 }\n\nfunc (c *Clock) Tick() uint64 {\n\tc.time++\n\tfor {\n\t\tc.time++\n\t}\n}\n")}}
	r := newResult()
	c := r.check("TestTick")
	c.Message = "did not finish in 3s: a loop that never ends, or a deadlock?\nrunning at:\n    at exercises/lamport-clocks/lamport.go:1"
	c.out.WriteString("goroutine 19 [runnable]:\nexample.com/m/exercises/lamport-clocks.(*Clock).Tick(0x63a6e9e2488?)\n\texample.com/m/exercises/lamport-clocks/lamport.go:1 +0x46\nexample.com/m/exercises/lamport-clocks_test.TestTick(0x63a6e9e2488)\n\texample.com/m/exercises/lamport-clocks/clock_test.go:41 +0xd7\n")
	locate(r, impl)
	want := "did not finish in 3s: a loop that never ends, or a deadlock?\nrunning at:\n    at exercises/lamport-clocks/lamport.go:7 (in Clock.Tick)"
	if c.Message != want {
		t.Errorf("message:\n%s\nwant:\n%s", c.Message, want)
	}
}

func TestALoopSeenInSeveralFramesIsNamedOnce(t *testing.T) {
	impl := fstest.MapFS{"lamport.go": {Data: []byte("package lamport\n\ntype Clock struct{ time uint64 }\n\nfunc (c *Clock) Tick() uint64 {\n\tc.time++\n\tfor {\n\t\tc.time++\n\t}\n}\n")}}
	r := newResult()
	c := r.check("TestTick")
	c.Message = "did not finish in 3s: a loop that never ends, or a deadlock?\nrunning at:\n    at exercises/lamport-clocks/lamport.go:7"
	frame := "example.com/m/exercises/lamport-clocks.(*Clock).Tick(0x63a6e9e2488?)\n\texample.com/m/exercises/lamport-clocks/lamport.go:7 +0x46\n"
	c.out.WriteString("goroutine 19 [runnable]:\n" + frame + "\ngoroutine 20 [runnable]:\n" + frame + "\ngoroutine 21 [runnable]:\n" + frame)
	locate(r, impl)
	want := "did not finish in 3s: a loop that never ends, or a deadlock?\nrunning at:\n    at exercises/lamport-clocks/lamport.go:7 (in Clock.Tick)"
	if c.Message != want {
		t.Errorf("message:\n%s\nwant:\n%s", c.Message, want)
	}
}
