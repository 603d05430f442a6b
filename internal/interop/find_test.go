package interop

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/wikipub/wikipub/internal/testenv"
)

// find: a person finds the page and the editor every way they might, and
// the account looks like what it is.
func (j *journey) find(t *testing.T) {
	handle := "@albert_einstein@" + j.domain
	acc, err := j.pageFan.FindAccount(handle)
	if err != nil {
		t.Fatalf("searching %s: %v", handle, err)
	}
	j.pageAcc = acc.ID
	for _, q := range []string{
		j.pageActor,
		j.public + "/@albert_einstein",
		j.public + "/wiki/" + escape(j.title), // through nginx, as pasted from the browser
	} {
		got, err := j.pageFan.FindAccount(q)
		if err != nil {
			t.Errorf("searching %s: %v", q, err)
			continue
		}
		if got.ID != acc.ID {
			t.Errorf("searching %s found account %s (%s), not %s", q, got.ID, got.Acct, acc.ID)
		}
	}
	checkProfile(t, acc, "albert_einstein@"+j.domain, j.title)
	if !acc.Bot {
		t.Errorf("a page's account should show as automated (Service)")
	}
	total, _ := j.collection(strings.TrimPrefix(j.pageActor, j.public) + "/followers")
	if acc.FollowersCount != total {
		t.Errorf("GoToSocial shows %d followers, the collection says %d", acc.FollowersCount, total)
	}

	edHandle := "@user." + strings.ToLower(j.editor) + "@" + j.domain
	ed, err := j.both.FindAccount(edHandle)
	if err != nil {
		t.Fatalf("searching the editor: %v", err)
	}
	j.edAcc = ed.ID
	ed2, err := j.edFan.FindAccount(edHandle)
	if err != nil {
		t.Fatalf("searching the editor on the second server: %v", err)
	}
	j.edAcc2 = ed2.ID
	if got, err := j.edFan.FindAccount(j.edActor); err != nil || got.ID != ed2.ID {
		t.Errorf("searching the editor's actor id %s: %v (%+v)", j.edActor, err, got)
	}
	checkProfile(t, ed, "user."+strings.ToLower(j.editor)+"@"+j.domain, j.editor)
	if ed.Bot {
		t.Errorf("an editor's account should show as a person, not automated")
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// checkProfile: the name, a short bio, a real (raster) avatar, and the
// fields linking the wiki.
func checkProfile(t *testing.T, acc *testenv.Account, acct, name string) {
	t.Helper()
	if acc.Acct != acct {
		t.Errorf("acct %q, want %q", acc.Acct, acct)
	}
	if acc.DisplayName != name {
		t.Errorf("display name %q, want %q", acc.DisplayName, name)
	}
	bio := strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(acc.Note, " ")))
	if bio == "" || len([]rune(bio)) > 500 {
		t.Errorf("bio %q: want a short text", bio)
	}
	if acc.Avatar == "" || strings.Contains(acc.Avatar, "default_avatars") {
		t.Errorf("avatar %q: GoToSocial shows its default, so it refused ours", acc.Avatar)
	}
	var fields []string
	for _, f := range acc.Fields {
		fields = append(fields, f.Name+"="+f.Value)
	}
	if len(acc.Fields) == 0 || !strings.Contains(strings.Join(fields, " "), "href=") {
		t.Errorf("fields %q: want at least a link to the wiki", fields)
	}
}
