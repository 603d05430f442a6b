package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// blocksKey names the block list among the store's named values.
const blocksKey = "blocks"

// BlockStore keeps the block list as one named value.
type BlockStore interface {
	Cursor(ctx context.Context, name string) ([]byte, error)
	SetCursor(ctx context.Context, name string, value []byte) error
}

// BlockList is the moderation list: blocked domains (and their
// subdomains) and blocked actors. Entries from the configuration are fixed;
// those added with `wikipub block` live in the store, and every replica
// reloads them every few seconds.
type BlockList struct {
	st     BlockStore
	static []string

	mu      sync.RWMutex
	entries []string
	loaded  time.Time
}

// NewBlockList returns a list with the configured entries.
func NewBlockList(st BlockStore, configured []string) *BlockList {
	var norm []string
	for _, e := range configured {
		if e = normalizeBlock(e); e != "" {
			norm = append(norm, e)
		}
	}
	return &BlockList{st: st, static: norm}
}

// normalizeBlock writes an entry the way Blocked compares it: a domain
// lowercased, without a leading @, a trailing dot or a port
// ("Spam.Example.:443" is spam.example); an actor id with its host so
// too and the scheme's default port dropped.
func normalizeBlock(e string) string {
	e = strings.TrimSpace(e)
	if strings.Contains(e, "://") {
		return normalizeActorID(e)
	}
	e = strings.TrimPrefix(strings.ToLower(e), "@")
	if h, _, err := net.SplitHostPort(e); err == nil {
		e = h
	}
	return strings.TrimSuffix(strings.Trim(e, "[]"), ".")
}

// normalizeActorID is an actor id with its host as Origin writes it.
func normalizeActorID(id string) string {
	u, err := url.Parse(id)
	if err != nil || u.Host == "" {
		return id
	}
	if o := Origin(id); o != "" {
		u.Host = o
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u.String()
}

// Stored returns the entries kept in the store.
func (b *BlockList) Stored(ctx context.Context) ([]string, error) {
	raw, err := b.st.Cursor(ctx, blocksKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the block list: %w", err)
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("reading the block list: %w", err)
	}
	return list, nil
}

// Add blocks a domain or an actor id (kept in the store).
func (b *BlockList) Add(ctx context.Context, entry string) error {
	return b.change(ctx, normalizeBlock(entry), true)
}

// Remove lifts a block kept in the store.
func (b *BlockList) Remove(ctx context.Context, entry string) error {
	return b.change(ctx, normalizeBlock(entry), false)
}

func (b *BlockList) change(ctx context.Context, entry string, add bool) error {
	if entry == "" {
		return errors.New("nothing to block: give a domain (example.social) or an actor id")
	}
	list, err := b.Stored(ctx)
	if err != nil {
		return err
	}
	i := slices.Index(list, entry)
	switch {
	case add && i < 0:
		list = append(list, entry)
	case !add && i >= 0:
		list = slices.Delete(list, i, i+1)
	default:
		return nil
	}
	raw, _ := json.Marshal(list)
	if err := b.st.SetCursor(ctx, blocksKey, raw); err != nil {
		return fmt.Errorf("saving the block list: %w", err)
	}
	b.mu.Lock()
	b.loaded = time.Time{}
	b.mu.Unlock()
	return nil
}

// Blocked reports whether an actor id is blocked, by itself or by its
// domain (or a parent domain). A store that cannot be read keeps the last
// list it gave.
func (b *BlockList) Blocked(ctx context.Context, actorID string) bool {
	b.refresh(ctx)
	host := ""
	if u, err := url.Parse(actorID); err == nil {
		host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	}
	actor := normalizeActorID(actorID)
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, list := range [][]string{b.static, b.entries} {
		for _, e := range list {
			if strings.Contains(e, "://") {
				if normalizeActorID(e) == actor {
					return true
				}
				continue
			}
			if host != "" && (host == e || strings.HasSuffix(host, "."+e)) {
				return true
			}
		}
	}
	return false
}

func (b *BlockList) refresh(ctx context.Context) {
	b.mu.RLock()
	fresh := time.Since(b.loaded) < 5*time.Second
	b.mu.RUnlock()
	if fresh {
		return
	}
	list, err := b.Stored(ctx)
	if err != nil {
		return
	}
	b.mu.Lock()
	b.entries, b.loaded = list, time.Now()
	b.mu.Unlock()
}
