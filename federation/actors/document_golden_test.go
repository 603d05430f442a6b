package actors

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/wikipub/wikipub/federation/avatar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenActors are one actor of each kind as followers see it: a page with
// a lead image and an opening, a page with neither (the wiki's logo and
// the generic bio), an editor with a user page, the wiki's own account.
func goldenActors() []struct {
	name string
	a    *Actor
	prof *Profile
} {
	published := time.Date(2003, 2, 1, 10, 0, 0, 0, time.UTC)
	return []struct {
		name string
		a    *Actor
		prof *Profile
	}{
		{"page-profile", &Actor{Ref: Ref{Kind: KindPage, ID: 12}, Handle: "marie_curie", Name: "Marie Curie", URL: "https://wiki.example/wiki/Marie_Curie", Published: published}, &Profile{
			Avatar: "https://wiki.example/images/thumb/a/ab/Curie.png/400px-Curie.png", AvatarType: "image/png",
			Header: "https://wiki.example/images/thumb/a/ab/Curie.png/1500px-Curie.png", HeaderType: "image/png",
			Bio:     "Marie Curie was a physicist & chemist who conducted pioneering research on <radioactivity>. She was the first woman to win a Nobel Prize.",
			TalkURL: "https://wiki.example/wiki/Talk:Marie_Curie", LastEdited: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		}},
		{"page-logo", &Actor{Ref: Ref{Kind: KindPage, ID: 13}, Handle: "server_admin_log", Name: "Server admin log", URL: "https://wiki.example/wiki/Server_admin_log", Published: published}, &Profile{
			TalkURL: "https://wiki.example/wiki/Talk:Server_admin_log", LastEdited: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		}},
		{"editor-profile", &Actor{Ref: Ref{Kind: KindUser, ID: 7}, Handle: "user.pierre_test", Name: "Pierre Test", URL: "https://wiki.example/wiki/User:Pierre_Test", Published: published}, &Profile{
			Bio: "Pierre edits articles about physics.", TalkURL: "https://wiki.example/wiki/User_talk:Pierre_Test",
			Registration: published, Edits: 1234, HasEdits: true,
		}},
		{"wiki-account", &Actor{Ref: Ref{Kind: KindWiki}, Handle: "example_wiki", Name: "Example Wiki", URL: "https://wiki.example/wiki/Main_Page", Namespace: -1}, &Profile{
			Bio: "The free encyclopedia of examples.",
		}},
	}
}

// TestActorGolden: each kind of actor document, byte for byte, and its
// HTML (bio, fields) within what Mastodon's sanitizer keeps.
func TestActorGolden(t *testing.T) {
	iris := IRIs{Base: "https://wiki.example"}
	icon := &avatar.Image{MediaType: "image/png", Version: "660021e2eb27"}
	opts := DocOptions{Discoverable: true, Indexable: true, SiteName: "Example Wiki"}
	for _, tc := range goldenActors() {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := actorDocument(tc.a, iris, "<redacted: generated per run>", opts, icon, tc.prof)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(doc, &v); err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(v, "", "  ")
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run with -update and review the diff)\n--- got ---\n%s", path, got)
			}
			htmls := []string{v["summary"].(string)}
			for _, f := range v["attachment"].([]any) {
				htmls = append(htmls, f.(map[string]any)["value"].(string))
			}
			for _, h := range htmls {
				if bad := mastodonDrops(h); len(bad) > 0 {
					t.Errorf("Mastodon would drop %q from %s", bad, h)
				}
			}
			for _, key := range []string{"icon", "image"} {
				img, ok := v[key].(map[string]any)
				if !ok {
					t.Errorf("no %s", key)
					continue
				}
				if mt, _ := img["mediaType"].(string); !strings.HasPrefix(mt, "image/") || mt == "image/svg+xml" {
					t.Errorf("%s media type %q: want a raster image", key, mt)
				}
			}
		})
	}
}

// mastodonAllowed are the elements Mastodon's sanitizer keeps
// (docs/interop.md, "HTML allowlist").
var mastodonAllowed = map[string]bool{
	"p": true, "br": true, "span": true, "a": true, "del": true, "s": true, "pre": true,
	"blockquote": true, "code": true, "b": true, "strong": true, "u": true, "i": true,
	"em": true, "ul": true, "ol": true, "li": true, "ruby": true, "rt": true, "rp": true,
}

// mastodonDrops lists the elements of s outside the allowlist, and links
// that are not absolute http(s) URLs.
func mastodonDrops(s string) []string {
	var bad []string
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return bad
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			if !mastodonAllowed[tok.Data] {
				bad = append(bad, "<"+tok.Data+">")
			}
			for _, a := range tok.Attr {
				if a.Key == "href" && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") {
					bad = append(bad, "href="+a.Val)
				}
			}
		}
	}
}
