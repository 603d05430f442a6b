package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// editsMeasured is how many edits the journey times: enough for a p99.
const editsMeasured = 20

// edits: each edit reaches the home timeline of everyone who follows the
// page, the editor or both — once each, with the summary's link and the
// link to the diff; and the editor's own opt-in page is not news.
func (j *journey) edits(t *testing.T) {
	// The editor opts in to replies; this edit is theirs, not news.
	optIn := j.admin.Edit(t, "User:"+j.editor+"/wikipub.json", `{"replies": true}`, "opt in to Fediverse replies")
	for i := 1; i <= editsMeasured; i++ {
		text := fmt.Sprintf("'''Albert Einstein''' was a theoretical physicist. He developed the theory of relativity. Revision %d.", i)
		start := time.Now()
		rev := j.admin.Edit(t, j.title, text, fmt.Sprintf("copyedit %d, see [[Relativity]]", i))
		uri := fmt.Sprintf("%s/ap/rev/%d", j.public, rev)
		for _, who := range []*testenv.GTSUser{j.pageFan, j.edFan, j.both} {
			_, err := eventually(15*time.Second, func() error {
				s, err := inHome(who, uri)
				if err != nil {
					return err
				}
				if s == nil {
					return errNotYet
				}
				if who == j.pageFan {
					j.lastStatus = s.ID
					if s.Reblog != nil {
						j.lastStatus = s.Reblog.ID
					}
					j.statuses[rev] = j.lastStatus
					checkEditPost(t, s, j.public, rev)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("edit %d (%s) did not reach %s's home timeline: %v", i, uri, who.Name, err)
			}
		}
		j.visible = append(j.visible, time.Since(start))
		j.lastRev = rev
	}
	// A boost or a repeat arriving late would show now.
	time.Sleep(2 * time.Second)
	for _, who := range []*testenv.GTSUser{j.pageFan, j.edFan, j.both} {
		home, err := who.Home()
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, s := range home {
			uri := s.URI
			if s.Reblog != nil {
				uri = s.Reblog.URI
			}
			count[uri]++
		}
		for uri, n := range count {
			if n > 1 {
				t.Errorf("%s sees %s %d times in their home timeline", who.Name, uri, n)
			}
		}
		if n := count[fmt.Sprintf("%s/ap/rev/%d", j.public, optIn)]; n > 0 {
			t.Errorf("%s sees the editor's opt-in page edit (rev %d) as news", who.Name, optIn)
		}
	}
}

// inHome finds the post with uri (or a boost of it) in who's home
// timeline.
func inHome(who *testenv.GTSUser, uri string) (*testenv.Status, error) {
	home, err := who.Home()
	if err != nil {
		return nil, err
	}
	for i, s := range home {
		if s.URI == uri || (s.Reblog != nil && s.Reblog.URI == uri) {
			return &home[i], nil
		}
	}
	return nil, nil
}

// checkEditPost: the post links the summary's wiki link and the diff.
func checkEditPost(t *testing.T, s *testenv.Status, public string, rev int64) {
	t.Helper()
	if s.Reblog != nil {
		s = s.Reblog
	}
	if !strings.Contains(s.Content, fmt.Sprintf("diff=%d", rev)) {
		t.Errorf("post of rev %d has no link to its diff: %s", rev, s.Content)
	}
	if !strings.Contains(s.Content, "Relativity") || !strings.Contains(s.Content, "href=") {
		t.Errorf("post of rev %d lost the summary's link: %s", rev, s.Content)
	}
}
