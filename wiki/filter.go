package wiki

import "slices"

// Filter is the admin's choice of which changes wikipub publishes. The zero
// value passes everything but bot edits.
type Filter struct {
	// Namespaces lists the namespaces to follow; empty means all. A move
	// passes when its old or its new namespace is listed.
	Namespaces []int
	// IncludeBots passes changes flagged as bot edits.
	IncludeBots bool
	// SkipMinor drops minor edits.
	SkipMinor bool
}

// Allows reports whether the change passes the filter.
func (f *Filter) Allows(c *Change) bool {
	if c.Bot && !f.IncludeBots {
		return false
	}
	if c.Minor && f.SkipMinor {
		return false
	}
	if len(f.Namespaces) == 0 {
		return true
	}
	if slices.Contains(f.Namespaces, c.Namespace) {
		return true
	}
	return c.Move != nil && slices.Contains(f.Namespaces, c.Move.TargetNamespace)
}
