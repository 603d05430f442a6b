package wiki

import (
	"encoding/json"
	"time"
)

// Kind says what happened in one recent change.
type Kind string

// The kinds of change the watcher emits. Log types without a kind of their
// own arrive as KindLog with LogType and LogAction set.
const (
	KindNew            Kind = "new"
	KindEdit           Kind = "edit"
	KindMove           Kind = "move"
	KindDelete         Kind = "delete"
	KindRestore        Kind = "restore"
	KindRevisionDelete Kind = "revision-delete"
	KindUpload         Kind = "upload"
	KindNewAccount     Kind = "new-account"
	KindProtect        Kind = "protect"
	KindBlock          Kind = "block"
	KindCategorize     Kind = "categorize"
	// KindUserRename is an account renamed with the Renameuser extension:
	// same account (user id), new name.
	KindUserRename Kind = "user-rename"
	KindLog        Kind = "log"
)

// Change is one row of the wiki's recent changes. Fields the wiki hides
// (revision deletion) are empty, never filled with placeholders: User is ""
// when UserHidden, Comment is "" when CommentHidden.
type Change struct {
	// RCID is the recent-changes row id; with Timestamp it orders changes.
	RCID      int64     `json:"rcid"`
	Kind      Kind      `json:"kind"`
	Timestamp time.Time `json:"timestamp"`
	// Namespace and Title name the page the row is about; for a move this is
	// the old title, for a log row its target.
	Namespace int    `json:"ns"`
	Title     string `json:"title,omitempty"`
	PageID    int64  `json:"pageid,omitempty"`
	RevID     int64  `json:"revid,omitempty"`
	OldRevID  int64  `json:"old_revid,omitempty"`
	// User is the user name, or the IP address for an anonymous edit.
	User   string `json:"user,omitempty"`
	UserID int64  `json:"userid,omitempty"`
	// Anonymous marks an IP edit: the editor is not an account.
	Anonymous bool `json:"anon,omitempty"`
	// Comment is the edit summary or log reason as wikitext.
	Comment string `json:"comment,omitempty"`
	// ParsedComment is the summary as the wiki renders it (HTML).
	ParsedComment string `json:"parsedcomment,omitempty"`
	OldSize       int    `json:"oldlen"`
	NewSize       int    `json:"newlen"`
	Minor         bool   `json:"minor,omitempty"`
	Bot           bool   `json:"bot,omitempty"`
	// Redirect marks a page that is a redirect after this change.
	Redirect bool     `json:"redirect,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	SHA1     string   `json:"sha1,omitempty"`

	UserHidden    bool `json:"userhidden,omitempty"`
	CommentHidden bool `json:"commenthidden,omitempty"`
	ContentHidden bool `json:"contenthidden,omitempty"`
	// Suppressed means the hidden parts are hidden from admins too.
	Suppressed bool `json:"suppressed,omitempty"`

	LogID     int64  `json:"logid,omitempty"`
	LogType   string `json:"logtype,omitempty"`
	LogAction string `json:"logaction,omitempty"`

	// Move is set for KindMove.
	Move *Move `json:"move,omitempty"`
	// RevisionDelete is set for KindRevisionDelete.
	RevisionDelete *RevisionDelete `json:"revisiondelete,omitempty"`
	// Rename is set for KindUserRename, unless the log entry's parameters
	// are hidden.
	Rename *UserRename `json:"rename,omitempty"`
	// LogParams are the log entry's parameters as the API gave them, for
	// log types this package does not model.
	LogParams json.RawMessage `json:"logparams,omitempty"`
}

// SizeDelta is the change in bytes, the number wiki users know from history.
func (c *Change) SizeDelta() int { return c.NewSize - c.OldSize }

// Move is where a page went.
type Move struct {
	TargetNamespace int    `json:"target_ns"`
	TargetTitle     string `json:"target_title"`
	// SuppressRedirect is true when no redirect was left at the old title.
	SuppressRedirect bool `json:"suppressredirect,omitempty"`
}

// UserRename is who was renamed, from what to what. The log entry names
// the account only by its old name; UserID is what the wiki says that
// account's id is now, found through the new name (and any later renames).
type UserRename struct {
	// UserID is the renamed account's id; 0 when the account is not a
	// visible one now (hidden since), and then nothing may be done with
	// the names for it.
	UserID  int64  `json:"userid,omitempty"`
	OldName string `json:"old_name"`
	NewName string `json:"new_name"`
}

// Visibility is MediaWiki's revision-deletion bitmask.
type Visibility int

// The bits of a Visibility.
const (
	HiddenContent Visibility = 1
	HiddenComment Visibility = 2
	HiddenUser    Visibility = 4
	HiddenFromAll Visibility = 8
)

// Has reports whether all bits of b are set.
func (v Visibility) Has(b Visibility) bool { return v&b == b }

// RevisionDelete says which revisions (or log entries) had what hidden or
// shown again.
type RevisionDelete struct {
	// Type is "revision", "archive", "oldimage", "filearchive" or "logging".
	Type string `json:"type"`
	// IDs are the affected revision (or log) ids.
	IDs []int64 `json:"ids"`
	// Old and New are the bitmasks before and after.
	Old Visibility `json:"old"`
	New Visibility `json:"new"`
}
