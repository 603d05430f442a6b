package inbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/internal/httpjson"
	"github.com/wikipub/wikipub/federation/internal/promreg"
	"github.com/wikipub/wikipub/federation/remote"
)

// refusal is an inbound request we will not act on: what the sender is
// told (status and msg) and the reason an admin sees in the log and in
// wikipub_inbox_refusals_total{reason}. A 4xx is for what will never be
// accepted; 429 and 503 (with Retry-After) for what may be later; a 202
// for what is taken and quietly not acted on, which a sender need not
// know about (a forwarded activity, a blocked server).
type refusal struct {
	status int
	reason string
	msg    string
	// retryAfter, in seconds, goes with 429 and 503.
	retryAfter int
}

func (r *refusal) Error() string { return r.reason + ": " + r.msg }

// The reasons, the values of the reason label: a fixed set, so the metric
// has a bounded number of series.
const (
	reasonBodyTooLarge     = "body_too_large"
	reasonUnreadableBody   = "unreadable_body"
	reasonNotAnActivity    = "not_an_activity"
	reasonIDTooLong        = "id_too_long"
	reasonWrongHost        = "wrong_host"
	reasonUnsigned         = "unsigned"
	reasonBadSignature     = "bad_signature"
	reasonSignatureFormat  = "signature_format"
	reasonDigestMismatch   = "digest_mismatch"
	reasonDateSkew         = "date_skew"
	reasonUntrustedKey     = "untrusted_key"
	reasonKeyGone          = "key_gone"
	reasonKeyUnavailable   = "key_unavailable"
	reasonNotSignedByActor = "not_signed_by_actor"
	reasonForeignID        = "foreign_id"
	reasonTakenID          = "taken_id"
	reasonBlocked          = "blocked"
	reasonUnusableActor    = "unusable_actor"
	reasonInternalInbox    = "internal_inbox"
	reasonRateLimited      = "rate_limited"
	reasonTooLarge         = "too_large"
	reasonNoSuchPost       = "no_such_post"
	reasonHandlingFailed   = "handling_failed"
)

var allReasons = []string{
	reasonBodyTooLarge, reasonUnreadableBody, reasonNotAnActivity, reasonIDTooLong, reasonWrongHost,
	reasonUnsigned, reasonBadSignature, reasonSignatureFormat, reasonDigestMismatch, reasonDateSkew,
	reasonUntrustedKey, reasonKeyGone, reasonKeyUnavailable, reasonNotSignedByActor, reasonForeignID,
	reasonTakenID, reasonBlocked, reasonUnusableActor, reasonInternalInbox, reasonRateLimited,
	reasonTooLarge, reasonNoSuchPost, reasonHandlingFailed,
}

// refusalLogEvery is how often one (host, reason) pair is logged: a
// server that cannot talk to us shows at once, without a line per request.
const refusalLogEvery = time.Minute

// refusals logs (rate-limited) and counts what the inbox refuses.
type refusals struct {
	log     *slog.Logger
	counter *prometheus.CounterVec // nil without a registry

	mu         sync.Mutex
	last       map[string]time.Time
	suppressed map[string]int
	now        func() time.Time
}

// maxRefusalKeys bounds the (host, reason) pairs remembered for rate
// limiting; when full, the memory starts over (at worst a few more lines).
const maxRefusalKeys = 10_000

func newRefusals(log *slog.Logger, reg prometheus.Registerer) *refusals {
	r := &refusals{log: log, last: map[string]time.Time{}, suppressed: map[string]int{}, now: time.Now}
	if reg != nil {
		r.counter = promreg.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wikipub_inbox_refusals_total",
			Help: "Inbound requests refused or ignored, by reason (README, \"Security\"); a reason that grows is a server that cannot talk to us.",
		}, []string{"reason"}))
		for _, reason := range allReasons {
			r.counter.WithLabelValues(reason)
		}
	}
	return r
}

// answer writes the refusal to the sender, counts it and logs it: at WARN
// for a 4xx or 5xx, at INFO for what is quietly dropped; at most once per
// refusalLogEvery for one host and reason, with how many were not logged.
func (rs *refusals) answer(w http.ResponseWriter, r *http.Request, rf *refusal, act *inbound, err error) {
	if rf.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(rf.retryAfter))
	}
	if rf.status == http.StatusAccepted {
		w.WriteHeader(http.StatusAccepted)
	} else {
		httpjson.Error(w, rf.status, rf.msg)
	}
	if rs.counter != nil {
		rs.counter.WithLabelValues(rf.reason).Inc()
	}
	host := remoteHost(r, act)
	ok, skipped := rs.allow(host+" "+rf.reason, rs.now())
	if !ok {
		return
	}
	level := slog.LevelWarn
	if rf.status < 300 {
		level = slog.LevelInfo
	}
	attrs := []slog.Attr{slog.String("reason", rf.reason), slog.Int("status", rf.status), slog.String("host", clip(host))}
	if act != nil {
		attrs = append(attrs, slog.String("type", clip(act.Type)), slog.String("id", clip(act.ID)), slog.String("actor", clip(act.Actor)))
		if act.signer != "" && act.signer != act.Actor {
			attrs = append(attrs, slog.String("signer", clip(act.signer)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", clip(err.Error())))
	}
	if skipped > 0 {
		attrs = append(attrs, slog.Int("not_logged_since_last", skipped))
	}
	rs.log.LogAttrs(r.Context(), level, "inbox refused a request: "+rf.msg, attrs...)
}

// allow reports whether key may be logged now, and how many were not
// logged since it last was.
func (rs *refusals) allow(key string, now time.Time) (bool, int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if last, ok := rs.last[key]; ok && now.Sub(last) < refusalLogEvery {
		rs.suppressed[key]++
		return false, 0
	}
	if len(rs.last) >= maxRefusalKeys {
		rs.last, rs.suppressed = map[string]time.Time{}, map[string]int{}
	}
	n := rs.suppressed[key]
	delete(rs.suppressed, key)
	rs.last[key] = now
	return true, n
}

// remoteHost names who sent a request: the signer's host, else the
// claimed actor's, else the connection's address.
func remoteHost(r *http.Request, act *inbound) string {
	if act != nil {
		for _, id := range []string{act.signer, act.Actor} {
			if h := remote.Origin(id); h != "" {
				return h
			}
		}
	}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// maxLogged bounds a remote-controlled string in a log line.
const maxLogged = 256

// clip keeps at most maxLogged bytes of a remote-controlled string (an
// id, a type, an error quoting one), saying how long it was: a 1 MB id is
// never logged whole.
func clip(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	cut := maxLogged
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
}

// refusalFor maps a handler's error to what the sender is told: a
// refusal it returned, one for a remote document that will not change
// (so asking again is pointless), or nil for a passing failure (a 503).
func refusalFor(err error) *refusal {
	var rf *refusal
	if errors.As(err, &rf) {
		return rf
	}
	if !remote.MayPass(err) {
		return &refusal{status: http.StatusBadRequest, reason: reasonUnusableActor, msg: "a remote document it needs cannot be used"}
	}
	return nil
}
