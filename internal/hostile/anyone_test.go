package hostile

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// quiet is how long a test waits for something that must not happen (a
// delivery, a talk-page edit) after wikipub answered.
const quiet = 2 * time.Second

// TestAnyoneSignsAsAnyone: a key is believed only when its owner, fetched
// from its own id, lists that key. The attacker (evil) serves key
// documents that claim to belong to bob on another server (other), or to
// one of the wiki's own editors, signed with the attacker's own key.
func TestAnyoneSignsAsAnyone(t *testing.T) {
	f := newFixture(t)
	eachStore(t, f, nil, func(t *testing.T, tg *target) {
		other, evil := newPeer(t), newPeer(t)
		bob := other.person(t, "bob", newKey(t, 0))
		mallory := evil.person(t, "mallory", newKey(t, 1))
		// forge serves, on evil, a key document claiming owner, with
		// mallory's key, and returns its keyId (no fragment).
		forge := func(owner string) string {
			path := "/keys/" + uniq()
			evil.serve(t, path, map[string]any{"@context": asContext, "id": evil.base + path, "owner": owner, "publicKeyPem": publicPEM(t, mallory.key)})
			return evil.base + path
		}
		// forgeActor serves a document shaped like bob's actor (his id, an
		// inbox of evil's) embedding mallory's key under evil's keyId.
		forgeActor := func(owner string) string {
			path := "/actors/" + uniq()
			evil.serve(t, path, map[string]any{"@context": asContext, "id": owner, "type": "Person", "inbox": evil.base + "/inbox",
				"publicKey": map[string]any{"id": evil.base + path, "owner": owner, "publicKeyPem": publicPEM(t, mallory.key)}})
			return evil.base + path
		}

		t.Run("forged Follow for someone on another server", func(t *testing.T) {
			for _, keyID := range []string{forgeActor(bob.id), forge(bob.id)} {
				code, body := sendAs(t, tg.inbox(), follow(other.base+"/follows/"+uniq(), bob.id, tg.pageActor()), keyID, mallory.key)
				checkStatus(t, "Follow signed with "+keyID, code, body, http.StatusUnauthorized)
			}
			noPostsWithin(t, other, "/users/bob", quiet)
			if fs := tg.followers(t, tg.pageActor()); slices.Contains(fs, bob.id) {
				t.Fatalf("bob follows after forged Follows: %v", fs)
			}
			// Bob's own Follow works: the test can see a follow and an Accept.
			code, body := bob.deliver(t, tg.inbox(), follow(other.base+"/follows/"+uniq(), bob.id, tg.pageActor()))
			wantStatus(t, "bob's own Follow", code, body, http.StatusAccepted)
			waitFor(t, "bob's Accept", 15*time.Second, func() bool { return len(other.received("/users/bob/inbox")) == 1 })
			if fs := tg.followers(t, tg.pageActor()); !slices.Contains(fs, bob.id) {
				t.Fatalf("bob does not follow after his own Follow: %v", fs)
			}
			tg.adminSees(t, "untrusted_key", 2)
		})

		t.Run("reply under someone else's name", func(t *testing.T) {
			forged := "FORGED-" + uniq()
			for _, as := range []string{bob.id, tg.userActor()} {
				for _, keyID := range []string{forgeActor(as), forge(as)} {
					host := other.base
					if as == tg.userActor() {
						host = tg.base
					}
					id := host + "/notes/" + uniq()
					code, body := sendAs(t, tg.inbox(), reply(id, as, id, tg.editorPost(), forged), keyID, mallory.key)
					checkStatus(t, "reply as "+as+" signed with "+keyID, code, body, http.StatusUnauthorized)
				}
			}
			// Mallory's own reply is stored and written: the test sees both.
			own := "MALLORY-" + uniq()
			id := evil.base + "/notes/" + uniq()
			code, body := mallory.deliver(t, tg.inbox(), reply(id, mallory.id, id, tg.editorPost(), own))
			wantStatus(t, "mallory's own reply", code, body, http.StatusAccepted)
			waitFor(t, "mallory's reply on the talk page", 60*time.Second, func() bool { return strings.Contains(tg.talkPage(t), own) })
			if talk := tg.talkPage(t); strings.Contains(talk, forged) {
				t.Fatalf("a forged reply reached the talk page:\n%s", talk)
			}
			_, replies := tg.collection(t, tg.editorPost()+"/replies")
			if len(replies) != 1 || replies[0] != id {
				t.Fatalf("replies collection = %v, want only mallory's %s", replies, id)
			}
		})

		t.Run("forged Delete of an actor", func(t *testing.T) {
			gone := "/keys/gone-" + uniq()
			evil.answer(gone, http.StatusGone)
			for _, keyID := range []string{forgeActor(bob.id), forge(bob.id), evil.base + gone} {
				code, body := sendAs(t, tg.inbox(), activity("Delete", bob.id+"#delete-"+uniq(), bob.id, bob.id), keyID, mallory.key)
				checkStatus(t, "Delete of bob signed with "+keyID, code, body, http.StatusUnauthorized)
			}
			if fs := tg.followers(t, tg.pageActor()); !slices.Contains(fs, bob.id) {
				t.Fatalf("bob's follow was removed by a forged Delete: %v", fs)
			}
		})

		t.Run("twenty actors of another server with one key", func(t *testing.T) {
			var ids []string
			for i := range 20 {
				p := other.person(t, "user"+strconv.Itoa(i), newKey(t, 0))
				ids = append(ids, p.id)
				code, body := sendAs(t, tg.inbox(), follow(other.base+"/follows/"+uniq(), p.id, tg.pageActor()), forgeActor(p.id), mallory.key)
				checkStatus(t, "Follow as "+p.id, code, body, http.StatusUnauthorized)
			}
			noPostsWithin(t, other, "/users/user", quiet)
			for _, f := range tg.followers(t, tg.pageActor()) {
				if slices.Contains(ids, f) {
					t.Fatalf("%s follows after a Follow signed with mallory's key", f)
				}
			}
		})
	})
}
