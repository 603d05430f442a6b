package activity

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	vocab "github.com/go-ap/activitypub"
)

// decode encodes a document as it is sent and reads it back.
func decode(t *testing.T, it vocab.Item) map[string]any {
	t.Helper()
	b, err := Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}

var testTime = time.Date(2024, 5, 14, 9, 40, 0, 0, time.UTC)

func testNote() Note {
	return Note{
		ID: "https://wiki.example/ap/log/505", AttributedTo: "https://wiki.example/ap/page/16",
		Content: "<p>fix</p>", URL: "https://wiki.example/wiki/F", Published: testTime,
		To: []string{"https://wiki.example/ap/page/16/followers"}, CC: []string{Public},
	}
}

// TestNoteTextKeptExactly: a post's text and an attachment's alt text
// reach followers as they were written. go-ap's own writer decodes
// backslash sequences a second time: "C:\new" would arrive with a line
// break.
func TestNoteTextKeptExactly(t *testing.T) {
	for _, text := range []string{`C:\new folder`, `a \" b \\ c \t`, "<p>\"quoted\" &amp; <b>bold</b></p>", "tab\there\nline", "ünïcödé − 42"} {
		n := testNote()
		n.Content = text
		n.Attachment = []Attachment{{Type: "Image", MediaType: "image/png", URL: "https://u.example/a.png", Name: text}}
		m := decode(t, n.Item())
		if m["content"] != text {
			t.Errorf("content %q read back as %q", text, m["content"])
		}
		att, _ := m["attachment"].([]any)
		if len(att) != 1 || att[0].(map[string]any)["name"] != text {
			t.Errorf("alt text %q read back as %v", text, m["attachment"])
		}
	}
}

// TestNoteShape: what Mastodon and GoToSocial read of a post besides its
// text: sensitive, the attachment as a list, the replies collection
// embedded with an empty first page that names no count.
func TestNoteShape(t *testing.T) {
	n := testNote()
	n.Attachment = []Attachment{{Type: "Image", MediaType: "image/jpeg", URL: "https://u.example/a.jpg"}}
	m := decode(t, n.Item())
	want := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       n.ID, "type": "Note", "attributedTo": n.AttributedTo, "content": "<p>fix</p>",
		"url": n.URL, "published": "2024-05-14T09:40:00Z", "sensitive": false,
		"to": []any{n.To[0]}, "cc": []any{Public},
		"attachment": []any{map[string]any{"type": "Image", "mediaType": "image/jpeg", "url": "https://u.example/a.jpg"}},
		"replies": map[string]any{"id": n.ID + "/replies", "type": "OrderedCollection", "first": map[string]any{
			"id": n.ID + "/replies?page=true&embedded=true", "type": "OrderedCollectionPage",
			"partOf": n.ID + "/replies", "next": n.ID + "/replies?page=true", "orderedItems": []any{},
		}},
		"likes": n.ID + "/likes", "shares": n.ID + "/shares",
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("note\n got %v\nwant %v", m, want)
	}
}

// TestActivities: every activity we send, as its receivers read it.
func TestActivities(t *testing.T) {
	n := testNote()
	page, user := "https://wiki.example/ap/page/16", "https://wiki.example/ap/user/3"
	for _, tc := range []struct {
		name string
		it   vocab.Item
		want map[string]any
	}{
		{"create", Create(n.ID+"/activity", n), map[string]any{"id": n.ID + "/activity", "type": "Create", "actor": page,
			"published": "2024-05-14T09:40:00Z", "to": []any{n.To[0]}, "cc": []any{Public}}},
		{"announce", Announce(n.ID+"/announce/3", user, n.ID, testTime.Add(time.Second), []string{user + "/followers"}, []string{Public, page}),
			map[string]any{"id": n.ID + "/announce/3", "type": "Announce", "actor": user, "object": n.ID,
				"published": "2024-05-14T09:40:01Z", "to": []any{user + "/followers"}, "cc": []any{Public, page}}},
		{"update", UpdateActor(page+"#updates/7", page, []byte(`{"@context":["x"],"id":"`+page+`","type":"Service"}`), []string{Public}),
			map[string]any{"id": page + "#updates/7", "type": "Update", "actor": page, "to": []any{Public},
				"object": map[string]any{"@context": []any{"x"}, "id": page, "type": "Service"}}},
		{"delete post", DeletePost(n.ID+"/delete", page, n.ID, []string{Public}), map[string]any{"id": n.ID + "/delete", "type": "Delete",
			"actor": page, "to": []any{Public}, "object": map[string]any{"id": n.ID, "type": "Tombstone", "formerType": "Note"}}},
		{"delete actor", DeleteActor(user+"#delete", user, []string{Public}), map[string]any{"id": user + "#delete", "type": "Delete",
			"actor": user, "object": user, "to": []any{Public}}},
		{"accept", Answer("Accept", user+"#accepts/1", user, FollowRef{ID: "https://r.example/f/1", Type: "Follow", Actor: "https://r.example/u", Object: user}, "https://r.example/u"),
			map[string]any{"id": user + "#accepts/1", "type": "Accept", "actor": user, "to": []any{"https://r.example/u"},
				"object": map[string]any{"id": "https://r.example/f/1", "type": "Follow", "actor": "https://r.example/u", "object": user}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := decode(t, tc.it)
			if tc.name == "create" {
				if obj, _ := m["object"].(map[string]any); obj["id"] != n.ID || obj["content"] != n.Content {
					t.Errorf("the Create's object is %v", m["object"])
				}
				delete(m, "object")
			}
			tc.want["@context"] = "https://www.w3.org/ns/activitystreams"
			if !reflect.DeepEqual(m, tc.want) {
				t.Errorf("\n got %v\nwant %v", m, tc.want)
			}
		})
	}
}

// TestForeignIDsEscaped: ids a remote chose (followers, a Follow's
// parts, replies in a collection) are written as JSON strings however
// odd they are. go-ap writes IRIs as they are: a quote in a follower's id
// ended the string, and the rest of the id became properties of our own
// document.
func TestForeignIDsEscaped(t *testing.T) {
	odd := `https://r.example/u"],"totalItems":0,"x":["\` + "\x01"
	p := decode(t, Page("https://wiki.example/c?page=true", "https://wiki.example/c", 2, []string{"https://r.example/a", odd}, ""))
	if items, _ := p["orderedItems"].([]any); len(items) != 2 || items[1] != odd || p["totalItems"] != float64(2) || p["x"] != nil {
		t.Errorf("page read back as %v", p)
	}
	a := decode(t, Answer("Reject", "https://wiki.example/ap/instance#rejects/1", "https://wiki.example/ap/instance",
		FollowRef{ID: odd, Type: "Follow", Actor: odd + "a", Object: odd + "o"}, odd+"f"))
	obj, _ := a["object"].(map[string]any)
	if obj["id"] != odd || obj["actor"] != odd+"a" || obj["object"] != odd+"o" || !reflect.DeepEqual(a["to"], []any{odd + "f"}) || a["x"] != nil {
		t.Errorf("reject read back as %v", a)
	}
}

// TestCollections: counted collections and pages, and a history page that
// names no count (only the wiki knows it).
func TestCollections(t *testing.T) {
	c := decode(t, Collection("https://wiki.example/c", 3, "https://wiki.example/c?page=true"))
	if c["type"] != "OrderedCollection" || c["totalItems"] != float64(3) || c["first"] != "https://wiki.example/c?page=true" {
		t.Errorf("collection %v", c)
	}
	e := decode(t, Collection("https://wiki.example/f", 0, ""))
	if e["totalItems"] != float64(0) || e["first"] != nil {
		t.Errorf("empty collection %v", e)
	}
	h := decode(t, HistoryPage("https://wiki.example/o?page=true", "https://wiki.example/o", "", nil))
	if _, counted := h["totalItems"]; counted || h["type"] != "OrderedCollectionPage" || !reflect.DeepEqual(h["orderedItems"], []any{}) || h["next"] != nil {
		t.Errorf("history page %v", h)
	}
	n := testNote()
	h = decode(t, HistoryPage("https://wiki.example/o?page=true", "https://wiki.example/o", "https://wiki.example/o?page=true&cont=2", []vocab.Item{Create(n.ID+"/activity", n)}))
	items, _ := h["orderedItems"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["type"] != "Create" || h["next"] != "https://wiki.example/o?page=true&cont=2" {
		t.Errorf("history page %v", h)
	}
}

// TestActorDocument: the Mastodon extensions beside go-ap's actor, and
// the context that names them.
func TestActorDocument(t *testing.T) {
	b, err := Actor{Type: Person, ID: "https://wiki.example/ap/user/3", Name: "Jimbo", Handle: "jimbo", Summary: "<p>x</p>",
		URL: "https://wiki.example/wiki/User:Jimbo", Inbox: "https://wiki.example/ap/user/3/inbox", SharedInbox: "https://wiki.example/ap/inbox",
		KeyID: "https://wiki.example/ap/user/3#main-key", KeyPEM: "PEM", Discoverable: true, WebFinger: "jimbo@wiki.example",
		Featured: "https://wiki.example/ap/user/3/featured", Fields: []PropertyValue{{Type: "PropertyValue", Name: "Wiki", Value: "Example"}}}.Document()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	ctx, _ := m["@context"].([]any)
	if len(ctx) != 3 || ctx[0] != "https://www.w3.org/ns/activitystreams" || ctx[1] != "https://w3id.org/security/v1" {
		t.Errorf("@context %v", m["@context"])
	}
	key, _ := m["publicKey"].(map[string]any)
	if m["type"] != "Person" || m["preferredUsername"] != "jimbo" || key["owner"] != m["id"] || key["publicKeyPem"] != "PEM" ||
		m["discoverable"] != true || m["indexable"] != false || m["manuallyApprovesFollowers"] != false ||
		m["webfinger"] != "jimbo@wiki.example" || m["featured"] != "https://wiki.example/ap/user/3/featured" {
		t.Errorf("actor %v", m)
	}
	if f, _ := m["attachment"].([]any); len(f) != 1 || !strings.Contains(string(b), `"name":"Wiki"`) {
		t.Errorf("fields %v", m["attachment"])
	}
}

// TestNoteLanguageAndHashtags: a post in a language gives its text as
// contentMap under that tag as well as content (Mastodon and GoToSocial
// take the language from contentMap); hashtags are Hashtag tags with the
// name and the page they link; a post without either writes neither.
func TestNoteLanguageAndHashtags(t *testing.T) {
	plain := decode(t, testNote().Item())
	for _, k := range []string{"contentMap", "tag"} {
		if _, ok := plain[k]; ok {
			t.Errorf("a post with no language or tags writes %s: %v", k, plain[k])
		}
	}
	n := testNote()
	n.Language = "zh-Hans"
	n.Tags = []Hashtag{{Name: "#Physicists", Href: "https://wiki.example/wiki/Category:Physicists"}}
	m := decode(t, n.Item())
	if cm, _ := m["contentMap"].(map[string]any); len(cm) != 1 || cm["zh-Hans"] != n.Content {
		t.Errorf("contentMap %v, want {zh-Hans: %q}", m["contentMap"], n.Content)
	}
	if m["content"] != n.Content {
		t.Errorf("content %v: still wanted beside contentMap", m["content"])
	}
	tags, _ := m["tag"].([]any)
	want := map[string]any{"type": "Hashtag", "name": "#Physicists", "href": "https://wiki.example/wiki/Category:Physicists"}
	if len(tags) != 1 || !reflect.DeepEqual(tags[0], want) {
		t.Errorf("tag %v, want [%v]", m["tag"], want)
	}
}

func TestHashtagName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Physicists", "#Physicists", true},
		{"Nobel laureates", "#NobelLaureates", true},
		{"Nobel_laureates", "#NobelLaureates", true},
		{"1990s births", "#1990sBirths", true},
		{"Physiker und Physikerinnen", "#PhysikerUndPhysikerinnen", true},
		{"Физики", "#Физики", true},
		{"物理学者", "#物理学者", true},
		{"Cafe\u0301s", "#Cafés", true}, // combining accent composed (NFC)
		{"1990", "", false},             // no letter
		{"___", "", false},
		{"", "", false},
		{"C++ programmers", "", false},
		{"Rock & roll", "", false},
		{"Nobel-winning chemists", "", false},
		{"Pages with broken file links", "#PagesWithBrokenFileLinks", true},
		{strings.Repeat("a", 100), "#A" + strings.Repeat("a", 99), true},
		{strings.Repeat("я", 50), "#Я" + strings.Repeat("я", 49), true}, // 100 bytes
		{strings.Repeat("я", 51), "", false},
		{strings.Repeat("a", 101), "", false},
	} {
		got, ok := HashtagName(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("HashtagName(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
