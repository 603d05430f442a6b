package wiki

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func row(rcid int64, at time.Time, kind Kind) *Change {
	return &Change{RCID: rcid, Timestamp: at, Kind: kind}
}

func TestNewCursor(t *testing.T) {
	local := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	c := NewCursor(local)
	want := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	if c.Timestamp != want || c.Floor != want {
		t.Errorf("Timestamp %v, Floor %v, want both %v in UTC", c.Timestamp, c.Floor, want)
	}
	if c.Len() != 0 {
		t.Errorf("Len = %d, want 0", c.Len())
	}
}

func TestCursorSeenAndFloor(t *testing.T) {
	t0 := ts(t, "2024-05-01T10:00:00Z")
	c := NewCursor(t0)
	c.Add(row(5, t0.Add(2*time.Second), KindEdit))

	tests := []struct {
		name string
		ch   *Change
		want bool
	}{
		{"older than the floor, never handled", row(1, t0.Add(-time.Second), KindEdit), true},
		{"much older than the floor", row(2, t0.Add(-time.Hour), KindCategorize), true},
		{"at the floor", row(3, t0, KindEdit), false},
		{"after the floor", row(4, t0.Add(time.Second), KindNew), false},
		{"handled", row(5, t0.Add(2*time.Second), KindEdit), true},
		// Seen goes by rcid: a handled row read again is seen whatever its
		// timestamp (revision deletion mutates rows in place).
		{"handled rcid with another timestamp", row(5, t0.Add(time.Hour), KindEdit), true},
		{"unhandled rcid at a handled timestamp", row(6, t0.Add(2*time.Second), KindEdit), false},
	}
	for _, tt := range tests {
		if got := c.Seen(tt.ch); got != tt.want {
			t.Errorf("%s: Seen(rcid %d at %s) = %v, want %v", tt.name, tt.ch.RCID, tt.ch.Timestamp.Format(time.RFC3339), got, tt.want)
		}
	}
}

func TestCursorAdd(t *testing.T) {
	t0 := ts(t, "2024-05-01T10:00:00Z")
	c := NewCursor(t0)
	steps := []struct {
		ch     *Change
		wantTS time.Time
		len    int
	}{
		{row(1, t0.Add(5*time.Second), KindEdit), t0.Add(5 * time.Second), 1},
		// An older row (written late) does not move the cursor back.
		{row(2, t0.Add(3*time.Second), KindEdit), t0.Add(5 * time.Second), 2},
		{row(3, t0.Add(-10*time.Minute), KindCategorize), t0.Add(5 * time.Second), 3},
		{row(4, t0.Add(9*time.Second), KindNew), t0.Add(9 * time.Second), 4},
		// Adding a row twice keeps one entry.
		{row(4, t0.Add(9*time.Second), KindNew), t0.Add(9 * time.Second), 4},
	}
	for i, s := range steps {
		c.Add(s.ch)
		if !c.Timestamp.Equal(s.wantTS) || c.Len() != s.len {
			t.Fatalf("step %d: Timestamp %v Len %d, want %v and %d", i, c.Timestamp, c.Len(), s.wantTS, s.len)
		}
		if !c.Seen(s.ch) {
			t.Fatalf("step %d: row %d not seen after Add", i, s.ch.RCID)
		}
	}
	if c.Floor != t0 {
		t.Errorf("Floor moved to %v", c.Floor)
	}
	// Add stores UTC even when given another zone.
	c.Add(row(9, time.Date(2024, 5, 1, 12, 1, 0, 0, time.FixedZone("CEST", 2*3600)), KindEdit))
	if want := ts(t, "2024-05-01T10:01:00Z"); c.Timestamp != want {
		t.Errorf("Timestamp = %v, want %v", c.Timestamp, want)
	}
}

func TestCursorPrune(t *testing.T) {
	floor := ts(t, "2024-05-01T09:00:00Z")
	now := ts(t, "2024-05-01T10:00:00Z")
	const overlap, lateWindow = 10 * time.Second, 15 * time.Minute

	rows := []struct {
		ch   *Change
		kept bool
	}{
		{row(1, now, KindEdit), true},
		{row(2, now.Add(-overlap), KindEdit), true}, // the next read starts here, inclusive
		{row(3, now.Add(-overlap-time.Second), KindEdit), false},
		{row(4, now.Add(-time.Hour), KindNew), false},
		{row(5, now.Add(-overlap-time.Second), KindMove), false},
		// Category rows are kept for the late window, not the overlap.
		{row(6, now.Add(-overlap-time.Second), KindCategorize), true},
		{row(7, now.Add(-lateWindow), KindCategorize), true},
		{row(8, now.Add(-lateWindow-time.Second), KindCategorize), false},
		{row(9, now.Add(-14*time.Minute), KindCategorize), true},
	}
	c := NewCursor(floor)
	for _, r := range rows {
		c.Add(r.ch)
	}
	if c.Timestamp != now {
		t.Fatalf("Timestamp %v, want %v", c.Timestamp, now)
	}
	c.Prune(overlap, lateWindow)
	kept := 0
	for _, r := range rows {
		if got := c.Seen(r.ch); got != r.kept {
			t.Errorf("after Prune, row %d (%s, %s before the cursor) seen = %v, want %v", r.ch.RCID, r.ch.Kind, now.Sub(r.ch.Timestamp), got, r.kept)
		}
		if r.kept {
			kept++
		}
	}
	if c.Len() != kept {
		t.Errorf("Len = %d, want %d", c.Len(), kept)
	}
	// Pruning does not move the cursor or its floor.
	if c.Timestamp != now || c.Floor != floor {
		t.Errorf("Prune moved the cursor: Timestamp %v Floor %v", c.Timestamp, c.Floor)
	}
	// A row older than the floor stays seen, pruned or not.
	if !c.Seen(row(4, floor.Add(-time.Second), KindEdit)) {
		t.Error("a row older than the floor is not seen after Prune")
	}
}

func TestCursorBinaryRoundTrip(t *testing.T) {
	floor := ts(t, "2024-05-01T09:00:00Z")
	c := NewCursor(floor)
	c.Add(row(10, ts(t, "2024-05-01T09:30:00Z"), KindEdit))
	c.Add(row(11, ts(t, "2024-05-01T09:29:00Z"), KindCategorize))
	c.Add(row(12, ts(t, "2024-05-01T09:30:00Z"), KindLog))

	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Cursor
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *c)
	}
	// The late flag survives: after a prune by the overlap only the
	// category row is left, in both.
	c.Prune(0, time.Hour)
	got.Prune(0, time.Hour)
	if !reflect.DeepEqual(&got, c) || got.Len() != 3 {
		t.Fatalf("after Prune(0, 1h): got %+v, want %+v with 3 rows", got, *c)
	}
	c.Prune(0, 30*time.Second)
	got.Prune(0, 30*time.Second)
	if got.Len() != 2 || !got.Seen(row(10, ts(t, "2024-05-01T09:30:00Z"), KindEdit)) || got.Seen(row(11, ts(t, "2024-05-01T09:29:00Z"), KindCategorize)) {
		t.Errorf("after Prune(0, 30s): Len %d, want rows 10 and 12 only", got.Len())
	}

	// The encoding is versioned JSON with rcid, unix time and late flag.
	var j struct {
		V    int        `json:"v"`
		TS   time.Time  `json:"ts"`
		Seen [][3]int64 `json:"seen"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if j.V != 1 || !j.TS.Equal(ts(t, "2024-05-01T09:30:00Z")) || len(j.Seen) != 3 {
		t.Errorf("encoding %s: want v 1, ts 09:30:00Z, 3 seen rows", b)
	}
	for _, s := range j.Seen {
		if s[0] == 11 && (s[1] != ts(t, "2024-05-01T09:29:00Z").Unix() || s[2] != 1) {
			t.Errorf("categorize row encoded as %v, want [11 unix(09:29) 1]", s)
		}
	}
}

func TestCursorEmptyRoundTrip(t *testing.T) {
	c := NewCursor(ts(t, "2024-05-01T09:00:00Z"))
	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Cursor
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, c) {
		t.Fatalf("round trip: got %+v, want %+v", got, *c)
	}
	// The decoded cursor is usable, not a nil map.
	got.Add(row(1, ts(t, "2024-05-01T09:00:01Z"), KindEdit))
	if got.Len() != 1 {
		t.Errorf("Len = %d after Add, want 1", got.Len())
	}
}

func TestCursorUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"future version", `{"v":2,"ts":"2024-05-01T09:00:00Z","floor":"2024-05-01T09:00:00Z","seen":[]}`, "version 2, this wikipub reads version 1"},
		{"no version", `{"ts":"2024-05-01T09:00:00Z"}`, "version 0"},
		{"JSON null", `null`, "version 0"},
		{"garbage", "\x00\x01cursor", "decoding recent-changes cursor"},
		{"empty", ``, "decoding recent-changes cursor"},
		{"truncated", `{"v":1,"ts":"2024-05-01T09:00:00Z","se`, "decoding recent-changes cursor"},
		{"bad time", `{"v":1,"ts":"yesterday"}`, "decoding recent-changes cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCursor(ts(t, "2024-05-01T09:00:00Z"))
			err := c.UnmarshalBinary([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error; cursor %+v", *c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}
