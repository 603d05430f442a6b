package wiki

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testSite is the site information of testdata/siteinfo.json.
func testSite(t *testing.T) *SiteInfo {
	t.Helper()
	var r siteInfoResponse
	if err := json.Unmarshal(fixture(t, "siteinfo.json"), &r); err != nil {
		t.Fatal(err)
	}
	s, err := newSiteInfo(&r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSiteInfo(t *testing.T) {
	s := testSite(t)
	checks := []struct {
		name      string
		got, want any
	}{
		{"SiteName", s.SiteName, "X Wiki"},
		{"Server (protocol-relative made https)", s.Server, "https://x.org"},
		{"ArticlePath", s.ArticlePath, "/wiki/$1"},
		{"Script", s.Script, "/w/index.php"},
		{"Logo", s.Logo, "//x.org/w/resources/assets/wiki.png"},
		{"Lang", s.Lang, "en"},
		{"MainPage", s.MainPage, "Main Page"},
		{"Favicon", s.Favicon, "https://x.org/favicon.ico"},
		{"Extensions", s.Extensions, map[string]bool{"Vector": true, "PageImages": true, "TextExtracts": true}},
		{"HasExtension(PageImages)", s.HasExtension("PageImages"), true},
		{"HasExtension(Renameuser)", s.HasExtension("Renameuser"), false},
		{"Generator", s.Generator, "MediaWiki 1.39.17"},
		{"Time", s.Time, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"namespace count", len(s.Namespaces), 11},
		{"main", *s.Namespaces[0], Namespace{ID: 0, FirstLetterCase: true, Content: true}},
		{"project", *s.Namespaces[4], Namespace{ID: 4, Name: "X Wiki", Canonical: "Project", FirstLetterCase: true, Aliases: []string{"WP"}}},
		{"file", *s.Namespaces[6], Namespace{ID: 6, Name: "File", Canonical: "File", FirstLetterCase: true, Aliases: []string{"Image"}}},
		{"file talk", *s.Namespaces[7], Namespace{ID: 7, Name: "File talk", Canonical: "File talk", FirstLetterCase: true, Aliases: []string{"Image talk"}}},
		{"portal (case-sensitive content namespace)", *s.Namespaces[100], Namespace{ID: 100, Name: "Portal", Canonical: "Portal", Content: true}},
		{"special", *s.Namespaces[-1], Namespace{ID: -1, Name: "Special", Canonical: "Special", FirstLetterCase: true}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %+v, want %+v", c.name, c.got, c.want)
		}
	}
	// An alias of a namespace the wiki does not list is ignored.
	if ns, ok := s.NamespaceByName("Orphan"); ok {
		t.Errorf("alias of an unlisted namespace resolves to %+v", ns)
	}
}

func TestTalkPageTitle(t *testing.T) {
	s := testSite(t)
	for _, tt := range []struct{ title, want string }{
		{"Albert Einstein", "Talk:Albert Einstein"},
		{"Talk:Albert Einstein", "Talk:Albert Einstein"},
		{"User:Jimbo Wales", "User talk:Jimbo Wales"},
		{"Image:Lead.png", "File talk:Lead.png"},
		{"X Wiki:About", ""}, // the fixture lists no talk namespace for it
		{"AC/DC: Live", "Talk:AC/DC: Live"},
		{"Special:RecentChanges", ""},
		{"Portal:Science", ""},
	} {
		if got := s.TalkPageTitle(tt.title); got != tt.want {
			t.Errorf("TalkPageTitle(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestNewSiteInfoServer(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"//x.org", "https://x.org"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"https://en.wikipedia.org", "https://en.wikipedia.org"},
	} {
		r := &siteInfoResponse{}
		r.Query.General.Server = tt.in
		r.Query.Namespaces = map[string]struct {
			ID        int    `json:"id"`
			Case      string `json:"case"`
			Name      string `json:"name"`
			Canonical string `json:"canonical"`
			Content   bool   `json:"content"`
		}{"0": {ID: 0}}
		s, err := newSiteInfo(r)
		if err != nil {
			t.Fatal(err)
		}
		if s.Server != tt.want {
			t.Errorf("server %q became %q, want %q", tt.in, s.Server, tt.want)
		}
	}
}

func TestNewSiteInfoErrors(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"no namespaces", `{"query":{"general":{"generator":"MediaWiki 1.39"}}}`, "lists no namespaces"},
		{"bad time", `{"query":{"general":{"generator":"MediaWiki 1.39","time":"yesterday"},"namespaces":{"0":{"id":0}}}}`, `siteinfo time "yesterday"`},
	} {
		var r siteInfoResponse
		if err := json.Unmarshal([]byte(tt.body), &r); err != nil {
			t.Fatal(err)
		}
		_, err := newSiteInfo(&r)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSplitTitle(t *testing.T) {
	s := testSite(t)
	tests := []struct {
		title, wantNSName string
		wantNS            int
		wantRest          string
	}{
		{"Foo", "", 0, "Foo"},
		{"Talk:Foo", "Talk", 1, "Foo"},
		{"talk:Foo", "Talk", 1, "Foo"},
		{"TALK:Foo", "Talk", 1, "Foo"},
		{"Talk: Foo", "Talk", 1, "Foo"},
		{"User talk:Alice", "User talk", 3, "Alice"},
		{"User_talk:Alice", "User talk", 3, "Alice"},
		{"user_Talk:Alice", "User talk", 3, "Alice"},
		{"Image:X.jpg", "File", 6, "X.jpg"},
		{"image talk:X.jpg", "File talk", 7, "X.jpg"},
		{"File:X.jpg", "File", 6, "X.jpg"},
		{"X Wiki:About", "X Wiki", 4, "About"},
		{"X_Wiki:About", "X Wiki", 4, "About"},
		{"Project:About", "X Wiki", 4, "About"},
		{"WP:About", "X Wiki", 4, "About"},
		{"Category:Things: more", "Category", 14, "Things: more"},
		{"Portal:Science", "Portal", 100, "Science"},
		{"Special:RecentChanges", "Special", -1, "RecentChanges"},
		{"AC/DC: Live", "", 0, "AC/DC: Live"},
		{"Foo:Bar", "", 0, "Foo:Bar"},
		{"Orphan:Bar", "", 0, "Orphan:Bar"},
		{":Foo", "", 0, ":Foo"},
		{"Talk", "", 0, "Talk"},
	}
	for _, tt := range tests {
		ns, rest := s.SplitTitle(tt.title)
		if ns == nil {
			t.Errorf("SplitTitle(%q): nil namespace", tt.title)
			continue
		}
		if ns.ID != tt.wantNS || ns.Name != tt.wantNSName || rest != tt.wantRest {
			t.Errorf("SplitTitle(%q) = ns %d %q, %q; want ns %d %q, %q", tt.title, ns.ID, ns.Name, rest, tt.wantNS, tt.wantNSName, tt.wantRest)
		}
	}
}

// A SiteInfo built by hand has no name index; lookups still work.
func TestNamespaceByNameWithoutIndex(t *testing.T) {
	s := &SiteInfo{Namespaces: map[int]*Namespace{
		0: {ID: 0},
		1: {ID: 1, Name: "Diskussion", Canonical: "Talk"},
		6: {ID: 6, Name: "Datei", Canonical: "File", Aliases: []string{"Bild"}},
	}}
	tests := []struct {
		name string
		want int // -100 for not found
	}{
		{"Diskussion", 1}, {"diskussion", 1}, {"Talk", 1}, {"Datei", 6}, {"File", 6}, {"bild", 6}, {"", 0}, {"Image", -100},
	}
	for _, tt := range tests {
		ns, ok := s.NamespaceByName(tt.name)
		got := -100
		if ok {
			got = ns.ID
		}
		if got != tt.want {
			t.Errorf("NamespaceByName(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
	if ns, rest := s.SplitTitle("Bild:Hund.jpg"); ns.ID != 6 || rest != "Hund.jpg" {
		t.Errorf("SplitTitle(Bild:Hund.jpg) = %d %q", ns.ID, rest)
	}
}

func TestEscapeTitle(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Main Page", "Main_Page"},
		{"Main_Page", "Main_Page"},
		{"C++", "C%2B%2B"},
		{"AC/DC", "AC/DC"},
		{"AC/DC: Live", "AC/DC:_Live"},
		{"Zürich", "Z%C3%BCrich"},
		{"Don't", "Don%27t"},
		{"a&b=c?", "a%26b%3Dc%3F"},
		{"Talk:Foo (bar), baz@qux", "Talk:Foo_(bar),_baz@qux"},
		{"100% sure", "100%25_sure"},
		{"$5 & ~50; !*", "$5_%26_~50;_!*"},
		{`"quoted" <tag>`, "%22quoted%22_%3Ctag%3E"},
		{"a+b", "a%2Bb"},
		{"Ω", "%CE%A9"},
		{"日本", "%E6%97%A5%E6%9C%AC"},
		{"#frag", "%23frag"},
		{"x-y.z", "x-y.z"},
		{"[[x]]{|}^`\\", "%5B%5Bx%5D%5D%7B%7C%7D%5E%60%5C"},
	}
	for _, tt := range tests {
		if got := EscapeTitle(tt.title); got != tt.want {
			t.Errorf("EscapeTitle(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestPageURL(t *testing.T) {
	s := testSite(t)
	tests := []struct{ title, want string }{
		{"Main Page", "https://x.org/wiki/Main_Page"},
		{"Talk:C++", "https://x.org/wiki/Talk:C%2B%2B"},
		{"AC/DC", "https://x.org/wiki/AC/DC"},
		{"Zürich", "https://x.org/wiki/Z%C3%BCrich"},
		// A title containing "$1" is not substituted again.
		{"Price $1", "https://x.org/wiki/Price_$1"},
	}
	for _, tt := range tests {
		if got := s.PageURL(tt.title); got != tt.want {
			t.Errorf("PageURL(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
	// Another wiki's article path.
	other := &SiteInfo{Server: "http://localhost:8080", ArticlePath: "/index.php?title=$1"}
	if got, want := other.PageURL("Don't panic"), "http://localhost:8080/index.php?title=Don%27t_panic"; got != want {
		t.Errorf("PageURL with a query article path = %q, want %q", got, want)
	}
}

func TestIndexURL(t *testing.T) {
	s := testSite(t)
	got := s.IndexURL(url.Values{"title": {"Foo bar"}, "diff": {"104"}, "oldid": {"100"}})
	want := "https://x.org/w/index.php?diff=104&oldid=100&title=Foo+bar"
	if got != want {
		t.Errorf("IndexURL = %q, want %q", got, want)
	}
}

func TestNSKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"User_talk", "user talk"}, {" Talk ", "talk"}, {"FILE", "file"}, {"", ""},
	} {
		if got := nsKey(tt.in); got != tt.want {
			t.Errorf("nsKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
