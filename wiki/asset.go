package wiki

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxAsset bounds what Asset reads: logos and thumbnails are small.
const maxAsset = 4 << 20

// Asset fetches a file the wiki itself points to — its logo, an image
// thumbnail — and returns its bytes and media type. It is for URLs from
// the wiki's own answers only (siteinfo, image info): the wiki is trusted
// as the API is, and no remote server chooses these URLs.
func (c *Client) Asset(ctx context.Context, rawURL string) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, "", fmt.Errorf("asset %q: not an http(s) URL", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("asset %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	hc := &http.Client{Transport: c.cfg.Transport}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("asset %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("asset %s: %s", rawURL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAsset+1))
	if err != nil {
		return nil, "", fmt.Errorf("asset %s: %w", rawURL, err)
	}
	if len(b) > maxAsset {
		return nil, "", fmt.Errorf("asset %s: over %d bytes", rawURL, maxAsset)
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return b, strings.TrimSpace(strings.ToLower(ct)), nil
}
