package handle

import (
	"strconv"
	"strings"

	"github.com/wikipub/wikipub/wiki"
)

// Kind says what a handle names, so that a WebFinger look-up knows whether to
// ask the wiki by id, by user name or by title.
type Kind int

const (
	// Invalid is a handle we never produce; look-ups answer "not found".
	Invalid Kind = iota
	// PageID is a page fallback, `page.<pageid>`.
	PageID
	// UserID is an editor fallback, `user.<userid>`.
	UserID
	// User is an editor's natural handle, `user.<mapped name>`.
	User
	// Page is a page's natural handle, with or without a namespace prefix.
	Page
)

// String names the kind in logs and test failures.
func (k Kind) String() string {
	switch k {
	case PageID:
		return "PageID"
	case UserID:
		return "UserID"
	case User:
		return "User"
	case Page:
		return "Page"
	}
	return "Invalid"
}

// Ref is what a handle tells about its actor before any index or wiki is
// asked, so that reverse look-ups can go straight to the right query.
type Ref struct {
	Kind Kind
	// ID is the page id (PageID) or user id (UserID).
	ID int64
	// Namespace is the page's namespace id (Page).
	Namespace int
	// Name is, for User, a guess at the user name ("Jimbo wales": spaces for
	// underscores, first letter capitalised; the real case is unknown); for
	// Page, the handle's text after the namespace prefix ("albert_einstein").
	Name string
}

// Parse classifies a typed handle for reverse look-up. It folds case and
// trims first; a handle ForPage, ForUser or the fallbacks cannot produce on
// this site is Invalid.
func Parse(site *wiki.SiteInfo, h string) Ref {
	h = Canonical(h)
	// Every handle we write is a fixed point of the mapping; anything else
	// ("a__b", "foo.-bar") was not written by us.
	if !Valid(h) || mapText(h) != h {
		return Ref{}
	}
	seg, rest, dotted := strings.Cut(h, ".")
	if !dotted {
		return Ref{Kind: Page, Namespace: nsMain, Name: h}
	}
	switch seg {
	case "page":
		if id, ok := fallbackID(rest); ok {
			return Ref{Kind: PageID, ID: id}
		}
		return Ref{}
	case "user":
		if id, ok := fallbackID(rest); ok {
			return Ref{Kind: UserID, ID: id}
		}
		name := upperFirst(strings.ReplaceAll(rest, "_", " "))
		if allDigits(rest) || isIP(name) {
			return Ref{}
		}
		return Ref{Kind: User, Name: name}
	}
	for id, p := range namespacePrefixes(site) {
		if p == seg {
			if id < 0 {
				return Ref{}
			}
			return Ref{Kind: Page, Namespace: id, Name: rest}
		}
	}
	if isNSNumber(seg) {
		return Ref{}
	}
	return Ref{Kind: Page, Namespace: nsMain, Name: h}
}

// fallbackID parses the id of a fallback handle, only in the form the
// fallbacks write it (no sign, no leading zeros), so each id has one handle.
func fallbackID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}

// maxCandidates bounds Candidates so the caller's check fits one API call.
const maxCandidates = 10

// Candidates lists plausible wiki titles for a handle that is not in the
// index, most likely first and at most ten, for the caller to check against
// the wiki in one batched query. Each one maps back to h, but only titles
// whose mapping lost nothing but case and spaces can be found this way:
// transliterated titles, punctuation and symbols are found through the
// caller's index only. User handles give `User:` titles (in the wiki's local
// name of the User namespace); fallbacks and invalid handles give none.
func Candidates(site *wiki.SiteInfo, h string) []string {
	ref := Parse(site, h)
	var prefix string
	var firstLetter bool
	var text string
	switch ref.Kind {
	case Page:
		text = ref.Name
		if ns := namespaceByID(site, ref.Namespace); ns != nil {
			firstLetter = ns.FirstLetterCase
			if ref.Namespace != nsMain {
				prefix = localName(ns) + ":"
			}
		} else if ref.Namespace != nsMain {
			return nil
		}
	case User:
		// User names are capitalised on every wiki.
		text = strings.ToLower(ref.Name)
		firstLetter = true
		prefix = "User:"
		if ns := namespaceByID(site, nsUser); ns != nil {
			prefix = localName(ns) + ":"
		}
	default:
		return nil
	}
	text = strings.ReplaceAll(text, "_", " ")
	var out []string
	seen := map[string]bool{}
	for _, v := range caseVariants(text) {
		if firstLetter {
			v = upperFirst(v)
		}
		if t := prefix + v; !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
		if len(out) == maxCandidates {
			break
		}
	}
	return out
}

// caseVariants are the spellings in which lowercase text commonly appears as
// a title, most likely first: MediaWiki's first-letter form, Title Case,
// acronym-first forms, ALL CAPS, and all lower.
func caseVariants(s string) []string {
	words := strings.Split(s, " ")
	rest := strings.Join(words[1:], " ")
	join := func(first, rest string) string {
		if len(words) == 1 {
			return first
		}
		return first + " " + rest
	}
	return []string{
		upperFirst(s),
		titleCase(s, " "),
		titleCase(s, " .-"),
		join(strings.ToUpper(words[0]), rest),
		join(strings.ToUpper(words[0]), titleCase(rest, " ")),
		strings.ToUpper(s),
		s,
	}
}

// upperFirst capitalises the first letter, as MediaWiki does in first-letter
// namespaces; handles are ASCII, so ASCII rules suffice.
func upperFirst(s string) string {
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		return string(s[0]-('a'-'A')) + s[1:]
	}
	return s
}

// titleCase capitalises the first letter and every letter after one of seps.
func titleCase(s, seps string) string {
	b := []byte(s)
	start := true
	for i, c := range b {
		if start && 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
		start = strings.IndexByte(seps, c) >= 0
	}
	return string(b)
}

func namespaceByID(site *wiki.SiteInfo, id int) *wiki.Namespace {
	if site == nil {
		return nil
	}
	return site.Namespaces[id]
}

// localName is how the wiki writes the namespace in titles.
func localName(ns *wiki.Namespace) string {
	if ns.Name != "" {
		return ns.Name
	}
	return ns.Canonical
}
