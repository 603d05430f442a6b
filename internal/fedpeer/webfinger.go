package fedpeer

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// jrdResult is a WebFinger answer that passed the checks.
type jrdResult struct {
	Username string // from the subject, canonical
	Host     string
	Href     string // rel=self ActivityPub link
	Raw      map[string]any
}

// webfinger resolves user@host like Mastodon and GoToSocial: JSON content
// type, a subject whose user part is exactly what was asked (GoToSocial's
// fingerRemoteAccount compares it byte for byte; Mastodon's
// ResolveAccountService ignores case), a username both Mastodon and
// Misskey accept, and a rel=self ActivityPub link.
func (p *Peer) webfinger(ctx context.Context, user, host string) (*jrdResult, error) {
	resource := "acct:" + user + "@" + host
	q := strings.NewReplacer("%3A", ":", "%40", "@").Replace(url.QueryEscape(resource))
	u := p.cfg.scheme + "://" + host + "/.well-known/webfinger?resource=" + q
	resp, body, err := p.get(ctx, u, "application/jrd+json, application/json", false)
	if err != nil {
		return nil, fmt.Errorf("webfinger %s: %w", resource, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %d", ErrWebFingerStatus, u, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !isJRD(ct) {
		return nil, fmt.Errorf("%w: %s answered Content-Type %q", ErrWebFingerContentType, u, ct)
	}
	jrd, err := decodeObject(body)
	if err != nil {
		return nil, fmt.Errorf("webfinger %s: %w", resource, err)
	}
	subject := str(jrd, "subject")
	acct, isAcct := strings.CutPrefix(subject, "acct:")
	at := strings.LastIndexByte(acct, '@')
	if !isAcct || at <= 0 {
		return nil, fmt.Errorf("%w: subject %q is not acct:user@host", ErrSubjectMismatch, subject)
	}
	if err := checkUsername(acct[:at]); err != nil {
		return nil, fmt.Errorf("webfinger %s: %w", resource, err)
	}
	if acct[:at] != user || !strings.EqualFold(acct[at+1:], host) {
		return nil, fmt.Errorf("%w: asked %s, subject %q", ErrSubjectMismatch, resource, subject)
	}
	href := selfLink(jrd)
	if href == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoSelfLink, resource)
	}
	return &jrdResult{Username: acct[:at], Host: acct[at+1:], Href: href, Raw: jrd}, nil
}

// selfLink returns the href of the rel=self ActivityPub link, or "".
func selfLink(jrd map[string]any) string {
	links, _ := jrd["links"].([]any)
	for _, l := range links {
		m, ok := l.(map[string]any)
		if ok && str(m, "rel") == "self" && isActivityJSON(str(m, "type")) && str(m, "href") != "" {
			return str(m, "href")
		}
	}
	return ""
}
