package fedpeer

import (
	"fmt"
	"regexp"
	"strings"
)

// Username patterns of the big servers: Mastodon (case-insensitive,
// app/models/account.rb) and Misskey (at most 128 characters).
var (
	mastodonUsername = regexp.MustCompile(`(?i)^[a-z0-9_]+([.-]+[a-z0-9_]+)*$`)
	misskeyUsername  = regexp.MustCompile(`^\w([\w.-]*\w)?$`)
)

const maxUsernameLen = 128

// checkUsername applies Mastodon's and Misskey's username rules.
func checkUsername(u string) error {
	switch {
	case !mastodonUsername.MatchString(u):
		return fmt.Errorf("%w: %q does not match Mastodon's %s", ErrUsernameFormat, u, mastodonUsername)
	case !misskeyUsername.MatchString(u):
		return fmt.Errorf("%w: %q does not match Misskey's %s", ErrUsernameFormat, u, misskeyUsername)
	case len(u) > maxUsernameLen:
		return fmt.Errorf("%w: %q is longer than %d characters", ErrUsernameFormat, u, maxUsernameLen)
	}
	return nil
}

// parseHandle splits "@user@host" or "user@host" as a person types it.
func parseHandle(h string) (user, host string, err error) {
	s := strings.TrimPrefix(strings.TrimSpace(h), "@")
	user, host, ok := strings.Cut(s, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(host, "@/?# ") {
		return "", "", fmt.Errorf("%w: %q", ErrBadHandle, h)
	}
	return user, host, nil
}
