package main

import (
	"bytes"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testWiki = "https://wiki.example/w/api.php"

// env is a fake getenv over the given NAME=value pairs.
func env(pairs ...string) func(string) string {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestParseServeDefaults(t *testing.T) {
	var out bytes.Buffer
	c, err := parseServe([]string{"--wiki", testWiki}, env(), &out)
	if err != nil {
		t.Fatal(err)
	}
	// Field by field, so that new options do not break this test.
	checks := []struct {
		name      string
		got, want any
	}{
		{"Wiki", c.Wiki, testWiki},
		{"PublicURL", c.PublicURL, "http://localhost:8080"},
		{"Listen", c.Listen, ":8080"},
		{"Data", c.Data, "./wikipub.db"},
		{"Redis", c.Redis, ""},
		{"BotUser", c.BotUser, ""},
		{"BotPassword", c.BotPassword, ""},
		{"Poll", c.Poll, time.Second},
		{"RCUDP", c.RCUDP, ""},
		{"Namespaces", c.Namespaces, []int(nil)},
		{"IncludeBots", c.IncludeBots, false},
		{"SkipMinor", c.SkipMinor, false},
		{"RCOverlap", c.RCOverlap, 10 * time.Second},
		{"RCLateWin", c.RCLateWin, 15 * time.Minute},
		{"RCLateSweep", c.RCLateSweep, 30 * time.Second},
		{"LogFormat", c.LogFormat, "text"},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"HTTPReadTimeout", c.HTTPReadTimeout, 30 * time.Second},
		{"HTTPWriteTimeout", c.HTTPWriteTimeout, 60 * time.Second},
		{"HTTPIdleTimeout", c.HTTPIdleTimeout, 60 * time.Second},
		{"InboxPerMinute", c.InboxPerMinute, 60},
		{"InboxBurst", c.InboxBurst, 600},
		{"ReportsPerHost", c.ReportsPerHost, 5},
		{"ReportsPerHour", c.ReportsPerHour, 30},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("default %s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	if out.Len() != 0 {
		t.Errorf("output %q, want none", out.String())
	}
}

func TestParseServe(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   []string
		check func(*serveConfig) bool
		want  string // what the check shows, for the failure message
	}{
		{"wiki from the environment", nil, []string{"WIKIPUB_WIKI=" + testWiki},
			func(c *serveConfig) bool { return c.Wiki == testWiki }, "Wiki from WIKIPUB_WIKI"},
		{"flag wins over the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_WIKI=https://other.example/api.php"},
			func(c *serveConfig) bool { return c.Wiki == testWiki }, "Wiki from the flag"},
		{"flag wins over the environment, single dash and =", []string{"-poll=250ms", "-wiki=" + testWiki}, []string{"WIKIPUB_POLL=5s"},
			func(c *serveConfig) bool { return c.Poll == 250*time.Millisecond }, "Poll 250ms"},
		{"duration from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_POLL=2s", "WIKIPUB_RC_LATE_WINDOW=1h"},
			func(c *serveConfig) bool { return c.Poll == 2*time.Second && c.RCLateWin == time.Hour }, "Poll 2s, late window 1h"},
		{"public URL from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_PUBLIC_URL=https://fedi.example/"},
			func(c *serveConfig) bool { return c.PublicURL == "https://fedi.example" }, "PublicURL https://fedi.example, slash trimmed"},
		{"bot password from the environment", []string{"--wiki", testWiki, "--bot-user", "Bot@wikipub"}, []string{"WIKIPUB_BOT_PASSWORD=0123456789abcdef0123456789abcdef"},
			func(c *serveConfig) bool {
				return c.BotUser == "Bot@wikipub" && c.BotPassword == "0123456789abcdef0123456789abcdef"
			}, "bot user and password"},
		{"bools from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_INCLUDE_BOTS=true", "WIKIPUB_SKIP_MINOR=1"},
			func(c *serveConfig) bool { return c.IncludeBots && c.SkipMinor }, "IncludeBots and SkipMinor"},
		{"bool flag wins over the environment", []string{"--wiki", testWiki, "--include-bots=false"}, []string{"WIKIPUB_INCLUDE_BOTS=true"},
			func(c *serveConfig) bool { return !c.IncludeBots }, "IncludeBots false"},
		{"namespaces with spaces", []string{"--wiki", testWiki, "--namespaces", "0, 14"}, nil,
			func(c *serveConfig) bool { return reflect.DeepEqual(c.Namespaces, []int{0, 14}) }, "Namespaces [0 14]"},
		{"namespaces from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_NAMESPACES=0,1,6,14"},
			func(c *serveConfig) bool { return reflect.DeepEqual(c.Namespaces, []int{0, 1, 6, 14}) }, "Namespaces [0 1 6 14]"},
		{"empty namespaces is all", []string{"--wiki", testWiki, "--namespaces", " "}, nil,
			func(c *serveConfig) bool { return c.Namespaces == nil }, "Namespaces nil"},
		{"log level and format", []string{"--wiki", testWiki, "--log-level", "debug", "--log-format", "json"}, nil,
			func(c *serveConfig) bool { return c.LogLevel == slog.LevelDebug && c.LogFormat == "json" }, "debug, json"},
		{"log level from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_LOG_LEVEL=warn"},
			func(c *serveConfig) bool { return c.LogLevel == slog.LevelWarn }, "warn"},
		{"public URL port follows --listen", []string{"--wiki", testWiki, "--listen", "127.0.0.1:9000"}, nil,
			func(c *serveConfig) bool {
				return c.PublicURL == "http://localhost:9000" && c.Listen == "127.0.0.1:9000"
			}, "http://localhost:9000"},
		{"public URL given", []string{"--wiki", testWiki, "--public-url", "https://fedi.example"}, nil,
			func(c *serveConfig) bool { return c.PublicURL == "https://fedi.example" }, "https://fedi.example"},
		{"http wiki", []string{"--wiki", "http://127.0.0.1:8081/api.php"}, nil,
			func(c *serveConfig) bool { return c.Wiki == "http://127.0.0.1:8081/api.php" }, "http wiki"},
		{"redis URL", []string{"--wiki", testWiki, "--redis", "redis://:pw@127.0.0.1:6379/2"}, nil,
			func(c *serveConfig) bool { return c.Redis == "redis://:pw@127.0.0.1:6379/2" }, "redis URL kept"},
		{"unix socket redis URL", []string{"--wiki", testWiki, "--redis", "unix:///run/redis.sock"}, []string{"WIKIPUB_DATA="},
			func(c *serveConfig) bool { return c.Redis == "unix:///run/redis.sock" }, "unix socket URL"},
		{"no data file with redis", []string{"--wiki", testWiki, "--redis", "rediss://r.example:6380/0", "--data", ""}, nil,
			func(c *serveConfig) bool { return c.Data == "" && c.Redis != "" }, "redis without data"},
		{"shortest poll", []string{"--wiki", testWiki, "--poll", "100ms"}, nil,
			func(c *serveConfig) bool { return c.Poll == 100*time.Millisecond }, "Poll 100ms"},
		{"rc-udp", []string{"--wiki", testWiki, "--rc-udp", "127.0.0.1:9390"}, nil,
			func(c *serveConfig) bool { return c.RCUDP == "127.0.0.1:9390" }, "RCUDP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c, err := parseServe(tt.args, env(tt.env...), &out)
			if err != nil {
				t.Fatalf("error %v; output %q", err, out.String())
			}
			if !tt.check(c) {
				t.Errorf("config %+v, want %s", *c, tt.want)
			}
		})
	}
}

func TestParseServeErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
		want []string
	}{
		{"missing wiki", nil, nil, []string{"--wiki is required", "WIKIPUB_WIKI"}},
		{"empty wiki in the environment", nil, []string{"WIKIPUB_WIKI="}, []string{"--wiki is required"}},
		{"wiki not http", []string{"--wiki", "ftp://wiki.example/w/api.php"}, nil, []string{`--wiki "ftp://wiki.example/w/api.php" is not an http(s) URL`}},
		{"wiki without scheme", []string{"--wiki", "wiki.example/w/api.php"}, nil, []string{"is not an http(s) URL"}},
		{"wiki without host", []string{"--wiki", "https:///w/api.php"}, nil, []string{"is not an http(s) URL"}},
		{"bad wiki from the environment", nil, []string{"WIKIPUB_WIKI=localhost:8080"}, []string{`--wiki "localhost:8080" is not an http(s) URL`}},
		{"bad duration in the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_POLL=fast"}, []string{`environment variable WIKIPUB_POLL="fast"`}},
		{"bad bool in the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_SKIP_MINOR=yes please"}, []string{`environment variable WIKIPUB_SKIP_MINOR="yes please"`}},
		{"bad duration flag", []string{"--wiki", testWiki, "--poll", "fast"}, nil, []string{`invalid value "fast" for flag -poll`}},
		{"public URL with a path", []string{"--wiki", testWiki, "--public-url", "https://fedi.example/wikipub"}, nil, []string{`--public-url "https://fedi.example/wikipub" must be a base URL`, "without a path"}},
		{"public URL with a query", []string{"--wiki", testWiki, "--public-url", "https://fedi.example/?a=b"}, nil, []string{"--public-url"}},
		{"public URL without scheme", []string{"--wiki", testWiki, "--public-url", "fedi.example"}, nil, []string{`--public-url "fedi.example"`}},
		{"public URL not http", []string{"--wiki", testWiki, "--public-url", "ftp://fedi.example"}, nil, []string{"--public-url"}},
		{"bot user without password", []string{"--wiki", testWiki, "--bot-user", "Bot@wikipub"}, nil, []string{"--bot-user and --bot-password go together"}},
		{"bot password without user", []string{"--wiki", testWiki}, []string{"WIKIPUB_BOT_PASSWORD=secret"}, []string{"--bot-user and --bot-password go together"}},
		{"bot user without @", []string{"--wiki", testWiki, "--bot-user", "Bot", "--bot-password", "secret"}, nil, []string{`--bot-user "Bot" should look like NAME@APPID`}},
		{"poll too short", []string{"--wiki", testWiki, "--poll", "10ms"}, nil, []string{"--poll 10ms is too short", "at least 100ms"}},
		{"poll too short from the environment", []string{"--wiki", testWiki}, []string{"WIKIPUB_POLL=99ms"}, []string{"--poll 99ms is too short"}},
		{"redis bad scheme", []string{"--wiki", testWiki, "--redis", "http://127.0.0.1:6379"}, nil, []string{`--redis "http://127.0.0.1:6379" must be a URL like redis://`}},
		{"redis host and port only", []string{"--wiki", testWiki, "--redis", "127.0.0.1:6379"}, nil, []string{"--redis"}},
		{"no data and no redis", []string{"--wiki", testWiki, "--data", ""}, nil, []string{"--data must name a file"}},
		{"namespaces not numbers", []string{"--wiki", testWiki, "--namespaces", "0,abc"}, nil, []string{`--namespaces "0,abc": "abc" is not a namespace number`}},
		{"namespaces with an empty part", []string{"--wiki", testWiki, "--namespaces", "0,,14"}, nil, []string{`"" is not a namespace number`}},
		{"namespaces by name", []string{"--wiki", testWiki}, []string{"WIKIPUB_NAMESPACES=Main"}, []string{`"Main" is not a namespace number`}},
		{"log format xml", []string{"--wiki", testWiki, "--log-format", "xml"}, nil, []string{`--log-format "xml": use text or json`}},
		{"log level", []string{"--wiki", testWiki, "--log-level", "verbose"}, nil, []string{`--log-level "verbose"`}},
		{"overlap too short", []string{"--wiki", testWiki, "--rc-overlap", "500ms"}, nil, []string{"--rc-overlap 500ms is too short"}},
		{"positional argument", []string{"--wiki", testWiki, "extra"}, nil, []string{`unexpected argument "extra"`}},
		{"positional argument first", []string{"https://wiki.example/w/api.php"}, nil, []string{`unexpected argument "https://wiki.example/w/api.php"`, "options start with --"}},
		{"unknown flag", []string{"--wiki", testWiki, "--verbose"}, nil, []string{"flag provided but not defined: -verbose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c, err := parseServe(tt.args, env(tt.env...), &out)
			if err == nil {
				t.Fatalf("no error; config %+v", *c)
			}
			if errors.Is(err, errHelp) {
				t.Fatalf("errHelp for a bad configuration")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseServeHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-help", "-h"} {
		var out bytes.Buffer
		c, err := parseServe([]string{arg}, env(), &out)
		if err != errHelp || c != nil {
			t.Errorf("%s: %v, %v; want nil, errHelp", arg, c, err)
		}
		for _, want := range []string{"Usage: wikipub serve [options]", "WIKIPUB_PUBLIC_URL", "-wiki", "-rc-late-window"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: usage lacks %q:\n%s", arg, want, out.String())
			}
		}
	}
}

// The help does not depend on the rest being valid: --help with a bad
// environment still shows help.
func TestParseServeHelpBeforeChecks(t *testing.T) {
	var out bytes.Buffer
	if _, err := parseServe([]string{"--help"}, env("WIKIPUB_POLL=fast"), &out); err != errHelp {
		t.Errorf("error %v, want errHelp", err)
	}
}

// With --listen on an IPv6 address and no --public-url, the default public
// URL takes the port of --listen.
func TestParseServeDefaultPublicURLIPv6Listen(t *testing.T) {
	c, err := parseServe([]string{"--wiki", testWiki, "--listen", "[::1]:9000"}, env(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "http://localhost:9000" {
		t.Errorf("PublicURL = %q, want http://localhost:9000", c.PublicURL)
	}
}

// A public URL is the base of every actor id: a fragment or credentials in
// it make every id wrong.
func TestParseServePublicURLFragment(t *testing.T) {
	for _, u := range []string{"https://fedi.example#x", "https://user:pw@fedi.example"} {
		if c, err := parseServe([]string{"--wiki", testWiki, "--public-url", u}, env(), &bytes.Buffer{}); err == nil {
			t.Errorf("--public-url %s accepted as %q", u, c.PublicURL)
		}
	}
}

func TestParseNamespaces(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"0", []int{0}, false},
		{"0,14", []int{0, 14}, false},
		{" 0 , 14 ,6", []int{0, 14, 6}, false},
		{"-1", []int{-1}, false},
		{"0,abc", nil, true},
		{"0,", nil, true},
		{"1.5", nil, true},
	}
	for _, tt := range tests {
		got, err := parseNamespaces(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseNamespaces(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
