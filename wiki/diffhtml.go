package wiki

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// addedLines reads the rows of a diff table as MediaWiki renders it
// (action=compare's body: TableDiffFormatter, or wikidiff2 where it is
// installed) and returns what the newer side added, a line a row: a line
// added whole, or the words inserted into a changed line, joined by " … "
// where unchanged text lies between them. Deleted and unchanged text, line
// numbers and the arrows of moved paragraphs are left out.
// See docs/mediawiki.md, "The text an edit added".
func addedLines(body string) ([]string, error) {
	z := html.NewTokenizer(strings.NewReader(body))
	var (
		lines []string
		row   diffRow
		// cellDepth counts open elements inside the added cell (0: outside).
		cellDepth int
		insDepth  int
		skipDepth int // inside a moved-paragraph link
	)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return nil, err
			}
			if line := row.line(); line != "" {
				lines = append(lines, line)
			}
			return lines, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "tr" {
				if line := row.line(); line != "" {
					lines = append(lines, line)
				}
				row, cellDepth, insDepth, skipDepth = diffRow{}, 0, 0, 0
				continue
			}
			class := tokenAttr(tok, "class")
			if cellDepth == 0 {
				if tok.Data == "td" {
					switch {
					case hasClass(class, "diff-addedline"):
						row.added = true
						cellDepth = 1
					case hasClass(class, "diff-deletedline"):
						row.deleted = true
					}
				}
				continue
			}
			if tt == html.SelfClosingTagToken || voidElement(tok.Data) {
				continue
			}
			cellDepth++
			switch {
			case skipDepth > 0:
				skipDepth++
			case tok.Data == "a" && strings.Contains(class, "mw-diff-movedpara"):
				skipDepth = 1
			case tok.Data == "ins":
				if insDepth == 0 {
					row.fragments = append(row.fragments, "")
				}
				insDepth++
			}
		case html.EndTagToken:
			if cellDepth == 0 {
				continue
			}
			cellDepth--
			if skipDepth > 0 {
				skipDepth--
				continue
			}
			if tok := z.Token(); tok.Data == "ins" && insDepth > 0 {
				insDepth--
			}
		case html.TextToken:
			if cellDepth == 0 || skipDepth > 0 {
				continue
			}
			text := strings.ReplaceAll(string(z.Text()), "\u00a0", " ")
			row.whole += text
			if insDepth > 0 {
				row.fragments[len(row.fragments)-1] += text
			}
		}
	}
}

// diffRow is what one row of the diff table holds of the newer side.
type diffRow struct {
	added, deleted bool
	whole          string
	fragments      []string
}

func (r *diffRow) line() string {
	if !r.added {
		return ""
	}
	var parts []string
	for _, f := range r.fragments {
		if f = strings.TrimSpace(f); f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " … ")
	}
	if r.deleted {
		// A changed line whose newer side inserted nothing.
		return ""
	}
	// wikidiff2 writes a line added whole without <ins>.
	return strings.TrimSpace(r.whole)
}

func tokenAttr(t html.Token, name string) string {
	for _, a := range t.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(classes, c string) bool {
	for _, f := range strings.Fields(classes) {
		if f == c {
			return true
		}
	}
	return false
}

func voidElement(tag string) bool {
	switch tag {
	case "br", "img", "hr", "wbr", "input", "meta", "link", "col", "source":
		return true
	}
	return false
}
