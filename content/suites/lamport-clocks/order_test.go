//go:build dslearnsuite

package lamport_test

import (
	"fmt"
	"testing"

	"github.com/dslearn/dslearn/exercises/lamport-clocks"
	"github.com/dslearn/dslearn/internal/check"
)

func TestStampLessComparesTimeThenProcess(t *testing.T) {
	defer check.Recover(t)
	cases := []struct {
		a, b lamport.Stamp
		want bool
		why  string
	}{
		{lamport.Stamp{Time: 1, Process: "b"}, lamport.Stamp{Time: 2, Process: "a"}, true, "smaller time first, whatever the process"},
		{lamport.Stamp{Time: 2, Process: "a"}, lamport.Stamp{Time: 1, Process: "b"}, false, "larger time second, whatever the process"},
		{lamport.Stamp{Time: 3, Process: "a"}, lamport.Stamp{Time: 3, Process: "b"}, true, "equal times: smaller process ID first"},
		{lamport.Stamp{Time: 3, Process: "b"}, lamport.Stamp{Time: 3, Process: "a"}, false, "equal times: larger process ID second"},
		{lamport.Stamp{Time: 3, Process: "a"}, lamport.Stamp{Time: 3, Process: "a"}, false, "a stamp is not less than itself"},
		{lamport.Stamp{Time: 0, Process: "p10"}, lamport.Stamp{Time: 0, Process: "p9"}, true, `process IDs compare as Go strings ("p10" < "p9")`},
		{lamport.Stamp{Time: 7, Process: ""}, lamport.Stamp{Time: 7, Process: "a"}, true, "the empty ID is the smallest"},
		{lamport.Stamp{Time: 9, Process: "z"}, lamport.Stamp{Time: 10, Process: ""}, true, "time decides before the process ID"},
	}
	for _, c := range cases {
		if got := c.a.Less(c.b); got != c.want {
			t.Error(check.Mismatch(fmt.Sprintf("%s.Less(%s) (%s)", show(c.a), show(c.b), c.why), c.want, got))
		}
	}
}

// show writes a Stamp as Go source, as the lesson does.
func show(s lamport.Stamp) string { return fmt.Sprintf("Stamp{%d, %q}", s.Time, s.Process) }
