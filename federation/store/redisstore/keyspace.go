package redisstore

import (
	"strconv"
	"strings"
)

// keyspace names every key. All keys start with the hash tag {prefix}, so in
// Redis Cluster they all map to one slot: the Lua scripts that derive keys
// inside the script (claim, remove-everywhere) rely on that, and so does
// MULTI across keys. The price is that one deployment's state lives on one
// shard, which is fine for its size.
type keyspace struct {
	base string // "{prefix}:"
}

// newKeyspace builds the keyspace for prefix; braces are dropped from it
// because they would end the hash tag early.
func newKeyspace(prefix string) keyspace {
	prefix = strings.NewReplacer("{", "", "}", "").Replace(prefix)
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return keyspace{base: "{" + prefix + "}:"}
}

// cursor is a string holding the named cursor.
func (k keyspace) cursor(name string) string { return k.base + "cursor:" + name }

// actorKey is a string holding an actor's private key PEM.
func (k keyspace) actorKey(actorID string) string { return k.base + "key:" + actorID }

// followerIDsPrefix prefixes followerIDs.
func (k keyspace) followerIDsPrefix() string { return k.base + "followers:" }

// followerIDs is a sorted set of an actor's follower ids, all scored 0 so
// they sort by id for paging.
func (k keyspace) followerIDs(actorID string) string { return k.followerIDsPrefix() + actorID }

// followedActors is a sorted set of the ids of our actors that have at
// least one follower, all scored 0 so ZRANGEBYLEX pages them in id order.
// The follower scripts keep it in step with followerIDs.
func (k keyspace) followedActors() string { return k.base + "followed-actors" }

// followerDataPrefix prefixes followerData.
func (k keyspace) followerDataPrefix() string { return k.base + "follower:" }

// followerData is a hash of an actor's follower id → JSON Follower.
func (k keyspace) followerData(actorID string) string { return k.followerDataPrefix() + actorID }

// followingPrefix prefixes following.
func (k keyspace) followingPrefix() string { return k.base + "following:" }

// following is the reverse index: a set of the actor ids a follower follows.
func (k keyspace) following(followerID string) string { return k.followingPrefix() + followerID }

// inboxFollowsPrefix prefixes inboxFollows.
func (k keyspace) inboxFollowsPrefix() string { return k.base + "inbox:" }

// inboxFollows is a set of the follows whose record names inbox as its Inbox
// or SharedInbox, each member an actor id and follower id as followMember
// (in followers.go) builds them.
func (k keyspace) inboxFollows(inbox string) string { return k.inboxFollowsPrefix() + inbox }

// handle is a string holding the owner of a handle, set once and never
// overwritten.
func (k keyspace) handle(h string) string { return k.base + "handle:" + h }

// seen is a string whose existence (with a TTL) marks an activity as seen.
func (k keyspace) seen(activityID string) string { return k.base + "seen:" + activityID }

// due is a sorted set of delivery ids scored by due time in microseconds.
func (k keyspace) due() string { return k.base + "due" }

// queueIDs is a sorted set of every queued delivery's id, all scored 0 so
// ZRANGEBYLEX pages the queue in id order (due sorts by time instead).
func (k keyspace) queueIDs() string { return k.base + "queue-ids" }

// queueIDsBuilt is a string whose existence says queueIDs was filled from
// due once, for deliveries queued before queueIDs existed.
func (k keyspace) queueIDsBuilt() string { return k.base + "queue-ids-built" }

// deliveryPrefix prefixes delivery.
func (k keyspace) deliveryPrefix() string { return k.base + "delivery:" }

// delivery is a hash holding one delivery's fields.
func (k keyspace) delivery(id string) string { return k.deliveryPrefix() + id }

// lease is a string holding the lease holder, expiring with the lease.
func (k keyspace) lease(name string) string { return k.base + "lease:" + name }

// publishedPrefix prefixes published.
func (k keyspace) publishedPrefix() string { return k.base + "published:post:" }

// published is a hash holding one published post: its JSON record, its
// index member and its page id.
func (k keyspace) published(objectID string) string { return k.publishedPrefix() + objectID }

// publishedAt is a sorted set of the index members of every published post,
// all scored 0 so they sort by member, which starts with At.
func (k keyspace) publishedAt() string { return k.base + "published:at" }

// publishedPagePrefix prefixes publishedPage.
func (k keyspace) publishedPagePrefix() string { return k.base + "published:page:" }

// publishedPage is a sorted set like publishedAt holding one page's posts.
func (k keyspace) publishedPage(pageID int64) string {
	return k.publishedPagePrefix() + strconv.FormatInt(pageID, 10)
}

// interactionPrefix prefixes interaction.
func (k keyspace) interactionPrefix() string { return k.base + "interaction:" }

// interaction is a hash holding one interaction: its JSON record, its list
// key and member, and its due member while it is pending.
func (k keyspace) interaction(id string) string { return k.interactionPrefix() + id }

// interactionList is a sorted set of the index members of one object's
// interactions of one kind, all scored 0 so they sort by member, which
// starts with Published. The kind goes first with its length, so no
// (object, kind) pair can name another's key.
func (k keyspace) interactionList(object, kind string) string {
	return k.base + "interactions:" + strconv.Itoa(len(kind)) + ":" + kind + ":" + object
}

// interactionDue is a sorted set like interactionList of the pending
// interactions' due members, which start with Due.
func (k keyspace) interactionDue() string { return k.base + "interactions-due" }
