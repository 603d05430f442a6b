package hostile

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestIDOriginAndOwnership: an activity's id, and the ids of the objects it
// creates, are on its signer's host; an id that belongs to one actor is
// never taken over by another; and no one can make wikipub ignore someone
// else's activity by sending its id first. Bob and Carol share a server
// (other), Mallory has her own (evil); each signs with a key of their own.
func TestIDOriginAndOwnership(t *testing.T) {
	f := newFixture(t)
	eachStore(t, f, nil, func(t *testing.T, tg *target) {
		other, evil := newPeer(t), newPeer(t)
		bob := other.person(t, "bob", newKey(t, 0))
		carol := other.person(t, "carol", newKey(t, 2))
		mallory := evil.person(t, "mallory", newKey(t, 1))
		post := tg.editorPost()

		// bobReplies makes a reply of bob's, the object the others go after.
		bobReplies := func(t *testing.T) string {
			t.Helper()
			note := other.base + "/users/bob/statuses/" + uniq()
			code, body := bob.deliver(t, tg.inbox(), reply(note, bob.id, note, post, "Bob's own words"))
			wantStatus(t, "bob's reply", code, body, http.StatusAccepted)
			return note
		}
		bobsReplyStands := func(t *testing.T, bobNote, after string) {
			t.Helper()
			if _, ids := tg.collection(t, post+"/replies"); !slices.Contains(ids, bobNote) {
				t.Errorf("after %s, bob's reply %s is gone from the replies: %v", after, bobNote, ids)
			}
			if _, ids := tg.collection(t, post+"/likes"); slices.Contains(ids, bobNote) {
				t.Errorf("after %s, bob's reply %s is listed as a like", after, bobNote)
			}
		}

		t.Run("ids on another host", func(t *testing.T) {
			bobNote := bobReplies(t)
			bobsReplyStands(t, bobNote, "bob's reply")
			// A Follow whose id is bob's server's, and a reply whose note id is.
			code, body := mallory.deliver(t, tg.inbox(), follow(other.base+"/follows/"+uniq(), mallory.id, tg.pageActor()))
			checkStatus(t, "a Follow with an id on another host", code, body, http.StatusBadRequest)
			id := other.base + "/users/bob/statuses/" + uniq()
			code, body = mallory.deliver(t, tg.inbox(), reply(evil.base+"/acts/"+uniq(), mallory.id, id, post, "under bob's server's id"))
			checkStatus(t, "a note with an id on another host", code, body, http.StatusBadRequest)
			ourID := tg.base + "/ap/rev/999999/reply"
			code, body = mallory.deliver(t, tg.inbox(), reply(evil.base+"/acts/"+uniq(), mallory.id, ourID, post, "under our id"))
			checkStatus(t, "a note with an id of ours", code, body, http.StatusBadRequest)
			time.Sleep(quiet)
			if fs := tg.followers(t, tg.pageActor()); slices.Contains(fs, mallory.id) {
				t.Errorf("mallory follows through a Follow with another host's id")
			}
			if got := evil.received("/users/mallory"); len(got) > 0 {
				t.Errorf("mallory got an Accept for a Follow with another host's id: %s", got[0].raw)
			}
			if _, ids := tg.collection(t, post+"/replies"); slices.Contains(ids, id) || slices.Contains(ids, ourID) {
				t.Errorf("a note with a foreign id was kept: %v", ids)
			}
			// Mallory's note under bob's note id, from her own server.
			code, body = mallory.deliver(t, tg.inbox(), reply(evil.base+"/acts/"+uniq(), mallory.id, bobNote, post, "mallory took it"))
			checkStatus(t, "a note under bob's note id, from another host", code, body, http.StatusBadRequest)
			code, body = mallory.deliver(t, tg.inbox(), activity("Delete", evil.base+"/acts/"+uniq(), mallory.id, bobNote))
			checkStatus(t, "mallory's Delete of bob's note", code, body, http.StatusAccepted)
			bobsReplyStands(t, bobNote, "mallory's note and Delete under bob's id")
			tg.adminSees(t, "foreign_id", 4)
		})

		t.Run("an id owned by another actor of the same host", func(t *testing.T) {
			bobNote := bobReplies(t)
			code, body := carol.deliver(t, tg.inbox(), reply(other.base+"/users/carol/acts/"+uniq(), carol.id, bobNote, post, "carol took it"))
			checkStatus(t, "carol's note under bob's note id", code, body, http.StatusForbidden)
			code, body = carol.deliver(t, tg.inbox(), activity("Like", bobNote, carol.id, post))
			checkStatus(t, "carol's Like under bob's note id", code, body, http.StatusForbidden)
			code, body = carol.deliver(t, tg.inbox(), activity("Delete", other.base+"/users/carol/acts/"+uniq(), carol.id, bobNote))
			checkStatus(t, "carol's Delete of bob's note", code, body, http.StatusAccepted)
			bobsReplyStands(t, bobNote, "carol's note, Like and Delete under bob's id")
			tg.adminSees(t, "taken_id", 2)
		})

		t.Run("a replay mark set for someone else's activity", func(t *testing.T) {
			// Carol (same host) or Mallory (another) sends something
			// harmless under the id bob's Undo will have, before bob does.
			for _, tc := range []struct {
				who  *person
				want int
			}{{carol, http.StatusAccepted}, {mallory, http.StatusBadRequest}} {
				followID := other.base + "/users/bob/follows/" + uniq()
				undoID := followID + "/undo" // predictable, as Mastodon's are
				code, body := bob.deliver(t, tg.inbox(), follow(followID, bob.id, tg.pageActor()))
				wantStatus(t, "bob's Follow", code, body, http.StatusAccepted)
				waitFor(t, "bob following", 10*time.Second, func() bool { return slices.Contains(tg.followers(t, tg.pageActor()), bob.id) })
				code, body = tc.who.deliver(t, tg.inbox(), activity("Like", undoID, tc.who.id, tg.base+"/ap/rev/1"))
				checkStatus(t, tc.who.name+"'s Like under bob's Undo id", code, body, tc.want)
				code, body = bob.deliver(t, tg.inbox(), activity("Undo", undoID, bob.id, follow(followID, bob.id, tg.pageActor())))
				wantStatus(t, "bob's Undo", code, body, http.StatusAccepted)
				deadline := time.Now().Add(10 * time.Second)
				for slices.Contains(tg.followers(t, tg.pageActor()), bob.id) {
					if time.Now().After(deadline) {
						t.Errorf("bob still follows after his Undo: %s's activity under its id made it be ignored", tc.who.name)
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	})
}
