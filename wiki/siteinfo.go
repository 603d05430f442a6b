package wiki

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// Namespace is one of the wiki's namespaces as the wiki itself names it.
type Namespace struct {
	ID int
	// Name is the local name ("" for the main namespace).
	Name string
	// Canonical is the English, language-independent name.
	Canonical string
	// Aliases are further names that resolve to this namespace (e.g. "Image").
	Aliases []string
	// FirstLetterCase is true when titles' first letters are capitalised.
	FirstLetterCase bool
	// Content is true for namespaces that hold articles.
	Content bool
}

// SiteInfo is what wikipub needs to know about a wiki to build correct titles
// and URLs on any wiki, not only on one configured like ours.
type SiteInfo struct {
	SiteName string
	// Server is the wiki's base URL, e.g. "https://en.wikipedia.org".
	Server string
	// ArticlePath is the path template with "$1", e.g. "/wiki/$1".
	ArticlePath string
	// Script is the path of index.php, e.g. "/w/index.php".
	Script string
	Logo   string
	Lang   string
	// MainPage is the title of the wiki's main page.
	MainPage string
	// Favicon is the URL of the wiki's favicon, "" when it has none.
	Favicon string
	// Extensions are the names of the extensions the wiki has loaded
	// (PageImages, TextExtracts, Renameuser, …), as siteinfo lists them.
	Extensions map[string]bool
	// Generator is the MediaWiki version string.
	Generator string
	// Time is the wiki's clock when the site info was read.
	Time       time.Time
	Namespaces map[int]*Namespace

	byName map[string]*Namespace
}

type siteInfoResponse struct {
	Query struct {
		General struct {
			SiteName    string `json:"sitename"`
			Server      string `json:"server"`
			ArticlePath string `json:"articlepath"`
			Script      string `json:"script"`
			Logo        string `json:"logo"`
			Lang        string `json:"lang"`
			MainPage    string `json:"mainpage"`
			Favicon     string `json:"favicon"`
			Generator   string `json:"generator"`
			Time        string `json:"time"`
		} `json:"general"`
		Namespaces map[string]struct {
			ID        int    `json:"id"`
			Case      string `json:"case"`
			Name      string `json:"name"`
			Canonical string `json:"canonical"`
			Content   bool   `json:"content"`
		} `json:"namespaces"`
		NamespaceAliases []struct {
			ID    int    `json:"id"`
			Alias string `json:"alias"`
		} `json:"namespacealiases"`
		Extensions []struct {
			Name string `json:"name"`
		} `json:"extensions"`
	} `json:"query"`
}

func siteInfoParams() params.Values {
	return params.Values{
		"action": "query",
		"meta":   "siteinfo",
		"siprop": "general|namespaces|namespacealiases|extensions",
	}
}

func newSiteInfo(r *siteInfoResponse) (*SiteInfo, error) {
	g := r.Query.General
	s := &SiteInfo{
		SiteName:    g.SiteName,
		Server:      g.Server,
		ArticlePath: g.ArticlePath,
		Script:      g.Script,
		Logo:        g.Logo,
		Lang:        g.Lang,
		MainPage:    g.MainPage,
		Favicon:     g.Favicon,
		Extensions:  map[string]bool{},
		Generator:   g.Generator,
		Namespaces:  map[int]*Namespace{},
		byName:      map[string]*Namespace{},
	}
	// Protocol-relative servers ("//en.wikipedia.org") are common on
	// Wikimedia wikis; the Fediverse needs an absolute URL.
	if strings.HasPrefix(s.Server, "//") {
		s.Server = "https:" + s.Server
	}
	if g.Time != "" {
		t, err := time.Parse(time.RFC3339, g.Time)
		if err != nil {
			return nil, fmt.Errorf("wiki: siteinfo time %q: %w", g.Time, err)
		}
		s.Time = t
	}
	if len(r.Query.Namespaces) == 0 {
		return nil, fmt.Errorf("wiki: siteinfo lists no namespaces")
	}
	for _, n := range r.Query.Namespaces {
		ns := &Namespace{ID: n.ID, Name: n.Name, Canonical: n.Canonical, Content: n.Content, FirstLetterCase: n.Case == "first-letter"}
		s.Namespaces[n.ID] = ns
		s.byName[nsKey(n.Name)] = ns
		if n.Canonical != "" {
			s.byName[nsKey(n.Canonical)] = ns
		}
	}
	for _, e := range r.Query.Extensions {
		s.Extensions[e.Name] = true
	}
	for _, a := range r.Query.NamespaceAliases {
		if ns, ok := s.Namespaces[a.ID]; ok {
			ns.Aliases = append(ns.Aliases, a.Alias)
			s.byName[nsKey(a.Alias)] = ns
		}
	}
	return s, nil
}

// nsKey folds a namespace name the way MediaWiki matches them: case-
// insensitively, with spaces and underscores the same.
func nsKey(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", " "))
}

// HasExtension reports whether the wiki had the extension loaded when its
// site information was read (at start): what PageImages, TextExtracts and
// Renameuser add to the API is asked for only where it exists.
func (s *SiteInfo) HasExtension(name string) bool { return s.Extensions[name] }

// TalkPageTitle is the title of the talk page that belongs to title: the
// page itself for a talk page, "" for a namespace without talk pages
// (Special, Media).
func (s *SiteInfo) TalkPageTitle(title string) string {
	ns, rest := s.SplitTitle(title)
	if ns == nil || ns.ID < 0 {
		return ""
	}
	if ns.ID%2 == 1 {
		return title
	}
	talk, ok := s.Namespaces[ns.ID+1]
	if !ok {
		return ""
	}
	return talk.Name + ":" + rest
}

// NamespaceByName finds a namespace by local, canonical or alias name.
func (s *SiteInfo) NamespaceByName(name string) (*Namespace, bool) {
	key := nsKey(name)
	if s.byName != nil {
		ns, ok := s.byName[key]
		return ns, ok
	}
	// A SiteInfo built by hand (tests) has no index.
	for _, ns := range s.Namespaces {
		if nsKey(ns.Name) == key || (ns.Canonical != "" && nsKey(ns.Canonical) == key) {
			return ns, true
		}
		for _, a := range ns.Aliases {
			if nsKey(a) == key {
				return ns, true
			}
		}
	}
	return nil, false
}

// SplitTitle splits a full title into its namespace and the rest; a prefix
// that names no namespace belongs to a main-namespace title ("AC/DC: Live").
func (s *SiteInfo) SplitTitle(title string) (ns *Namespace, rest string) {
	if prefix, after, ok := strings.Cut(title, ":"); ok {
		if n, ok := s.NamespaceByName(prefix); ok && n.ID != 0 {
			return n, strings.TrimLeft(after, " _")
		}
	}
	return s.Namespaces[0], title
}

// PageURL is the human URL of a page on the wiki, built from the wiki's own
// article path so that it is right on any wiki.
func (s *SiteInfo) PageURL(title string) string {
	return s.Server + strings.Replace(s.ArticlePath, "$1", EscapeTitle(title), 1)
}

// IndexURL is a URL of index.php with the given query, for diffs and history.
func (s *SiteInfo) IndexURL(q url.Values) string {
	return s.Server + s.Script + "?" + q.Encode()
}

// EscapeTitle writes a title the way MediaWiki writes it in URLs: spaces as
// underscores, and the characters MediaWiki leaves readable kept as they are.
func EscapeTitle(title string) string {
	t := strings.ReplaceAll(title, " ", "_")
	esc := url.QueryEscape(t)
	// MediaWiki keeps these readable in article paths (wfUrlencode).
	r := strings.NewReplacer("%3A", ":", "%2F", "/", "%21", "!", "%2A", "*", "%28", "(", "%29", ")", "%2C", ",", "%40", "@", "%24", "$", "%3B", ";", "%7E", "~")
	return r.Replace(esc)
}
