package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/wiki"
)

// TestLogChangeLeavesOutIPAddresses: the debug line of an IP edit says the
// editor was unregistered and not which address they had; a registered
// editor is named.
func TestLogChangeLeavesOutIPAddresses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change wiki.Change
		absent string
		want   string
	}{
		{"IPv4", wiki.Change{Kind: wiki.KindEdit, Title: "Page", User: "198.51.100.23", Anonymous: true}, "198.51.100.23", "anon=true"},
		{"IPv6", wiki.Change{Kind: wiki.KindNew, Title: "Page", User: "2001:DB8:0:0:0:0:0:7", Anonymous: true}, "2001:DB8", "anon=true"},
		{"registered", wiki.Change{Kind: wiki.KindEdit, Title: "Page", User: "Jimbo", UserID: 2}, "", "user=Jimbo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := tc.change
			c.Timestamp = time.Now()
			logChange(context.Background(), log, &c)
			out := buf.String()
			if !strings.Contains(out, "msg=change") || !strings.Contains(out, tc.want) {
				t.Errorf("log line %q lacks %q", out, tc.want)
			}
			if tc.absent != "" && strings.Contains(out, tc.absent) {
				t.Errorf("log line %q holds the IP address %q", out, tc.absent)
			}
		})
	}
}
