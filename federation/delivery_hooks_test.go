package federation

import (
	"slices"
	"testing"

	"github.com/wikipub/wikipub/federation/delivery"
)

// TestDeliverReviveHookPerServer: each Server calls only its own hook,
// with the host as the deliverer keys it; a Server without one is fine.
func TestDeliverReviveHookPerServer(t *testing.T) {
	var a, b []string
	sa, sb, sc := &Server{}, &Server{}, &Server{}
	sa.OnSignedRequest(func(h string) { a = append(a, h) })
	sb.OnSignedRequest(func(h string) { b = append(b, h) })
	sa.revive(delivery.HostOf("https://Mastodon.Social/users/alice"))
	sb.revive(delivery.HostOf("http://127.0.0.1:8080/users/bob"))
	sb.revive("")
	sc.revive("ignored.example")
	if !slices.Equal(a, []string{"mastodon.social"}) || !slices.Equal(b, []string{"127.0.0.1:8080"}) {
		t.Fatalf("hooks got a=%q b=%q", a, b)
	}
}
