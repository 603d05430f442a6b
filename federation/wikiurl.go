package federation

import (
	"net/url"
	"strings"

	"github.com/wikipub/wikipub/wiki"
)

// titleFromURL reads a page title from a URL of the wiki: the article path
// (/wiki/Title) or index.php?title=Title. The scheme may differ from the
// wiki's own (a proxy may terminate TLS), the host may not.
func titleFromURL(site *wiki.SiteInfo, raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	server, err := url.Parse(site.Server)
	if err != nil || !strings.EqualFold(server.Host, u.Host) {
		return "", false
	}
	var title string
	prefix, suffix, _ := strings.Cut(site.ArticlePath, "$1")
	switch {
	case u.Query().Get("title") != "" && u.Path == site.Script:
		title = u.Query().Get("title")
	case strings.HasPrefix(u.EscapedPath(), prefix) && strings.HasSuffix(u.EscapedPath(), suffix) && len(u.EscapedPath()) > len(prefix)+len(suffix):
		esc := strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), prefix), suffix)
		t, err := url.PathUnescape(esc)
		if err != nil {
			return "", false
		}
		title = t
	default:
		return "", false
	}
	title = strings.TrimSpace(strings.ReplaceAll(title, "_", " "))
	return title, title != ""
}
