package wiki

import (
	"encoding/json"
	"fmt"
	"time"
)

// Cursor is where the watcher is in the wiki's recent changes. Timestamps
// have one-second resolution and rows are written after the API answers,
// so a position alone would lose rows: the cursor also remembers the rows
// it has handled recently, and the next read starts a little before it.
// See docs/mediawiki.md, "Timestamps and the overlap" and "Late rows".
type Cursor struct {
	// Timestamp is the newest row timestamp handled.
	Timestamp time.Time
	// Floor is where the watcher first started: older rows belong to the
	// time before wikipub and are never handed over.
	Floor time.Time
	// seen maps recently handled rcids to their timestamps.
	seen map[int64]seenRow
}

type seenRow struct {
	ts   int64
	late bool // a row kind that can appear long after its timestamp
}

type cursorJSON struct {
	Version   int        `json:"v"`
	Timestamp time.Time  `json:"ts"`
	Floor     time.Time  `json:"floor"`
	Seen      [][3]int64 `json:"seen"` // rcid, unix time, late flag
}

// NewCursor starts at t with nothing handled yet.
func NewCursor(t time.Time) *Cursor {
	// Row timestamps are whole seconds: a floor inside a second would drop
	// rows of that second.
	t = t.UTC().Truncate(time.Second)
	return &Cursor{Timestamp: t, Floor: t, seen: map[int64]seenRow{}}
}

// Seen reports whether the row was handled already, or is older than the
// floor.
func (c *Cursor) Seen(ch *Change) bool {
	if ch.Timestamp.Before(c.Floor) {
		return true
	}
	_, ok := c.seen[ch.RCID]
	return ok
}

// Add records a handled row.
func (c *Cursor) Add(ch *Change) {
	c.seen[ch.RCID] = seenRow{ts: ch.Timestamp.Unix(), late: ch.Kind == KindCategorize}
	if ch.Timestamp.After(c.Timestamp) {
		c.Timestamp = ch.Timestamp.UTC()
	}
}

// Prune forgets rows that no read can return again: those older than the
// overlap, and late-arriving kinds older than lateWindow.
func (c *Cursor) Prune(overlap, lateWindow time.Duration) {
	floor := c.Timestamp.Add(-overlap).Unix()
	lateFloor := c.Timestamp.Add(-lateWindow).Unix()
	for id, r := range c.seen {
		if (!r.late && r.ts < floor) || (r.late && r.ts < lateFloor) {
			delete(c.seen, id)
		}
	}
}

// Len is how many rows the cursor remembers.
func (c *Cursor) Len() int { return len(c.seen) }

// MarshalBinary encodes the cursor for a store.
func (c *Cursor) MarshalBinary() ([]byte, error) {
	j := cursorJSON{Version: 1, Timestamp: c.Timestamp, Floor: c.Floor, Seen: make([][3]int64, 0, len(c.seen))}
	for id, r := range c.seen {
		late := int64(0)
		if r.late {
			late = 1
		}
		j.Seen = append(j.Seen, [3]int64{id, r.ts, late})
	}
	return json.Marshal(j)
}

// UnmarshalBinary decodes a stored cursor.
func (c *Cursor) UnmarshalBinary(b []byte) error {
	var j cursorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("decoding recent-changes cursor: %w", err)
	}
	if j.Version != 1 {
		return fmt.Errorf("recent-changes cursor has version %d, this wikipub reads version 1", j.Version)
	}
	c.Timestamp = j.Timestamp.UTC()
	c.Floor = j.Floor.UTC()
	c.seen = make(map[int64]seenRow, len(j.Seen))
	for _, s := range j.Seen {
		c.seen[s[0]] = seenRow{ts: s[1], late: s[2] == 1}
	}
	return nil
}
