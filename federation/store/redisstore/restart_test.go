package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/testenv"
)

// TestRedisRestart checks that while Redis is down every method returns an
// error (no panic, no hang), and that after it restarts nothing acknowledged
// before is lost.
func TestRedisRestart(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	s, err := redisstore.Open(ctx, srv.URL())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	due := time.Now()
	d := store.Delivery{ID: "survivor", Inbox: "https://remote.example/inbox", Body: []byte(`{"type":"Create"}`), NextAttempt: due}
	if err := s.Enqueue(ctx, d); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if err := s.SetCursor(ctx, "rc", []byte("7")); err != nil {
		t.Fatalf("SetCursor: %v", err)
	}
	if _, err := s.AddFollower(ctx, "actor", store.Follower{ID: "f"}); err != nil {
		t.Fatalf("AddFollower: %v", err)
	}

	srv.Stop()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Cursor", func(ctx context.Context) error { _, err := s.Cursor(ctx, "rc"); return err }},
		{"SetCursor", func(ctx context.Context) error { return s.SetCursor(ctx, "rc", []byte("8")) }},
		{"ActorKey", func(ctx context.Context) error { _, err := s.ActorKey(ctx, "actor"); return err }},
		{"CreateActorKey", func(ctx context.Context) error { _, err := s.CreateActorKey(ctx, "actor", []byte("k")); return err }},
		{"AddFollower", func(ctx context.Context) error {
			_, err := s.AddFollower(ctx, "actor", store.Follower{ID: "g"})
			return err
		}},
		{"RemoveFollower", func(ctx context.Context) error { _, err := s.RemoveFollower(ctx, "actor", "f"); return err }},
		{"RemoveFollowerEverywhere", func(ctx context.Context) error { _, err := s.RemoveFollowerEverywhere(ctx, "f"); return err }},
		{"Followers", func(ctx context.Context) error { _, err := s.Followers(ctx, "actor", "", 10); return err }},
		{"CountFollowers", func(ctx context.Context) error { _, err := s.CountFollowers(ctx, "actor"); return err }},
		{"Follows", func(ctx context.Context) error { _, err := s.Follows(ctx, "f"); return err }},
		{"ClaimHandle", func(ctx context.Context) error { _, err := s.ClaimHandle(ctx, "h", "actor"); return err }},
		{"HandleOwner", func(ctx context.Context) error { _, err := s.HandleOwner(ctx, "h"); return err }},
		{"MarkSeen", func(ctx context.Context) error { _, err := s.MarkSeen(ctx, "a", time.Minute); return err }},
		{"ForgetSeen", func(ctx context.Context) error { return s.ForgetSeen(ctx, "a") }},
		{"Enqueue", func(ctx context.Context) error { return s.Enqueue(ctx, store.Delivery{ID: "lost"}) }},
		{"Claim", func(ctx context.Context) error { _, err := s.Claim(ctx, time.Now(), 10, time.Minute); return err }},
		{"Ack", func(ctx context.Context) error { return s.Ack(ctx, "survivor") }},
		{"Reschedule", func(ctx context.Context) error { return s.Reschedule(ctx, d) }},
		{"QueueLen", func(ctx context.Context) error { _, err := s.QueueLen(ctx); return err }},
		{"RecordPublished", func(ctx context.Context) error {
			return s.RecordPublished(ctx, store.Published{ObjectID: "o", PageID: 1, At: due})
		}},
		{"PublishedPost", func(ctx context.Context) error { _, err := s.PublishedPost(ctx, "o"); return err }},
		{"PublishedByPage", func(ctx context.Context) error { _, err := s.PublishedByPage(ctx, 1); return err }},
		{"PublishedSince", func(ctx context.Context) error { _, err := s.PublishedSince(ctx, due, "", 10); return err }},
		{"AcquireLease", func(ctx context.Context) error { _, err := s.AcquireLease(ctx, "l", "h", time.Minute); return err }},
		{"ReleaseLease", func(ctx context.Context) error { return s.ReleaseLease(ctx, "l", "h") }},
	}
	// The calls run at once: each spends a while in the client's retries.
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			start := time.Now()
			err := c.call(cctx)
			switch {
			case err == nil:
				t.Errorf("%s while Redis is down: no error", c.name)
			case errors.Is(err, store.ErrNotFound):
				t.Errorf("%s while Redis is down: %v; must not look like ErrNotFound", c.name, err)
			case !strings.HasPrefix(err.Error(), "redisstore: "):
				t.Errorf("%s while Redis is down: error %q does not say which store failed", c.name, err)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("%s while Redis is down took %v", c.name, el)
			}
			if c.name == "Claim" {
				t.Logf("Claim while Redis is down failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
			}
		}()
	}
	wg.Wait()

	srv.Start()
	// The pool reconnects on its own; allow it a moment.
	var got []store.Delivery
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err = s.Claim(ctx, time.Now(), 10, time.Minute)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Claim after restart: %v", err)
	}
	if len(got) != 1 || got[0].ID != "survivor" || string(got[0].Body) != `{"type":"Create"}` {
		t.Errorf("Claim after restart = %+v, want the delivery enqueued before the restart", got)
	}
	if v, err := s.Cursor(ctx, "rc"); err != nil || string(v) != "7" {
		t.Errorf("Cursor after restart = %q, %v; want 7", v, err)
	}
	if n, err := s.CountFollowers(ctx, "actor"); err != nil || n != 1 {
		t.Errorf("CountFollowers after restart = %d, %v; want 1", n, err)
	}
	if n, err := s.QueueLen(ctx); err != nil || n != 1 {
		t.Errorf("QueueLen after restart = %d, %v; want 1 (the failed Enqueue must not appear)", n, err)
	}
}

// TestOpenUnreachable checks that Open reports an unreachable Redis clearly
// and promptly.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	start := time.Now()
	s, err := redisstore.Open(ctx, "redis://:hunter2@"+addr+"/0")
	if err == nil {
		s.Close()
		t.Fatal("Open of an unreachable Redis succeeded")
	}
	for _, want := range []string{"unreachable", addr} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q leaks the password", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("Open took %v to fail", el)
	}
	t.Logf("Open failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestOpenBadURL checks malformed URLs fail without leaking passwords.
func TestOpenBadURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:6379", "redis://user:hunter2@[::1", "redis://127.0.0.1:6379/notadb"} {
		s, err := redisstore.Open(t.Context(), u)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error %q leaks the password", u, err)
		}
		t.Logf("Open(%q): %v", u, err)
	}
}
