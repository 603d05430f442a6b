package interop

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// follow: each person follows; the follow is accepted at once (never left
// pending) and they are in the followers collection.
func (j *journey) follow(t *testing.T) {
	for _, f := range []struct {
		who     *testenv.GTSUser
		account string
		actor   string
	}{
		{j.pageFan, j.pageAcc, j.pageActor},
		{j.edFan, j.edAcc2, j.edActor},
		{j.both, j.pageAcc, j.pageActor},
		{j.both, j.edAcc, j.edActor},
	} {
		if _, err := f.who.Follow(f.account); err != nil {
			t.Fatalf("%s follows %s: %v", f.who.Name, f.actor, err)
		}
		took, err := eventually(10*time.Second, func() error {
			r, err := f.who.Relationship(f.account)
			if err != nil {
				return err
			}
			if !r.Following {
				return fmt.Errorf("following=%t requested=%t", r.Following, r.Requested)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s's follow of %s was not accepted: %v", f.who.Name, f.actor, err)
		}
		j.follows = append(j.follows, took)
		if err := j.inFollowers(f.actor, f.who, true); err != nil {
			t.Error(err)
		}
	}
}

// unfollow: each person unfollows and is gone from the collection.
func (j *journey) unfollow(t *testing.T) {
	for _, f := range []struct {
		who     *testenv.GTSUser
		account string
		actor   string
	}{
		{j.pageFan, j.pageAcc, j.pageActor},
		{j.both, j.edAcc, j.edActor},
	} {
		if _, err := f.who.Unfollow(f.account); err != nil {
			t.Fatalf("%s unfollows %s: %v", f.who.Name, f.actor, err)
		}
		if _, err := eventually(10*time.Second, func() error { return j.inFollowers(f.actor, f.who, false) }); err != nil {
			t.Error(err)
		}
	}
	if err := j.inFollowers(j.edActor, j.edFan, true); err != nil {
		t.Errorf("someone else's unfollow removed a follower: %v", err)
	}
}

// inFollowers checks whether who is listed in actor's followers.
func (j *journey) inFollowers(actor string, who *testenv.GTSUser, want bool) error {
	id := who.ActorID()
	_, items := j.collection(strings.TrimPrefix(actor, j.public) + "/followers")
	if slices.Contains(items, id) != want {
		return fmt.Errorf("%s in %s/followers: %t, want %t (items %q)", id, actor, !want, want, items)
	}
	return nil
}

var errNotYet = errors.New("not yet")
