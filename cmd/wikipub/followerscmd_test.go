package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/internal/testenv"
)

func followersStore(t *testing.T, fill func(ctx context.Context, st store.Store)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wikipub.db")
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fill(context.Background(), st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func runFollowers(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"followers"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestFollowersCommand(t *testing.T) {
	since := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	path := followersStore(t, func(ctx context.Context, st store.Store) {
		must := func(_ any, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(st.ClaimHandle(ctx, "albert_einstein", "page/12"))
		must(st.ClaimHandle(ctx, "user.jimbo_wales", "user/3"))
		must(st.AddFollower(ctx, "https://wiki.example/ap/page/12", store.Follower{ID: "https://mastodon.example/users/alice", Inbox: "https://mastodon.example/users/alice/inbox", Since: since}))
		must(st.AddFollower(ctx, "https://wiki.example/ap/page/12", store.Follower{ID: "https://gts.example/users/bob", Inbox: "https://gts.example/users/bob/inbox", Since: since.Add(time.Hour)}))
		must(st.AddFollower(ctx, "https://wiki.example/ap/user/3", store.Follower{ID: "https://misskey.example/users/carol", Inbox: "https://misskey.example/users/carol/inbox"}))
	})
	env := map[string]string{"WIKIPUB_DATA": path}
	pub := []string{"--public-url", "https://wiki.example"}

	einstein := []string{
		"https://wiki.example/ap/page/12 @albert_einstein@wiki.example has 2 followers",
		"https://gts.example/users/bob         https://gts.example/users/bob/inbox         2024-05-01T13:00:00Z",
		"https://mastodon.example/users/alice  https://mastodon.example/users/alice/inbox  2024-05-01T12:00:00Z",
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"handle", append([]string{"albert_einstein"}, pub...), env, einstein},
		{"any case, flags first", append(append([]string{}, pub...), "Albert_Einstein"), env, einstein},
		{"@handle@host", append([]string{"@albert_einstein@wiki.example"}, pub...), env, einstein},
		{"acct:", append([]string{"acct:albert_einstein@wiki.example"}, pub...), env, einstein},
		{"public URL from the environment", []string{"albert_einstein"}, map[string]string{"WIKIPUB_DATA": path, "WIKIPUB_PUBLIC_URL": "https://wiki.example/"}, einstein},
		{"fallback handle", append([]string{"page.12"}, pub...), env, []string{"https://wiki.example/ap/page/12 @page.12@wiki.example (fallback handle) has 2 followers"}},
		{"actor path", append([]string{"page/12"}, pub...), env, []string{"https://wiki.example/ap/page/12 has 2 followers"}},
		{"actor id", []string{"https://wiki.example/ap/user/3"}, env, []string{
			"https://wiki.example/ap/user/3 has 1 follower\n",
			"https://misskey.example/users/carol  https://misskey.example/users/carol/inbox  -",
		}},
		{"user handle", append([]string{"user.jimbo_wales"}, pub...), env, []string{"https://wiki.example/ap/user/3 @user.jimbo_wales@wiki.example has 1 follower"}},
		{"no followers", append([]string{"user.77"}, pub...), env, []string{"https://wiki.example/ap/user/77 @user.77@wiki.example (fallback handle) has no followers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFollowers(t, tc.env, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown handle", append([]string{"marie_curie"}, pub...), 1, "not in the store's handle index"},
		{"no public URL", []string{"albert_einstein"}, 1, "--public-url is needed"},
		{"another host", append([]string{"@albert_einstein@other.example"}, pub...), 1, "not on this wiki"},
		{"no handle", pub, 2, "Usage: wikipub followers"},
		{"two handles", append([]string{"a", "b"}, pub...), 2, "Usage: wikipub followers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runFollowers(t, env, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (out %q)", code, tc.code, out)
			}
			if !strings.Contains(errOut, tc.says) {
				t.Errorf("stderr does not say %q:\n%s", tc.says, errOut)
			}
		})
	}
}

// TestFollowersWiki resolves handles the store does not know through a real
// wiki, and a redirect's handle to its target's followers.
func TestFollowersWiki(t *testing.T) {
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	admin.Edit(t, "Marie Curie", "A physicist.", "setup")
	admin.Edit(t, "Curie", "#REDIRECT [[Marie Curie]]", "setup")
	pages, err := admin.C.PagesByTitle(context.Background(), []string{"Marie Curie"})
	if err != nil {
		t.Fatal(err)
	}
	curie := pages["Marie Curie"].ID
	actor := "https://wiki.example/ap/page/" + itoa(curie)
	path := followersStore(t, func(ctx context.Context, st store.Store) {
		if _, err := st.AddFollower(ctx, actor, store.Follower{ID: "https://mastodon.example/users/alice", Inbox: "https://mastodon.example/users/alice/inbox"}); err != nil {
			t.Fatal(err)
		}
	})
	env := map[string]string{"WIKIPUB_DATA": path, "WIKIPUB_PUBLIC_URL": "https://wiki.example"}

	// Not in the handle index: without the wiki it cannot be found.
	if code, _, errOut := runFollowers(t, env, "marie_curie"); code != 1 || !strings.Contains(errOut, "give --wiki") {
		t.Errorf("without --wiki: exit %d, %s", code, errOut)
	}
	code, out, errOut := runFollowers(t, env, "marie_curie", "--wiki", w.API)
	if code != 0 || !strings.Contains(out, actor+" @marie_curie@wiki.example (looked up on the wiki: Marie Curie) has 1 follower") ||
		!strings.Contains(out, "https://mastodon.example/users/alice") {
		t.Errorf("with --wiki: exit %d\n%s%s", code, out, errOut)
	}
	// The redirect's own page id: follows of it are kept by its target.
	var redirectID int64
	{
		var resp struct {
			Query struct {
				Pages []struct {
					PageID int64 `json:"pageid"`
				} `json:"pages"`
			} `json:"query"`
		}
		if err := admin.C.Get(context.Background(), map[string]string{"action": "query", "titles": "Curie"}, &resp); err != nil || len(resp.Query.Pages) != 1 {
			t.Fatalf("looking up the redirect: %v", err)
		}
		redirectID = resp.Query.Pages[0].PageID
	}
	code, out, errOut = runFollowers(t, env, "page."+itoa(redirectID), "--wiki", w.API)
	if code != 0 || !strings.Contains(out, actor) || !strings.Contains(out, "Curie redirects to Marie Curie") || !strings.Contains(out, "has 1 follower") {
		t.Errorf("a redirect's handle: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runFollowers(t, env, "no_such_page_here", "--wiki", w.API); code != 1 || !strings.Contains(errOut, "no page or editor of the wiki has the handle no_such_page_here") {
		t.Errorf("a handle nothing has: exit %d, %s", code, errOut)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
