package inbox

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
)

// trust is the one place that decides what an inbound activity whose
// signature verified may make us believe: whose activity it is, which ids
// it may use and which records it may change. Every handler asks these
// rules instead of judging for itself. They are Mastodon's (docs/interop.md,
// "Trusting a key"):
//
//   - a key is believed only when its owner, fetched from its own id,
//     lists exactly that key id, and our own actors never sign from
//     elsewhere: federation/remote, trust.go, which fetches and checks keys;
//   - an activity is its signer's: actor == signer, and the activity's id
//     is on the signer's host (envelope);
//   - so are the ids of the objects it creates (createdObject);
//   - an id that belongs to one actor is never taken over by another
//     (mayTake);
//   - what was handled before is remembered per signer (seenKey), so no
//     one can make us ignore someone else's activity by sending its id
//     first.
//
// "Host" is the host and port, case-insensitive, without a trailing dot
// or the scheme's default port: two servers on one machine are two hosts.
type trust struct {
	// ours is our own host; oursHost and oursPort its parts, the port
	// explicit (the scheme's default when the public URL gives none), and
	// defaultPort the scheme's, which a Host header without one means.
	ours, oursHost, oursPort, defaultPort string
}

func newTrust(base string) trust {
	t := trust{ours: remote.Origin(base)}
	if u, err := url.Parse(base); err == nil {
		t.oursHost = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		t.defaultPort = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		t.oursPort = u.Port()
		if t.oursPort == "" {
			t.oursPort = t.defaultPort
		}
	}
	return t
}

// forUs reports whether a request's Host names us: a signature covers the
// Host, so a request signed for another server (and relayed here) is
// never taken as meant for us.
func (t trust) forUs(hostHeader string) bool {
	host, port, err := net.SplitHostPort(hostHeader)
	if err != nil {
		host, port = hostHeader, t.defaultPort
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	return host != "" && host == t.oursHost && port == t.oursPort
}

// isOurs reports whether id is on our own host: one of our actors or
// objects, which no remote may sign for or create.
func (t trust) isOurs(id string) bool { return t.ours != "" && remote.Origin(id) == t.ours }

// envelope checks an activity whose signature verified against its
// signer: it must be the signer's own, under an id of the signer's host.
func (t trust) envelope(act *inbound) *refusal {
	if act.Actor != act.signer {
		// Forwarded (a reply relayed by a third server): signed by
		// someone else, so nothing in it is believed. Not an error of the
		// sender's: it is told it was taken.
		return &refusal{status: 202, reason: reasonNotSignedByActor, msg: "not signed by its actor: ignored"}
	}
	if !remote.SameOrigin(act.ID, act.signer) {
		return &refusal{status: 400, reason: reasonForeignID, msg: "the activity id is not on its actor's host"}
	}
	return nil
}

// createdObject checks the id (and author) of an object an activity
// creates or changes: on the signer's host, and attributed to the signer
// when it names an author.
func (t trust) createdObject(signer string, n *activity.RemoteNote) *refusal {
	if n.AttributedTo != "" && n.AttributedTo != signer {
		return &refusal{status: 202, reason: reasonNotSignedByActor, msg: "the object is someone else's: ignored"}
	}
	if t.isOurs(n.ID) || !remote.SameOrigin(n.ID, signer) {
		return &refusal{status: 400, reason: reasonForeignID, msg: "the object id is not on its actor's host"}
	}
	return nil
}

// mayTake says whether signer may store a record of kind under an id
// that already has one (existing, nil when none): only over its own, of
// the same kind.
func (t trust) mayTake(existing *store.Interaction, signer, kind string) *refusal {
	if existing == nil {
		return nil
	}
	if existing.Actor != signer || existing.Kind != kind {
		return &refusal{status: 403, reason: reasonTakenID, msg: "that id already names another actor's object"}
	}
	return nil
}

// seenKey is the replay mark of one activity of one signer: fixed-size,
// and never the same for two signers.
func (t trust) seenKey(signer, activityID string) string {
	sum := sha256.Sum256([]byte(signer + "\x00" + activityID))
	return "seen2:" + hex.EncodeToString(sum[:])
}
