package interop

import (
	"fmt"
	"testing"
	"time"
)

// likesAndBoosts: a like and a boost are counted on the post, and
// uncounted when taken back.
func (j *journey) likesAndBoosts(t *testing.T) {
	base := fmt.Sprintf("/ap/rev/%d", j.lastRev)
	count := func(path string, want int) error {
		n, _ := j.collection(path)
		if n != want {
			return fmt.Errorf("%s counts %d, want %d", path, n, want)
		}
		return nil
	}
	for _, step := range []struct {
		action        string
		likes, shares int
	}{
		{"favourite", 1, 0},
		{"reblog", 1, 1},
		{"unfavourite", 0, 1},
		{"unreblog", 0, 0},
	} {
		if err := j.both.Act(j.lastStatus, step.action); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		if _, err := eventually(15*time.Second, func() error {
			if err := count(base+"/likes", step.likes); err != nil {
				return err
			}
			return count(base+"/shares", step.shares)
		}); err != nil {
			t.Errorf("after %s: %v", step.action, err)
		}
	}
}
