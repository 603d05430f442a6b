package interop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// replies: a reply with one mention (GoToSocial's usual reply), one with
// two, and a mention without a reply reach the post's replies collection
// and the opted-in editor's talk page; a reply that came before an editor
// opted in never reaches their talk page.
func (j *journey) replies(t *testing.T) {
	post := fmt.Sprintf("/ap/rev/%d/replies", j.lastRev)
	talk := "User talk:" + j.editor

	page := "@albert_einstein@" + j.domain
	one, err := j.pageFan.Post(page+" a reply with one mention zqone", j.lastStatus, "public")
	if err != nil {
		t.Fatal(err)
	}
	two, err := j.both.Post(fmt.Sprintf("%s @user.%s@%s a reply with two mentions zqtwo", page, strings.ToLower(j.editor), j.domain), j.lastStatus, "public")
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Mentions) != 1 || len(two.Mentions) != 2 {
		t.Fatalf("GoToSocial made replies with %d and %d mentions, the test wants 1 and 2", len(one.Mentions), len(two.Mentions))
	}
	if _, err := j.edFan.Post(fmt.Sprintf("@user.%s@%s a mention without a reply zqthree", strings.ToLower(j.editor), j.domain), "", "public"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*testenv.Status{one, two} {
		if _, err := eventually(15*time.Second, func() error { return j.inCollection(post, s.URI) }); err != nil {
			t.Errorf("reply %s: %v", s.URI, err)
		}
	}
	for _, word := range []string{"zqone", "zqtwo", "zqthree"} {
		if _, err := eventually(60*time.Second, func() error { return j.onPage(talk, word) }); err != nil {
			t.Errorf("%q on %s: %v", word, talk, err)
		}
	}

	// Editor Two edits; a reply comes; only then do they opt in.
	two2 := j.wiki.NewEditor(t, "Editor Two")
	rev := two2.Edit(t, j.title, "'''Albert Einstein''' was a theoretical physicist, born in Ulm.", "born in Ulm")
	uri := fmt.Sprintf("%s/ap/rev/%d", j.public, rev)
	var status string
	if _, err := eventually(15*time.Second, func() error {
		s, err := inHome(j.pageFan, uri)
		if err != nil || s == nil {
			return fmt.Errorf("%s not in the home timeline (%v)", uri, err)
		}
		status = s.ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Apps put the replied-to account's handle first, as here.
	early, err := j.pageFan.Post(page+" before the opt-in zqearly", status, "public")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eventually(15*time.Second, func() error { return j.inCollection(fmt.Sprintf("/ap/rev/%d/replies", rev), early.URI) }); err != nil {
		t.Fatal(err)
	}
	two2.Edit(t, "User:Editor Two/wikipub.json", `{"replies": true}`, "opt in")
	// The wiki dates revisions to the second, and a reply that arrives in
	// the second of the opt-in is taken as earlier: the next one comes
	// later, as a person's would.
	time.Sleep(2 * time.Second)
	if _, err := j.pageFan.Post(page+" after the opt-in zqlate", status, "public"); err != nil {
		t.Fatal(err)
	}
	if _, err := eventually(60*time.Second, func() error { return j.onPage("User talk:Editor Two", "zqlate") }); err != nil {
		t.Fatal(err)
	}
	if j.onPage("User talk:Editor Two", "zqearly") == nil {
		t.Errorf("a reply from before the opt-in reached User talk:Editor Two")
	}
}

// inCollection checks that one of our collections lists id.
func (j *journey) inCollection(path, id string) error {
	_, items := j.collection(path)
	if !slices.Contains(items, id) {
		return fmt.Errorf("%s does not list %s (it lists %q)", path, id, items)
	}
	return nil
}

// onPage checks that a wiki page's text contains word.
func (j *journey) onPage(title, word string) error {
	text, ok, err := j.admin.C.PageText(context.Background(), title)
	if err != nil {
		return err
	}
	if !ok || !strings.Contains(text, word) {
		return fmt.Errorf("%q is not on %s", word, title)
	}
	return nil
}
