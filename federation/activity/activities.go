package activity

import (
	"time"

	vocab "github.com/go-ap/activitypub"
)

// Create carries a post to the followers of its author.
func Create(id string, n Note) vocab.Item {
	a := vocab.CreateNew(vocab.ID(id), n.Item())
	a.Actor = vocab.IRI(n.AttributedTo)
	a.Published = n.Published.UTC()
	a.To, a.CC = iris(n.To), iris(n.CC)
	return a
}

// Announce is a boost of a post, by an editor to their followers.
func Announce(id, actor, object string, published time.Time, to, cc []string) vocab.Item {
	a := vocab.AnnounceNew(vocab.ID(id), vocab.IRI(object))
	a.Actor = vocab.IRI(actor)
	a.Published = published.UTC()
	a.To = iris(to)
	if len(cc) > 0 {
		a.CC = iris(cc)
	}
	return a
}

// UpdateActor sends an actor's document as it is now (doc, encoded
// already), so that servers show a new name, handle or bio at once.
func UpdateActor(id, actor string, doc []byte, to []string) vocab.Item {
	a := vocab.UpdateNew(vocab.ID(id), encoded{IRI: vocab.IRI(actor), raw: doc})
	a.Actor = vocab.IRI(actor)
	a.To = iris(to)
	return a
}

// DeletePost withdraws a post: a Delete of its Tombstone.
func DeletePost(id, actor, post string, to []string) vocab.Item {
	t := &vocab.Tombstone{ID: vocab.ID(post), Type: vocab.TombstoneType, FormerType: vocab.NoteType}
	a := vocab.DeleteNew(vocab.ID(id), t)
	a.Actor = vocab.IRI(actor)
	a.To = iris(to)
	return a
}

// DeleteActor withdraws one of our actors: servers drop the account.
func DeleteActor(id, actor string, to []string) vocab.Item {
	a := vocab.DeleteNew(vocab.ID(id), vocab.IRI(actor))
	a.Actor = vocab.IRI(actor)
	a.To = iris(to)
	return a
}

// FollowRef is the part of a remote Follow that an Accept or Reject
// embeds: all GoToSocial and Mastodon match it on. Every field is the
// remote's.
type FollowRef struct {
	ID, Type, Actor, Object string
}

// Answer is an Accept or Reject (typ) of a Follow, from one of ours to
// the follower; the Follow is embedded as its FollowRef, so what a remote
// sent costs at most a few KB in the queue however large its Follow was.
func Answer(typ, id, actor string, f FollowRef, follower string) vocab.Item {
	// go-ap writes an object's id as it is; the Follow's is the remote's,
	// so it is written escaped, after the rest (extend.go).
	follow := vocab.ActivityNew("", vocab.ActivityVocabularyType(f.Type), Foreign(f.Object))
	follow.Actor = Foreign(f.Actor)
	a := vocab.ActivityNew(vocab.ID(id), vocab.ActivityVocabularyType(typ), extend(follow, prop{"id", f.ID}))
	a.Actor = vocab.IRI(actor)
	a.To = vocab.ItemCollection{Foreign(follower)}
	return a
}
