package remote

import (
	"net"
	"net/url"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
)

// What a remote document may make us believe about its key. These are
// Mastodon's rules (docs/interop.md, "Trusting a key"); what an activity
// may make us believe, once its signature verified, is the inbox's
// (federation/inbox, trust.go):
//
//   - a key is believed only when its owner, fetched from its own id,
//     lists exactly that key id (confirmedKey; the fetch is Remote's);
//   - our own actors never sign from elsewhere (isOurs).
//
// "Host" is the host and port, case-insensitive, without a trailing dot
// or the scheme's default port: two servers on one machine are two hosts.

// Origin is an http(s) id's host as the trust rules compare it, or "": the
// inbox, the block list and the rate limits key remotes by it.
func Origin(id string) string {
	u, err := url.Parse(id)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		return net.JoinHostPort(host, port)
	}
	if strings.Contains(host, ":") { // IPv6
		return "[" + host + "]"
	}
	return host
}

// SameOrigin reports whether two ids are on one host: an activity's id
// must be on its signer's, and so must the objects it creates.
func SameOrigin(a, b string) bool {
	oa := Origin(a)
	return oa != "" && oa == Origin(b)
}

// trust holds our own host, for the rules above.
type trust struct{ ours string }

func newTrust(base string) trust { return trust{ours: Origin(base)} }

// isOurs reports whether id is on our own host: one of our actors, which
// no remote may sign for.
func (t trust) isOurs(id string) bool { return t.ours != "" && Origin(id) == t.ours }

// confirmedKey returns the owner's key with exactly keyID, if the owner
// (as fetched from its own id) lists it as its own.
func (t trust) confirmedKey(owner *activity.RemoteActor, keyID string) (activity.PublicKey, bool) {
	if t.isOurs(owner.ID) {
		return activity.PublicKey{}, false
	}
	for _, k := range owner.Keys {
		if k.ID == keyID && (k.Owner == "" || k.Owner == owner.ID) {
			return k, true
		}
	}
	return activity.PublicKey{}, false
}
