package fedpeer

import (
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
)

// maxBody is Mastodon's limit for fetched documents and inbox bodies.
const maxBody = 1 << 20

// acceptActivity is the Accept header of signed ActivityPub GETs.
const acceptActivity = "application/activity+json"

// readLimited reads a body and fails with ErrBodyTooLarge at 1 MB.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("fedpeer: read body: %w", err)
	}
	if len(b) >= maxBody {
		return nil, fmt.Errorf("%w: %d bytes or more", ErrBodyTooLarge, len(b))
	}
	return b, nil
}

// isActivityJSON accepts application/activity+json and application/ld+json
// with the ActivityStreams profile, the two types Mastodon takes.
func isActivityJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return slices.Contains(strings.Fields(params["profile"]), asContext)
	}
	return false
}

// isJRD accepts the content types WebFinger clients take.
func isJRD(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/jrd+json" || mt == "application/json")
}

// snippet shortens a response body for error messages.
func snippet(b []byte) string {
	const n = 200
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
