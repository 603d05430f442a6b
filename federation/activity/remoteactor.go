package activity

import (
	"errors"
	"net/url"
	"strings"
)

// RemoteActor is what an actor document of another server says that we
// use: where to deliver to it, who it is to people, and its keys.
type RemoteActor struct {
	ID                string
	Inbox             string
	SharedInbox       string
	PreferredUsername string
	Name              string
	URL               string
	// Keys are the actor's publicKey entries, as its own document lists
	// them.
	Keys []PublicKey
}

// ParseActor reads an actor document with go-ap (one value or a list, an
// object or its id, as decode.go explains) and its keys with publicKeys,
// since go-ap keeps only one. doc is the same document decoded by
// encoding/json, which the fetch has already.
func ParseActor(raw []byte, doc map[string]any) (*RemoteActor, error) {
	it, v, err := decodeAP(raw)
	if err != nil {
		return nil, err
	}
	a := &RemoteActor{ID: stringOf(v, "id"), PreferredUsername: stringOf(v, "preferredUsername"), Name: stringOf(v, "name")}
	if act, ok := asActor(it); ok {
		a.Inbox = idOfItem(act.Inbox)
		if act.Endpoints != nil {
			a.SharedInbox = idOfItem(act.Endpoints.SharedInbox)
		}
		a.URL = hrefOf(act.URL)
	}
	if a.ID == "" || a.Inbox == "" {
		return nil, errors.New("no id or no inbox")
	}
	if len(a.ID) > MaxIDLength || len(a.Inbox) > MaxIDLength || len(a.SharedInbox) > MaxIDLength {
		return nil, ErrIDTooLong
	}
	a.Keys = publicKeys(doc["publicKey"])
	if len(a.Keys) == 0 {
		return nil, errors.New("no public key")
	}
	return a, nil
}

// Handle is user@host, as people write the remote actor.
func (a *RemoteActor) Handle() string {
	u, err := url.Parse(a.ID)
	if err != nil || a.PreferredUsername == "" {
		return a.ID
	}
	return a.PreferredUsername + "@" + u.Host
}

// DisplayName is the remote actor's name, or its handle.
func (a *RemoteActor) DisplayName() string {
	if strings.TrimSpace(a.Name) != "" {
		return a.Name
	}
	return a.Handle()
}
