package fedpeer

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Each case has b (the followed peer) or c (a third peer) answer a's
// Follow; WaitAccept must apply GoToSocial's rules.
func TestWaitAcceptRules(t *testing.T) {
	type answer struct {
		from   func(b, c *Peer) *Peer // default b
		act    func(a, b, c *Peer, followID string, follow map[string]any) map[string]any
		shared bool
	}
	accept := func(a, b, c *Peer, id string, f map[string]any) map[string]any {
		return map[string]any{"@context": asContext, "id": b.newID("accepts"), "type": "Accept", "actor": b.ActorID(), "object": f}
	}
	cases := []struct {
		name    string
		ans     answer
		wantErr error
	}{
		{name: "embedded Follow", ans: answer{act: accept}},
		{name: "Follow by id", ans: answer{act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			m := accept(a, b, c, id, f)
			m["object"] = id
			return m
		}}},
		{name: "no id", ans: answer{act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			m := accept(a, b, c, id, f)
			delete(m, "id")
			return m
		}}, wantErr: ErrAcceptNoID},
		{name: "to the shared inbox", ans: answer{act: accept, shared: true}, wantErr: ErrAcceptSharedInbox},
		{name: "embedded Follow with another id", ans: answer{act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			m := accept(a, b, c, id, f)
			m["object"] = map[string]any{"id": a.ActorID() + "/follows/unknown", "type": "Follow", "actor": a.ActorID(), "object": b.ActorID()}
			return m
		}}, wantErr: ErrAcceptObject},
		{name: "embedded Follow of someone else", ans: answer{act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			m := accept(a, b, c, id, f)
			m["object"] = map[string]any{"id": id, "type": "Follow", "actor": a.ActorID(), "object": c.ActorID()}
			return m
		}}, wantErr: ErrAcceptObject},
		{name: "accepted by a third actor", ans: answer{from: func(b, c *Peer) *Peer { return c }, act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			return accept(a, c, b, id, f)
		}}, wantErr: ErrAcceptActor},
		{name: "Reject", ans: answer{act: func(a, b, c *Peer, id string, f map[string]any) map[string]any {
			m := accept(a, b, c, id, f)
			m["type"] = "Reject"
			return m
		}}, wantErr: ErrFollowRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			a, b, c := newPeer(t, 0), newPeer(t, 1), newPeer(t, 2)
			ra, err := a.Lookup(ctx, b.Handle())
			if err != nil {
				t.Fatal(err)
			}
			id, err := a.Follow(ctx, ra)
			if err != nil {
				t.Fatal(err)
			}
			fd, err := b.WaitFor(ctx, func(d Delivery) bool { return d.ID == id })
			if err != nil {
				t.Fatal(err)
			}
			from := b
			if tc.ans.from != nil {
				from = tc.ans.from(b, c)
			}
			inbox := a.InboxURL()
			if tc.ans.shared {
				inbox = a.SharedInboxURL()
			}
			if err := from.deliver(ctx, inbox, tc.ans.act(a, b, c, id, fd.Activity)); err != nil {
				t.Fatal(err)
			}
			_, err = a.WaitAccept(ctx, id)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("WaitAccept = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				t.Logf("%v", err)
			}
			a.AssertNoRejections(t)
		})
	}
}

// An Accept whose actor is not its signer never reaches WaitAccept: the
// inbox refuses it and records why.
func TestAcceptSignedByAnother(t *testing.T) {
	ctx := testCtx(t)
	a, b, c := newPeer(t, 0), newPeer(t, 1), newPeer(t, 2)
	ra, err := a.Lookup(ctx, b.Handle())
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.Follow(ctx, ra)
	if err != nil {
		t.Fatal(err)
	}
	forged := map[string]any{"@context": asContext, "id": c.newID("accepts"), "type": "Accept", "actor": b.ActorID(), "object": id}
	if err := c.deliver(ctx, a.InboxURL(), forged); !errors.Is(err, ErrDeliveryStatus) {
		t.Fatalf("forged Accept delivered: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := a.WaitAccept(short, id); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitAccept = %v, want a timeout", err)
	}
	rej := a.Rejected()
	if len(rej) != 1 || !errors.Is(rej[0].Err, ErrSignerNotActor) || rej[0].Status != 401 {
		t.Fatalf("rejections %+v", rej)
	}
}
