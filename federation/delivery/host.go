package delivery

import (
	"net"
	"net/url"
	"strings"
)

// HostOf is the host of a URL as the deliverer keys hosts (its limits and
// breakers): lower case, without a trailing dot, with the port only when it
// is not the scheme's default. "" when raw has no host. Exported because
// the publisher groups inboxes by server the same way.
func HostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" || (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		if strings.Contains(host, ":") {
			return "[" + host + "]" // IPv6
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// normalizeHost brings a host[:port] given by a caller to HostOf's form.
func normalizeHost(host string) string {
	if strings.Contains(host, "/") {
		return ""
	}
	return HostOf("https://" + host)
}
