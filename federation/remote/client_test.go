package remote

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// TestOutboundRefusesInternalAddresses: whatever a remote names (a keyId,
// an inbox, an actor), wikipub must not be made to reach the inside
// network. The guard runs before the connection is made, so these tests
// send nothing to the addresses they name.
func TestOutboundRefusesInternalAddresses(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cases := []struct {
		url   string
		allow []netip.Prefix
		want  bool // refused
	}{
		{"http://10.1.2.3/inbox", nil, true},
		{"http://172.16.0.1/inbox", nil, true},
		{"http://192.168.1.1/inbox", nil, true},
		{"http://169.254.169.254/latest/meta-data/", nil, true},
		{"http://[::1]:9/key", nil, true},
		{"http://[fe80::1]:9/key", nil, true},
		{"http://[fd00::1]:9/key", nil, true},
		{"http://100.64.0.1/inbox", nil, true},
		{"http://0.0.0.0:9/", nil, true},
		{"http://127.0.0.1:9/inbox", nil, true},
		{"http://localhost:9/inbox", nil, true}, // a name resolving to loopback
		{"http://[::ffff:10.0.0.1]:9/", nil, true},
		{"http://127.0.0.1:9/inbox", loopback, false},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			client := NewHTTPClient(c.allow)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
			resp, err := client.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			// (Only loopback is ever allowed here: an allowed private
			// address would really be dialled.)
			refused := errors.Is(err, ErrForbiddenAddress)
			if refused != c.want {
				t.Errorf("refused = %v (err %v), want %v", refused, err, c.want)
			}
		})
	}
}

func TestForbidden(t *testing.T) {
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", false}, {"2001:4860::8888", false}, {"10.0.0.1", true}, {"127.0.0.53", true},
		{"169.254.1.1", true}, {"::1", true}, {"fc00::1", true}, {"224.0.0.1", true}, {"::ffff:192.168.0.1", true},
		// What the guard missed before it followed IANA's registries.
		{"64:ff9b::7f00:1", true}, {"64:ff9b:1::1", true}, {"2002:7f00:1::1", true}, {"::7f00:1", true},
		{"fec0::1", true}, {"2001:0:4136:e378::1", true}, {"2001:db8::1", true}, {"100::1", true},
		{"192.0.0.1", true}, {"192.0.2.1", true}, {"198.18.0.1", true}, {"198.19.255.255", true},
		{"240.0.0.1", true}, {"255.255.255.255", true}, {"203.0.113.5", true}, {"192.88.99.1", true},
		// Globally reachable neighbours of those blocks stay allowed.
		{"198.20.0.1", false}, {"192.0.3.1", false}, {"2003::1", false}, {"2620:4f:8000::1", false}, {"1.1.1.1", false},
	} {
		if got := forbidden(netip.MustParseAddr(c.addr), nil); got != c.want {
			t.Errorf("forbidden(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
	// The allow list opens exactly its ranges (checked without dialling).
	allow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if forbidden(netip.MustParseAddr("10.1.2.3"), allow) || !forbidden(netip.MustParseAddr("192.168.0.1"), allow) {
		t.Error("the allow list does not open exactly its ranges")
	}
}
