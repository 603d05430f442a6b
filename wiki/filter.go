package wiki

import "slices"

// Filter is the admin's choice of which changes wikipub publishes. The zero
// value passes everything but bot edits.
type Filter struct {
	// Namespaces lists the namespaces to follow; empty means all. A move
	// passes when its old or its new namespace is listed. An account's
	// rename is about an editor, not a page, and passes whatever the list.
	Namespaces []int
	// IncludeBots passes content changes (edits, new pages, category rows,
	// uploads) flagged as bot edits. Moderation is never dropped for the
	// bot flag: see botFiltered.
	IncludeBots bool
	// SkipMinor drops minor edits.
	SkipMinor bool
}

// Allows reports whether the change passes the filter.
func (f *Filter) Allows(c *Change) bool {
	if c.Bot && !f.IncludeBots && botFiltered(c.Kind) {
		return false
	}
	if c.Minor && f.SkipMinor {
		return false
	}
	if len(f.Namespaces) == 0 || c.Kind == KindRevisionDelete || c.Kind == KindUserRename {
		// A revision or log deletion only ever withdraws what was
		// published; hiding a log entry targets Special:Log, in no
		// namespace an admin would list. A rename's row is in the User
		// namespace, but it renames an editor's actor, whatever the pages
		// followed.
		return true
	}
	if slices.Contains(f.Namespaces, c.Namespace) {
		return true
	}
	return c.Move != nil && slices.Contains(f.Namespaces, c.Move.TargetNamespace)
}

// botFiltered says which kinds the bot filter is for: the content bots
// make in bulk. The wiki flags every log entry of an account in the bot
// group as a bot change, also a move, deletion, restoration, revision
// deletion or protection an admin makes by hand; those are the wiki's
// moderation, which followers must see (and a withdrawal must never wait
// for the sweep).
func botFiltered(k Kind) bool {
	switch k {
	case KindNew, KindEdit, KindCategorize, KindUpload:
		return true
	}
	return false
}
