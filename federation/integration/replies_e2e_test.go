package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// startTalkInstance is startInstance with talk-page delivery on (no flood
// window, so the test need not wait), a reports page and a block list.
func startTalkInstance(t *testing.T, w *testenv.Wiki, talkNS []int, blocks []string) *instance {
	t.Helper()
	return startInstance(t, w, stores(t)["bolt"](t), func(cfg *fedConfig, c *wiki.Client) {
		cfg.Blocks = blocks
		cfg.Talk = talk.Config{Wiki: c, Namespaces: talkNS, Window: time.Millisecond,
			Every: 100 * time.Millisecond, ReportsPage: "Project:Fediverse reports"}
	})
}

// parsed is what MediaWiki's parser says of a page.
type parsed struct {
	Text          string
	Links         []string
	Templates     []string
	Categories    []string
	ExternalLinks []string
}

func parsePage(t *testing.T, s *testenv.Session, title string) (parsed, bool) {
	t.Helper()
	var resp struct {
		Error *struct{ Code string } `json:"error"`
		Parse struct {
			Text       string                      `json:"text"`
			Links      []struct{ Title string }    `json:"links"`
			Templates  []struct{ Title string }    `json:"templates"`
			Categories []struct{ Category string } `json:"categories"`
			External   []string                    `json:"externallinks"`
		} `json:"parse"`
	}
	err := s.C.Get(context.Background(), params.Values{"action": "parse", "page": title, "prop": "text|links|templates|categories|externallinks", "disablelimitreport": "1"}, &resp)
	if err != nil {
		if strings.Contains(err.Error(), "missingtitle") {
			return parsed{}, false
		}
		t.Fatalf("parse %s: %v", title, err)
	}
	p := parsed{Text: resp.Parse.Text, ExternalLinks: resp.Parse.External}
	for _, l := range resp.Parse.Links {
		p.Links = append(p.Links, l.Title)
	}
	for _, l := range resp.Parse.Templates {
		p.Templates = append(p.Templates, l.Title)
	}
	for _, l := range resp.Parse.Categories {
		p.Categories = append(p.Categories, l.Category)
	}
	return p, true
}

// visibleText is what a reader sees of rendered HTML: tags dropped,
// entities decoded.
func visibleText(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

func waitPage(t *testing.T, s *testenv.Session, title string, contains string) parsed {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p, ok := parsePage(t, s, title); ok && strings.Contains(visibleText(p.Text), contains) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q", title, contains)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func optIn(t *testing.T, s *testenv.Session, name string) {
	t.Helper()
	s.Edit(t, "User:"+name+"/wikipub.json", `{"replies": true}`, "opt in to Fediverse replies")
}

const hostile = `<p>Thanks! {{subst:CURRENTYEAR}} [[Category:Spam]] [[Main Page]] {{Template}} ~~~~ __NOTOC__ <script>alert(1)</script> &lt;b&gt; ` + "\u202e" + `evil</p>`

// TestRepliesEndToEnd: a strict test peer replies to an opted-in editor's
// edit post and mentions another opted-in editor; both talk pages gain a
// section with the text rendered literally (checked through the wiki's own
// parser), and nothing of the hostile text becomes a link, template or
// category. An editor who did not opt in keeps an untouched talk page and
// the reply is in the post's replies collection. A page's talk page
// receives replies only where its namespace is enabled. A blocked actor's
// follow is rejected and its reply never reaches the wiki. Likes and boosts
// are counted and go away on Undo.
func TestRepliesEndToEnd(t *testing.T) {
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	opted := w.NewEditor(t, "Opted In")
	mentioned := w.NewEditor(t, "Mentioned One")
	quiet := w.NewEditor(t, "Not Opted")
	anon := w.Anonymous(t)
	optIn(t, opted, "Opted In")
	optIn(t, mentioned, "Mentioned One")
	admin.Edit(t, "Project:Rules", "Rules.", "setup")
	revOpted := opted.Edit(t, "Relativity", "Special and general.", "create")
	revQuiet := quiet.Edit(t, "Quantum", "Small things.", "create")
	revAnon := anon.Edit(t, "Relativity", "Special and general relativity.", "ip")
	revProject := anon.Edit(t, "Project:Rules", "Rules, revised.", "ip")

	spammer := fedpeer.New(t, fedpeer.WithUsername("spammer"))
	inst := startTalkInstance(t, w, []int{0}, []string{spammer.ActorID()})
	peer := fedpeer.New(t, fedpeer.WithUsername("bob"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	post := func(rev int64) string { return fmt.Sprintf("%s/ap/rev/%d", inst.base, rev) }
	mentionedActor, err := peer.Lookup(ctx, "user.mentioned_one@"+inst.host)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	reply := func(p *fedpeer.Peer, inReplyTo string, content string, mention *fedpeer.RemoteActor) string {
		t.Helper()
		n++
		id := fmt.Sprintf("%s/notes/%d", p.BaseURL(), n)
		note := map[string]any{"id": id, "type": "Note", "attributedTo": p.ActorID(), "content": content,
			"published": time.Now().UTC().Format(time.RFC3339), "url": id,
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"}}
		if inReplyTo != "" {
			note["inReplyTo"] = inReplyTo
		}
		if mention != nil {
			note["tag"] = []map[string]string{{"type": "Mention", "href": mention.ID, "name": "@user.mentioned_one@" + inst.host}}
		}
		resp, err := p.Send(ctx, inst.base+"/ap/inbox", map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/activity", "type": "Create",
			"actor": p.ActorID(), "object": note, "to": note["to"],
		})
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("sending a reply: %v %v", err, resp)
		}
		return id
	}

	// A hostile reply to an opted-in editor's edit that also mentions another.
	reply(peer, post(revOpted), hostile, mentionedActor)
	for _, page := range []string{"User talk:Opted In", "User talk:Mentioned One"} {
		p := waitPage(t, admin, page, "Thanks!")
		seen := visibleText(p.Text)
		for _, lit := range []string{"{{subst:CURRENTYEAR}}", "[[Category:Spam]]", "[[Main Page]]", "{{Template}}", "~~~~", "__NOTOC__", "<b>"} {
			if !strings.Contains(seen, lit) {
				t.Errorf("%s does not show %q literally: %s", page, lit, seen)
			}
		}
		if strings.Contains(p.Text, "<script") {
			t.Errorf("%s has a script element", page)
		}
		if strings.Contains(p.Text, "\u202e") {
			t.Errorf("%s kept an RTL override", page)
		}
		if len(p.Templates) != 0 || len(p.Categories) != 0 {
			t.Errorf("%s gained templates %v or categories %v", page, p.Templates, p.Categories)
		}
		for _, l := range p.Links {
			if !strings.HasPrefix(l, "Special:") {
				t.Errorf("%s gained a link to %q", page, l)
			}
		}
		for _, l := range p.ExternalLinks {
			if !strings.HasPrefix(l, peer.BaseURL()) && !strings.HasPrefix(l, w.Base) {
				t.Errorf("%s gained an external link %q", page, l)
			}
		}
	}
	if p, _ := parsePage(t, admin, "User talk:Opted In"); strings.Count(visibleText(p.Text), "Thanks!") != 1 {
		t.Errorf("the reply that also mentions its editor came twice to the talk page")
	}

	// An editor who did not opt in: untouched talk page, reply kept.
	quietReply := reply(peer, post(revQuiet), "<p>Nice one</p>", nil)
	waitCollection(t, ctx, peer, post(revQuiet)+"/replies", 1, quietReply)
	time.Sleep(time.Second) // the writer has had several chances
	if _, exists := parsePage(t, admin, "User talk:Not Opted"); exists {
		t.Error("the talk page of an editor who did not opt in was written")
	}
	// Its author deletes it: it leaves the collection.
	if resp, err := peer.Send(ctx, inst.base+"/ap/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": quietReply + "/delete", "type": "Delete",
		"actor": peer.ActorID(), "object": map[string]any{"id": quietReply, "type": "Tombstone"},
	}); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Delete of a reply: %v %v", err, resp)
	}
	waitCollection(t, ctx, peer, post(revQuiet)+"/replies", 0, "")

	// Page talk pages: namespace 0 is enabled, Project is not.
	reply(peer, post(revAnon), "<p>About the page</p>", nil)
	waitPage(t, admin, "Talk:Relativity", "About the page")
	projectReply := reply(peer, post(revProject), "<p>About the rules</p>", nil)
	waitCollection(t, ctx, peer, post(revProject)+"/replies", 1, projectReply)
	time.Sleep(time.Second)
	if _, exists := parsePage(t, admin, "Project talk:Rules"); exists {
		t.Error("a talk page in a namespace that is not enabled was written")
	}

	// A blocked actor: follow rejected, reply never reaches the wiki.
	a, err := spammer.Lookup(ctx, "user.opted_in@"+inst.host)
	if err != nil {
		t.Fatal(err)
	}
	fid, err := spammer.Follow(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spammer.WaitAccept(ctx, fid); !errors.Is(err, fedpeer.ErrFollowRejected) {
		t.Errorf("a blocked actor's follow: %v, want a Reject", err)
	}
	reply(spammer, post(revOpted), "<p>BUY NOW</p>", nil)
	time.Sleep(time.Second)
	if p, _ := parsePage(t, admin, "User talk:Opted In"); strings.Contains(visibleText(p.Text), "BUY NOW") {
		t.Error("a blocked actor's reply reached the wiki")
	}

	// A report (Flag) is appended to the admins' page, literally.
	if resp, err := peer.Send(ctx, inst.base+"/ap/inbox", map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": peer.BaseURL() + "/flags/1", "type": "Flag",
		"actor": peer.ActorID(), "object": []string{post(revOpted)}, "content": "Spam here [[Category:Reported]]",
	}); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Flag: %v %v", err, resp)
	}
	if p := waitPage(t, admin, "Project:Fediverse reports", "Spam here [[Category:Reported]]"); len(p.Categories) != 0 {
		t.Errorf("the report page gained categories %v", p.Categories)
	}

	// Likes and boosts count, and Undo takes them back.
	for _, kind := range []string{"Like", "Announce"} {
		coll := map[string]string{"Like": "/likes", "Announce": "/shares"}[kind]
		id := fmt.Sprintf("%s/%s/1", peer.BaseURL(), strings.ToLower(kind))
		act := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": kind, "actor": peer.ActorID(), "object": post(revOpted)}
		if resp, err := peer.Send(ctx, inst.base+"/ap/inbox", act); err != nil || resp.StatusCode != 202 {
			t.Fatalf("%s: %v %v", kind, err, resp)
		}
		waitCollection(t, ctx, peer, post(revOpted)+coll, 1, id)
		undo := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id + "/undo", "type": "Undo", "actor": peer.ActorID(), "object": act}
		if resp, err := peer.Send(ctx, inst.base+"/ap/inbox", undo); err != nil || resp.StatusCode != 202 {
			t.Fatalf("Undo %s: %v %v", kind, err, resp)
		}
		waitCollection(t, ctx, peer, post(revOpted)+coll, 0, "")
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}

// waitCollection waits until a collection has want items (and lists
// item, when given, on its first page).
func waitCollection(t *testing.T, ctx context.Context, peer *fedpeer.Peer, id string, want int, item string) {
	t.Helper()
	for {
		resp, body, err := peer.SignedGet(ctx, id)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v %s", id, err, resp, body)
		}
		var c struct {
			TotalItems int `json:"totalItems"`
		}
		json.Unmarshal(body, &c)
		ok := c.TotalItems == want
		if ok && item != "" {
			_, page, _ := peer.SignedGet(ctx, id+"?page=true")
			ok = strings.Contains(string(page), item)
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: totalItems %d, want %d (with %q)", id, c.TotalItems, want, item)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
