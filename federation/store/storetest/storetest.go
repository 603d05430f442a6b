package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// Run runs the whole suite. open must return a fresh, empty store for the
// test it is given (a new file, or a new key prefix) and be safe to call from
// parallel tests; Run closes every store it opens.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	suites := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"Cursor", testCursor},
		{"ActorKey", testActorKey},
		{"ActorKeyRace", testActorKeyRace},
		{"FollowerAddRemove", testFollowerAddRemove},
		{"FollowerPaging", testFollowerPaging},
		{"FollowerRemoveEverywhere", testFollowerRemoveEverywhere},
		{"Follows", testFollows},
		{"FollowerRemoveByInbox", testFollowerRemoveByInbox},
		{"FollowerRemoveByInboxRefresh", testFollowerRemoveByInboxRefresh},
		{"FollowedActors", testFollowedActors},
		{"ClaimHandle", testClaimHandle},
		{"ClaimHandleRace", testClaimHandleRace},
		{"MarkSeen", testMarkSeen},
		{"MarkSeenExpiry", testMarkSeenExpiry},
		{"Enqueue", testEnqueue},
		{"AckAndReschedule", testAckAndReschedule},
		{"AckMany", testAckMany},
		{"ClaimDue", testClaimDue},
		{"ClaimLimit", testClaimLimit},
		{"ClaimLease", testClaimLease},
		{"ClaimConcurrent", testClaimConcurrent},
		{"QueuedDeliveries", testQueuedDeliveries},
		{"PublishedRoundTrip", testPublishedRoundTrip},
		{"PublishedReplace", testPublishedReplace},
		{"PublishedByPage", testPublishedByPage},
		{"PublishedSince", testPublishedSince},
		{"InteractionRoundTrip", testInteractionRoundTrip},
		{"InteractionReplace", testInteractionReplace},
		{"InteractionRemove", testInteractionRemove},
		{"InteractionPaging", testInteractionPaging},
		{"DueTalk", testDueTalk},
		{"Lease", testLease},
		{"LeaseExpiry", testLeaseExpiry},
	}
	for _, sc := range suites {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			sc.run(t, s)
		})
	}
}

// base is a fixed instant for queue tests, which pass time to Claim
// explicitly and so need no sleeping.
var base = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// must fails the test at once on an unexpected error.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ids lists the IDs of ds in order.
func ids(ds []store.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// checkIDs fails unless ds has exactly the IDs want, in order.
func checkIDs(t *testing.T, what string, ds []store.Delivery, want ...string) {
	t.Helper()
	if got := ids(ds); !slices.Equal(got, want) {
		t.Errorf("%s: got deliveries %q, want %q", what, got, want)
	}
}

// checkDelivery fails unless got equals want field by field (times by Equal).
func checkDelivery(t *testing.T, got, want store.Delivery) {
	t.Helper()
	if got.ID != want.ID || got.Inbox != want.Inbox || got.Signer != want.Signer ||
		!bytes.Equal(got.Body, want.Body) || got.Attempts != want.Attempts || got.LastError != want.LastError ||
		!got.NextAttempt.Equal(want.NextAttempt) || !got.Created.Equal(want.Created) {
		t.Errorf("delivery mismatch:\n got  %+v\n want %+v", got, want)
	}
}

// checkQueueLen fails unless the store holds want deliveries.
func checkQueueLen(t *testing.T, s store.Store, want int) {
	t.Helper()
	n, err := s.QueueLen(t.Context())
	must(t, err, "QueueLen")
	if n != want {
		t.Errorf("QueueLen = %d, want %d", n, want)
	}
}
