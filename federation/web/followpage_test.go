package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestParseInstance: what a reader types as their server becomes a bare
// host (with its port), or a message; nothing else reaches the redirect.
func TestParseInstance(t *testing.T) {
	for _, c := range []struct {
		in, host string
	}{
		{"mastodon.social", "mastodon.social"},
		{"  Mastodon.Social  ", "mastodon.social"},
		{"https://mastodon.social/", "mastodon.social"},
		{"HTTP://gts.example:8080", "gts.example:8080"},
		{"@me@mastodon.social", "mastodon.social"},
		{"me@mastodon.social", "mastodon.social"},
		{"social.example.", "social.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		// Refused: each would send the reader somewhere else than a server.
		{"", ""},
		{"localhost", ""},
		{"192.168.1.1", ""},
		{"[::1]", ""},
		{"evil.example/path", ""},
		{"evil.example?x=1", ""},
		{"evil.example#frag", ""},
		{"user:pass@evil.example/x", ""},
		{"https://a@evil.example", ""},
		{"javascript:alert(1)", ""},
		{"//evil.example", ""},
		{"evil.example:0", ""},
		{"evil.example:65536", ""},
		{"evil.example:080", ""},
		{"evil.example:", ""},
		{"bücher.example", ""},
		{"-bad.example", ""},
		{"bad-.example", ""},
		{"a..example", ""},
		{"evil\\.example", ""},
		{"evil.example%2f", ""},
		{"ev il.example", ""},
		{"evil.example\n", "evil.example"}, // trailing space trimmed
		{"evil.exa\tmple", ""},
		{"@@evil.example", ""},
		{"me!@evil.example", ""},
		{strings.Repeat("a", 64) + ".example", ""},
		{strings.Repeat("a.", 160) + "example", ""},
	} {
		host, problem := parseInstance(c.in)
		if host != c.host {
			t.Errorf("parseInstance(%q) = %q (%q), want %q", c.in, host, problem, c.host)
		}
		if (host == "") == (problem == "") {
			t.Errorf("parseInstance(%q): host %q and problem %q: exactly one must be set", c.in, host, problem)
		}
	}
}

// FuzzParseInstance: whatever is typed, a host that comes out is one the
// remote-follow URL keeps as its host, with nothing after it.
func FuzzParseInstance(f *testing.F) {
	for _, s := range []string{"mastodon.social", "https://a.example:443/", "@me@b.example", "a.example/x", "a@b@c", "[::1]:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		host, problem := parseInstance(in)
		if host == "" {
			if problem == "" {
				t.Fatalf("%q: neither a host nor a problem", in)
			}
			return
		}
		u, err := url.Parse(remoteFollowURL(host, "https://wiki.example/ap/page/1"))
		if err != nil {
			t.Fatalf("%q → %q: the follow URL does not parse: %v", in, host, err)
		}
		if u.Host != host || u.Scheme != "https" || u.Path != "/authorize_interaction" || u.User != nil {
			t.Fatalf("%q → %q: the follow URL goes to %s", in, host, u)
		}
		if got, _ := parseInstance(host); got != host {
			t.Fatalf("%q → %q, which parses again as %q", in, host, got)
		}
	})
}

func TestWantsHTML(t *testing.T) {
	for _, c := range []struct {
		accept string
		html   bool
	}{
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"application/activity+json", false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, false},
		{"application/activity+json, text/html;q=0.1", false},
		{"*/*", false},
		{"", false},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", c.accept)
		if got := wantsHTML(r); got != c.html {
			t.Errorf("Accept %q: wantsHTML %v, want %v", c.accept, got, c.html)
		}
	}
}

func TestImageOrigins(t *testing.T) {
	got := imageOrigins("https://upload.wiki.example/a/b.png", "https://upload.wiki.example/c.png",
		"http://other.example:8080/x.jpg", "javascript:alert(1)", "data:image/png;base64,AAAA", "", "/relative.png")
	if want := " https://upload.wiki.example http://other.example:8080"; got != want {
		t.Errorf("imageOrigins = %q, want %q", got, want)
	}
}
