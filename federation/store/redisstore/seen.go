package redisstore

import (
	"context"
	"fmt"
	"time"
)

// MarkSeen records activityID for ttl with SET NX PX (ttl is rounded up to
// whole milliseconds), so Redis expires the mark itself; first is false when
// a live mark already exists.
func (s *Store) MarkSeen(ctx context.Context, activityID string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("redisstore: mark seen %q: ttl %v is not positive", activityID, ttl)
	}
	first, err := s.client.SetNX(ctx, s.keys.seen(activityID), 1, ceilMillis(ttl)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: mark seen %q: %w", activityID, err)
	}
	return first, nil
}

// ceilMillis rounds d up to whole milliseconds, the precision of PX and
// PEXPIRE, so a mark or lease never ends early.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

// ForgetSeen removes a mark, so that an activity whose handling failed is
// handled when its sender retries.
func (s *Store) ForgetSeen(ctx context.Context, activityID string) error {
	if err := s.client.Del(ctx, s.keys.seen(activityID)).Err(); err != nil {
		return fmt.Errorf("redisstore: forget seen %q: %w", activityID, err)
	}
	return nil
}
