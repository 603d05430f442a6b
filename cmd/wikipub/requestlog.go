package main

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// requestLog logs one structured line per HTTP request: method, path,
// status, bytes written, duration, remote address and user agent. Requests
// that succeed (1xx–3xx) are logged at debug level, failures (4xx, 5xx) at
// info, so a production log at info shows what went wrong and nothing else.
//
// It logs no query string (resource=acct:… is harmless, but a query may
// carry a token someone pasted), no request or response body, and no header
// but User-Agent and X-Forwarded-For: Signature, Authorization and Cookie
// never reach the log.
func requestLog(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			status := rw.status
			if status == 0 {
				status = http.StatusOK
				if p != nil {
					// net/http answers a panicking handler by closing the
					// connection; to the client it is a server failure.
					status = http.StatusInternalServerError
				}
			}
			level := slog.LevelDebug
			if status >= 400 {
				level = slog.LevelInfo
			}
			if log.Enabled(r.Context(), level) {
				attrs := []slog.Attr{
					slog.String("method", r.Method),
					slog.String("path", clipLogged(r.URL.EscapedPath())),
					slog.Int("status", status),
					slog.Int64("bytes", rw.bytes),
					slog.Duration("duration", time.Since(start)),
					slog.String("remote", r.RemoteAddr),
					slog.String("user_agent", clipLogged(r.UserAgent())),
				}
				if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
					attrs = append(attrs, slog.String("forwarded_for", clipLogged(xff)))
				}
				log.LogAttrs(r.Context(), level, "http request", attrs...)
			}
			if p != nil {
				panic(p)
			}
		}()
		h.ServeHTTP(rw, r)
	})
}

// maxLoggedField bounds what a client controls in a log line (a path, a
// User-Agent): headers may be 64 KB, and a log is no place for them.
const maxLoggedField = 256

// clipLogged keeps the first maxLoggedField bytes of s, saying how long it
// was.
func clipLogged(s string) string {
	if len(s) <= maxLoggedField {
		return s
	}
	return strings.ToValidUTF8(s[:maxLoggedField], "") + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// statusWriter remembers the status and counts the body bytes of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	// 1xx answers (103 Early Hints) come before the real one.
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (Flush,
// deadlines, Hijack).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming answers (if any handler streams) flushing through
// the wrapper for callers that type-assert http.Flusher.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}
