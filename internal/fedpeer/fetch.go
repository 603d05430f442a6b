package fedpeer

import (
	"context"
	"fmt"
	"net/http"
)

// get performs a GET, signed as the peer's user when signed is true, and
// reads at most 1 MB of the answer (ErrBodyTooLarge beyond).
func (p *Peer) get(ctx context.Context, rawURL, accept string, signed bool) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", p.userAgent())
	if signed {
		if err := p.Sign(req, nil, getSignedHeaders...); err != nil {
			return nil, nil, err
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body)
	if err != nil {
		return resp, nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	return resp, body, nil
}

// fetchDoc GETs an ActivityPub document and applies the transport rules:
// 200, an ActivityPub content type, under 1 MB, a JSON object.
func (p *Peer) fetchDoc(ctx context.Context, rawURL string, signed bool) (map[string]any, error) {
	resp, body, err := p.get(ctx, rawURL, acceptActivity, signed)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s (signed=%v) answered %d: %s", ErrFetchStatus, rawURL, signed, resp.StatusCode, snippet(body))
	}
	if ct := resp.Header.Get("Content-Type"); !isActivityJSON(ct) {
		return nil, fmt.Errorf("%w: GET %s answered Content-Type %q", ErrContentType, rawURL, ct)
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	return doc, nil
}

// userAgent identifies the peer in outgoing requests.
func (p *Peer) userAgent() string { return "fedpeer (+" + p.base + ")" }
