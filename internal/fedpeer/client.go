package fedpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// SignedGet fetches url signed as the user, as GoToSocial and Mastodon do
// for every server-to-server GET, and returns the answer with its body
// (at most 1 MB) already read.
func (p *Peer) SignedGet(ctx context.Context, url string) (*http.Response, []byte, error) {
	resp, body, err := p.get(ctx, url, acceptActivity, true)
	if err != nil {
		return resp, body, fmt.Errorf("fedpeer: signed %w", err)
	}
	return resp, body, nil
}

// Send signs and POSTs an activity to an inbox. The response body is read
// and kept in resp.Body; a non-2xx status is not an error here.
func (p *Peer) Send(ctx context.Context, inbox string, activity map[string]any) (*http.Response, error) {
	body, err := json.Marshal(activity)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: encode activity: %w", err)
	}
	return p.SendRaw(ctx, inbox, body, nil)
}

// SendRaw signs and POSTs body to an inbox; mutate, if set, runs after
// signing to break the request on purpose (drop Digest, change Date, call
// Sign again with other headers...).
func (p *Peer) SendRaw(ctx context.Context, inbox string, body []byte, mutate func(*http.Request)) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("fedpeer: POST %s: %w", inbox, err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	req.Header.Set("Accept", acceptActivity)
	req.Header.Set("User-Agent", p.userAgent())
	if err := p.Sign(req, body, postSignedHeaders...); err != nil {
		return nil, err
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: POST %s: %w", inbox, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("fedpeer: POST %s: read answer: %w", inbox, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	return resp, nil
}

// deliver sends an activity and turns a non-2xx answer into ErrDeliveryStatus.
func (p *Peer) deliver(ctx context.Context, inbox string, act map[string]any) error {
	resp, err := p.Send(ctx, inbox, act)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%w: %s answered %d: %s", ErrDeliveryStatus, inbox, resp.StatusCode, snippet(b))
	}
	return nil
}

// Follow sends a Follow of actor to its personal inbox, as GoToSocial
// shapes it (gotosocial.go), and returns the Follow's id for WaitAccept
// and Undo.
func (p *Peer) Follow(ctx context.Context, actor *RemoteActor) (string, error) {
	act, err := p.fromCapture("follow", map[string]string{"TARGET": actor.ID})
	if err != nil {
		return "", err
	}
	id := act["id"].(string)
	p.rememberFollow(id, actor.ID, act)
	if err := p.deliver(ctx, actor.Inbox, act); err != nil {
		return "", fmt.Errorf("fedpeer: follow %s: %w", actor.ID, err)
	}
	return id, nil
}

// Undo withdraws a Follow sent by Follow; embedded chooses between the
// two forms servers must accept: the Follow embedded, or only its id.
func (p *Peer) Undo(ctx context.Context, actor *RemoteActor, followID string, embedded bool) error {
	var obj any = followID
	if embedded {
		// Embedded objects carry no @context of their own.
		m := map[string]any{"id": followID, "type": "Follow", "actor": p.ActorID(), "object": actor.ID}
		if f, ok := p.sentFollow(followID); ok {
			m = map[string]any{}
			for k, v := range f.activity {
				if k != "@context" {
					m[k] = v
				}
			}
		}
		obj = m
	}
	act, err := p.fromCapture("undo-follow", map[string]string{"TARGET": actor.ID})
	if err != nil {
		return err
	}
	act["object"] = obj
	if err := p.deliver(ctx, actor.Inbox, act); err != nil {
		return fmt.Errorf("fedpeer: undo %s: %w", followID, err)
	}
	return nil
}
