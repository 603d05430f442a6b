package publish

import (
	"testing"
	"time"
)

// TestProfileUpdateDue: at most one profile Update per interval; a change
// inside it waits for its end, and one while an Update waits sends none.
func TestProfileUpdateDue(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	hour := time.Hour
	for _, tc := range []struct {
		name    string
		last    time.Time
		wantDue time.Time
		wantOK  bool
	}{
		{"never sent", time.Time{}, now, true},
		{"sent long ago", now.Add(-2 * hour), now, true},
		{"sent exactly an interval ago", now.Add(-hour), now, true},
		{"sent ten minutes ago", now.Add(-10 * time.Minute), now.Add(50 * time.Minute), true},
		{"one waits already", now.Add(5 * time.Minute), time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, ok := profileUpdateDue(tc.last, now, hour)
			if ok != tc.wantOK || !due.Equal(tc.wantDue) {
				t.Errorf("due %v ok %v, want %v %v", due, ok, tc.wantDue, tc.wantOK)
			}
		})
	}
}
