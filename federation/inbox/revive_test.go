package inbox

import (
	"slices"
	"testing"

	"github.com/wikipub/wikipub/federation/delivery"
)

// TestDeliverReviveHookPerServer: each Handler calls only its own hook,
// with the host as the deliverer keys it; a Handler without one is fine.
func TestDeliverReviveHookPerServer(t *testing.T) {
	var a, b []string
	sa := &Handler{onSigned: func(h string) { a = append(a, h) }}
	sb := &Handler{onSigned: func(h string) { b = append(b, h) }}
	sc := &Handler{}
	sa.revive(delivery.HostOf("https://Mastodon.Social/users/alice"))
	sb.revive(delivery.HostOf("http://127.0.0.1:8080/users/bob"))
	sb.revive("")
	sc.revive("ignored.example")
	if !slices.Equal(a, []string{"mastodon.social"}) || !slices.Equal(b, []string{"127.0.0.1:8080"}) {
		t.Fatalf("hooks got a=%q b=%q", a, b)
	}
}
