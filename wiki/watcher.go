package wiki

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// CursorStore keeps the watcher's cursor across restarts; wikipub's store
// satisfies it.
type CursorStore interface {
	Cursor(ctx context.Context, name string) ([]byte, error)
	SetCursor(ctx context.Context, name string, value []byte) error
}

// Handler receives a batch of new changes in (timestamp, rcid) order. The
// cursor moves past them only after it returns nil, so a handler that makes
// its work durable before returning loses nothing in a crash; it may see a
// batch again after one, and must be idempotent (activity ids derived from
// rcids make that natural).
type Handler func(ctx context.Context, changes []Change) error

// RecentChangesReader is the part of Client the watcher uses.
type RecentChangesReader interface {
	RecentChanges(ctx context.Context, q RCQuery) ([]Change, string, error)
}

// WatcherConfig tunes a Watcher; zero values take the documented defaults.
type WatcherConfig struct {
	// CursorName keys the cursor in the store; default "recentchanges".
	CursorName string
	// Poll is the interval between reads when caught up; default 1 s.
	Poll time.Duration
	// Overlap is how far before the cursor each read starts again, to pick
	// up rows written after an earlier read; default 10 s.
	Overlap time.Duration
	// LateWindow is how far back the late sweep looks for rows the job queue
	// writes long after their timestamp (categorize); default 15 min.
	LateWindow time.Duration
	// LateSweep is how often the late sweep runs; default 30 s.
	LateSweep time.Duration
	// Start is where a watcher without a stored cursor begins (normally the
	// wiki's current time, so a new install does not replay history).
	Start time.Time
	// Filter decides which changes reach the handler.
	Filter Filter
	// Wake, when it receives, makes the watcher read at once (UDP feed).
	Wake <-chan struct{}
	// MaxBackoff caps the wait between failed reads; default 30 s.
	MaxBackoff time.Duration
	Logger     *slog.Logger
}

// Watcher follows a wiki's recent changes with no gap and no repeat across
// restarts.
type Watcher struct {
	rc     RecentChangesReader
	store  CursorStore
	handle Handler
	cfg    WatcherConfig
	log    *slog.Logger

	cur       *Cursor
	lastSweep time.Time
}

// NewWatcher returns a watcher; Run starts it.
func NewWatcher(rc RecentChangesReader, store CursorStore, handle Handler, cfg WatcherConfig) *Watcher {
	if cfg.CursorName == "" {
		cfg.CursorName = "recentchanges"
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 10 * time.Second
	}
	if cfg.LateWindow <= 0 {
		cfg.LateWindow = 15 * time.Minute
	}
	if cfg.LateSweep <= 0 {
		cfg.LateSweep = 30 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Watcher{rc: rc, store: store, handle: handle, cfg: cfg, log: cfg.Logger}
}

// Run watches until ctx ends. It returns nil on cancellation, after the last
// handled batch's cursor is saved; read errors are logged and retried with
// backoff, forever, because the wiki coming back is the normal case.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.loadCursor(ctx); err != nil {
		return err
	}
	w.log.InfoContext(ctx, "watching recent changes", "from", w.cur.Timestamp, "remembered_rows", w.cur.Len())
	failures := 0
	for {
		caughtUp, err := w.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := w.cfg.Poll
		if err != nil {
			failures++
			wait = backoff(w.cfg.Poll, failures, w.cfg.MaxBackoff)
			w.log.ErrorContext(ctx, "reading recent changes failed", "err", err, "failures", failures, "retry_in", wait)
		} else {
			if failures > 0 {
				w.log.InfoContext(ctx, "reading recent changes works again", "after_failures", failures)
			}
			failures = 0
			if !caughtUp {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.cfg.Wake:
		case <-time.After(wait):
		}
	}
}

func (w *Watcher) loadCursor(ctx context.Context) error {
	raw, err := w.store.Cursor(ctx, w.cfg.CursorName)
	if err != nil && !errors.Is(err, ErrNoCursor) {
		return fmt.Errorf("loading the recent-changes cursor: %w", err)
	}
	if err != nil || raw == nil {
		start := w.cfg.Start
		if start.IsZero() {
			start = time.Now()
		}
		cur := NewCursor(start)
		// Saved at once: a watcher that stops before the first change must
		// not start later than this on its next run.
		raw, err := cur.MarshalBinary()
		if err != nil {
			return err
		}
		if err := w.store.SetCursor(ctx, w.cfg.CursorName, raw); err != nil {
			return fmt.Errorf("saving the first recent-changes cursor: %w", err)
		}
		w.cur = cur
		return nil
	}
	cur := &Cursor{}
	if err := cur.UnmarshalBinary(raw); err != nil {
		return err
	}
	w.cur = cur
	return nil
}

// ErrNoCursor is what a CursorStore returns (wrapped or not) before the
// first cursor is saved.
var ErrNoCursor = errors.New("no cursor stored")

// Poll reads every page of new changes once, hands them over and saves the
// cursor after each page. caughtUp is false when the read stopped early
// with more pages waiting.
func (w *Watcher) Poll(ctx context.Context) (caughtUp bool, err error) {
	if w.cur == nil {
		if err := w.loadCursor(ctx); err != nil {
			return false, err
		}
	}
	done, err := w.read(ctx, RCQuery{Start: w.cur.Timestamp.Add(-w.cfg.Overlap)}, 20)
	if err != nil || !done {
		return false, err
	}
	if time.Since(w.lastSweep) >= w.cfg.LateSweep {
		// Category-membership rows are written by the job queue, often long
		// after the edit whose timestamp they carry: look further back for
		// them, and for them only.
		q := RCQuery{Start: w.cur.Timestamp.Add(-w.cfg.LateWindow), Types: []string{"categorize"}}
		if _, err := w.read(ctx, q, 0); err != nil {
			return false, err
		}
		w.lastSweep = time.Now()
	}
	return true, nil
}

// read pages through recent changes; maxPages 0 means no limit. done is
// false when pages were left unread.
func (w *Watcher) read(ctx context.Context, q RCQuery, maxPages int) (done bool, err error) {
	for page := 0; maxPages == 0 || page < maxPages; page++ {
		rows, next, err := w.rc.RecentChanges(ctx, q)
		if err != nil {
			return false, err
		}
		if err := w.take(ctx, rows); err != nil {
			return false, err
		}
		if next == "" {
			return true, nil
		}
		q.Continue = next
	}
	return false, nil
}

// take hands the unseen rows of one page to the handler and saves the cursor.
func (w *Watcher) take(ctx context.Context, rows []Change) error {
	fresh := make([]Change, 0, len(rows))
	for i := range rows {
		if !w.cur.Seen(&rows[i]) {
			fresh = append(fresh, rows[i])
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	slices.SortStableFunc(fresh, func(a, b Change) int {
		if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
			return c
		}
		return int(a.RCID - b.RCID)
	})
	emit := make([]Change, 0, len(fresh))
	for i := range fresh {
		if w.cfg.Filter.Allows(&fresh[i]) {
			emit = append(emit, fresh[i])
		}
	}
	if len(emit) > 0 {
		if err := w.handle(ctx, emit); err != nil {
			return fmt.Errorf("handling %d changes: %w", len(emit), err)
		}
	}
	for i := range fresh {
		w.cur.Add(&fresh[i])
	}
	w.cur.Prune(w.cfg.Overlap, w.cfg.LateWindow)
	raw, err := w.cur.MarshalBinary()
	if err != nil {
		return err
	}
	// Saved even when the handler saw nothing, so that filtered rows are not
	// read again after a restart. Not cancellable: the batch was handled.
	if err := w.store.SetCursor(context.WithoutCancel(ctx), w.cfg.CursorName, raw); err != nil {
		return fmt.Errorf("saving the recent-changes cursor: %w", err)
	}
	w.log.DebugContext(ctx, "changes handled", "fresh", len(fresh), "handed_over", len(emit), "cursor", w.cur.Timestamp, "remembered_rows", w.cur.Len())
	return nil
}
