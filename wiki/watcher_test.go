package wiki

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The unit tests of the watcher are named TestPoll* and TestRun*: the
// TestWatcher* names belong to the integration tests against a real wiki.

// fakeRC is an in-memory recent-changes table that answers like the API:
// rows from q.Start (to the second) on, oldest first, by pages of pageSize
// with a "unix|rcid" continuation. Rows can be added at any time, with any
// timestamp, as the wiki's deferred updates and job queue do.
type fakeRC struct {
	mu       sync.Mutex
	rows     []Change
	pageSize int
	queries  []RCQuery
	fail     int   // fail this many further calls
	failErr  error // with this error
	onCall   func(q RCQuery)
}

func newFakeRC(rows ...Change) *fakeRC {
	return &fakeRC{rows: rows, pageSize: 500}
}

func (f *fakeRC) add(rows ...Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, rows...)
}

func (f *fakeRC) failNext(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.failErr = n, err
}

func (f *fakeRC) calls() []RCQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

func rowType(k Kind) string {
	switch k {
	case KindNew, KindEdit, KindCategorize:
		return string(k)
	}
	return "log"
}

func (f *fakeRC) RecentChanges(ctx context.Context, q RCQuery) ([]Change, string, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	onCall := f.onCall
	if f.fail > 0 {
		f.fail--
		err := f.failErr
		f.mu.Unlock()
		return nil, "", err
	}
	rows := slices.Clone(f.rows)
	pageSize := f.pageSize
	f.mu.Unlock()
	if onCall != nil {
		onCall(q)
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}

	types := []string{"edit", "new", "log", "categorize"}
	if len(q.Types) > 0 {
		types = q.Types
	}
	from := q.Start.Truncate(time.Second).Unix()
	var fromID int64
	if q.Continue != "" {
		ts, id, ok := strings.Cut(q.Continue, "|")
		if !ok {
			return nil, "", fmt.Errorf("bad continue %q", q.Continue)
		}
		from, _ = strconv.ParseInt(ts, 10, 64)
		fromID, _ = strconv.ParseInt(id, 10, 64)
	}
	var sel []Change
	for _, r := range rows {
		u := r.Timestamp.Unix()
		if u < from || (u == from && r.RCID < fromID) || !slices.Contains(types, rowType(r.Kind)) {
			continue
		}
		sel = append(sel, r)
	}
	slices.SortFunc(sel, func(a, b Change) int {
		if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
			return c
		}
		return int(a.RCID - b.RCID)
	})
	if len(sel) <= pageSize {
		return sel, "", nil
	}
	nextRow := sel[pageSize]
	return sel[:pageSize], fmt.Sprintf("%d|%d", nextRow.Timestamp.Unix(), nextRow.RCID), nil
}

// memStore is a CursorStore in memory that keeps every value saved.
type memStore struct {
	mu     sync.Mutex
	saved  [][]byte
	getErr error
	setErr error
}

func (s *memStore) Cursor(ctx context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "recentchanges" {
		return nil, fmt.Errorf("unexpected cursor name %q", name)
	}
	if s.getErr != nil {
		return nil, s.getErr
	}
	if len(s.saved) == 0 {
		return nil, fmt.Errorf("store: %w", ErrNoCursor)
	}
	return slices.Clone(s.saved[len(s.saved)-1]), nil
}

func (s *memStore) SetCursor(ctx context.Context, name string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != "recentchanges" {
		return fmt.Errorf("unexpected cursor name %q", name)
	}
	if s.setErr != nil {
		return s.setErr
	}
	// Like a real store, a cancelled context fails the write.
	if err := ctx.Err(); err != nil {
		return err
	}
	s.saved = append(s.saved, slices.Clone(value))
	return nil
}

func (s *memStore) saves() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.saved)
}

// cursor decodes the last saved cursor.
func (s *memStore) cursor(t *testing.T) *Cursor {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.saved) == 0 {
		t.Fatal("no cursor saved")
	}
	c := &Cursor{}
	if err := c.UnmarshalBinary(s.saved[len(s.saved)-1]); err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *memStore) last() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.saved) == 0 {
		return nil
	}
	return s.saved[len(s.saved)-1]
}

// recorder is a Handler that keeps the batches it was given and can be made
// to fail.
type recorder struct {
	mu      sync.Mutex
	batches [][]int64
	fail    error
	got     chan struct{}
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 100)} }

func (r *recorder) handle(ctx context.Context, changes []Change) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.RCID
	}
	r.batches = append(r.batches, ids)
	select {
	case r.got <- struct{}{}:
	default:
	}
	return r.fail
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// drain forgets the signals of earlier batches.
func (r *recorder) drain() {
	for {
		select {
		case <-r.got:
		default:
			return
		}
	}
}

// take returns the batches handed over since the last take.
func (r *recorder) take() [][]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.batches
	r.batches = nil
	return b
}

// all is the rcids of every batch since the last take, flattened.
func (r *recorder) all() []int64 {
	var out []int64
	for _, b := range r.take() {
		out = append(out, b...)
	}
	return out
}

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// at is t0 plus seconds.
func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func edit(rcid int64, sec int) Change {
	return Change{RCID: rcid, Kind: KindEdit, Timestamp: at(sec), Title: "Page " + strconv.FormatInt(rcid, 10)}
}

func categorize(rcid int64, sec int) Change {
	return Change{RCID: rcid, Kind: KindCategorize, Timestamp: at(sec), Namespace: 14, Title: "Category:C"}
}

func testWatcherConfig() WatcherConfig {
	return WatcherConfig{
		Start:      t0,
		Overlap:    10 * time.Second,
		LateWindow: 15 * time.Minute,
		LateSweep:  time.Hour, // only the first Poll sweeps, unless a test says otherwise
		Logger:     discardLogger(),
	}
}

func poll(t *testing.T, w *Watcher) {
	t.Helper()
	caughtUp, err := w.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if !caughtUp {
		t.Fatal("Poll did not catch up")
	}
}

func wantIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: handed over %v, want %v", what, got, want)
	}
}

func TestPollFirstStart(t *testing.T) {
	rc := newFakeRC(edit(1, -30), edit(2, -5), edit(3, -1), edit(4, 0), edit(5, 1), edit(6, 2))
	st := &memStore{}
	rec := newRecorder()
	w := NewWatcher(rc, st, rec.handle, testWatcherConfig())

	poll(t, w)
	// Rows before the start belong to the time before wikipub.
	wantIDs(t, "first poll", rec.all(), 4, 5, 6)

	// The first cursor is saved before anything is read, at the start.
	if st.saves() < 2 {
		t.Fatalf("%d cursors saved, want the first one and one after the batch", st.saves())
	}
	var first Cursor
	if err := first.UnmarshalBinary(st.saved[0]); err != nil {
		t.Fatal(err)
	}
	if first.Timestamp != t0 || first.Floor != t0 || first.Len() != 0 {
		t.Errorf("first cursor at %v floor %v with %d rows, want %v, %v, 0", first.Timestamp, first.Floor, first.Len(), t0, t0)
	}
	c := st.cursor(t)
	if c.Timestamp != at(2) || c.Floor != t0 || c.Len() != 3 {
		t.Errorf("cursor after the batch at %v floor %v with %d rows, want %v, %v, 3", c.Timestamp, c.Floor, c.Len(), at(2), t0)
	}

	q := rc.calls()
	if len(q) != 2 {
		t.Fatalf("%d reads, want the main read and the late sweep", len(q))
	}
	if !q[0].Start.Equal(at(-10)) || q[0].Types != nil || q[0].Continue != "" {
		t.Errorf("main read %+v, want from the start minus the overlap, all types", q[0])
	}
	if !q[1].Start.Equal(at(2).Add(-15*time.Minute)) || !reflect.DeepEqual(q[1].Types, []string{"categorize"}) {
		t.Errorf("late sweep %+v, want categorize from the cursor minus the late window", q[1])
	}
}

// A watcher that stops before the first change still starts there next time.
func TestPollFirstCursorSavedBeforeReading(t *testing.T) {
	rc := newFakeRC()
	rc.failNext(1, errors.New("wiki down"))
	st := &memStore{}
	w := NewWatcher(rc, st, newRecorder().handle, testWatcherConfig())
	if _, err := w.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "wiki down") {
		t.Fatalf("Poll error %v, want the read error", err)
	}
	if st.saves() != 1 {
		t.Fatalf("%d cursors saved, want 1", st.saves())
	}
	if c := st.cursor(t); c.Timestamp != t0 || c.Floor != t0 {
		t.Errorf("cursor at %v floor %v, want %v", c.Timestamp, c.Floor, t0)
	}

	// A second watcher over the store ignores its own Start.
	rc2 := newFakeRC(edit(1, -1), edit(2, 1))
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.Start = t0.Add(time.Hour)
	poll(t, NewWatcher(rc2, st, rec.handle, cfg))
	wantIDs(t, "after restart", rec.all(), 2)
}

// Without a Start, a watcher begins now.
func TestPollZeroStartIsNow(t *testing.T) {
	st := &memStore{}
	cfg := testWatcherConfig()
	cfg.Start = time.Time{}
	before := time.Now()
	w := NewWatcher(newFakeRC(), st, newRecorder().handle, cfg)
	poll(t, w)
	c := st.cursor(t)
	if c.Floor.Before(before.Add(-time.Second)) || c.Floor.After(time.Now()) {
		t.Errorf("floor %v, want about %v", c.Floor, before)
	}
}

// Timestamps have one-second resolution: a change made just after a
// watcher without a stored cursor started, in the same second, carries a
// timestamp before the (sub-second) start.
func TestPollZeroStartSameSecond(t *testing.T) {
	start := t0.Add(600 * time.Millisecond)
	rc := newFakeRC(edit(1, 0)) // made at t0+0.8s, stored as t0
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.Start = start
	poll(t, NewWatcher(rc, &memStore{}, rec.handle, cfg))
	wantIDs(t, "row in the start's second", rec.all(), 1)
}

func TestPollOverlapDoesNotRepeat(t *testing.T) {
	rc := newFakeRC(edit(1, 1), edit(2, 5), edit(3, 5), edit(4, 8))
	st := &memStore{}
	rec := newRecorder()
	w := NewWatcher(rc, st, rec.handle, testWatcherConfig())
	poll(t, w)
	wantIDs(t, "first poll", rec.all(), 1, 2, 3, 4)
	saves := st.saves()

	poll(t, w)
	poll(t, w)
	wantIDs(t, "polls with nothing new", rec.all())
	if st.saves() != saves {
		t.Errorf("cursor saved %d more times with nothing new", st.saves()-saves)
	}
	q := rc.calls()
	if last := q[len(q)-1]; !last.Start.Equal(at(8).Add(-10 * time.Second)) {
		t.Errorf("re-read from %v, want the cursor minus the overlap %v", last.Start, at(-2))
	}

	rc.add(edit(5, 9), edit(6, 9))
	poll(t, w)
	wantIDs(t, "new rows", rec.all(), 5, 6)
}

// A row written after an earlier read, with a timestamp before the cursor
// but within the overlap, is handed over once.
func TestPollLateRowWithinOverlap(t *testing.T) {
	rc := newFakeRC(edit(1, 1), edit(3, 5), edit(4, 20))
	rec := newRecorder()
	w := NewWatcher(rc, &memStore{}, rec.handle, testWatcherConfig())
	poll(t, w)
	wantIDs(t, "first poll", rec.all(), 1, 3, 4)

	rc.add(edit(2, 12)) // 8 s before the cursor, overlap 10 s
	poll(t, w)
	wantIDs(t, "late row", rec.all(), 2)
	poll(t, w)
	wantIDs(t, "again", rec.all())
}

// Category rows are written by the job queue, long after the timestamp
// they carry: the late sweep finds them, once.
func TestPollLateSweepFindsCategoryRows(t *testing.T) {
	rc := newFakeRC(edit(1, 10), categorize(2, 10), edit(3, 1200))
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.LateSweep = time.Nanosecond // every Poll sweeps
	w := NewWatcher(rc, &memStore{}, rec.handle, cfg)
	poll(t, w)
	wantIDs(t, "first poll", rec.all(), 1, 2, 3)

	// Ten and fifteen minutes before the cursor: outside the overlap, inside
	// the late window (inclusive). The edit is outside the overlap and is not
	// the sweep's kind.
	rc.add(categorize(4, 600), categorize(5, 300), edit(6, 600))
	poll(t, w)
	if got := rec.take(); !reflect.DeepEqual(got, [][]int64{{5, 4}}) {
		t.Errorf("late sweep handed over %v, want one batch [5 4]", got)
	}
	poll(t, w)
	poll(t, w)
	wantIDs(t, "again", rec.all())

	// Older than the late window: gone for good.
	rc.add(categorize(7, 299))
	poll(t, w)
	wantIDs(t, "outside the late window", rec.all())

	// The cursor remembers what a read can still return: edit 3 (in the
	// overlap) and categories 4 and 5 (in the late window), nothing older.
	c := w.cur
	if c.Len() != 3 || !c.Seen(&Change{RCID: 3, Timestamp: at(1200)}) || !c.Seen(&Change{RCID: 5, Timestamp: at(300)}) || c.Seen(&Change{RCID: 2, Timestamp: at(10)}) {
		t.Errorf("cursor remembers %d rows, want 3 (rows 3, 4, 5)", c.Len())
	}

	// The category row seen on the first poll was pruned but is not read
	// again: the sweep starts after it.
	q := rc.calls()
	if last := q[len(q)-1]; !last.Start.Equal(at(300)) || !reflect.DeepEqual(last.Types, []string{"categorize"}) {
		t.Errorf("last sweep %+v, want categorize from %v", last, at(300))
	}
}

func TestPollLateSweepInterval(t *testing.T) {
	rc := newFakeRC(edit(1, 600))
	rec := newRecorder()
	w := NewWatcher(rc, &memStore{}, rec.handle, testWatcherConfig()) // LateSweep 1 h
	poll(t, w)
	rc.add(categorize(2, 0))
	poll(t, w)
	poll(t, w)
	wantIDs(t, "polls", rec.all(), 1)
	sweeps := 0
	for _, q := range rc.calls() {
		if len(q.Types) > 0 {
			sweeps++
		}
	}
	if sweeps != 1 {
		t.Errorf("%d late sweeps in three polls within LateSweep, want 1", sweeps)
	}
}

func TestPollHandlerErrorKeepsCursor(t *testing.T) {
	rc := newFakeRC(edit(1, 1), edit(2, 2))
	st := &memStore{}
	rec := newRecorder()
	w := NewWatcher(rc, st, rec.handle, testWatcherConfig())
	poll(t, w)
	wantIDs(t, "first poll", rec.all(), 1, 2)
	before := st.last()
	saves := st.saves()

	rc.add(edit(3, 3), edit(4, 4))
	errPublish := errors.New("inbox unreachable")
	rec.setFail(errPublish)
	for i := range 2 {
		caughtUp, err := w.Poll(context.Background())
		if !errors.Is(err, errPublish) || caughtUp {
			t.Fatalf("poll %d: caughtUp %v, error %v; want the handler's error", i, caughtUp, err)
		}
		if !strings.Contains(err.Error(), "handling 2 changes") {
			t.Errorf("error %q does not say how many changes failed", err)
		}
		wantIDs(t, fmt.Sprintf("failing poll %d", i), rec.all(), 3, 4)
		if st.saves() != saves || !bytes.Equal(st.last(), before) {
			t.Fatalf("poll %d: cursor saved after a failed handler", i)
		}
	}

	// A restart after the failure offers the rows again too.
	rec2 := newRecorder()
	poll(t, NewWatcher(rc, st, rec2.handle, testWatcherConfig()))
	wantIDs(t, "restart after the failure", rec2.all(), 3, 4)

	rec.setFail(nil)
	poll(t, w)
	wantIDs(t, "after recovery", rec.all(), 3, 4)
	poll(t, w)
	wantIDs(t, "again", rec.all())
	if c := st.cursor(t); c.Timestamp != at(4) {
		t.Errorf("cursor at %v, want %v", c.Timestamp, at(4))
	}
}

// A failure on a later page keeps what earlier pages achieved.
func TestPollHandlerErrorOnSecondPage(t *testing.T) {
	rc := newFakeRC(edit(1, 1), edit(2, 2), edit(3, 3), edit(4, 4))
	rc.pageSize = 2
	st := &memStore{}
	calls := 0
	errPublish := errors.New("boom")
	var got [][]int64
	handle := func(ctx context.Context, cs []Change) error {
		calls++
		got = append(got, rcids(cs))
		if calls == 2 {
			return errPublish
		}
		return nil
	}
	w := NewWatcher(rc, st, handle, testWatcherConfig())
	if _, err := w.Poll(context.Background()); !errors.Is(err, errPublish) {
		t.Fatalf("Poll error %v, want the handler's", err)
	}
	if c := st.cursor(t); c.Timestamp != at(2) || c.Len() != 2 {
		t.Errorf("cursor at %v with %d rows, want %v with 2 (the first page)", c.Timestamp, c.Len(), at(2))
	}
	poll(t, w)
	if want := [][]int64{{1, 2}, {3, 4}, {3, 4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("batches %v, want %v", got, want)
	}
}

func TestPollFilteredRowsAreRemembered(t *testing.T) {
	talk := edit(2, 2)
	talk.Namespace = 1
	bot := edit(3, 3)
	bot.Bot = true
	rc := newFakeRC(edit(1, 1), talk, bot)
	st := &memStore{}
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.Filter = Filter{Namespaces: []int{0}}
	w := NewWatcher(rc, st, rec.handle, cfg)
	poll(t, w)
	wantIDs(t, "filtered poll", rec.all(), 1)
	c := st.cursor(t)
	if c.Timestamp != at(3) || !c.Seen(&talk) || !c.Seen(&bot) {
		t.Errorf("cursor at %v, seen talk %v bot %v; want %v and both seen", c.Timestamp, c.Seen(&talk), c.Seen(&bot), at(3))
	}

	// A batch of filtered rows only: nothing handed over, cursor saved.
	talk2 := edit(4, 4)
	talk2.Namespace = 1
	rc.add(talk2)
	saves := st.saves()
	poll(t, w)
	if got := rec.take(); len(got) != 0 {
		t.Errorf("handler called with %v for filtered rows only, want no call", got)
	}
	if st.saves() != saves+1 || st.cursor(t).Timestamp != at(4) {
		t.Errorf("%d saves, cursor at %v; want one more save at %v", st.saves()-saves, st.cursor(t).Timestamp, at(4))
	}

	// Restarted with a wider filter, the filtered rows are not offered again.
	cfg.Filter = Filter{IncludeBots: true}
	rec2 := newRecorder()
	poll(t, NewWatcher(rc, st, rec2.handle, cfg))
	wantIDs(t, "restart with a wider filter", rec2.all())
}

func TestPollRestartContinues(t *testing.T) {
	rc := newFakeRC(edit(1, 1), edit(2, 2), edit(3, 3))
	st := &memStore{}
	rec := newRecorder()
	poll(t, NewWatcher(rc, st, rec.handle, testWatcherConfig()))
	wantIDs(t, "first run", rec.all(), 1, 2, 3)

	rc.add(edit(4, 4), edit(5, 2)) // 5 written late, in the overlap
	cfg := testWatcherConfig()
	cfg.Start = t0.Add(24 * time.Hour) // ignored: the store has a cursor
	w := NewWatcher(rc, st, rec.handle, cfg)
	poll(t, w)
	wantIDs(t, "after restart", rec.all(), 5, 4)
	poll(t, w)
	wantIDs(t, "again", rec.all())

	// Run loads the cursor too.
	rc.add(edit(6, 6))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w3 := NewWatcher(rc, st, rec.handle, cfg)
	rec.drain()
	done := make(chan error, 1)
	go func() { done <- w3.Run(ctx) }()
	select {
	case <-rec.got:
	case <-time.After(5 * time.Second):
		t.Fatal("Run handed nothing over")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	wantIDs(t, "Run after restart", rec.all(), 6)
}

func TestPollPagination(t *testing.T) {
	var rows []Change
	for i := range 5 {
		rows = append(rows, edit(int64(i+1), i/2)) // two rows per second
	}
	rc := newFakeRC(rows...)
	rc.pageSize = 2
	st := &memStore{}
	rec := newRecorder()
	w := NewWatcher(rc, st, rec.handle, testWatcherConfig())
	poll(t, w)
	if got := rec.take(); !reflect.DeepEqual(got, [][]int64{{1, 2}, {3, 4}, {5}}) {
		t.Errorf("batches %v, want one per page", got)
	}
	var conts []string
	for _, q := range rc.calls() {
		if len(q.Types) == 0 {
			conts = append(conts, q.Continue)
			if !q.Start.Equal(at(-10)) {
				t.Errorf("page read from %v, want the same start on every page", q.Start)
			}
		}
	}
	if want := []string{"", strconv.FormatInt(at(1).Unix(), 10) + "|3", strconv.FormatInt(at(2).Unix(), 10) + "|5"}; !reflect.DeepEqual(conts, want) {
		t.Errorf("continuations %q, want %q", conts, want)
	}
	// The first cursor plus one per page.
	if st.saves() != 4 {
		t.Errorf("%d saves, want 4", st.saves())
	}
	poll(t, w)
	wantIDs(t, "again", rec.all())
}

// A read stops after 20 pages, reports that it is behind, and the next
// Poll goes on from the cursor.
func TestPollPageLimit(t *testing.T) {
	var rows []Change
	for i := range 25 {
		rows = append(rows, edit(int64(i+1), i*20)) // 20 s apart: outside the overlap
	}
	rc := newFakeRC(rows...)
	rc.pageSize = 1
	rec := newRecorder()
	w := NewWatcher(rc, &memStore{}, rec.handle, testWatcherConfig())
	caughtUp, err := w.Poll(context.Background())
	if err != nil || caughtUp {
		t.Fatalf("first Poll: caughtUp %v, error %v; want false, nil", caughtUp, err)
	}
	got := rec.all()
	if len(got) != 20 || got[19] != 20 {
		t.Errorf("first Poll handed over %v, want 1..20", got)
	}
	for _, q := range rc.calls() {
		if len(q.Types) > 0 {
			t.Error("late sweep ran before the main read caught up")
		}
	}
	poll(t, w)
	wantIDs(t, "second Poll", rec.all(), 21, 22, 23, 24, 25)
}

// Rows within a page are handed over in (timestamp, rcid) order whatever
// order the reader gives.
func TestPollOrdersRows(t *testing.T) {
	reader := readerFunc(func(ctx context.Context, q RCQuery) ([]Change, string, error) {
		if len(q.Types) > 0 {
			return nil, "", nil
		}
		return []Change{edit(9, 2), edit(3, 3), edit(8, 2), edit(1, 5), edit(2, 1)}, "", nil
	})
	rec := newRecorder()
	poll(t, NewWatcher(reader, &memStore{}, rec.handle, testWatcherConfig()))
	wantIDs(t, "order", rec.all(), 2, 8, 9, 3, 1)
}

type readerFunc func(ctx context.Context, q RCQuery) ([]Change, string, error)

func (f readerFunc) RecentChanges(ctx context.Context, q RCQuery) ([]Change, string, error) {
	return f(ctx, q)
}

func TestPollCursorStoreErrors(t *testing.T) {
	t.Run("load", func(t *testing.T) {
		st := &memStore{getErr: errors.New("disk on fire")}
		w := NewWatcher(newFakeRC(), st, newRecorder().handle, testWatcherConfig())
		_, err := w.Poll(context.Background())
		if err == nil || !strings.Contains(err.Error(), "loading the recent-changes cursor: disk on fire") {
			t.Errorf("Poll error %v", err)
		}
		if err := w.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("Run error %v, want the load error", err)
		}
	})
	t.Run("first save", func(t *testing.T) {
		st := &memStore{setErr: errors.New("read-only")}
		w := NewWatcher(newFakeRC(), st, newRecorder().handle, testWatcherConfig())
		_, err := w.Poll(context.Background())
		if err == nil || !strings.Contains(err.Error(), "saving the first recent-changes cursor: read-only") {
			t.Errorf("Poll error %v", err)
		}
	})
	t.Run("save after a batch", func(t *testing.T) {
		st := &memStore{}
		rc := newFakeRC(edit(1, 1))
		rec := newRecorder()
		w := NewWatcher(rc, st, rec.handle, testWatcherConfig())
		poll(t, w) // loads and handles
		rc.add(edit(2, 2))
		st.setErr = errors.New("read-only")
		_, err := w.Poll(context.Background())
		if err == nil || !strings.Contains(err.Error(), "saving the recent-changes cursor: read-only") {
			t.Errorf("Poll error %v", err)
		}
	})
	t.Run("corrupt cursor", func(t *testing.T) {
		st := &memStore{saved: [][]byte{[]byte(`{"v":9}`)}}
		w := NewWatcher(newFakeRC(), st, newRecorder().handle, testWatcherConfig())
		if _, err := w.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "version 9") {
			t.Errorf("Poll error %v, want the version error", err)
		}
	})
	t.Run("nil cursor without error is no cursor", func(t *testing.T) {
		st := &nilStore{}
		rec := newRecorder()
		w := NewWatcher(newFakeRC(edit(1, -1), edit(2, 1)), st, rec.handle, testWatcherConfig())
		poll(t, w)
		wantIDs(t, "from Start", rec.all(), 2)
		if st.sets == 0 {
			t.Error("no cursor saved")
		}
	})
}

// A Poll after a failed load must not go on with a half-made cursor.
func TestPollAfterCorruptCursor(t *testing.T) {
	st := &memStore{saved: [][]byte{[]byte(`{"v":9}`)}}
	rc := newFakeRC(edit(1, -3600), edit(2, 1))
	rec := newRecorder()
	w := NewWatcher(rc, st, rec.handle, testWatcherConfig())
	for i := range 2 {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Poll %d panicked: %v", i, p)
				}
			}()
			if _, err := w.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "version 9") {
				t.Errorf("Poll %d: error %v, want the cursor's version error", i, err)
			}
		}()
	}
	wantIDs(t, "with a corrupt cursor", rec.all())
	if len(rc.calls()) != 0 {
		t.Errorf("%d reads with a corrupt cursor, want none", len(rc.calls()))
	}
}

// A first cursor that could not be saved is saved by the next Poll, so
// that a watcher stopped before any change starts there next time.
func TestPollRetriesFirstCursorSave(t *testing.T) {
	st := &memStore{setErr: errors.New("store busy")}
	w := NewWatcher(newFakeRC(), st, newRecorder().handle, testWatcherConfig())
	if _, err := w.Poll(context.Background()); err == nil {
		t.Fatal("Poll succeeded with a failing store")
	}
	st.setErr = nil
	poll(t, w)
	if st.saves() != 1 {
		t.Fatalf("%d cursors saved, want the first cursor", st.saves())
	}
	if c := st.cursor(t); c.Timestamp != t0 || c.Floor != t0 {
		t.Errorf("cursor at %v floor %v, want %v", c.Timestamp, c.Floor, t0)
	}
}

// nilStore answers nil, nil: nothing stored, no error.
type nilStore struct{ sets int }

func (s *nilStore) Cursor(context.Context, string) ([]byte, error) { return nil, nil }
func (s *nilStore) SetCursor(context.Context, string, []byte) error {
	s.sets++
	return nil
}

func TestPollCursorName(t *testing.T) {
	named := &namedStore{m: map[string][]byte{}}
	cfg := testWatcherConfig()
	cfg.CursorName = "rc-wiki2"
	poll(t, NewWatcher(newFakeRC(edit(1, 1)), named, newRecorder().handle, cfg))
	if _, ok := named.m["rc-wiki2"]; !ok || len(named.m) != 1 {
		t.Errorf("cursors stored under %v, want only rc-wiki2", slices.Collect(maps.Keys(named.m)))
	}
}

type namedStore struct{ m map[string][]byte }

func (s *namedStore) Cursor(_ context.Context, name string) ([]byte, error) {
	if b, ok := s.m[name]; ok {
		return b, nil
	}
	return nil, ErrNoCursor
}

func (s *namedStore) SetCursor(_ context.Context, name string, v []byte) error {
	s.m[name] = v
	return nil
}

func TestRunReturnsNilOnCancel(t *testing.T) {
	rc := newFakeRC(edit(1, 1))
	st := &memStore{}
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.Poll = time.Hour
	w := NewWatcher(rc, st, rec.handle, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case <-rec.got:
	case <-time.After(5 * time.Second):
		t.Fatal("nothing handed over")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil on cancellation", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if c := st.cursor(t); c.Timestamp != at(1) {
		t.Errorf("cursor at %v, want %v", c.Timestamp, at(1))
	}
}

// Cancelled while the handler works, Run returns nil and the batch's
// cursor is still saved.
func TestRunCancelDuringHandler(t *testing.T) {
	rc := newFakeRC(edit(1, 1))
	st := &memStore{}
	ctx, cancel := context.WithCancel(context.Background())
	handle := func(hctx context.Context, cs []Change) error {
		cancel()
		return nil
	}
	w := NewWatcher(rc, st, handle, testWatcherConfig())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if c := st.cursor(t); c.Timestamp != at(1) || c.Len() != 1 {
		t.Errorf("cursor at %v with %d rows, want the handled batch saved", c.Timestamp, c.Len())
	}
}

func TestRunWake(t *testing.T) {
	rc := newFakeRC()
	rec := newRecorder()
	wake := make(chan struct{}, 1)
	cfg := testWatcherConfig()
	cfg.Poll = time.Hour
	cfg.Wake = wake
	w := NewWatcher(rc, &memStore{}, rec.handle, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitFor(t, "the first poll", func() bool { return len(rc.calls()) >= 2 })

	rc.add(edit(1, 1))
	wake <- struct{}{}
	select {
	case <-rec.got:
	case <-time.After(5 * time.Second):
		t.Fatal("a wake-up did not make the watcher read")
	}
	wantIDs(t, "after wake-up", rec.all(), 1)
}

// syncBuffer is a log destination safe for the watcher's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunBacksOffAndRecovers(t *testing.T) {
	rc := newFakeRC(edit(1, 1))
	rc.failNext(3, errors.New("wiki down"))
	var mu sync.Mutex
	var times []time.Time
	recordTimes := readerFunc(func(ctx context.Context, q RCQuery) ([]Change, string, error) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		return rc.RecentChanges(ctx, q)
	})
	var logs syncBuffer
	rec := newRecorder()
	cfg := testWatcherConfig()
	cfg.Poll = 10 * time.Millisecond
	cfg.MaxBackoff = 25 * time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := NewWatcher(recordTimes, &memStore{}, rec.handle, cfg)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "works again") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no recovery; log:\n%s", logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	// A later failure counts from one again.
	rc.failNext(1, errors.New("wiki down again"))
	rc.add(edit(2, 2))
	deadline = time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "works again") < 2 {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no second recovery; log:\n%s", logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	wantIDs(t, "after recovery", rec.all(), 1, 2)

	out := logs.String()
	if n := strings.Count(out, `msg="reading recent changes failed"`); n != 4 {
		t.Errorf("%d failure lines, want 4; log:\n%s", n, out)
	}
	if n := strings.Count(out, "failures=1 "); n != 2 {
		t.Errorf("%d lines with failures=1, want 2 (one per outage); log:\n%s", n, out)
	}
	for _, want := range []string{`err="wiki down"`, "failures=3", `msg="reading recent changes works again" after_failures=3`, `err="wiki down again" failures=1`, "after_failures=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q; log:\n%s", want, out)
		}
	}
	// Backoff: wait at least half of Poll<<failures, capped by MaxBackoff.
	mu.Lock()
	defer mu.Unlock()
	if len(times) < 4 {
		t.Fatalf("%d reads, want at least 4", len(times))
	}
	minWait := []time.Duration{10 * time.Millisecond, 12500 * time.Microsecond, 12500 * time.Microsecond}
	for i, min := range minWait {
		if gap := times[i+1].Sub(times[i]); gap < min {
			t.Errorf("wait after failure %d was %v, want at least %v", i+1, gap, min)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNewWatcherDefaults(t *testing.T) {
	w := NewWatcher(newFakeRC(), &memStore{}, newRecorder().handle, WatcherConfig{})
	want := WatcherConfig{
		CursorName: "recentchanges",
		Poll:       time.Second,
		Overlap:    10 * time.Second,
		LateWindow: 15 * time.Minute,
		LateSweep:  30 * time.Second,
		MaxBackoff: 30 * time.Second,
	}
	got := w.cfg
	if got.Logger == nil {
		t.Error("no default logger")
	}
	got.Logger = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
}
