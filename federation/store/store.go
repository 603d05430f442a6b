package store

import (
	"context"
	"crypto/rand"
	"errors"
	"time"
)

// ErrNotFound is returned when a keyed value does not exist, so callers can
// tell "absent" from a failing backend.
var ErrNotFound = errors.New("store: not found")

// ErrLocked is returned when the embedded store file is already open in
// another process; bbolt allows one writer process per file.
var ErrLocked = errors.New("store: database file is locked by another process")

// Follower is one remote actor following one of our actors, with what is
// needed to deliver to it without fetching it again.
type Follower struct {
	// ID is the remote actor's id (an IRI).
	ID string
	// Inbox is the remote actor's personal inbox.
	Inbox string
	// SharedInbox is the remote server's shared inbox, empty when it has none.
	SharedInbox string
	// FollowID is the id of the Follow activity, kept for Undo matching.
	FollowID string
	// Since is when the follow was accepted.
	Since time.Time
}

// Delivery is one queued POST of one activity to one inbox.
type Delivery struct {
	// ID identifies the delivery; Enqueue assigns one when empty. Enqueueing
	// the same ID twice keeps one delivery, so replays after a crash are safe.
	ID string
	// Inbox is the URL to POST to.
	Inbox string
	// Signer is the id of our actor whose key signs the POST.
	Signer string
	// Body is the activity JSON, exactly as it will be sent.
	Body []byte
	// Attempts counts the tries made so far.
	Attempts int
	// NextAttempt is when the delivery becomes due.
	NextAttempt time.Time
	// LastError is the outcome of the last failed try, for operators.
	LastError string
	// Created is when the delivery was first queued.
	Created time.Time
}

// Published is one post we delivered, kept so that what the wiki later
// hides or deletes can be withdrawn from followers' servers. Only posts that
// had recipients are recorded, so the record grows with what people follow,
// not with the wiki's edit rate.
type Published struct {
	// ObjectID is our object's id (the Note), unique.
	ObjectID string
	// ActivityID is the id of the activity that carried it (the Create).
	ActivityID string
	// Actor is our actor that published it.
	Actor  string
	PageID int64
	// RevID is the revision the post is about; 0 for log events.
	RevID int64
	// At is when the wiki made the change.
	At time.Time
	// Recipients are the inboxes it was delivered to, for the Delete.
	Recipients []string
	// Withdrawn is set once a Delete was queued for it.
	Withdrawn bool
	// UserID, OldRevID and OldSize describe the edit (or the first of the
	// edits coalesced into the post), so a later save by the same editor
	// can be folded into it; Due is when its deliveries go out.
	UserID   int64
	OldRevID int64
	OldSize  int
	Due      time.Time
	// Hidden is MediaWiki's revision-deletion bitmask (1 text, 2 summary,
	// 4 user, 8 suppressed) as it was when the post was made: the post
	// already left those parts out, so only what is hidden later withdraws it.
	Hidden int
}

// Interaction is something a remote actor did to one of our posts or
// actors: a reply, a mention, a like, a boost. Replies and mentions may be
// written to a wiki talk page, which TalkPage, Due and TalkState track.
type Interaction struct {
	// ID is the remote object's id (the reply Note) or, for likes and
	// boosts, the remote activity's id; unique.
	ID string
	// Kind is "reply", "mention", "like" or "share".
	Kind string
	// Object is our object (post) or, for mentions, our actor it concerns.
	Object string
	// Actor is the remote actor's id; ActorName and ActorHandle say who
	// it is to people (display name, user@host).
	Actor, ActorName, ActorHandle string
	// Content is the remote HTML (replies and mentions), URL its page.
	Content, URL string
	// Published is what the sender says; Received is when it reached us,
	// which the talk page shows and the editor's opt-in is judged at.
	Published, Received time.Time
	// TalkPage is the wiki talk page the reply should reach ("" for none).
	TalkPage string
	// Due is when the talk-page writer may take it (flood control window).
	Due time.Time
	// TalkState is "", "pending", "written", "skipped" (not opted in, over
	// a limit) or "refused" (the wiki refused it for good).
	TalkState string
	// OptInOnArrival is set when the editor's opt-in was read, and on,
	// when the reply arrived; the writer judges the others by the opt-in
	// page's history.
	OptInOnArrival bool
}

// Store is the state of one wikipub deployment. Every method is safe for
// concurrent use; the Redis backend is also safe across processes.
type Store interface {
	// Cursor returns the named cursor, or ErrNotFound before the first save.
	Cursor(ctx context.Context, name string) ([]byte, error)
	// SetCursor durably replaces the named cursor.
	SetCursor(ctx context.Context, name string, value []byte) error

	// ActorKey returns the private key PEM of one of our actors, or ErrNotFound.
	ActorKey(ctx context.Context, actorID string) ([]byte, error)
	// CreateActorKey stores pem unless a key already exists, and returns the
	// key that is stored afterwards: keys are never silently replaced, even
	// when two replicas race to create one.
	CreateActorKey(ctx context.Context, actorID string, pem []byte) ([]byte, error)

	// AddFollower records f as following actorID; added is false when it
	// already did (the record is refreshed).
	AddFollower(ctx context.Context, actorID string, f Follower) (added bool, err error)
	// RemoveFollower removes one follow; removed is false when there was none.
	RemoveFollower(ctx context.Context, actorID, followerID string) (removed bool, err error)
	// RemoveFollowerEverywhere removes followerID from every actor it follows,
	// for a remote actor that was deleted or gone (410). It returns how many
	// follows were removed.
	RemoveFollowerEverywhere(ctx context.Context, followerID string) (int, error)
	// RemoveFollowersByInbox removes every follow whose follower uses inbox
	// as its personal or shared inbox, for an inbox that answered 410.
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int, error)
	// Followers pages through actorID's followers in follower-id order,
	// starting after the follower id `after` ("" for the first page); an
	// empty page means there are no more, and limit <= 0 returns none.
	Followers(ctx context.Context, actorID, after string, limit int) ([]Follower, error)
	// CountFollowers returns how many followers actorID has.
	CountFollowers(ctx context.Context, actorID string) (int, error)
	// FollowedActors pages through the ids of our actors that have at least
	// one follower, in id order, starting after `after` ("" first); an empty
	// page means the end, and limit <= 0 returns none. For `wikipub stats`.
	FollowedActors(ctx context.Context, after string, limit int) ([]string, error)

	// Follows returns every follow of one remote actor, keyed by our actor
	// id, for an Undo that names only the Follow's id.
	Follows(ctx context.Context, followerID string) (map[string]Follower, error)

	// ClaimHandle gives handle to owner unless another owner has it, and
	// returns the owner afterwards. A handle is never given to a second owner,
	// so a handle once shown stays with its actor (also after a page move,
	// when the page's new title claims a new handle too).
	ClaimHandle(ctx context.Context, handle, owner string) (string, error)
	// HandleOwner returns who has the handle, or ErrNotFound.
	HandleOwner(ctx context.Context, handle string) (string, error)

	// MarkSeen records an inbound activity id for ttl; first is false when it
	// was already recorded, so a replayed activity is processed once. ttl must
	// be positive so the record cannot outlive its usefulness.
	MarkSeen(ctx context.Context, activityID string, ttl time.Duration) (first bool, err error)
	// ForgetSeen removes a mark (no error when there is none), so that an
	// activity whose handling failed is handled when its sender retries.
	ForgetSeen(ctx context.Context, activityID string) error

	// Enqueue durably adds deliveries; when it returns nil they survive a crash.
	// Each delivery is stored as Delivery.Prepared(now) returns it; a
	// delivery whose ID is already queued is left as it is.
	Enqueue(ctx context.Context, ds ...Delivery) error
	// Claim hands out up to limit deliveries due at now and hides them from
	// other claimers for lease; an unacknowledged one becomes due again when
	// the lease ends, so a crashed worker loses nothing. Deliveries come back
	// earliest due first; limit <= 0 claims nothing.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	// Ack removes a delivered (or finally failed) delivery from the queue;
	// acking an absent one is not an error, so a retried Ack is harmless.
	Ack(ctx context.Context, id string) error
	// AckMany removes several deliveries in one durable step, as if each
	// were acked, so that settling a burst of deliveries costs one commit;
	// absent (and repeated) ids are fine, and no ids is a no-op. When it
	// returns an error none or all of them may have been removed, and
	// retrying it is harmless.
	AckMany(ctx context.Context, ids ...string) error
	// Reschedule puts a claimed delivery back with its attempt count, next
	// due time and last error updated. It returns ErrNotFound when the
	// delivery is no longer queued, so an acked delivery is never revived.
	Reschedule(ctx context.Context, d Delivery) error
	// QueueLen returns how many deliveries are queued, due or not.
	QueueLen(ctx context.Context) (int, error)
	// QueuedDeliveries pages through the queue in delivery-id order, due or
	// not, claimed or not, WITHOUT claiming anything, starting after `after`
	// ("" first); an empty page means the end, and limit <= 0 returns none.
	// For `wikipub stats` (failing hosts).
	QueuedDeliveries(ctx context.Context, after string, limit int) ([]Delivery, error)

	// RecordPublished stores (or replaces) the record of a post, by ObjectID.
	RecordPublished(ctx context.Context, p Published) error
	// PublishedPost returns one record, or ErrNotFound.
	PublishedPost(ctx context.Context, objectID string) (Published, error)
	// PublishedByPage returns every record of one page, oldest first.
	PublishedByPage(ctx context.Context, pageID int64) ([]Published, error)
	// PublishedSince pages through records with At >= since, in (At,
	// ObjectID) order, starting after the record afterObjectID ("" for the
	// first page); for the sweep that re-checks recent revisions.
	PublishedSince(ctx context.Context, since time.Time, afterObjectID string, limit int) ([]Published, error)

	// AddInteraction stores (or replaces) an interaction by ID; added is
	// false when it existed.
	AddInteraction(ctx context.Context, i Interaction) (added bool, err error)
	// GetInteraction returns one interaction, or ErrNotFound.
	GetInteraction(ctx context.Context, id string) (Interaction, error)
	// RemoveInteraction deletes one (no error when absent).
	RemoveInteraction(ctx context.Context, id string) error
	// Interactions pages through one object's interactions of one kind in
	// (Published, ID) order, after the interaction afterID ("" first).
	Interactions(ctx context.Context, object, kind, afterID string, limit int) ([]Interaction, error)
	// CountInteractions counts one object's interactions of one kind.
	CountInteractions(ctx context.Context, object, kind string) (int, error)
	// DueTalk returns up to limit interactions with TalkState "pending" and
	// Due <= now, oldest Due first.
	DueTalk(ctx context.Context, now time.Time, limit int) ([]Interaction, error)

	// AcquireLease takes or renews the named lease for holder until ttl from
	// now; it returns false while another holder's lease is live. ttl must
	// be positive.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if holder has it, so another replica
	// need not wait for it to expire.
	ReleaseLease(ctx context.Context, name, holder string) error

	// Close releases the backend's resources.
	Close() error
}

// Prepared returns d with the defaults Enqueue applies, so both backends
// agree on them: a random ID when ID is empty, Created = now when zero, and
// NextAttempt = Created when zero (due at once).
func (d Delivery) Prepared(now time.Time) Delivery {
	if d.ID == "" {
		d.ID = rand.Text()
	}
	if d.Created.IsZero() {
		d.Created = now
	}
	if d.NextAttempt.IsZero() {
		d.NextAttempt = d.Created
	}
	return d
}
