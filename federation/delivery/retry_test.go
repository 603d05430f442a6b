package delivery

import (
	"net/http"
	"testing"
	"time"
)

func TestDeliveryRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"99999999999999", 24 * time.Hour},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(30 * 24 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
		{now.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second},
	}
	for _, c := range cases {
		if got := retryAfter(c.in, now, 24*time.Hour); got != c.want {
			t.Errorf("retryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestDeliveryFinalStatuses(t *testing.T) {
	for status, want := range map[int]bool{
		400: true, 403: true, 404: true, 410: true, 422: true,
		401: false, 408: false, 429: false, 500: false, 503: false, 302: false,
	} {
		if got := final(status); got != want {
			t.Errorf("final(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestDeliveryHostOf(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://Mastodon.Social/inbox", "mastodon.social"},
		{"https://mastodon.social:443/inbox", "mastodon.social"},
		{"http://example.org:80/inbox", "example.org"},
		{"https://example.org.:8443/inbox", "example.org:8443"},
		{"http://127.0.0.1:40000/inbox", "127.0.0.1:40000"},
		{"https://[::1]:8443/inbox", "[::1]:8443"},
		{"https://[::1]/inbox", "[::1]"},
		{"/relative", ""},
		{"::bad", ""},
	}
	for _, c := range cases {
		if got := HostOf(c.in); got != c.want {
			t.Errorf("HostOf(%q) = %q, want %q", c.in, got, c.want)
		}
		if c.want != "" {
			if got := normalizeHost(c.want); got != c.want {
				t.Errorf("normalizeHost(%q) = %q, not idempotent", c.want, got)
			}
		}
	}
	if got := normalizeHost("Example.ORG:443"); got != "example.org" {
		t.Errorf("normalizeHost(Example.ORG:443) = %q", got)
	}
}
