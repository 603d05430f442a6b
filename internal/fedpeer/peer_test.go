package fedpeer

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Two conformant peers must accept each other: look-up, Follow, Accept, Undo.
func TestTwoPeersFollowAcceptUndo(t *testing.T) {
	ctx := testCtx(t)
	a := newPeer(t, 0)
	b := newPeer(t, 1, WithFollowPolicy(FollowAccept))

	ra, err := a.Lookup(ctx, "@"+b.Handle())
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if ra.ID != b.ActorID() || ra.Inbox != b.InboxURL() || ra.SharedInbox != b.SharedInboxURL() ||
		ra.KeyID != b.KeyID() || ra.Type != "Person" || ra.Handle != b.Handle() {
		t.Errorf("RemoteActor = %+v", ra)
	}
	if !ra.PublicKey.Equal(b.PublicKey()) {
		t.Error("looked-up key differs from b's key")
	}
	if ra.Raw["manuallyApprovesFollowers"] != false {
		t.Errorf("Raw lacks manuallyApprovesFollowers: %v", ra.Raw["manuallyApprovesFollowers"])
	}

	followID, err := a.Follow(ctx, ra)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	got, err := b.WaitFor(ctx, func(d Delivery) bool { return d.ID == followID })
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "Follow" || got.Signer != a.ActorID() || got.Inbox != InboxPersonal || got.KeyID != a.KeyID() {
		t.Errorf("b recorded %+v", got)
	}
	acc, err := a.WaitAccept(ctx, followID)
	if err != nil {
		t.Fatalf("WaitAccept: %v", err)
	}
	if acc.Actor != b.ActorID() {
		t.Errorf("Accept actor %s", acc.Actor)
	}

	for _, embedded := range []bool{true, false} {
		if err := a.Undo(ctx, ra, followID, embedded); err != nil {
			t.Fatalf("Undo(embedded=%v): %v", embedded, err)
		}
		u, err := b.WaitFor(ctx, func(d Delivery) bool {
			if d.Type != "Undo" {
				return false
			}
			_, isMap := d.Activity["object"].(map[string]any)
			return isMap == embedded
		})
		if err != nil {
			t.Fatal(err)
		}
		if idOf(u.Activity["object"]) != followID {
			t.Errorf("Undo object %v", u.Activity["object"])
		}
	}
	// b fetched a's actor (signed) to answer the Follow.
	var signed bool
	for _, f := range a.Fetches() {
		if f.Signed && f.Signer == b.ActorID() {
			signed = true
		}
	}
	if !signed {
		t.Errorf("a saw no signed fetch by b: %+v", a.Fetches())
	}
	a.AssertNoRejections(t)
	b.AssertNoRejections(t)
}

// A typed handle matches case-insensitively; the subject stays canonical.
func TestLookupCaseInsensitiveHandle(t *testing.T) {
	ctx := testCtx(t)
	a := newPeer(t, 0)
	b := newPeer(t, 1)
	ra, err := a.Lookup(ctx, "ALICE@"+b.Host())
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	if ra.Handle != "alice@"+b.Host() {
		t.Errorf("Handle %q", ra.Handle)
	}
}

func TestFollowRejected(t *testing.T) {
	ctx := testCtx(t)
	a := newPeer(t, 0)
	b := newPeer(t, 1, WithFollowPolicy(FollowReject))
	ra, err := a.Lookup(ctx, b.Handle())
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.Follow(ctx, ra)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WaitAccept(ctx, id); !errors.Is(err, ErrFollowRejected) {
		t.Fatalf("WaitAccept = %v, want ErrFollowRejected", err)
	}
}

func TestFollowReportsStatus(t *testing.T) {
	ctx := testCtx(t)
	a := newPeer(t, 0)
	b := newPeer(t, 1, WithInboxStatus(func(Delivery) int { return http.StatusServiceUnavailable }))
	ra, err := a.Lookup(ctx, b.Handle())
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Follow(ctx, ra)
	if !errors.Is(err, ErrDeliveryStatus) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Follow = %v, want ErrDeliveryStatus with 503", err)
	}
}

// Under RequireSignedFetch the actor needs a signature, the key does not.
func TestRequireSignedFetch(t *testing.T) {
	ctx := testCtx(t)
	a := newPeer(t, 0)
	b := newPeer(t, 1, WithRequireSignedFetch())

	if _, err := a.Lookup(ctx, b.Handle()); err != nil {
		t.Fatalf("Lookup of a signed-fetch peer: %v", err)
	}
	// Unsigned: key stub only.
	resp, body, err := a.get(ctx, b.ActorID(), acceptActivity, false)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := decodeObject(body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("unsigned GET: %d %v", resp.StatusCode, err)
	}
	if _, ok := doc["outbox"]; ok {
		t.Error("unsigned GET got the full actor")
	}
	if _, _, _, err := keyFromDoc(doc, b.KeyID()); err != nil {
		t.Errorf("stub has no usable key: %v", err)
	}
	// Unsigned collection: 401; signed: 200.
	resp, _, err = a.get(ctx, b.ActorID()+"/outbox", acceptActivity, false)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned outbox: %v %v", resp.StatusCode, err)
	}
	resp, _, err = a.SignedGet(ctx, b.ActorID()+"/outbox")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed outbox: %v %v", resp.StatusCode, err)
	}
	// A broken signature is refused and recorded.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.ActorID(), nil)
	if err := a.Sign(req, nil); err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, r2.Body)
	r2.Body.Close()
	if r2.StatusCode != http.StatusUnauthorized {
		t.Errorf("badly signed GET answered %d", r2.StatusCode)
	}
	rej := b.Rejected()
	if len(rej) != 2 || !errors.Is(rej[0].Err, ErrNoSignature) || !errors.Is(rej[1].Err, ErrDateWindow) {
		t.Errorf("rejections %+v", rej)
	}
}
