package remote

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"time"
)

// specialPurpose are the address blocks no remote may make wikipub reach:
// every block of IANA's IPv4 and IPv6 Special-Purpose Address Registries
// (RFC 6890 and its updates) that is not globally reachable, plus
// multicast, and the IPv6 blocks that embed an IPv4 address (NAT64,
// 6to4, Teredo, IPv4-compatible and -translated), through which an
// internal IPv4 address could be reached. Checked when connecting, so a
// name that resolves to one of them is caught too.
var specialPurpose = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		// IPv4
		"0.0.0.0/8",       // "this network"
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (carrier-grade NAT)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
		"192.0.2.0/24",    // documentation (TEST-NET-1)
		"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation (TEST-NET-2)
		"203.0.113.0/24",  // documentation (TEST-NET-3)
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and the limited broadcast address
		// IPv6
		"::/128",          // unspecified
		"::1/128",         // loopback
		"::/96",           // IPv4-compatible (deprecated)
		"::ffff:0:0/96",   // IPv4-mapped (also checked as IPv4)
		"::ffff:0:0:0/96", // IPv4-translated
		"64:ff9b::/96",    // IPv4/IPv6 translation (NAT64)
		"64:ff9b:1::/48",  // local-use IPv4/IPv6 translation
		"100::/64",        // discard-only
		"2001::/23",       // IETF protocol assignments (Teredo 2001::/32, benchmarking, ORCHID, …)
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4
		"3fff::/20",       // documentation
		"5f00::/16",       // segment routing (SRv6) SIDs
		"fc00::/7",        // unique local
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// forbidden reports whether a is an address wikipub must not connect to,
// unless the admin's allow list opens its range.
func forbidden(a netip.Addr, allow []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range allow {
		if p.Contains(a) {
			return false
		}
	}
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range specialPurpose {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// CheckURLAddress resolves the host of u and reports ErrForbiddenAddress
// when any of its addresses is one wikipub must not reach: for a URL that
// will be stored and used for days (a follower's inbox), refused at once
// rather than at each delivery. A name that does not resolve now is not
// refused: that may pass.
func CheckURLAddress(ctx context.Context, rawURL string, allow []netip.Prefix) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("%q: %w", rawURL, ErrBadRemoteID)
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil {
			return nil
		}
	}
	for _, a := range addrs {
		if forbidden(a, allow) {
			return fmt.Errorf("%s resolves to %s: %w", host, a, ErrForbiddenAddress)
		}
	}
	return nil
}
