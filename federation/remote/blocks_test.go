package remote

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/wikipub/wikipub/federation/store"
)

// memNamed is an in-memory named-value store for the block list's tests.
type memNamed struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (m *memNamed) Cursor(_ context.Context, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (m *memNamed) SetCursor(_ context.Context, name string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][]byte{}
	}
	m.m[name] = v
	return nil
}

func TestBlockList(t *testing.T) {
	ctx := context.Background()
	st := &memNamed{}
	b := NewBlockList(st, []string{"Spam.Example", " @bad.social ", "https://ok.example/users/troll", "Trailing.Example.", "ported.example:8443"})
	if err := b.Add(ctx, "evil.example"); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(ctx, ""); err == nil {
		t.Error("blocking nothing succeeded")
	}
	cases := []struct {
		actor string
		want  bool
	}{
		{"https://spam.example/users/a", true},     // configured domain, case-folded
		{"https://sub.spam.example/users/a", true}, // subdomain
		{"https://notspam.example/users/a", false}, // only a suffix, not a subdomain
		{"https://bad.social/@x", true},            // configured with @
		{"https://ok.example/users/troll", true},   // one actor
		{"https://ok.example/users/friend", false}, // its neighbour
		{"https://evil.example/users/x", true},     // added with the CLI
		{"https://EVIL.example:443/users/x", true}, // host case and port
		{"https://good.example/users/x", false},
		{"https://spam.example./users/a", true}, // the actor's host with a trailing dot
		{"https://SUB.Spam.Example.:8443/users/a", true},
		{"https://trailing.example/users/a", true},    // entry "Trailing.Example."
		{"https://ported.example:9000/users/a", true}, // entry "ported.example:8443"
		{"https://OK.example:443/users/troll", true},  // one actor, host case and default port
		{"https://ok.example./users/troll", true},
	}
	for _, c := range cases {
		if got := b.Blocked(ctx, c.actor); got != c.want {
			t.Errorf("Blocked(%s) = %v, want %v", c.actor, got, c.want)
		}
	}
	// Another process's list (a replica) sees the block, and its removal.
	other := NewBlockList(st, nil)
	if !other.Blocked(ctx, "https://evil.example/users/x") {
		t.Error("a block kept in the store is not seen by another list")
	}
	if err := b.Remove(ctx, "EVIL.example"); err != nil {
		t.Fatal(err)
	}
	if b.Blocked(ctx, "https://evil.example/users/x") {
		t.Error("an unblocked domain is still blocked")
	}
	list, err := b.Stored(ctx)
	if err != nil || len(list) != 0 {
		t.Errorf("stored blocks after removal: %v %v", list, err)
	}
	if _, err := NewBlockList(&memNamed{m: map[string][]byte{blocksKey: []byte("not json")}}, nil).Stored(ctx); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("a corrupt block list gave %v, want a clear error", err)
	}
}
