package publish

import (
	"slices"
	"testing"
)

// TestBoostInboxes: the editor's boost goes only where someone follows the
// editor but not the page, and waits behind the post where both go.
func TestBoostInboxes(t *testing.T) {
	aud := func(m map[string][]string) audience {
		a := audience{members: m}
		for inbox := range m {
			a.inboxes = append(a.inboxes, inbox)
		}
		slices.Sort(a.inboxes)
		return a
	}
	for _, tc := range []struct {
		name         string
		page, editor map[string][]string
		want, after  []string
	}{
		{"nobody follows the page", nil, map[string][]string{"a/inbox": {"a/1"}}, []string{"a/inbox"}, nil},
		{"the one follower follows both", map[string][]string{"a/inbox": {"a/1"}}, map[string][]string{"a/inbox": {"a/1"}}, nil, nil},
		{"shared inbox: one follows both, one only the editor",
			map[string][]string{"https://a/inbox": {"a/1"}}, map[string][]string{"https://a/inbox": {"a/1", "a/2"}}, []string{"https://a/inbox"}, []string{"https://a/inbox"}},
		{"page followers on another server",
			map[string][]string{"https://b/inbox": {"b/1"}}, map[string][]string{"https://a/inbox": {"a/1"}}, []string{"https://a/inbox"}, nil},
		{"personal inboxes: one follows both, one only the editor, on one server",
			map[string][]string{"https://a/users/1/inbox": {"a/1"}},
			map[string][]string{"https://a/users/1/inbox": {"a/1"}, "https://a/users/2/inbox": {"a/2"}, "https://c/inbox": {"c/9"}},
			[]string{"https://a/users/2/inbox", "https://c/inbox"}, []string{"https://a/users/2/inbox"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, after := boostInboxes(aud(tc.page), aud(tc.editor), followerIDs(aud(tc.page), nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("boost to %v, want %v", got, tc.want)
			}
			var late []string
			for inbox := range after {
				late = append(late, inbox)
			}
			slices.Sort(late)
			if !slices.Equal(late, tc.after) {
				t.Errorf("late to %v, want %v", late, tc.after)
			}
		})
	}
}

// TestWikiBoostAfterEditor: the wiki account's boost of a new page goes
// only to those whom neither the post nor the editor's boost reaches.
func TestWikiBoostAfterEditor(t *testing.T) {
	aud := func(m map[string][]string) audience {
		a := audience{members: m}
		for inbox := range m {
			a.inboxes = append(a.inboxes, inbox)
		}
		slices.Sort(a.inboxes)
		return a
	}
	page := aud(map[string][]string{"https://a/inbox": {"a/1"}})
	editor := aud(map[string][]string{"https://a/inbox": {"a/2"}, "https://b/inbox": {"b/1"}})
	wiki := aud(map[string][]string{"https://a/inbox": {"a/1", "a/2"}, "https://b/inbox": {"b/1"}, "https://c/inbox": {"c/1", "c/2"}})
	covered := followerIDs(page, nil)
	if got, _ := boostInboxes(page, editor, covered); !slices.Equal(got, []string{"https://a/inbox", "https://b/inbox"}) {
		t.Errorf("the editor boosts to %v", got)
	}
	followerIDs(editor, covered)
	got, after := boostInboxes(page, wiki, covered)
	if !slices.Equal(got, []string{"https://c/inbox"}) {
		t.Errorf("the wiki boosts to %v, want only c (a/1 follows the page, a/2 and b/1 the editor)", got)
	}
	if len(after) != 0 {
		t.Errorf("late to %v: c gets no post", after)
	}
}
