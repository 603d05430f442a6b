package fedpeer

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckUsername(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"alice", true}, {"Alice", true}, {"a_b", true}, {"_a", true}, {"a.b", true}, {"a-b", true},
		{"a.-b", true}, {"main_page", true}, {"1", true}, {strings.Repeat("a", 128), true},
		{"", false}, {"a.", false}, {".a", false}, {"-a", false}, {"a b", false}, {"a:b", false},
		{"a/b", false}, {"élise", false}, {"a@b", false}, {strings.Repeat("a", 129), false},
	}
	for _, tc := range cases {
		err := checkUsername(tc.name)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrUsernameFormat)) {
			t.Errorf("checkUsername(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestParseHandle(t *testing.T) {
	cases := []struct {
		in, user, host string
		ok             bool
	}{
		{"alice@example.com", "alice", "example.com", true},
		{"@alice@example.com", "alice", "example.com", true},
		{" @Alice@127.0.0.1:8080 ", "Alice", "127.0.0.1:8080", true},
		{"alice", "", "", false},
		{"@alice", "", "", false},
		{"alice@", "", "", false},
		{"@@example.com", "", "", false},
		{"a@b@c", "", "", false},
		{"alice@example.com/x", "", "", false},
	}
	for _, tc := range cases {
		u, h, err := parseHandle(tc.in)
		if tc.ok != (err == nil) || u != tc.user || h != tc.host {
			t.Errorf("parseHandle(%q) = %q, %q, %v", tc.in, u, h, err)
		}
		if err != nil && !errors.Is(err, ErrBadHandle) {
			t.Errorf("parseHandle(%q) error %v is not ErrBadHandle", tc.in, err)
		}
	}
}

func TestContentTypes(t *testing.T) {
	ap := map[string]bool{
		"application/activity+json":                                                              true,
		"application/activity+json; charset=utf-8":                                               true,
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`:                   true,
		`application/ld+json; profile="https://x.example https://www.w3.org/ns/activitystreams"`: true,
		"application/ld+json":                                                                    false,
		"application/json":                                                                       false,
		"text/html":                                                                              false,
		"":                                                                                       false,
	}
	for ct, want := range ap {
		if isActivityJSON(ct) != want {
			t.Errorf("isActivityJSON(%q) != %v", ct, want)
		}
	}
	jrd := map[string]bool{
		"application/jrd+json": true, "application/json; charset=utf-8": true,
		"application/activity+json": false, "text/plain": false,
	}
	for ct, want := range jrd {
		if isJRD(ct) != want {
			t.Errorf("isJRD(%q) != %v", ct, want)
		}
	}
}
