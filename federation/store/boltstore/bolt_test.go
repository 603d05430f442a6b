package boltstore_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "wikipub.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestReopenKeepsData checks that what a closed store acknowledged is there
// when the file is opened again.
func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "wikipub.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	due := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Enqueue(ctx, store.Delivery{ID: "d", Inbox: "https://remote.example/inbox", Body: []byte("{}"), NextAttempt: due}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if err := s.SetCursor(ctx, "rc", []byte("42")); err != nil {
		t.Fatalf("SetCursor: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if v, err := s.Cursor(ctx, "rc"); err != nil || !bytes.Equal(v, []byte("42")) {
		t.Errorf("Cursor after reopen = %q, %v; want 42", v, err)
	}
	got, err := s.Claim(ctx, due, 10, time.Minute)
	if err != nil || len(got) != 1 || got[0].ID != "d" {
		t.Errorf("Claim after reopen = %+v, %v; want delivery d", got, err)
	}
}
