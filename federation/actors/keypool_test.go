package actors

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/wikipub/wikipub/federation/store/boltstore"
)

// countingKeyStore counts the keys written.
type countingKeyStore struct {
	KeyStore
	created map[string]bool
}

func (c *countingKeyStore) CreateActorKey(ctx context.Context, id string, pem []byte) ([]byte, error) {
	c.created[id] = true
	return c.KeyStore.CreateActorKey(ctx, id, pem)
}

// TestKeyPool: an actor without a key of its own always gets the same pool
// key, from any process over the same store; 200 actors store nothing but
// the pool; an actor with a key of its own keeps it.
func TestKeyPool(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "keys.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	own := "https://wiki.example/ap/page/1"
	legacy := NewKeys(st)
	fresh, err := legacy.generate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateActorKey(ctx, own, fresh); err != nil {
		t.Fatal(err)
	}

	cs := &countingKeyStore{KeyStore: st, created: map[string]bool{}}
	a, b := NewKeys(cs), NewKeys(st) // two processes
	slots := map[string]bool{}
	for i := range 200 {
		id := fmt.Sprintf("https://wiki.example/ap/user/%d", i+2)
		ka, err := a.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := b.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ka.PublicPEM != kb.PublicPEM {
			t.Fatalf("%s has two keys", id)
		}
		slots[ka.PublicPEM] = true
	}
	if len(slots) != keyPoolSize {
		t.Errorf("200 actors use %d keys, want the pool's %d", len(slots), keyPoolSize)
	}
	if len(cs.created) > keyPoolSize+1 {
		t.Errorf("%d keys stored for 200 actors, want at most the pool's %d and its secret", len(cs.created), keyPoolSize)
	}
	for id := range cs.created {
		if has, _ := a.hasOwnKey(ctx, id); has && id[:4] == "http" {
			t.Errorf("an actor got a key of its own: %s", id)
		}
	}
	k, err := a.Get(ctx, own)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := parseActorKey(fresh)
	if k.PublicPEM != stored.PublicPEM {
		t.Errorf("an actor's own key was replaced by a pool key")
	}
	if has, err := a.hasOwnKey(ctx, own); err != nil || !has {
		t.Errorf("HasOwnKey(%s) = %v %v", own, has, err)
	}
}
