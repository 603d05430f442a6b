package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wikipub/wikipub/federation/store"
)

const actor = "https://wiki.example/ap/actor/main"

func testActorKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.ActorKey(ctx, actor); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ActorKey before create: err = %v, want ErrNotFound", err)
	}
	first, second := []byte("-----BEGIN KEY-----\nfirst\n"), []byte("-----BEGIN KEY-----\nsecond\n")
	got, err := s.CreateActorKey(ctx, actor, first)
	must(t, err, "first CreateActorKey")
	if !bytes.Equal(got, first) {
		t.Errorf("first CreateActorKey = %q, want %q", got, first)
	}
	got, err = s.CreateActorKey(ctx, actor, second)
	must(t, err, "second CreateActorKey")
	if !bytes.Equal(got, first) {
		t.Errorf("second CreateActorKey = %q, want the first key %q", got, first)
	}
	got, err = s.ActorKey(ctx, actor)
	must(t, err, "ActorKey")
	if !bytes.Equal(got, first) {
		t.Errorf("ActorKey = %q, want %q", got, first)
	}
	if _, err := s.ActorKey(ctx, actor+"/other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ActorKey of another actor: err = %v, want ErrNotFound", err)
	}
}

// testActorKeyRace has many goroutines create the same actor's key at once:
// all must get back the one key that ends up stored.
func testActorKeyRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	results := make([][]byte, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = s.CreateActorKey(ctx, actor, fmt.Appendf(nil, "key-%d", i))
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		must(t, err, fmt.Sprintf("CreateActorKey %d", i))
	}
	stored, err := s.ActorKey(ctx, actor)
	must(t, err, "ActorKey")
	valid := false
	for i := range n {
		valid = valid || bytes.Equal(stored, fmt.Appendf(nil, "key-%d", i))
		if !bytes.Equal(results[i], stored) {
			t.Errorf("goroutine %d got key %q, but %q is stored", i, results[i], stored)
		}
	}
	if !valid {
		t.Errorf("stored key %q is none of the candidates", stored)
	}
}
