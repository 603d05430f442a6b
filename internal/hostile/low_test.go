package hostile

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLowSeverity: the private-address guard covers IANA's special-purpose
// registries; domain blocks match however the domain is written; a POST
// must be signed with its Host, and be for wikipub's host; a Follow whose
// inbox is internal is refused at once; an id of 100 KB is a 400. One
// server (localhost) is blocked, written as an admin might.
func TestLowSeverity(t *testing.T) {
	f := newFixture(t)
	eachStore(t, f, []string{"--block", "LOCALHOST.:9"}, func(t *testing.T, tg *target) {
		evil := newPeer(t)
		mallory := evil.person(t, "mallory", newKey(t, 1))
		following := func() []string { return tg.followers(t, tg.pageActor()) }

		t.Run("special-purpose addresses are never fetched", func(t *testing.T) {
			_, port, _ := strings.Cut(evil.host, ":")
			for _, host := range []string{
				"[64:ff9b::7f00:1]", // NAT64 of 127.0.0.1
				"[64:ff9b:1::a00:1]",
				"[2002:7f00:1::1]", // 6to4
				"[::7f00:1]",       // IPv4-compatible
				"[fec0::1]",        // site-local
				"[2001::1]",        // Teredo
				"192.0.0.8", "198.18.0.1", "240.0.0.1", "203.0.113.1",
			} {
				keyID := "http://" + host + ":" + port + "/users/mallory#main-key"
				start := time.Now()
				code, body := sendAs(t, tg.inbox(), follow(evil.base+"/follows/"+uniq(), mallory.id, tg.pageActor()), keyID, mallory.key)
				checkStatus(t, "a key on "+host, code, body, http.StatusUnauthorized)
				if took := time.Since(start); took > 3*time.Second {
					t.Errorf("a key on %s took %s to refuse: a connection was tried", host, took)
				}
			}
		})

		t.Run("domain blocks however written", func(t *testing.T) {
			blocked := newPeerAs(t, "localhost")
			bo := blocked.person(t, "bo", newKey(t, 3))
			code, body := bo.deliver(t, tg.inbox(), follow(blocked.base+"/follows/"+uniq(), bo.id, tg.pageActor()))
			wantStatus(t, "a Follow from a blocked server", code, body, http.StatusAccepted)
			waitFor(t, "the Reject", 15*time.Second, func() bool { return len(blocked.received("/users/bo")) > 0 })
			if got := blocked.received("/users/bo")[0]; got.body["type"] != "Reject" {
				t.Errorf("a blocked server's Follow was answered with a %v", got.body["type"])
			}
			if slices.Contains(following(), bo.id) {
				t.Errorf("a server blocked as %q follows", "LOCALHOST.:9")
			}
		})

		t.Run("a POST is signed with its Host, for this host", func(t *testing.T) {
			fol := follow(evil.base+"/follows/"+uniq(), mallory.id, tg.pageActor())
			body, _ := json.Marshal(fol)
			req := signedPost(t, tg.inbox(), body, mallory.keyID, mallory.key, signOpts{headers: []string{"(request-target)", "date", "digest"}})
			code, answer := do(t, req)
			checkStatus(t, "a POST that does not sign its Host", code, answer, http.StatusBadRequest)
			req = signedPost(t, tg.inbox(), body, mallory.keyID, mallory.key, signOpts{host: "other.example:" + strings.Split(tg.host, ":")[1]})
			code, answer = do(t, req)
			checkStatus(t, "a POST signed for another host", code, answer, http.StatusBadRequest)
			time.Sleep(quiet)
			if slices.Contains(following(), mallory.id) {
				t.Errorf("a Follow signed without or for another Host was taken")
			}
			tg.adminSees(t, "wrong_host", 1)
			tg.adminSees(t, "signature_format", 1)
		})

		t.Run("a Follow with an internal inbox is refused at once", func(t *testing.T) {
			for i, inboxes := range [][2]string{
				{"http://10.255.255.1/inbox", ""},
				{"", "http://[fd00::1]/inbox"}, // the shared inbox
			} {
				p := evil.person(t, "internal"+uniq(), newKey(t, 1))
				doc := p.doc(t)
				if inboxes[0] != "" {
					doc["inbox"] = inboxes[0]
				}
				if inboxes[1] != "" {
					doc["endpoints"] = map[string]any{"sharedInbox": inboxes[1]}
				}
				evil.serve(t, "/users/"+p.name, doc)
				code, body := p.deliver(t, tg.inbox(), follow(evil.base+"/follows/"+uniq(), p.id, tg.pageActor()))
				checkStatus(t, "a Follow with an internal inbox", code, body, http.StatusBadRequest)
				if slices.Contains(following(), p.id) {
					t.Errorf("case %d: a follower with an internal inbox was stored (and would be retried for days)", i)
				}
			}
			tg.adminSees(t, "internal_inbox", 2)
		})

		t.Run("a 100 KB id is a 400", func(t *testing.T) {
			id := evil.base + "/follows/" + strings.Repeat("x", 100<<10)
			code, body := mallory.deliver(t, tg.inbox(), follow(id, mallory.id, tg.pageActor()))
			checkStatus(t, "a Follow with a 100 KB id", code, body, http.StatusBadRequest)
			tg.adminSees(t, "id_too_long", 1)
		})
	})
}
