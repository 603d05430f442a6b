package boltstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/wikipub/wikipub/federation/store"
)

// Bucket names. Each holds one kind of record; see the file that uses it.
const (
	bucketCursors   = "cursors"   // name → value
	bucketKeys      = "keys"      // actor id → private key PEM
	bucketFollowers = "followers" // actor id → bucket(follower id → JSON Follower)
	bucketFollowing = "following" // follower id → bucket(actor id → empty)
	bucketInboxes   = "inboxes"   // inbox → bucket(pairKey(follower, actor) → empty)
	bucketSeen      = "seen"      // activity id → expiry (8-byte big-endian ns)
	bucketSeenExp   = "seenexp"   // expiry ‖ activity id → empty, oldest first
	bucketQueue     = "queue"     // delivery id → JSON record
	bucketDue       = "due"       // due time ‖ delivery id → empty, earliest first
	bucketLeases    = "leases"    // lease name → JSON lease
	bucketHandles   = "handles"   // handle → owner

	bucketPublished     = "published"     // object id → JSON Published
	bucketPublishedAt   = "publishedat"   // At ‖ object id → empty, oldest first
	bucketPublishedPage = "publishedpage" // page id ‖ At ‖ object id → empty

	bucketInteractions     = "interactions"     // id → JSON Interaction
	bucketInteractionList  = "interactionlist"  // list key ‖ Published ‖ id → empty
	bucketInteractionCount = "interactioncount" // list key → count (8-byte big-endian)
	bucketInteractionDue   = "interactiondue"   // Due ‖ id → empty, pending only
)

// Store is the bbolt-backed store.Store; it is safe for concurrent use by the
// goroutines of one process.
type Store struct {
	db  *bolt.DB
	cfg config
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the store file at path. It fails with an error
// wrapping store.ErrLocked, after the lock timeout, when another process has
// the file open, because bbolt allows only one process per file.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cfg.lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("boltstore: open %s: the embedded store is single-process "+
			"(use --redis for replicas): %w", path, store.ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{bucketCursors, bucketKeys, bucketFollowers, bucketFollowing, bucketInboxes,
			bucketSeen, bucketSeenExp, bucketQueue, bucketDue, bucketLeases, bucketHandles,
			bucketPublished, bucketPublishedAt, bucketPublishedPage,
			bucketInteractions, bucketInteractionList, bucketInteractionCount, bucketInteractionDue} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("boltstore: initialise %s: %w", path, err)
	}
	return &Store{db: db, cfg: cfg}, nil
}

// Close releases the file and its lock, so another process may open it.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close: %w", err)
	}
	return nil
}

// update runs fn in one durable write transaction, naming what failed.
func (s *Store) update(ctx context.Context, what string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", what, err)
	}
	if err := s.db.Update(fn); err != nil {
		return fmt.Errorf("boltstore: %s: %w", what, err)
	}
	return nil
}

// view runs fn in one read transaction, naming what failed.
func (s *Store) view(ctx context.Context, what string, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", what, err)
	}
	if err := s.db.View(fn); err != nil {
		return fmt.Errorf("boltstore: %s: %w", what, err)
	}
	return nil
}

// now is the store's clock, replaceable in tests.
func (s *Store) now() time.Time { return s.cfg.now() }
