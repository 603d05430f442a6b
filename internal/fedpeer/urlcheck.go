package fedpeer

import (
	"fmt"
	"net/url"
	"strings"
)

// checkOnHost enforces that an actor's URL is absolute http(s) on the
// actor's own host with a plain ASCII path: Misskey rejects other hosts and
// a %XX in a path breaks signatures between implementations that sign the
// decoded path and those that sign the raw one.
func checkOnHost(field, raw, actorHost string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %s %q is not an absolute http(s) URL", ErrForeignHost, field, raw)
	}
	if !strings.EqualFold(u.Host, actorHost) {
		return fmt.Errorf("%w: %s %q is on %q, actor on %q", ErrForeignHost, field, raw, u.Host, actorHost)
	}
	return checkPath(field, raw, u)
}

// checkPath rejects non-ASCII characters and %XX escapes in a URL's path.
func checkPath(field, raw string, u *url.URL) error {
	for i := 0; i < len(raw); i++ {
		if raw[i] >= 0x80 {
			return fmt.Errorf("%w: %s %q has non-ASCII characters", ErrBadPath, field, raw)
		}
	}
	if strings.Contains(u.EscapedPath(), "%") {
		return fmt.Errorf("%w: %s %q has %%XX escapes in its path", ErrBadPath, field, raw)
	}
	return nil
}

// hostOfURL returns the host:port of an absolute URL, or "".
func hostOfURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// stripFragment drops the #fragment, which is not sent in requests.
func stripFragment(raw string) string {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		return raw[:i]
	}
	return raw
}
