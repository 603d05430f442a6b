package interop

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// hideAndDelete: an admin in the bot group hides one post's summary, a
// suppressor hides another's, then the page is deleted and restored; each
// reaches GoToSocial: the posts are withdrawn, the account updated.
func (j *journey) hideAndDelete(t *testing.T) {
	var revs []int64
	for rev := range j.statuses {
		revs = append(revs, rev)
	}
	if len(revs) < 3 {
		t.Fatalf("only %d posts to work with", len(revs))
	}
	hidden, suppressed := revs[0], revs[1]
	j.admin.HideRevisions(t, []int64{hidden}, "comment", false, "hide a summary")
	if _, err := eventually(15*time.Second, j.gone(hidden)); err != nil {
		t.Errorf("after revision deletion: %v", err)
	}
	j.admin.HideRevisions(t, []int64{suppressed}, "comment", true, "suppress a summary")
	if _, err := eventually(30*time.Second, j.gone(suppressed)); err != nil {
		t.Errorf("after suppression (seen by the sweep only): %v", err)
	}

	before, err := j.pageFan.Account(j.pageAcc)
	if err != nil {
		t.Fatal(err)
	}
	j.admin.Delete(t, j.title, "test deletion")
	if _, err := eventually(15*time.Second, j.gone(j.lastRev)); err != nil {
		t.Errorf("after the page's deletion: %v", err)
	}
	deleted, err := j.accountChanged(before.Note)
	if err != nil {
		t.Errorf("after the page's deletion the account is not updated: %v", err)
	}
	j.admin.Undelete(t, j.title, "test restoration")
	if _, err := j.accountChanged(deleted); err != nil {
		t.Errorf("after the page's restoration the account is not updated: %v", err)
	}
}

// gone checks that GoToSocial no longer has the post of rev.
func (j *journey) gone(rev int64) func() error {
	return func() error {
		_, err := j.pageFan.Status(j.statuses[rev])
		var he *testenv.HTTPError
		if errors.As(err, &he) && he.Status == 404 {
			return nil
		}
		return fmt.Errorf("the post of rev %d is still there (%v)", rev, err)
	}
}

// accountChanged waits until GoToSocial shows the page's account with a
// bio other than old, and returns it.
func (j *journey) accountChanged(old string) (string, error) {
	var note string
	_, err := eventually(15*time.Second, func() error {
		a, err := j.pageFan.Account(j.pageAcc)
		if err != nil {
			return err
		}
		if note = a.Note; note == old {
			return fmt.Errorf("the bio is still %q", old)
		}
		return nil
	})
	return note, err
}
