package fedpeer

import (
	"context"
	"fmt"
)

// WaitAccept waits for the answer to a Follow sent with Follow and checks
// it the way GoToSocial does: Accept.id present, actor == signer == the
// followed actor, object the Follow (embedded with its id, or the id), at
// the personal inbox. A Reject yields ErrFollowRejected.
func (p *Peer) WaitAccept(ctx context.Context, followID string) (Delivery, error) {
	f, known := p.sentFollow(followID)
	d, err := p.WaitFor(ctx, func(d Delivery) bool {
		if d.Type != "Accept" && d.Type != "Reject" {
			return false
		}
		obj := idOf(d.Activity["object"])
		if obj == followID {
			return true
		}
		// An answer from the followed actor that names no Follow of ours
		// is a malformed answer to this one.
		_, ours := p.sentFollow(obj)
		return known && d.Actor == f.target && !ours
	})
	if err != nil {
		return d, fmt.Errorf("fedpeer: wait for Accept of %s: %w", followID, err)
	}
	if d.Type == "Reject" {
		return d, fmt.Errorf("fedpeer: %w: %s by %s", ErrFollowRejected, followID, d.Actor)
	}
	if err := p.checkAccept(d, followID, f, known); err != nil {
		return d, fmt.Errorf("fedpeer: Accept of %s: %w", followID, err)
	}
	return d, nil
}

// checkAccept applies GoToSocial's rules for an Accept of a Follow.
func (p *Peer) checkAccept(d Delivery, followID string, f sentFollow, known bool) error {
	if d.ID == "" {
		return ErrAcceptNoID
	}
	if d.Actor != d.Signer {
		return fmt.Errorf("%w: actor %s, signer %s", ErrAcceptActor, d.Actor, d.Signer)
	}
	if known && d.Actor != f.target {
		return fmt.Errorf("%w: actor %s, followed %s", ErrAcceptActor, d.Actor, f.target)
	}
	switch obj := d.Activity["object"].(type) {
	case string:
		if obj != followID {
			return fmt.Errorf("%w: object %q", ErrAcceptObject, obj)
		}
	case map[string]any:
		if str(obj, "id") != followID {
			return fmt.Errorf("%w: embedded id %q", ErrAcceptObject, str(obj, "id"))
		}
		if t := str(obj, "type"); t != "" && t != "Follow" {
			return fmt.Errorf("%w: embedded type %q", ErrAcceptObject, t)
		}
		if a := idOf(obj["actor"]); a != "" && a != p.ActorID() {
			return fmt.Errorf("%w: embedded Follow actor %q", ErrAcceptObject, a)
		}
		if o := idOf(obj["object"]); known && o != "" && o != f.target {
			return fmt.Errorf("%w: embedded Follow object %q", ErrAcceptObject, o)
		}
	default:
		return fmt.Errorf("%w: object %v", ErrAcceptObject, d.Activity["object"])
	}
	if d.Inbox != InboxPersonal {
		return fmt.Errorf("%w: %s", ErrAcceptSharedInbox, d.Path)
	}
	return nil
}
