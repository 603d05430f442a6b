package delivery

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/wikipub/wikipub/federation/store"
)

// New makes the delivery of one activity to one inbox. Its id is derived
// from the activity and the inbox, so the same post queued twice (a replay
// after a crash) is one delivery, and a queued one can be taken back by
// ID without reading the queue.
func New(activityID, signer, inbox string, body []byte) store.Delivery {
	return store.Delivery{ID: ID(activityID, inbox), Inbox: inbox, Signer: signer, Body: body}
}

// ID is the id of the delivery of activityID to inbox (see New).
func ID(activityID, inbox string) string {
	sum := sha256.Sum256([]byte(activityID + "\x00" + inbox))
	return hex.EncodeToString(sum[:16])
}
