package wiki

import (
	"html"
	"regexp"
	"strings"
)

// plainWikitext reduces wikitext to the text a reader of the rendered page
// would read, for the commonest inline markup only; it is no parser, and
// what it cannot place it leaves as written. In order:
//
//   - comments (<!-- -->) go, being hidden from readers: an unclosed one
//     takes the rest of the text, a lone "-->" everything before it;
//   - references (<ref>…</ref>, <ref/>) and templates ({{…}}, nested,
//     over lines; one never closed takes the rest of its line) go;
//   - internal links become their label or target; file, image and
//     category links go (they are no text where they stand);
//   - external links [URL label] become the label, [URL] the URL;
//   - other tags go, their text stays; bold and italic quotes go;
//   - list, indent and heading marks, table lines, rules and __MAGIC__
//     words go; entities are decoded; runs of spaces become one, empty
//     lines go.
//
// site tells the file and category namespaces' names; nil knows only the
// English ones.
func plainWikitext(s string, site *SiteInfo) string {
	s = dropComments(s)
	s = refPair.ReplaceAllString(s, "")
	s = refSingle.ReplaceAllString(s, "")
	s = dropTemplates(s)
	s = reduceLinks(s, site)
	s = externalLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := externalLink.FindStringSubmatch(m)
		if strings.TrimSpace(sub[2]) != "" {
			return sub[2]
		}
		return sub[1]
	})
	s = anyTag.ReplaceAllString(s, "")
	s = quotes.ReplaceAllString(s, "")
	s = magicWord.ReplaceAllString(s, "")
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "{|"), strings.HasPrefix(line, "|}"), strings.HasPrefix(line, "|-"),
			strings.HasPrefix(line, "----"):
			continue
		case strings.HasPrefix(line, "="):
			line = strings.Trim(line, "= ")
		case strings.HasPrefix(line, "|"), strings.HasPrefix(line, "!"):
			line = strings.TrimLeft(line, "|! ")
		}
		line = strings.TrimLeft(line, "*#:; ")
		line = html.UnescapeString(line)
		line = strings.ReplaceAll(line, "\u00a0", " ")
		if f := strings.Fields(line); len(f) > 0 {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return strings.Join(lines, "\n")
}

var (
	refPair      = regexp.MustCompile(`(?is)<ref(\s[^>]*)?>.*?</ref\s*>`)
	refSingle    = regexp.MustCompile(`(?i)<ref(\s[^>]*)?/>`)
	externalLink = regexp.MustCompile(`\[((?:https?:|ftp:|mailto:|//)[^\s\]]+)(?:\s+([^\]]*))?\]`)
	anyTag       = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>`)
	quotes       = regexp.MustCompile(`''+`)
	magicWord    = regexp.MustCompile(`__[A-Z]+__`)
)

func dropComments(s string) string {
	// A lone closer: the added text began inside a comment.
	if end := strings.Index(s, "-->"); end >= 0 {
		if start := strings.Index(s, "<!--"); start < 0 || start > end {
			s = s[end+3:]
		}
	}
	var b strings.Builder
	for {
		start := strings.Index(s, "<!--")
		if start < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:start])
		end := strings.Index(s[start+4:], "-->")
		if end < 0 {
			return b.String()
		}
		s = s[start+4+end+3:]
	}
}

// dropTemplates removes {{…}} (and {{{…}}}) with what they nest, over
// lines as templates go; each closer matches the innermost opener, as
// MediaWiki's preprocessor does. An opener never closed takes only the
// rest of its line, since the text may be a fragment of the page.
func dropTemplates(s string) string {
	var b strings.Builder
	var open []int // opener lengths, innermost last
	outer, outerOut := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			if len(open) == 0 {
				outer, outerOut = i, b.Len()
			}
			if strings.HasPrefix(s[i:], "{{{") {
				open = append(open, 3)
				i += 2
			} else {
				open = append(open, 2)
				i++
			}
		case len(open) > 0 && strings.HasPrefix(s[i:], "}}"):
			if open[len(open)-1] == 3 && strings.HasPrefix(s[i:], "}}}") {
				i++
			}
			open = open[:len(open)-1]
			i++
		case len(open) == 0:
			b.WriteByte(s[i])
		}
	}
	if len(open) == 0 {
		return b.String()
	}
	kept := b.String()[:outerOut]
	nl := strings.IndexByte(s[outer:], '\n')
	if nl < 0 {
		return kept
	}
	return kept + dropTemplates(s[outer+nl:])
}

// reduceLinks replaces [[…]] links by their text, innermost first, so a
// file's caption with links inside goes with the file.
func reduceLinks(s string, site *SiteInfo) string {
	// Each round makes s shorter, so this ends.
	for {
		m := innerLink.FindStringSubmatchIndex(s)
		if m == nil {
			break
		}
		inner := s[m[2]:m[3]]
		s = s[:m[0]] + linkText(inner, site) + s[m[1]:]
	}
	// Brackets left unmatched are markup, not text.
	return strings.NewReplacer("[[", "", "]]", "").Replace(s)
}

var innerLink = regexp.MustCompile(`\[\[([^\[\]]*)\]\]`)

func linkText(inner string, site *SiteInfo) string {
	target, label, piped := strings.Cut(inner, "|")
	target = strings.TrimSpace(target)
	if !strings.HasPrefix(target, ":") {
		if prefix, _, ok := strings.Cut(target, ":"); ok {
			if id, known := namespaceID(site, prefix); known && (id == 6 || id == 14) {
				return ""
			}
		}
	}
	if piped && strings.TrimSpace(label) != "" {
		return label
	}
	return strings.TrimPrefix(target, ":")
}

func namespaceID(site *SiteInfo, name string) (int, bool) {
	if site != nil {
		if ns, ok := site.NamespaceByName(name); ok {
			return ns.ID, true
		}
	}
	switch nsKey(name) {
	case "file", "image":
		return 6, true
	case "category":
		return 14, true
	}
	return 0, false
}
