package fedpeer

import "crypto/rsa"

// RemoteActor is an actor that passed every check of Lookup/LookupActor.
// Raw keeps the document so tests can check more than the parsed fields.
type RemoteActor struct {
	ID                string
	Type              string
	PreferredUsername string
	Name              string
	// Handle is the canonical lowercase user@host from WebFinger.
	Handle       string
	Inbox        string
	Outbox       string
	Followers    string
	Following    string
	URL          string
	SharedInbox  string
	KeyID        string
	PublicKey    *rsa.PublicKey
	PublicKeyPEM string
	Raw          map[string]any
	// WebFinger is the JRD that resolved the actor.
	WebFinger map[string]any
}
