package inbox

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/wikipub/wikipub/federation/activity"
)

// TestRefusalsLoggedOncePerHostAndReason: each refusal is answered and
// counted; the log gets one WARN line per host and reason a minute, then
// says how many it left out.
func TestRefusalsLoggedOncePerHostAndReason(t *testing.T) {
	var buf bytes.Buffer
	reg := prometheus.NewRegistry()
	rs := newRefusals(slog.New(slog.NewJSONHandler(&buf, nil)), reg)
	now := time.Unix(1_700_000_000, 0)
	rs.now = func() time.Time { return now }
	refuse := func(actor, reason string) int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/ap/inbox", nil)
		rs.answer(w, r, &refusal{status: http.StatusBadRequest, reason: reason, msg: "no"}, &inbound{Activity: &activity.Activity{ID: actor + "/a", Type: "Follow", Actor: actor}, signer: actor}, nil)
		return w.Code
	}
	for range 5 {
		if code := refuse("https://a.example/u", reasonForeignID); code != http.StatusBadRequest {
			t.Fatalf("answered %d", code)
		}
	}
	refuse("https://b.example/u", reasonForeignID)
	refuse("https://a.example/u", reasonTakenID)
	now = now.Add(refusalLogEvery)
	refuse("https://a.example/u", reasonForeignID)

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 4 {
		t.Fatalf("%d log lines, want 4 (a.example twice, b.example, taken_id):\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if l["level"] != "WARN" {
			t.Errorf("logged at %v: %v", l["level"], l)
		}
	}
	if last := lines[3]; last["host"] != "a.example" || last["not_logged_since_last"] != float64(4) {
		t.Errorf("the line after a minute: %v", last)
	}
	if n := counted(t, rs, reasonForeignID); n != 7 {
		t.Errorf("foreign_id counted %v times, want 7", n)
	}
	if n := counted(t, rs, reasonUnsigned); n != 0 {
		t.Errorf("unsigned counted %v, want a zero series", n)
	}
}

// TestClip: a remote-controlled string is logged cut, with its length.
func TestClip(t *testing.T) {
	if got := clip("short"); got != "short" {
		t.Errorf("clip(short) = %q", got)
	}
	long := strings.Repeat("é", 1<<19) // 1 MB
	got := clip(long)
	if len(got) > maxLogged+32 || !strings.HasSuffix(got, "…(1048576 bytes)") || !strings.HasPrefix(got, "éé") {
		t.Errorf("clip of 1 MB: %d bytes, %q…", len(got), got[len(got)-24:])
	}
	if !utf8Valid(got) {
		t.Errorf("clip split a character")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func counted(t *testing.T, rs *refusals, reason string) float64 {
	t.Helper()
	var m dto.Metric
	if err := rs.counter.WithLabelValues(reason).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestForUs: the inbox takes requests for its own host only, however the
// Host header writes it.
func TestForUs(t *testing.T) {
	for _, c := range []struct {
		base, host string
		want       bool
	}{
		{"https://wiki.example", "wiki.example", true},
		{"https://wiki.example", "WIKI.example.", true},
		{"https://wiki.example", "wiki.example:443", true},
		{"https://wiki.example", "wiki.example:8443", false},
		{"https://wiki.example", "other.example", false},
		{"https://wiki.example", "", false},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"http://127.0.0.1:8080", "127.0.0.1", false},
		{"http://[::1]:8080", "[::1]:8080", true},
	} {
		if got := newTrust(c.base).forUs(c.host); got != c.want {
			t.Errorf("%s: forUs(%q) = %v, want %v", c.base, c.host, got, c.want)
		}
	}
}
