package activity

import (
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gtsBase and ourBase stand for the hosts in the captured GoToSocial
// documents (testdata/gotosocial, {{BASE}} and {{OURS}}).
const (
	gtsBase = "http://gts.test:8080"
	ourBase = "https://wiki.example"
)

// capturedGTS reads one document GoToSocial really sent.
func capturedGTS(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/gotosocial/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("{{BASE}}", gtsBase, "{{OURS}}", ourBase, "{{OURHOST}}", "wiki.example").Replace(string(b))
	return []byte(s)
}

// TestParseGoToSocialReplyWithOneMention: GoToSocial's usual reply sends
// its one mention as "tag": {…}, not a list; it was dropped whole (the
// reply too) before inbound activities were read by go-ap.
func TestParseGoToSocialReplyWithOneMention(t *testing.T) {
	act, err := Parse(capturedGTS(t, "create-reply-one-mention.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := act.Note
	if n == nil {
		t.Fatalf("no note read from %+v", act)
	}
	if n.InReplyTo != ourBase+"/ap/rev/4" || n.AttributedTo != gtsBase+"/users/ann" {
		t.Errorf("inReplyTo %q attributedTo %q", n.InReplyTo, n.AttributedTo)
	}
	if want := []string{ourBase + "/ap/user/3"}; !reflect.DeepEqual(n.Mentions, want) {
		t.Errorf("mentions %q, want %q", n.Mentions, want)
	}
	if !strings.Contains(n.Content, `class="h-card"`) || !strings.Contains(n.Content, "two mentions reply") {
		t.Errorf("content %q", n.Content)
	}
	if n.URL != gtsBase+"/@ann/statuses/01M8SSB0MCMXMMRGHF6BWAEJH0" || n.Published.IsZero() {
		t.Errorf("url %q published %v", n.URL, n.Published)
	}
}

// TestParseGoToSocialActivities: every activity GoToSocial sent in one
// user's journey reads as what it is.
func TestParseGoToSocialActivities(t *testing.T) {
	for _, tc := range []struct {
		file, typ, object, inner string
	}{
		{"follow.json", "Follow", ourBase + "/ap/user/3", ""},
		{"create-mention.json", "Create", gtsBase + "/users/ann/statuses/01M8SSB0N1RZK1N4FQC93CT6VF", ""},
		{"like.json", "Like", ourBase + "/ap/rev/4", ""},
		{"announce.json", "Announce", ourBase + "/ap/rev/4", ""},
		{"undo-like.json", "Undo", gtsBase + "/users/ann/liked/01M8SSB2KV6833SSM851RXXS46", "Like"},
		{"undo-announce.json", "Undo", gtsBase + "/users/ann/statuses/01M8SSB2M3P7K0WKF0FYPPDVWA", "Announce"},
		{"undo-follow.json", "Undo", gtsBase + "/users/ann/follow/013WNCNF89CMQ7SX1W1TFE3S3H", "Follow"},
		{"delete-note.json", "Delete", gtsBase + "/users/ann/statuses/01M8SSB0N1RZK1N4FQC93CT6VF", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			act, err := Parse(capturedGTS(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if act.Type != tc.typ || act.Actor != gtsBase+"/users/ann" || act.ObjectID() != tc.object {
				t.Errorf("type %q actor %q object %q", act.Type, act.Actor, act.ObjectID())
			}
			if tc.inner != "" && (act.Inner == nil || act.Inner.Type != tc.inner || act.Inner.ID != tc.object) {
				t.Errorf("inner %+v, want a %s %s", act.Inner, tc.inner, tc.object)
			}
		})
	}
}

// TestParseOneOrMany: JSON-LD's rule, everywhere inbound: one value and a
// list of one mean the same, and an object may be given by its id.
func TestParseOneOrMany(t *testing.T) {
	const note = `"id": "https://r.example/n/1", "type": "Note", "content": "<p>hi</p>"`
	want := &Activity{ID: "https://r.example/c/1", Type: "Create", Actor: "https://r.example/u/a", Objects: []string{"https://r.example/n/1"},
		Note: &RemoteNote{ID: "https://r.example/n/1", Type: "Note", AttributedTo: "https://r.example/u/a", InReplyTo: "https://wiki.example/ap/rev/7",
			Content: "<p>hi</p>", URL: "https://r.example/@a/1", Mentions: []string{"https://wiki.example/ap/user/3"}}}
	for _, tc := range []struct{ name, body string }{
		{"lists", `{"id": "https://r.example/c/1", "type": "Create", "actor": "https://r.example/u/a", "to": ["https://www.w3.org/ns/activitystreams#Public"],
			"object": {` + note + `, "attributedTo": "https://r.example/u/a", "inReplyTo": "https://wiki.example/ap/rev/7", "url": "https://r.example/@a/1",
			"tag": [{"type": "Mention", "href": "https://wiki.example/ap/user/3"}]}}`},
		{"single values", `{"id": "https://r.example/c/1", "type": "Create", "actor": "https://r.example/u/a", "to": "https://www.w3.org/ns/activitystreams#Public",
			"object": {` + note + `, "attributedTo": "https://r.example/u/a", "inReplyTo": "https://wiki.example/ap/rev/7", "url": "https://r.example/@a/1",
			"tag": {"type": "Mention", "href": "https://wiki.example/ap/user/3"}}}`},
		{"objects for ids", `{"id": "https://r.example/c/1", "type": "Create", "actor": {"id": "https://r.example/u/a", "type": "Person"},
			"object": {` + note + `, "attributedTo": {"id": "https://r.example/u/a"}, "inReplyTo": {"id": "https://wiki.example/ap/rev/7", "type": "Note"},
			"url": {"type": "Link", "href": "https://r.example/@a/1", "mediaType": "text/html"},
			"tag": [{"type": "Hashtag", "name": "#x", "href": "https://r.example/tags/x"}, {"type": "Mention", "href": "https://wiki.example/ap/user/3"}]}}`},
		{"lists of one everywhere", `{"id": "https://r.example/c/1", "type": ["Create"], "actor": ["https://r.example/u/a"],
			"object": [{` + note + `, "attributedTo": ["https://r.example/u/a"], "inReplyTo": ["https://wiki.example/ap/rev/7"], "url": ["https://r.example/@a/1"],
			"tag": [{"type": ["Mention"], "href": "https://wiki.example/ap/user/3"}]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got.object = nil
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.Marshal(got.Note)
				wb, _ := json.Marshal(want.Note)
				t.Errorf("got  %+v\n     %s\nwant %+v\n     %s", got, gb, want, wb)
			}
		})
	}
}

// TestParseText: text is kept exactly as sent (go-ap alone would read a
// reply "42" as nothing and turn \n escapes inside text into newlines).
func TestParseText(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{`"42"`, "42"},
		{`"true"`, "true"},
		{`"a \\n b \\\" c"`, `a \n b \" c`},
		{`"\"quoted\""`, `"quoted"`},
		{`{"en": "in English"}`, "in English"},
	} {
		body := `{"id": "https://r.example/c/1", "type": "Create", "actor": "https://r.example/u/a", "object": {"id": "https://r.example/n/1", "type": "Note", "content": ` + tc.content + `}}`
		act, err := Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if act.Note == nil || act.Note.Content != tc.want {
			t.Errorf("content %s read as %+v, want %q", tc.content, act.Note, tc.want)
		}
	}
}

// TestParseRefusals: what is not an activity is refused before anything
// else happens; a type we do not know is not an error.
func TestParseRefusals(t *testing.T) {
	long := "https://r.example/" + strings.Repeat("x", MaxIDLength)
	for _, tc := range []struct{ name, body string }{
		{"not JSON", `{"id": `},
		{"not an object", `["https://r.example/c/1"]`},
		{"no id", `{"type": "Follow", "actor": "https://r.example/u/a"}`},
		{"no actor", `{"id": "https://r.example/c/1", "type": "Follow"}`},
		{"no type", `{"id": "https://r.example/c/1", "actor": "https://r.example/u/a"}`},
		{"long id", `{"id": "` + long + `", "type": "Follow", "actor": "https://r.example/u/a"}`},
		{"long actor", `{"id": "https://r.example/c/1", "type": "Follow", "actor": "` + long + `"}`},
	} {
		if _, err := Parse([]byte(tc.body)); err == nil {
			t.Errorf("%s: parsed", tc.name)
		}
	}
	act, err := Parse([]byte(`{"id": "https://r.example/r/1", "type": "EmojiReact", "actor": {"id": "https://r.example/u/a"}, "object": "https://wiki.example/ap/rev/1", "content": "👍"}`))
	if err != nil || act.Type != "EmojiReact" || act.Actor != "https://r.example/u/a" {
		t.Fatalf("an unknown type: %+v %v", act, err)
	}
}

// TestParseRemoteActor: actor documents in their usual forms, GoToSocial's
// among them, with inbox, endpoints and url as objects or ids.
func TestParseRemoteActor(t *testing.T) {
	pem := "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n"
	gts := strings.ReplaceAll(string(capturedGTS(t, "actor.json")), "{{PEM}}", strings.ReplaceAll(pem, "\n", `\n`))
	for _, tc := range []struct {
		name, doc                  string
		inbox, shared, url, handle string
		keys                       int
	}{
		{"GoToSocial", gts, gtsBase + "/users/alice/inbox", "", gtsBase + "/@alice", "alice@gts.test:8080", 1},
		{"objects and lists", `{"id": "https://r.example/u/a", "type": ["Person"], "preferredUsername": "a",
			"inbox": {"id": "https://r.example/u/a/inbox"}, "endpoints": {"sharedInbox": "https://r.example/inbox"},
			"url": [{"type": "Link", "href": "https://r.example/@a"}],
			"publicKey": [{"id": "https://r.example/u/a#k1", "owner": "https://r.example/u/a", "publicKeyPem": "x"}, {"id": "https://r.example/u/a#k2", "publicKeyPem": "y"}]}`,
			"https://r.example/u/a/inbox", "https://r.example/inbox", "https://r.example/@a", "a@r.example", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			a, err := ParseActor([]byte(tc.doc), doc)
			if err != nil {
				t.Fatal(err)
			}
			if a.Inbox != tc.inbox || a.SharedInbox != tc.shared || a.URL != tc.url || a.Handle() != tc.handle || len(a.Keys) != tc.keys {
				t.Errorf("read %+v (handle %s)", a, a.Handle())
			}
		})
	}
}

// TestParseUndoForms: the undone activity read the same embedded, in a
// list, with its own properties as lists, or by id.
func TestParseUndoForms(t *testing.T) {
	like := `"id": "https://r.example/l/1", "type": "Like", "actor": "https://r.example/u/a", "object": "https://wiki.example/ap/rev/1"`
	likeLists := `"id": "https://r.example/l/1", "type": ["Like"], "actor": ["https://r.example/u/a"], "object": ["https://wiki.example/ap/rev/1"]`
	want := &Inner{ID: "https://r.example/l/1", Type: "Like", Actor: "https://r.example/u/a", Object: "https://wiki.example/ap/rev/1"}
	for _, obj := range []string{"{" + like + "}", "[{" + like + "}]", "{" + likeLists + "}", "[{" + likeLists + "}]"} {
		act, err := Parse([]byte(`{"id": "https://r.example/u/1", "type": "Undo", "actor": ["https://r.example/u/a"], "object": ` + obj + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(act.Inner, want) || act.ObjectID() != want.ID || act.Actor != want.Actor {
			t.Errorf("object %s: inner %+v, object %q, actor %q", obj, act.Inner, act.ObjectID(), act.Actor)
		}
	}
	act, err := Parse([]byte(`{"id": "https://r.example/u/1", "type": "Undo", "actor": "https://r.example/u/a", "object": "https://r.example/l/1"}`))
	if err != nil || act.Inner != nil || act.ObjectID() != want.ID {
		t.Errorf("by id: %+v %v", act, err)
	}
}

// TestParseLongLists: a list is read up to maxListItems entries; go-ap
// alone took 17 s of CPU for a Flag naming 5,000 ids (each entry compared
// with all before it).
func TestParseLongLists(t *testing.T) {
	ids := make([]string, 20000)
	for i := range ids {
		ids[i] = "https://wiki.example/ap/rev/" + strconv.Itoa(i)
	}
	body, _ := json.Marshal(map[string]any{"id": "https://r.example/f/1", "type": "Flag", "actor": "https://r.example/u/a",
		"object": ids, "to": ids, "cc": ids, "tag": ids})
	start := time.Now()
	act, err := Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("parsing four lists of 20,000 ids took %s", took)
	}
	if len(act.Objects) != maxListItems || act.Objects[0] != ids[0] {
		t.Errorf("%d objects read, want the first %d", len(act.Objects), maxListItems)
	}
}
