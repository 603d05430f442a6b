package actors

import (
	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/wiki"
)

// NoWikiAccount, given as the configured wiki account, turns the wiki's
// account off.
const NoWikiAccount = "off"

// WikiAccountHandle is the wiki account's handle: the one configured, by
// default the wiki's name made a handle ("Example Wiki": example_wiki), ""
// when it is turned off. cmd/wikipub reads the configuration and gives the
// result to (*Resolver).SetWikiAccount.
func WikiAccountHandle(site *wiki.SiteInfo, configured string) string {
	switch h := handle.Canonical(configured); h {
	case NoWikiAccount:
		return ""
	case "":
		return handle.ForPage(site, site.SiteName)
	default:
		return h
	}
}
