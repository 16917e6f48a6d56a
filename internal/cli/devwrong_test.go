package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestDevWrongFlagsFillOptions(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    DevWrongOptions
		wantErr string
	}{
		{args: []string{"gossip", "never-stops", "--bug", "b.", "--breaks", "r."}, want: DevWrongOptions{Slug: "gossip", Name: "never-stops", Bug: "b.", Breaks: "r."}},
		{args: []string{"5", "send-before-log", "--from", "edited", "--bug", "b.", "--breaks", "r."}, want: DevWrongOptions{Slug: "5", Name: "send-before-log", From: "edited", Bug: "b.", Breaks: "r."}},
		{args: []string{"gossip", "never-stops", "--breaks", "r."}, wantErr: `--bug "…" is required`},
		{args: []string{"gossip", "never-stops", "--bug", "  ", "--breaks", "r."}, wantErr: `--bug "…" is required`},
		{args: []string{"gossip", "never-stops", "--bug", "b."}, wantErr: `--breaks "…" is required`},
		{args: []string{"gossip", "Never_Stops", "--bug", "b.", "--breaks", "r."}, wantErr: `name "Never_Stops"`},
		{args: []string{"gossip"}, wantErr: "takes 2 argument(s), got 1"},
	} {
		f, _, _ := testFactory(t)
		var got *DevWrongOptions
		cmd := NewCmdDevWrong(f, func(o *DevWrongOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		if tc.wantErr != "" {
			var ue *UsageError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &ue) {
				t.Errorf("dev wrong %v: error %v, want a usage error containing %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("dev wrong %v: %v", tc.args, err)
			continue
		}
		g := *got
		g.F = nil
		if g != tc.want {
			t.Errorf("dev wrong %v: options %+v, want %+v", tc.args, g, tc.want)
		}
	}
}
