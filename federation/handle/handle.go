// Package handle is the pure, deterministic mapping between wiki page titles
// and user names and the Fediverse handles of their actors
// (`@albert_einstein@wiki.example`, `@user.jimbo_wales@wiki.example`). It does
// no I/O: uniqueness across the wiki is the caller's job (a first-claimer index
// plus the id fallbacks), this package only says what the natural handle of a
// title is, and what titles a handle may have come from.
//
// # Handles
//
// Every handle returned is lowercase ASCII, at most [MaxLen] bytes, and
// matches both Mastodon's remote-username rule `^[a-z0-9_]+([.-]+[a-z0-9_]+)*$`
// and Misskey's `^\w([\w-.]*\w)?$`; anything that cannot be mapped so yields ""
// and the caller uses [PageFallback] or [UserFallback].
// The servers' rules are in docs/interop.md, "Handles".
//
//   - Main namespace: the mapped title, `Albert Einstein` → `albert_einstein`.
//   - Other namespaces: the namespace's handle prefix, `.`, the mapped rest:
//     `Talk:Albert Einstein` → `talk.albert_einstein`, `User talk:Jimbo` →
//     `user_talk.jimbo`. The prefix is the namespace's canonical (English,
//     language-independent) name mapped the same way with `.` turned into `_`,
//     so `Wikipedia:About` is `project.about` on every wiki. A prefix that
//     would be empty, `page`, `user` (other than for the User namespace),
//     `ns<digits>`, longer than 64 bytes, or the prefix of a namespace with
//     a lower id becomes `ns<id>` (e.g. ProofreadPage's `Page:` namespace is
//     `ns104.…`).
//   - User namespace (2) pages, subpages included, and the virtual namespaces
//     Special (-1) and Media (-2) have no page handle: editors are [ForUser].
//   - Editors: `user.` + the mapped name, `Jimbo Wales` → `user.jimbo_wales`.
//     IP addresses, and names that map to digits only or to an address
//     (`42`, `٤٢`, `1.0.0.00!`), have none.
//   - Fallbacks: `page.<pageid>` and `user.<userid>`, always valid.
//
// # Mapping text
//
// The text is read character by character:
//
//   - ASCII letters and digits are kept, lowercased.
//   - Apostrophes and backticks are dropped, so words stay whole:
//     `Don't` → `dont`.
//   - A few ASCII symbols become words: `+` plus, `&` and, `#` sharp, `@` at,
//     `%` percent (`C++` → `c_plus_plus`, `C#` → `c_sharp`,
//     `AT&T` → `at_and_t`).
//   - Every other character outside ASCII is transliterated with
//     github.com/mozillazg/go-unidecode (the Text::Unidecode tables): Latin
//     diacritics are stripped (`Zürich` → `zurich`, `Straße` → `strasse`,
//     `Ærø` → `aero`), other scripts are romanised (`Москва` → `moskva`,
//     `東京` → `dong_jing`; Han is always read as Mandarin). Characters it has
//     no reading for (emoji) are dropped. Its output goes through the same
//     rules except the symbol words.
//   - Everything else separates words. A run of separators between two words
//     is written as one character: when the run holds only `.` and `-` its
//     first character is kept (`Example.jpg` → `example.jpg`, `Spider-Man` →
//     `spider-man`); otherwise it is `_` (`St. Louis` → `st_louis`, `AC/DC` →
//     `ac_dc`, `Foo (bar)` → `foo_bar`). Separators before the first word and
//     after the last are dropped (`.hack` → `hack`, `-30-` → `30`,
//     `__init__` → `init`, which is how MediaWiki itself normalises it).
//
// # Ambiguity guard
//
// A main-namespace handle containing a `.` must not look like a prefixed one,
// so it is "" (fallback) when its first `.`-separated segment is `page`,
// `user`, `ns<digits>` or the handle prefix of any of the site's namespaces:
// `Talk.foo` and `Page.5` in the main namespace get the fallback. A handle
// without a dot (`talk`, `user`, `page`) is unambiguous and kept.
//
// # Collisions
//
// Handles are deterministic, and different titles can share one. The caller
// gives the handle to the first page that claims it and the fallback to the
// others. Titles that collide:
//
//   - case-only variants: `Albert Einstein`, `Albert einstein`, `ALBERT
//     EINSTEIN` (and `albert einstein` on case-sensitive wikis);
//   - transliteration variants: `Zürich`/`Zurich`, `Straße`/`Strasse`,
//     `Москва`/`Moskva`, `東京`/`Dong Jing`, `Łódź`/`Lodz`;
//   - punctuation variants: `AC/DC`, `AC DC`, `AC (DC)`, `AC, DC`; `St.
//     Louis`/`St Louis`; `Don't`/`Dont`; `Foo--Bar`/`Foo-Bar`; `.hack`/`Hack`;
//     subpages `Foo/Bar`/`Foo Bar`;
//   - symbol words and their spelling: `C++`/`C plus plus`, `Rock & Roll`/`Rock
//     and Roll`.
//
// Different namespaces never collide with each other (the prefix and the
// guard keep them apart), and user handles never collide with page handles
// or with [UserFallback].
//
// Handles of non-ASCII titles depend on the transliteration tables; go.mod
// pins their version, and a test pins their output, so that a library update
// that would rename actors fails the tests instead.
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
