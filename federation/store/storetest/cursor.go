package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wikipub/wikipub/federation/store"
)

func testCursor(t *testing.T, s store.Store) {
	ctx := t.Context()
	if v, err := s.Cursor(ctx, "rc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Cursor before any save = %q, %v; want ErrNotFound", v, err)
	}
	steps := []struct {
		name  string
		value []byte
	}{
		{"text", []byte("2026-01-02T03:04:05Z|12345")},
		{"binary", []byte{0, 1, 2, 0xff, 0}},
		{"replaced", []byte("later")},
		{"empty", []byte{}},
	}
	for _, st := range steps {
		must(t, s.SetCursor(ctx, "rc", st.value), "SetCursor "+st.name)
		got, err := s.Cursor(ctx, "rc")
		must(t, err, "Cursor "+st.name)
		if !bytes.Equal(got, st.value) {
			t.Errorf("%s: Cursor = %q, want %q", st.name, got, st.value)
		}
	}
	must(t, s.SetCursor(ctx, "other", []byte("x")), "SetCursor other")
	if got, err := s.Cursor(ctx, "rc"); err != nil || len(got) != 0 {
		t.Errorf("cursors are not independent: Cursor(rc) = %q, %v", got, err)
	}
}
