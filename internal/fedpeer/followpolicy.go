package fedpeer

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// answerFollow sends the Accept or Reject chosen by the FollowPolicy, the
// way Mastodon does: to the follower's personal inbox, signed as the
// followed user, with the Follow embedded verbatim. Failures are recorded
// as rejections, since they mean the follower's actor broke a rule.
func (p *Peer) answerFollow(d Delivery) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	typ := "Accept"
	if p.cfg.followPolicy == FollowReject {
		typ = "Reject"
	}
	fail := func(path string, status int, err error) {
		if p.ctx.Err() != nil {
			return // the test is over
		}
		p.rec.addRejection(Rejection{Method: http.MethodPost, Path: path, Status: status,
			Err: fmt.Errorf("fedpeer: %s of %s: %w", typ, d.ID, err)})
	}
	follower, err := p.LookupActor(ctx, d.Actor)
	if err != nil {
		fail(d.Actor, 0, err)
		return
	}
	act := map[string]any{
		"@context": asContext,
		"id":       p.newID(strings.ToLower(typ)),
		"type":     typ,
		"actor":    p.ActorID(),
		"object":   d.Activity,
	}
	resp, err := p.Send(ctx, follower.Inbox, act)
	if err != nil {
		fail(follower.Inbox, 0, err)
		return
	}
	if resp.StatusCode/100 != 2 {
		fail(follower.Inbox, resp.StatusCode, fmt.Errorf("%w: answered %d", ErrDeliveryStatus, resp.StatusCode))
	}
}
