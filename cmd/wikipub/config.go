package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/handle"
)

var errHelp = errors.New("help requested")

// serveConfig is everything `wikipub serve` reads, once, at start.
type serveConfig struct {
	Wiki        string
	PublicURL   string
	Listen      string
	Data        string
	Redis       string
	BotUser     string
	BotPassword string
	Poll        time.Duration
	RCUDP       string
	Namespaces  []int
	IncludeBots bool
	SkipMinor   bool
	RCOverlap   time.Duration
	RCLateWin   time.Duration
	RCLateSweep time.Duration
	LogFormat   string
	LogLevel    slog.Level

	Discoverable    bool
	Indexable       bool
	PublicTimelines bool
	Coalesce        time.Duration
	// ExcerptPages and ExcerptNamespaces are where a post quotes what an
	// edit added.
	ExcerptPages      []string
	ExcerptNamespaces []int
	SweepWindow       time.Duration
	SweepEvery        time.Duration

	DeliveryLease   time.Duration
	DeliveryTimeout time.Duration
	DeliveryTries   int
	RetryUnit       time.Duration
	RetryBase       time.Duration

	Blocks         []string
	TalkNamespaces []int
	TalkWindow     time.Duration
	TalkDailyCap   int
	TalkPerActor   int
	TalkPerDomain  int
	ReportsPage    string
	AllowPrivate   []netip.Prefix
	Workers        int

	// What remotes may cost us (README, "Security").
	HTTPReadTimeout  time.Duration
	HTTPWriteTimeout time.Duration
	HTTPIdleTimeout  time.Duration
	InboxPerMinute   int
	InboxBurst       int
	ReportsPerHost   int
	ReportsPerHour   int

	// The whole wiki as one account, and profile Updates (README, "What
	// followers see").
	WikiAccount           string
	WikiAccountNamespaces []int
	ProfileUpdateEvery    time.Duration
}

// parseServe reads flags, then WIKIPUB_* environment variables for flags not
// given, then defaults; and checks the result so that bad configuration
// fails at start with what to fix.
func parseServe(args []string, getenv func(string) string, out io.Writer) (*serveConfig, error) {
	fs := flag.NewFlagSet("wikipub serve", flag.ContinueOnError)
	fs.SetOutput(out)
	c := &serveConfig{}
	var namespaces, logLevel, allowPrivate, blocks, talkNS, excerptPages, excerptNS string
	fs.StringVar(&c.Wiki, "wiki", "", "the wiki's API URL, e.g. https://wiki.example/w/api.php (required)")
	fs.StringVar(&c.PublicURL, "public-url", "", "the base URL the Fediverse reaches wikipub at, e.g. https://wiki.example (default: http://localhost plus the --listen port)")
	fs.StringVar(&c.Listen, "listen", ":8080", "address to serve HTTP on")
	fs.StringVar(&c.Data, "data", "./wikipub.db", "file of the embedded store (ignored when --redis is set)")
	fs.StringVar(&c.Redis, "redis", "", "Redis URL (redis://[:password@]host:port/db); when set, state is kept in Redis instead of --data")
	fs.StringVar(&c.BotUser, "bot-user", "", "bot password user name, NAME@APPID from Special:BotPasswords (optional: reads work anonymously)")
	fs.StringVar(&c.BotPassword, "bot-password", "", "bot password (use the environment variable WIKIPUB_BOT_PASSWORD rather than the flag)")
	fs.DurationVar(&c.Poll, "poll", time.Second, "interval between recent-changes reads when caught up")
	fs.StringVar(&c.RCUDP, "rc-udp", "", "UDP address to receive MediaWiki's $wgRCFeeds packets on, e.g. 127.0.0.1:9390; each packet wakes the poller early")
	fs.StringVar(&namespaces, "namespaces", "", "comma-separated namespace numbers to follow, e.g. 0,1,6,14 (default: all)")
	fs.BoolVar(&c.IncludeBots, "include-bots", false, "also publish changes flagged as bot edits")
	fs.BoolVar(&c.SkipMinor, "skip-minor", false, "do not publish minor edits")
	fs.DurationVar(&c.RCOverlap, "rc-overlap", 10*time.Second, "how far before its cursor each recent-changes read starts again, to catch rows written late")
	fs.DurationVar(&c.RCLateWin, "rc-late-window", 15*time.Minute, "how far back to look for category-membership rows, which the job queue writes late")
	fs.DurationVar(&c.RCLateSweep, "rc-late-sweep", 30*time.Second, "how often to look back for late category-membership rows")
	fs.BoolVar(&c.Discoverable, "discoverable", true, "let Mastodon list the wiki's actors in its profile directory")
	fs.BoolVar(&c.Indexable, "indexable", true, "let Mastodon index the posts for full-text search")
	fs.StringVar(&allowPrivate, "allow-private-addresses", "", "comma-separated CIDR ranges wikipub may send requests to although they are internal (e.g. 10.0.0.0/8 for a Fediverse server on the same network); by default loopback, private and link-local addresses are refused")
	fs.IntVar(&c.Workers, "delivery-workers", 8, "how many deliveries run at once")
	fs.DurationVar(&c.DeliveryTimeout, "delivery-timeout", 30*time.Second, "longest one POST to a remote inbox may take")
	fs.DurationVar(&c.DeliveryLease, "delivery-lease", 2*time.Minute, "how long a claimed delivery is hidden from other workers (at least 4 × --delivery-timeout); after a crash, how long the deliveries in hand wait to go out again")
	fs.IntVar(&c.DeliveryTries, "delivery-attempts", 16, "tries per delivery before it is dropped")
	fs.DurationVar(&c.RetryUnit, "retry-unit", time.Second, "retry n waits n⁴ × this + --retry-base (with jitter): Mastodon's schedule, about two to three days over 16 tries")
	fs.DurationVar(&c.RetryBase, "retry-base", 15*time.Second, "the fixed part of each retry wait")
	fs.DurationVar(&c.Coalesce, "coalesce", 0, "window in which consecutive saves by one editor to one page become one post (e.g. 5m); 0 posts every revision")
	fs.StringVar(&excerptPages, "excerpt-pages", "", "|-separated page titles whose edit posts quote the text the edit added (at most 300 characters), e.g. \"Server admin log|News\"; for pages where the added line is the news")
	fs.StringVar(&excerptNS, "excerpt-namespaces", "", "comma-separated namespaces whose edit posts quote the text the edit added, as --excerpt-pages")
	fs.BoolVar(&c.PublicTimelines, "public-timelines", false, "address posts to public timelines; by default they are unlisted (they reach followers without flooding public timelines)")
	fs.DurationVar(&c.SweepWindow, "sweep-window", 30*24*time.Hour, "how far back published revisions are re-checked for hidden parts (suppression leaves no trace in recent changes)")
	fs.DurationVar(&c.SweepEvery, "sweep-every", 5*time.Minute, "pause between re-checks of published revisions")
	fs.StringVar(&blocks, "block", "", "comma-separated domains or actor ids to block (more with `wikipub block`)")
	fs.StringVar(&talkNS, "talk-namespaces", "", "comma-separated page namespaces whose talk pages receive Fediverse replies to the pages' posts, e.g. 0 (default: none; editors opt in on their own)")
	fs.DurationVar(&c.TalkWindow, "talk-window", 10*time.Minute, "replies to one talk page within this window become one section")
	fs.IntVar(&c.TalkDailyCap, "talk-daily-cap", 10, "most sections wikipub adds to one talk page per day")
	fs.IntVar(&c.TalkPerActor, "talk-per-actor", 5, "most replies one remote actor can put on talk pages per hour")
	fs.IntVar(&c.TalkPerDomain, "talk-per-domain", 30, "most replies one remote server can put on talk pages per hour")
	fs.StringVar(&c.ReportsPage, "reports-page", "", "wiki page that receives a section per Fediverse report (Flag); empty: reports are only logged")
	fs.DurationVar(&c.HTTPReadTimeout, "http-read-timeout", 30*time.Second, "longest a client may take to send a whole request, body included (slow senders are cut off)")
	fs.DurationVar(&c.HTTPWriteTimeout, "http-write-timeout", 60*time.Second, "longest the answer to one request may take, from the end of its headers")
	fs.DurationVar(&c.HTTPIdleTimeout, "http-idle-timeout", 60*time.Second, "how long an idle kept-alive connection stays open")
	fs.IntVar(&c.InboxPerMinute, "inbox-per-minute", 60, "activities one remote server may have handled a minute (with bursts of --inbox-burst); more get 429 with Retry-After")
	fs.IntVar(&c.InboxBurst, "inbox-burst", 600, "activities one remote server may send at once before --inbox-per-minute applies")
	fs.IntVar(&c.ReportsPerHost, "reports-per-host", 5, "reports (Flag) from one remote server written to --reports-page an hour; more get 429")
	fs.IntVar(&c.ReportsPerHour, "reports-per-hour", 30, "reports from all servers together written to --reports-page an hour")
	var wikiNS string
	fs.StringVar(&c.WikiAccount, "wiki-account", "", "handle of the whole wiki's account, which boosts every new page (default: the wiki's name, lowercased, e.g. example_wiki; off: no such account)")
	fs.StringVar(&wikiNS, "wiki-account-namespaces", "", "comma-separated namespace numbers whose every edit the wiki's account boosts too, e.g. 0 (default: none, new pages only)")
	fs.DurationVar(&c.ProfileUpdateEvery, "profile-update-every", time.Hour, "least time between two Updates of one page's or editor's profile (a new lead image or opening) sent to followers' servers")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: wikipub serve [options]\n\nEvery option can also be set as an environment variable: --public-url as WIKIPUB_PUBLIC_URL, and so on. A flag wins over the environment.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (options start with --)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || envErr != nil {
			return
		}
		name := "WIKIPUB_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("environment variable %s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", logLevel)
	}
	ns, err := parseNamespaces(namespaces)
	if err != nil {
		return nil, err
	}
	c.Namespaces = ns
	if c.TalkNamespaces, err = parseNamespaces(talkNS); err != nil {
		return nil, fmt.Errorf("--talk-namespaces: %w", err)
	}
	if c.WikiAccountNamespaces, err = parseNamespaces(wikiNS); err != nil {
		return nil, fmt.Errorf("--wiki-account-namespaces: %w", err)
	}
	if c.ExcerptNamespaces, err = parseNamespaces(excerptNS); err != nil {
		return nil, fmt.Errorf("--excerpt-namespaces: %w", err)
	}
	for _, t := range strings.Split(excerptPages, "|") {
		if t = strings.TrimSpace(t); t != "" {
			c.ExcerptPages = append(c.ExcerptPages, t)
		}
	}
	for _, b := range strings.Split(blocks, ",") {
		if b = strings.TrimSpace(b); b != "" {
			c.Blocks = append(c.Blocks, b)
		}
	}
	for _, part := range strings.Split(allowPrivate, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("--allow-private-addresses: %q is not a CIDR range like 10.0.0.0/8", part)
		}
		c.AllowPrivate = append(c.AllowPrivate, p)
	}
	return c, c.check()
}

func (c *serveConfig) check() error {
	if c.Wiki == "" {
		return errors.New("--wiki is required: the wiki's API URL, e.g. --wiki https://wiki.example/w/api.php (or WIKIPUB_WIKI)")
	}
	if u, err := url.Parse(c.Wiki); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--wiki %q is not an http(s) URL; give the wiki's api.php, e.g. https://wiki.example/w/api.php", c.Wiki)
	}
	if c.PublicURL == "" {
		port := "8080"
		if _, p, err := net.SplitHostPort(c.Listen); err == nil && p != "" {
			port = p
		}
		c.PublicURL = "http://localhost:" + port
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("--public-url %q must be a base URL like https://wiki.example, without a path", c.PublicURL)
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	if (c.BotUser == "") != (c.BotPassword == "") {
		return errors.New("--bot-user and --bot-password go together: give both, or neither for anonymous reads")
	}
	if c.BotUser != "" && !strings.Contains(c.BotUser, "@") {
		return fmt.Errorf("--bot-user %q should look like NAME@APPID, as Special:BotPasswords shows it", c.BotUser)
	}
	if c.Poll < 100*time.Millisecond {
		return fmt.Errorf("--poll %s is too short; use at least 100ms", c.Poll)
	}
	if c.Redis != "" {
		if u, err := url.Parse(c.Redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			return fmt.Errorf("--redis %q must be a URL like redis://127.0.0.1:6379/0", c.Redis)
		}
	} else if c.Data == "" {
		return errors.New("--data must name a file for the embedded store (or set --redis)")
	}
	if h := handle.Canonical(c.WikiAccount); h != "" && h != actors.NoWikiAccount && !handle.Valid(h) {
		return fmt.Errorf("--wiki-account %q is not a valid handle: use lowercase letters, digits, _ and . (or off for none)", c.WikiAccount)
	}
	if c.ProfileUpdateEvery < time.Second {
		return fmt.Errorf("--profile-update-every %s is too short; use at least 1s", c.ProfileUpdateEvery)
	}
	if c.Workers < 1 || c.Workers > 1024 {
		return fmt.Errorf("--delivery-workers %d: use 1 to 1024", c.Workers)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format %q: use text or json", c.LogFormat)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--http-read-timeout", c.HTTPReadTimeout}, {"--http-write-timeout", c.HTTPWriteTimeout}, {"--http-idle-timeout", c.HTTPIdleTimeout}} {
		if d.v < time.Second {
			return fmt.Errorf("%s %s is too short; use at least 1s", d.name, d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"--inbox-per-minute", c.InboxPerMinute}, {"--inbox-burst", c.InboxBurst}, {"--reports-per-host", c.ReportsPerHost}, {"--reports-per-hour", c.ReportsPerHour}} {
		if n.v < 1 {
			return fmt.Errorf("%s %d: use at least 1", n.name, n.v)
		}
	}
	if c.RCOverlap < time.Second {
		return fmt.Errorf("--rc-overlap %s is too short: rows are written after the API answers; use at least 1s", c.RCOverlap)
	}
	return nil
}

func parseNamespaces(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("--namespaces %q: %q is not a namespace number (e.g. 0 for articles, 14 for categories)", s, part)
		}
		out = append(out, n)
	}
	return out, nil
}
