package testenv

import (
	"testing"

	"cgt.name/pkg/go-mwclient/params"
)

// ProtectAt protects a page against edits below level ("sysop",
// "autoconfirmed").
func (s *Session) ProtectAt(t testing.TB, title, level, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "protect", "title": title, "protections": "edit=" + level, "expiry": "infinite", "reason": reason})
}

// ProtectCascade protects a page and, by cascading, every page it
// transcludes.
func (s *Session) ProtectCascade(t testing.TB, title, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "protect", "title": title, "protections": "edit=sysop", "cascade": "1", "expiry": "infinite", "reason": reason})
}
