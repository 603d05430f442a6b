package boltstore

import "time"

// Option adjusts how Open opens the store.
type Option func(*config)

type config struct {
	// lockTimeout bounds how long Open waits for another process's lock.
	lockTimeout time.Duration
	// purgeBatch bounds how many expired seen marks one call removes.
	purgeBatch int
	// now is the clock for seen marks, leases and Enqueue defaults.
	now func() time.Time
}

func defaultConfig() config {
	return config{lockTimeout: time.Second, purgeBatch: 64, now: time.Now}
}

// WithLockTimeout sets how long Open waits for a file locked by another
// process before failing with store.ErrLocked (default 1s); keep it short so
// a second instance fails fast instead of hanging.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) { c.lockTimeout = d }
}
