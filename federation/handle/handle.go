package handle

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/wikipub/wikipub/wiki"
)

// MaxLen is the longest handle we produce, Misskey's limit; longer natural
// handles fall back so that every server accepts every actor.
const MaxLen = 128

// Namespace ids with special meaning to the mapping.
const (
	nsMain = 0
	nsUser = 2
)

var (
	mastodonRe = regexp.MustCompile(`^[a-z0-9_]+([.-]+[a-z0-9_]+)*$`)
	misskeyRe  = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)
	// ipv4ish is what MediaWiki treats as an IPv4 user (IPUtils::isIPv4 and
	// the old masked "1.2.3.xxx" form); net/netip refuses leading zeros.
	ipv4ish = regexp.MustCompile(`^\d{1,3}\.\d{1,3}\.\d{1,3}\.(\d{1,3}|xxx)$`)
)

// ForPage is the natural handle of a page, so that followers can type a
// readable name; "" means the caller must use [PageFallback]. The title is the
// full title as the wiki writes it, namespace prefix included, with spaces or
// underscores.
func ForPage(site *wiki.SiteInfo, title string) string {
	ns, rest := splitTitle(site, title)
	if ns < 0 || ns == nsUser {
		return ""
	}
	m := mapText(rest)
	if m == "" {
		return ""
	}
	h := m
	if ns == nsMain {
		if seg, _, dotted := strings.Cut(m, "."); dotted && reservedSegment(site, seg) {
			return ""
		}
	} else {
		h = namespacePrefix(site, ns) + "." + m
	}
	if len(h) > MaxLen {
		return ""
	}
	return h
}

// ForUser is the natural handle of a registered editor, so that an editor's
// actor is found by name; "" means the caller must use [UserFallback]. IP
// addresses are never editors' names, and names that map to digits only would
// be mistaken for a fallback.
func ForUser(name string) string {
	n := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	if n == "" || isIP(n) {
		return ""
	}
	m := mapText(n)
	// A name that maps to digits or to an address ("1.0.0.00!") would read
	// as a fallback or an anonymous editor.
	if m == "" || allDigits(m) || isIP(m) {
		return ""
	}
	h := "user." + m
	if len(h) > MaxLen {
		return ""
	}
	return h
}

// PageFallback is the handle of a page whose title has no usable or free
// natural handle; page ids never change, so it is stable across moves.
func PageFallback(pageID int64) string {
	return "page." + strconv.FormatInt(pageID, 10)
}

// UserFallback is the handle of an editor whose name has no usable or free
// natural handle; user ids never change, so it is stable across renames.
func UserFallback(userID int64) string {
	return "user." + strconv.FormatInt(userID, 10)
}

// Canonical folds a typed handle to the form we store and answer with:
// look-ups are case-insensitive, but some servers (GoToSocial) compare the
// answered subject byte for byte, so we always answer in lowercase. Only ASCII
// is folded, so that no non-ASCII letter can fold into a valid handle.
func Canonical(h string) string {
	h = strings.TrimSpace(h)
	b := []byte(h)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// Valid reports whether h is a handle every server accepts: canonical
// lowercase, Mastodon's and Misskey's username rules, at most [MaxLen] bytes.
func Valid(h string) bool {
	return h != "" && len(h) <= MaxLen && mastodonRe.MatchString(h) && misskeyRe.MatchString(h)
}

// isIP reports whether a user name is an IP address or range, which
// MediaWiki uses for anonymous edits and which never names a registered user.
func isIP(n string) bool {
	if _, err := netip.ParseAddr(n); err == nil {
		return true
	}
	if _, err := netip.ParsePrefix(n); err == nil {
		return true
	}
	if net.ParseIP(n) != nil {
		return true
	}
	return ipv4ish.MatchString(strings.ToLower(n))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
