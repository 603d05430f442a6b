package main

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
)

// statsFixture fills a store: two actors followed three times, a third
// actor that lost its only follower, and four deliveries of which two (to
// one host) failed.
func statsFixture(t *testing.T, st store.Store) []store.Delivery {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	for _, f := range []struct{ actor, follower string }{
		{"https://wiki.example/ap/page/12", "https://a.example/users/1"},
		{"https://wiki.example/ap/page/12", "https://b.example/users/2"},
		{"https://wiki.example/ap/user/3", "https://a.example/users/1"},
		{"https://wiki.example/ap/page/99", "https://c.example/users/9"},
	} {
		if _, err := st.AddFollower(ctx, f.actor, store.Follower{ID: f.follower, Inbox: f.follower + "/inbox", Since: now}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.RemoveFollower(ctx, "https://wiki.example/ap/page/99", "https://c.example/users/9"); err != nil {
		t.Fatal(err)
	}
	ds := []store.Delivery{
		{ID: "d1", Inbox: "https://down.example/inbox", Signer: "https://wiki.example/ap/page/12", Body: []byte(`{}`)},
		{ID: "d2", Inbox: "https://down.example/users/5/inbox", Signer: "https://wiki.example/ap/page/12", Body: []byte(`{}`)},
		{ID: "d3", Inbox: "https://a.example/inbox", Signer: "https://wiki.example/ap/page/12", Body: []byte(`{}`)},
		{ID: "d4", Inbox: "https://b.example/inbox", Signer: "https://wiki.example/ap/user/3", Body: []byte(`{}`), NextAttempt: now.Add(time.Hour)},
	}
	if err := st.Enqueue(ctx, ds...); err != nil {
		t.Fatal(err)
	}
	// The two deliveries to down.example fail: a worker claims them and
	// puts them back with an error, as the deliverer does.
	claimed, err := st.Claim(ctx, now.Add(time.Second), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Delivery
	for _, d := range claimed {
		if strings.HasPrefix(d.Inbox, "https://down.example/") {
			d.Attempts = map[string]int{"d1": 3, "d2": 1}[d.ID]
			d.LastError = "POST " + d.Inbox + ": 503 Service Unavailable (try " + map[string]string{"d1": "3", "d2": "1"}[d.ID] + ")"
			d.NextAttempt = now.Add(10 * time.Minute)
		} else {
			d.NextAttempt = now
		}
		if err := st.Reschedule(ctx, d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	out = append(out, ds[3].Prepared(now))
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func TestStatsCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wikipub.db")
	st, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	statsFixture(t, st)

	// While a wikipub has the file, stats says so.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"stats", "--data", path}, func(string) string { return "" }, &out, &errOut); code != 1 {
		t.Errorf("stats on a locked store: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "running wikipub") {
		t.Errorf("stats on a locked store does not say why:\n%s", errOut.String())
	}
	st.Close()

	out.Reset()
	errOut.Reset()
	env := func(k string) string { return map[string]string{"WIKIPUB_DATA": path}[k] }
	if code := run(context.Background(), []string{"stats"}, env, &out, &errOut); code != 0 {
		t.Fatalf("stats: exit %d: %s", code, errOut.String())
	}
	t.Logf("\n%s", out.String())
	for _, want := range []string{
		"queue depth:            4 deliveries",
		"actors with followers:  2",
		"follows in total:       3",
		"failing hosts:          1",
		"down.example  2       2        3",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stats output lacks %q", want)
		}
	}

	// A missing file is named, not created.
	out.Reset()
	errOut.Reset()
	missing := filepath.Join(t.TempDir(), "nothing.db")
	if code := run(context.Background(), []string{"stats", "--data", missing}, env, &out, &errOut); code != 1 {
		t.Errorf("stats on a missing file: exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "no store file at "+missing) {
		t.Errorf("stats on a missing file: %s", errOut.String())
	}
}

// listingStore adds the listings stats asks for (not in store.Store yet)
// over a real store, from what the test put in it.
type listingStore struct {
	store.Store
	actors     []string
	deliveries []store.Delivery
}

func (s *listingStore) FollowedActors(ctx context.Context, after string, limit int) ([]string, error) {
	var out []string
	for _, a := range s.actors {
		if a > after && len(out) < limit {
			if n, err := s.CountFollowers(ctx, a); err != nil {
				return nil, err
			} else if n > 0 {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func (s *listingStore) QueuedDeliveries(ctx context.Context, after string, limit int) ([]store.Delivery, error) {
	var out []store.Delivery
	for _, d := range s.deliveries {
		if d.ID > after && len(out) < limit {
			out = append(out, d)
		}
	}
	return out, nil
}

func TestStatsWithListings(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "wikipub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds := statsFixture(t, st)
	ls := &listingStore{Store: st, deliveries: ds,
		actors: []string{"https://wiki.example/ap/page/12", "https://wiki.example/ap/page/99", "https://wiki.example/ap/user/3"}}

	var out bytes.Buffer
	now := time.Now()
	if err := printStats(context.Background(), ls, &out, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	lines := strings.Split(out.String(), "\n")
	for _, want := range []string{
		"queue depth:            4 deliveries",
		"actors with followers:  2",
		"follows in total:       3",
		"failing hosts:          1 (inbox hosts with deliveries that failed at least once)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stats output lacks %q", want)
		}
	}
	var row string
	for _, l := range lines {
		if strings.HasPrefix(l, "down.example ") {
			row = l
		}
		if strings.HasPrefix(l, "a.example ") || strings.HasPrefix(l, "b.example ") {
			t.Errorf("a host with no failure is listed: %q", l)
		}
	}
	f := strings.Fields(row)
	if len(f) < 7 || f[1] != "2" || f[2] != "2" || f[3] != "3" || !strings.Contains(row, "(try 3)") || !(strings.Contains(row, "in 10m") || strings.Contains(row, "in 9m5")) {
		t.Errorf("down.example row = %q, want 2 queued, 2 failing, 3 tries at most, next try in 10m, the error of the most-tried", row)
	}
}
