package interop

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// move: the page is renamed by an admin who is in the wiki's bot group;
// GoToSocial shows the new name and handle, the followers get the move's
// post, and the old handle still finds the same account.
func (j *journey) move(t *testing.T) {
	to := "Albert Einstein (physicist)"
	j.admin.Move(t, j.title, to, "more precise title", false)
	j.title = to
	var newAcct string
	if _, err := eventually(15*time.Second, func() error {
		var wf struct{ Subject string }
		if err := getJSON(j.public+"/.well-known/webfinger?resource="+url.QueryEscape(j.pageActor), &wf); err != nil {
			return err
		}
		if newAcct = strings.TrimPrefix(wf.Subject, "acct:"); newAcct == "albert_einstein@"+j.domain {
			return fmt.Errorf("WebFinger still names the actor %s", newAcct)
		}
		return nil
	}); err != nil {
		t.Fatalf("after the move: %v", err)
	}
	if _, err := eventually(15*time.Second, func() error {
		a, err := j.pageFan.Account(j.pageAcc)
		if err != nil {
			return err
		}
		if a.DisplayName != to || a.Acct != newAcct {
			return fmt.Errorf("GoToSocial shows %q (%s), want %q (%s)", a.DisplayName, a.Acct, to, newAcct)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	if _, err := eventually(15*time.Second, func() error {
		home, err := j.pageFan.Home()
		if err != nil {
			return err
		}
		for _, s := range home {
			if strings.Contains(s.URI, "/ap/log/") && s.Account.ID == j.pageAcc {
				return nil
			}
		}
		return fmt.Errorf("no post of the move in the home timeline")
	}); err != nil {
		t.Error(err)
	}
	for _, q := range []string{"@albert_einstein@" + j.domain, "@" + newAcct} {
		a, err := j.both.FindAccount(q)
		if err != nil {
			t.Errorf("after the move, searching %s: %v", q, err)
			continue
		}
		if a.ID != j.pageAcc {
			t.Errorf("after the move, %s finds account %s, not the page's %s", q, a.ID, j.pageAcc)
		}
	}
}
