package activity

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxHashtagBytes is the longest hashtag GoToSocial keeps (it counts
// bytes of UTF-8, not characters); Mastodon keeps longer ones, so this is
// the common limit.
const maxHashtagBytes = 100

// HashtagName makes a hashtag of a name such as a category's ("Nobel
// laureates" → "#NobelLaureates"): words separated by spaces or
// underscores are joined, each begun with a capital so the tag stays
// readable. ok is false when the result is not a hashtag every server
// keeps: GoToSocial and Mastodon take letters, digits, combining marks and
// underscores only, at least one letter, and GoToSocial at most 100
// bytes (docs/interop.md, "Language and hashtags"). A name with any
// other character is refused rather than mangled: "C++" is not "#C".
func HashtagName(name string) (tag string, ok bool) {
	var b strings.Builder
	letter := false
	for _, word := range strings.FieldsFunc(norm.NFC.String(name), func(r rune) bool { return r == ' ' || r == '_' }) {
		first := true
		for _, r := range word {
			switch {
			case unicode.IsLetter(r):
				letter = true
				if first {
					r = unicode.ToUpper(r)
				}
			case unicode.IsNumber(r), unicode.IsMark(r):
			default:
				return "", false
			}
			first = false
			b.WriteRune(r)
		}
	}
	if !letter || b.Len() > maxHashtagBytes {
		return "", false
	}
	return "#" + b.String(), true
}
