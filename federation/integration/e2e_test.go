package integration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// instance is wikipub's federation side running in the test on 127.0.0.1,
// over a real wiki and a real store.
type instance struct {
	wiki   *testenv.Wiki
	client *wiki.Client
	base   string
	host   string
	store  store.Store
	fed    *fedSide
}

// startInstance runs the server, the deliverer and the talk-page writer as
// serve does; opts adjust the configuration (they get the wiki client, for
// talk-page writing).
func startInstance(t *testing.T, w *testenv.Wiki, st store.Store, opts ...func(*fedConfig, *wiki.Client)) *instance {
	t.Helper()
	ctx := context.Background()
	var out io.Writer = io.Discard
	if testing.Verbose() {
		out = testWriter{t}
	}
	log := slog.New(slog.NewTextHandler(out, nil))
	c, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-test", BotUser: w.BotUser, BotPassword: w.BotPass, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	outbound := remote.NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	cfg := fedConfig{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PublicURL: base, Discoverable: true, Version: "test", UserAgent: "wikipub-test", Logger: log,
		Delivery: delivery.Config{Idle: 100 * time.Millisecond, Logger: log}}
	for _, o := range opts {
		o(&cfg, c)
	}
	fed := wire(cfg, c, st, outbound)
	mux := http.NewServeMux()
	fed.Routes(mux)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	dctx, cancel := context.WithCancel(ctx)
	d := fed.deliverer
	done := make(chan struct{}, 2)
	go func() { d.Run(dctx); done <- struct{}{} }()
	go func() { fed.talk.Run(dctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done; <-done })
	return &instance{wiki: w, client: c, base: base, host: ln.Addr().String(), store: st, fed: fed}
}

// testWriter sends an instance's log to the test's output under -v.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"bolt": func(t *testing.T) store.Store {
			s, err := boltstore.Open(filepath.Join(t.TempDir(), "w.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t *testing.T) store.Store {
			s, err := redisstore.Open(context.Background(), testenv.Redis(t).URL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// TestFollowEndToEnd: a strict test peer (its own signature code, the
// rules of docs/interop.md) finds pages and editors by handle, checks every actor
// field, follows, is accepted with a verified Accept, is counted in the
// followers collection, and unfollows.
func TestFollowEndToEnd(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := testenv.MediaWiki(t)
			admin := w.Login(t)
			for _, title := range []string{"Albert Einstein", "C++", "AC/DC", "Zürich", "東京", "Talk:Albert Einstein", "Category:Physics"} {
				admin.Edit(t, title, "Text of "+title+".", "create")
			}
			admin.Edit(t, "Einstein", "#REDIRECT [[Albert Einstein]]", "redirect")
			admin.CreateAccount(t, "Jürgen.Müller", "juergen-pass-12345")
			inst := startInstance(t, w, open(t))
			peer := fedpeer.New(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()

			cases := []struct {
				title, handle, typ string
				byURL              bool // not reversible by candidates: found by URL first
			}{
				{"Albert Einstein", "albert_einstein", "Service", false},
				{"Talk:Albert Einstein", "talk.albert_einstein", "Service", false},
				{"Category:Physics", "category.physics", "Service", false},
				{"C++", "c_plus_plus", "Service", true},
				{"AC/DC", "ac_dc", "Service", true},
				{"Zürich", "zurich", "Service", true},
				{"東京", "dong_jing", "Service", true},
				{"User:Jürgen.Müller", "user.jurgen.muller", "Person", true},
			}
			site := inst.client.Site()
			actors := map[string]*fedpeer.RemoteActor{}
			for _, c := range cases {
				if c.byURL {
					jrd := webfingerJRD(t, inst.base, site.PageURL(c.title))
					if jrd["subject"] != "acct:"+c.handle+"@"+inst.host {
						t.Fatalf("WebFinger of the page URL of %q: subject %v, want acct:%s@%s", c.title, jrd["subject"], c.handle, inst.host)
					}
				}
				// Typed with capitals, as people do: answered with the subject
				// as typed, and the actor's handle is the canonical one.
				a, err := peer.Lookup(ctx, strings.ToUpper(c.handle[:1])+c.handle[1:]+"@"+inst.host)
				if err != nil {
					t.Fatalf("looking up %q (%s): %v", c.handle, c.title, err)
				}
				wantName := c.title
				if c.typ == "Person" {
					wantName = strings.TrimPrefix(c.title, "User:")
				}
				// The wiki is on another port than wikipub here, so the actor's
				// url is wikipub's /@handle page (a url on another host is
				// refused by Misskey); the attachment links the wiki page.
				checkActor(t, a, c.typ, wantName, inst.base+"/@"+c.handle, site.PageURL(c.title))
				actors[c.handle] = a
			}

			// The redirect's handle resolves to its target's actor and answers
			// with the handle asked as the subject (GoToSocial needs exactly
			// that; Mastodon re-fingers the actor's preferredUsername).
			jrd := webfingerJRD(t, inst.base, "acct:einstein@"+inst.host)
			if jrd["subject"] != "acct:einstein@"+inst.host || !selfLinks(jrd, actors["albert_einstein"].ID) {
				t.Errorf("the redirect Einstein: %v; want subject einstein and self %s", jrd, actors["albert_einstein"].ID)
			}
			if _, err := peer.Lookup(ctx, "einstein@"+inst.host); err != nil {
				t.Errorf("looking up the redirect's handle: %v", err)
			}

			for _, h := range []string{"albert_einstein", "user.jurgen.muller"} {
				a := actors[h]
				followID, err := peer.Follow(ctx, a)
				if err != nil {
					t.Fatalf("follow %s: %v", h, err)
				}
				if _, err := peer.WaitAccept(ctx, followID); err != nil {
					t.Fatalf("Accept for %s: %v", h, err)
				}
				// Following again (a new Follow, as Mastodon sends when one
				// re-follows) is still one follower; Undo names the newest.
				followID, err = peer.Follow(ctx, a)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := peer.WaitAccept(ctx, followID); err != nil {
					t.Fatalf("second Accept for %s: %v", h, err)
				}
				waitFollowers(t, ctx, peer, a.Followers, 1)
				if err := peer.Undo(ctx, a, followID, h == "albert_einstein"); err != nil {
					t.Fatalf("undo %s: %v", h, err)
				}
				waitFollowers(t, ctx, peer, a.Followers, 0)
			}
			for _, rj := range peer.Rejected() {
				t.Errorf("the test peer refused something wikipub sent: %+v", rj)
			}
		})
	}
}

func checkActor(t *testing.T, a *fedpeer.RemoteActor, typ, name, profile, page string) {
	t.Helper()
	if a.Type != typ || a.Name != name || a.URL != profile {
		t.Errorf("%s: type %q name %q url %q; want %q %q %q", a.ID, a.Type, a.Name, a.URL, typ, name, profile)
	}
	raw := a.Raw
	if s, _ := raw["summary"].(string); !strings.Contains(s, page) {
		t.Errorf("%s: summary does not link the wiki page %s: %q", a.ID, page, s)
	}
	if icon, _ := raw["icon"].(map[string]any); icon["url"] == nil {
		t.Errorf("%s: no icon", a.ID)
	}
	if p, _ := raw["published"].(string); p == "" {
		t.Errorf("%s: no published date", a.ID)
	}
	if raw["discoverable"] != true || raw["manuallyApprovesFollowers"] != false {
		t.Errorf("%s: discoverable %v manuallyApprovesFollowers %v", a.ID, raw["discoverable"], raw["manuallyApprovesFollowers"])
	}
	att, _ := raw["attachment"].([]any)
	if len(att) == 0 {
		t.Errorf("%s: no attachment linking the wiki", a.ID)
	}
	linked := false
	for _, x := range att {
		m, _ := x.(map[string]any)
		if m["type"] != "PropertyValue" || m["value"] == nil {
			t.Errorf("%s: attachment %v is not a PropertyValue", a.ID, x)
		}
		v, _ := m["value"].(string)
		linked = linked || strings.Contains(v, page)
	}
	if !linked {
		t.Errorf("%s: no attachment links %s: %v", a.ID, page, att)
	}
	if a.SharedInbox == "" || a.Outbox == "" || a.Following == "" {
		t.Errorf("%s: missing sharedInbox, outbox or following", a.ID)
	}
}

func webfingerJRD(t *testing.T, base, resource string) map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/.well-known/webfinger?resource=" + url.QueryEscape(resource))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("WebFinger %s: %s %s", resource, resp.Status, b)
	}
	var jrd map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&jrd); err != nil {
		t.Fatal(err)
	}
	return jrd
}

func selfLinks(jrd map[string]any, href string) bool {
	links, _ := jrd["links"].([]any)
	for _, l := range links {
		if m, _ := l.(map[string]any); m["rel"] == "self" && m["href"] == href {
			return true
		}
	}
	return false
}

func waitFollowers(t *testing.T, ctx context.Context, peer *fedpeer.Peer, collection string, want float64) {
	t.Helper()
	for {
		resp, body, err := peer.SignedGet(ctx, collection)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &c) != nil {
			t.Fatalf("followers %s: %s %s", collection, resp.Status, body)
		}
		if c["type"] != "OrderedCollection" {
			t.Fatalf("followers is a %v", c["type"])
		}
		if c["totalItems"] == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("followers of %s: totalItems %v, want %v", collection, c["totalItems"], want)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
