package fedpeer

import (
	"net/http"
	"strings"
)

// actorDocument renders the user as a conformant Mastodon-style Person.
// With full unset it renders the key stub served to unsigned GETs under
// RequireSignedFetch, which keeps the key fetchable without a signature.
func (p *Peer) actorDocument(r *http.Request, full bool) map[string]any {
	id := p.ActorID()
	doc := map[string]any{
		"@context": []any{asContext, secContext, map[string]any{
			"toot":                      "http://joinmastodon.org/ns#",
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			"discoverable":              "toot:discoverable",
			"indexable":                 "toot:indexable",
		}},
		"id":                id,
		"type":              "Person",
		"preferredUsername": p.cfg.username,
		"inbox":             p.InboxURL(),
		"publicKey": map[string]any{
			"id":           p.KeyID(),
			"owner":        id,
			"publicKeyPem": publicKeyPEM(&p.key.PublicKey),
		},
	}
	if full {
		doc["name"] = p.cfg.username + " (fedpeer)"
		doc["summary"] = "<p>Test peer</p>"
		doc["outbox"] = id + "/outbox"
		doc["followers"] = id + "/followers"
		doc["following"] = id + "/following"
		doc["url"] = id
		doc["endpoints"] = map[string]any{"sharedInbox": p.SharedInboxURL()}
		doc["manuallyApprovesFollowers"] = p.cfg.followPolicy == FollowRecord
		doc["discoverable"] = false
		doc["indexable"] = false
		doc["published"] = "2024-01-01T00:00:00Z"
	}
	if p.cfg.mutateActor != nil {
		p.cfg.mutateActor(doc, r)
	}
	return doc
}

// webfingerDocument renders the JRD for the user.
func (p *Peer) webfingerDocument(r *http.Request) map[string]any {
	// The subject names the user as asked, as the servers that GoToSocial
	// talks to must (it compares the names byte for byte).
	user := p.cfg.username
	if acct, ok := strings.CutPrefix(r.URL.Query().Get("resource"), "acct:"); ok {
		if i := strings.LastIndexByte(acct, '@'); i > 0 {
			user = acct[:i]
		}
	}
	jrd := map[string]any{
		"subject": "acct:" + user + "@" + p.host,
		"aliases": []any{p.ActorID()},
		"links": []any{
			map[string]any{"rel": "self", "type": "application/activity+json", "href": p.ActorID()},
			map[string]any{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": p.ActorID()},
		},
	}
	if p.cfg.mutateWebFinger != nil {
		p.cfg.mutateWebFinger(jrd, r)
	}
	return jrd
}
