package handle

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"github.com/wikipub/wikipub/wiki"
)

// symbolWords are the ASCII symbols that carry meaning in titles ("C++",
// "AT&T") and would otherwise vanish into a separator.
var symbolWords = map[byte]string{
	'+': "plus",
	'&': "and",
	'#': "sharp",
	'@': "at",
	'%': "percent",
}

// builder accumulates words of [a-z0-9] and the separator run between them.
type builder struct {
	b   []byte
	sep byte // pending separator run: 0 none, '_', '.' or '-'
}

// tooLong stops the work on huge inputs; the result is discarded anyway.
func (m *builder) tooLong() bool { return len(m.b) > MaxLen }

func (m *builder) letter(c byte) {
	if m.sep != 0 {
		if len(m.b) > 0 {
			m.b = append(m.b, m.sep)
		}
		m.sep = 0
	}
	m.b = append(m.b, c)
}

// separator adds c ('_', '.' or '-') to the pending run. A run of only dots
// and hyphens keeps its first character; any other separator makes it '_'.
func (m *builder) separator(c byte) {
	switch {
	case m.sep == 0:
		m.sep = c
	case c == '_' || m.sep == '_':
		m.sep = '_'
	}
}

func (m *builder) word(w string) {
	m.separator('_')
	for i := 0; i < len(w); i++ {
		m.letter(w[i])
	}
	m.separator('_')
}

// ascii adds one ASCII character; symbols says whether symbol words apply
// (they do in titles, not in transliterations, where Unidecode uses '@' and
// '`' for letters it has no better ASCII for).
func (m *builder) ascii(c byte, symbols bool) {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		m.letter(c)
	case 'A' <= c && c <= 'Z':
		m.letter(c + ('a' - 'A'))
	case c == '\'' || c == '`':
		// Apostrophes join: "Don't" is one word.
	case c == '.' || c == '-':
		m.separator(c)
	default:
		if w, ok := symbolWords[c]; ok && symbols {
			m.word(w)
			return
		}
		m.separator('_')
	}
}

// mapText maps free text (a title without its namespace, a user name) to the
// handle alphabet; "" when nothing usable remains or the result is too long.
func mapText(s string) string {
	var m builder
	for i := 0; i < len(s) && !m.tooLong(); {
		if c := s[i]; c < utf8.RuneSelf {
			m.ascii(c, true)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		t := unidecode.Unidecode(string(r))
		for j := 0; j < len(t); j++ {
			if t[j] < utf8.RuneSelf {
				m.ascii(t[j], false)
			}
		}
	}
	if len(m.b) > MaxLen {
		return ""
	}
	return string(m.b)
}

// nsKey folds a namespace name the way MediaWiki matches them: case-
// insensitively, with spaces and underscores the same.
func nsKey(name string) string {
	return strings.ToLower(strings.TrimSpace(strings.ReplaceAll(name, "_", " ")))
}

// sortedNamespaces lists the site's namespaces by id, so that every choice
// that depends on their order is the same on every run.
func sortedNamespaces(site *wiki.SiteInfo) []*wiki.Namespace {
	if site == nil {
		return nil
	}
	out := make([]*wiki.Namespace, 0, len(site.Namespaces))
	for _, ns := range site.Namespaces {
		if ns != nil {
			out = append(out, ns)
		}
	}
	slices.SortFunc(out, func(a, b *wiki.Namespace) int { return a.ID - b.ID })
	return out
}

// namespaceByName finds a namespace by local, canonical or alias name using
// only the exported fields of SiteInfo.
func namespaceByName(site *wiki.SiteInfo, name string) *wiki.Namespace {
	key := nsKey(name)
	for _, ns := range sortedNamespaces(site) {
		if nsKey(ns.Name) == key || (ns.Canonical != "" && nsKey(ns.Canonical) == key) {
			return ns
		}
		for _, a := range ns.Aliases {
			if nsKey(a) == key {
				return ns
			}
		}
	}
	return nil
}

// splitTitle returns the namespace id of a full title and the rest; a prefix
// that names no namespace belongs to a main-namespace title ("AC/DC: Live").
func splitTitle(site *wiki.SiteInfo, title string) (int, string) {
	if prefix, after, ok := strings.Cut(title, ":"); ok {
		if ns := namespaceByName(site, prefix); ns != nil && ns.ID != nsMain {
			return ns.ID, strings.TrimLeft(after, " _")
		}
	}
	return nsMain, title
}

// isNSNumber reports whether s has the form of a numbered prefix, "ns<id>".
func isNSNumber(s string) bool {
	d, ok := strings.CutPrefix(s, "ns")
	if !ok {
		return false
	}
	d = strings.TrimPrefix(d, "-")
	return allDigits(d)
}

// namespacePrefixes gives every namespace but the main one its handle prefix.
// See the package doc for the rule; it only depends on the site's namespaces.
func namespacePrefixes(site *wiki.SiteInfo) map[int]string {
	out := map[int]string{}
	taken := map[string]bool{}
	all := sortedNamespaces(site)
	// The User namespace owns "user" whatever its id order.
	for _, ns := range all {
		if ns.ID == nsUser {
			out[ns.ID] = "user"
			taken["user"] = true
		}
	}
	for _, ns := range all {
		if ns.ID == nsMain || ns.ID == nsUser {
			continue
		}
		name := ns.Canonical
		if name == "" {
			name = ns.Name
		}
		p := strings.ReplaceAll(mapText(name), ".", "_")
		if p == "" || p == "page" || p == "user" || isNSNumber(p) || taken[p] || len(p) > MaxLen/2 {
			p = "ns" + strconv.Itoa(ns.ID)
		}
		out[ns.ID] = p
		taken[p] = true
	}
	return out
}

// namespacePrefix is the handle prefix of one namespace (not the main one).
func namespacePrefix(site *wiki.SiteInfo, id int) string {
	if p, ok := namespacePrefixes(site)[id]; ok {
		return p
	}
	return "ns" + strconv.Itoa(id)
}

// reservedSegment reports whether a main-namespace handle starting with
// seg + "." would read as a prefixed handle.
func reservedSegment(site *wiki.SiteInfo, seg string) bool {
	if seg == "page" || seg == "user" || isNSNumber(seg) {
		return true
	}
	for _, p := range namespacePrefixes(site) {
		if p == seg {
			return true
		}
	}
	return false
}
