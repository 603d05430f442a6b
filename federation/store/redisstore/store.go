package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// DefaultPrefix is the key prefix Open uses, so several deployments can share
// one Redis by choosing different prefixes with New.
const DefaultPrefix = "wikipub"

// Store is the Redis-backed store.Store; it is safe for concurrent use by
// goroutines and by processes sharing the same Redis and prefix.
type Store struct {
	client  redis.UniversalClient
	keys    keyspace
	scripts scripts
	// ownsClient is true when Close must close client (Open made it).
	ownsClient bool
}

var _ store.Store = (*Store)(nil)

// New returns a store over client with all keys under prefix (DefaultPrefix
// when empty). The caller keeps ownership of client: Close leaves it open.
func New(client redis.UniversalClient, prefix string) *Store {
	return &Store{client: client, keys: newKeyspace(prefix), scripts: newScripts()}
}

// Open connects to the Redis at a redis:// (or rediss://, unix://) URL and
// pings it, so a wrong address fails at startup rather than at first use.
// Close closes the connection.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("redisstore: parse Redis URL %s: %w", redact(rawURL), err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("redisstore: Redis at %s is unreachable: %w", redact(rawURL), err)
	}
	s := New(client, DefaultPrefix)
	s.ownsClient = true
	return s, nil
}

// Close closes the Redis connection if Open made it.
func (s *Store) Close() error {
	if !s.ownsClient {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// redact hides the password in a Redis URL so it can go into errors and logs.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "<unparsable URL>"
	}
	return u.Redacted()
}
