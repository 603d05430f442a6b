package fedpeer

import (
	"fmt"
	"net/http"
	"time"
)

// handleInbox verifies and records a delivery like Mastodon's inbox:
// signature with Digest and Date checks, signer == actor, ids on the
// actor's host. Accepted deliveries get 202, refused ones 401 (400 for
// malformed bodies, 413 for oversized ones).
func (p *Peer) handleInbox(kind InboxKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if kind == InboxPersonal && r.PathValue("name") != p.cfg.username {
			http.NotFound(w, r)
			return
		}
		body, err := readLimited(r.Body)
		if err != nil {
			p.reject(w, r, body, err, http.StatusRequestEntityTooLarge)
			return
		}
		v, err := p.verifyRequest(r.Context(), r, body, true)
		if err != nil {
			p.reject(w, r, body, err, http.StatusUnauthorized)
			return
		}
		act, err := decodeObject(body)
		if err != nil {
			p.reject(w, r, body, err, http.StatusBadRequest)
			return
		}
		d := Delivery{
			Inbox: kind, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Activity: act,
			Type: str(act, "type"), ID: str(act, "id"), Actor: idOf(act["actor"]),
			Signer: v.Signer, KeyID: v.KeyID, Received: time.Now(),
		}
		if err := checkActivity(d); err != nil {
			p.reject(w, r, body, err, http.StatusUnauthorized)
			return
		}
		if v.KeyNeedsSignature {
			p.rec.addRejection(Rejection{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body,
				Err: fmt.Errorf("%w: %s", ErrKeyNeedsSignature, v.KeyID), Status: http.StatusAccepted})
		}
		p.rec.addDelivery(d)
		status := http.StatusAccepted
		if p.cfg.inboxStatus != nil {
			status = p.cfg.inboxStatus(d)
		}
		w.WriteHeader(status)
		if d.Type == "Follow" && idOf(act["object"]) == p.ActorID() && p.cfg.followPolicy != FollowRecord {
			p.wg.Add(1)
			go p.answerFollow(d)
		}
	}
}

// checkActivity applies the rules on a verified activity's content.
func checkActivity(d Delivery) error {
	if d.Actor == "" {
		return ErrNoActor
	}
	if d.Actor != d.Signer {
		return fmt.Errorf("%w: signed by %s, actor %s", ErrSignerNotActor, d.Signer, d.Actor)
	}
	host := hostOfURL(d.Actor)
	if d.ID != "" && hostOfURL(d.ID) != host {
		return fmt.Errorf("%w: activity id %s, actor %s", ErrForeignID, d.ID, d.Actor)
	}
	if d.Type == "Create" || d.Type == "Update" {
		if obj, ok := d.Activity["object"].(map[string]any); ok {
			if oid := str(obj, "id"); oid != "" && hostOfURL(oid) != host {
				return fmt.Errorf("%w: object id %s, actor %s", ErrForeignID, oid, d.Actor)
			}
		}
	}
	return nil
}

// reject records a refused request and answers status.
func (p *Peer) reject(w http.ResponseWriter, r *http.Request, body []byte, err error, status int) {
	p.rec.addRejection(Rejection{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Err: err, Status: status})
	http.Error(w, err.Error(), status)
}
