package wiki

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	mwclient "cgt.name/pkg/go-mwclient"
	"cgt.name/pkg/go-mwclient/params"
)

// Config is what a Client needs to reach one wiki.
type Config struct {
	// API is the wiki's api.php URL.
	API string
	// UserAgent names the software and a contact; Wikimedia wikis refuse
	// requests without a descriptive one.
	UserAgent string
	// BotUser and BotPassword are an optional bot password (Special:BotPasswords);
	// empty means anonymous reads.
	BotUser, BotPassword string
	// Timeout bounds one HTTP request; zero means 30 s.
	Timeout time.Duration
	// Retries is how many times a failed call is retried before the error is
	// returned; zero means 4. Negative disables retries.
	Retries int
	// RetryBase is the first retry delay, doubled each time; zero means 500 ms.
	RetryBase time.Duration
	// Transport overrides the HTTP transport, for tests.
	Transport http.RoundTripper
	// Logger receives retry and login messages; nil means slog.Default().
	Logger *slog.Logger
}

// Client calls one wiki's API with retries, maxlag and an optional bot login.
// It is safe for concurrent use.
type Client struct {
	cfg  Config
	mw   *mwclient.Client
	log  *slog.Logger
	site *SiteInfo

	// tokenMu serialises the calls that write go-mwclient's token map (login
	// and token fetches), which is not safe for concurrent writers.
	tokenMu sync.Mutex
}

// New connects to the wiki: it checks that the URL is a MediaWiki API by
// reading its site information, and logs in when a bot password is given.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.API == "" {
		return nil, errors.New("wiki: no API URL given (the wiki's api.php, e.g. https://wiki.example/w/api.php)")
	}
	if !strings.HasPrefix(cfg.API, "http://") && !strings.HasPrefix(cfg.API, "https://") {
		return nil, fmt.Errorf("wiki: API URL %q must start with http:// or https://", cfg.API)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 4
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.Transport == nil {
		// Many calls run at once (actor look-ups while the watcher reads):
		// keep enough connections to the wiki open that each call does not
		// dial a new one, which costs more CPU than the call itself.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 64
		cfg.Transport = tr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	mw, err := mwclient.New(cfg.API, cfg.UserAgent)
	if err != nil {
		return nil, fmt.Errorf("wiki: API URL %q: %w", cfg.API, err)
	}
	mw.UserAgent = cfg.UserAgent
	// maxlag (set per call below) asks a replicated wiki to refuse us while
	// its replicas lag. go-mwclient's own maxlag loop sleeps without the
	// context, so it stays off and our retry loop, which honours ctx, waits.
	mw.Maxlag.On = false
	c := &Client{cfg: cfg, mw: mw, log: cfg.Logger}

	site, err := c.probe(ctx)
	if err != nil {
		return nil, err
	}
	c.site = site
	if cfg.BotUser != "" {
		if err := c.login(ctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Site returns the site information read when the client was created.
func (c *Client) Site() *SiteInfo { return c.site }

// LoggedIn reports whether the client uses a bot password.
func (c *Client) LoggedIn() bool { return c.cfg.BotUser != "" }

// probe reads siteinfo and turns every way a non-API URL fails into one
// message that says what was tried.
func (c *Client) probe(ctx context.Context) (*SiteInfo, error) {
	var resp siteInfoResponse
	// One plain try first, so that a URL which answers with HTML fails at
	// once instead of after the retries; an unreachable wiki is retried.
	err := c.once(ctx, siteInfoParams(), false, &resp)
	var te *transportError
	if errors.As(err, &te) {
		err = c.Get(ctx, siteInfoParams(), &resp)
	}
	tried := fmt.Sprintf("GET %s?action=query&meta=siteinfo", c.cfg.API)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		return nil, fmt.Errorf("wiki: %s answered with an API error: %w", tried, err)
	case errors.Is(err, errNotJSON):
		return nil, fmt.Errorf("wiki: %s is not a MediaWiki API: %s did not answer with JSON (the URL should end in api.php, e.g. https://wiki.example/w/api.php): %w", c.cfg.API, tried, err)
	case err != nil:
		return nil, fmt.Errorf("wiki: cannot reach the MediaWiki API: %s: %w", tried, err)
	case resp.Query.General.Generator == "":
		return nil, fmt.Errorf("wiki: %s is not a MediaWiki API: %s returned JSON without query.general (the URL should end in api.php)", c.cfg.API, tried)
	}
	return newSiteInfo(&resp)
}

func (c *Client) login(ctx context.Context) error {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	// A stale csrf token belongs to the old session.
	for k := range c.mw.Tokens {
		delete(c.mw.Tokens, k)
	}
	err := c.withContext(ctx, func(mw *mwclient.Client) error {
		return mw.Login(c.cfg.BotUser, c.cfg.BotPassword)
	})
	if err != nil {
		return fmt.Errorf("wiki: logging in as %q with a bot password failed (check --bot-user NAME@APPID and --bot-password from Special:BotPasswords): %w", c.cfg.BotUser, err)
	}
	c.log.InfoContext(ctx, "logged in to the wiki", "user", c.cfg.BotUser)
	return nil
}

// Get calls the API with a GET and decodes the JSON answer into out,
// retrying what is worth retrying. API errors come back as *APIError.
func (c *Client) Get(ctx context.Context, p params.Values, out any) error {
	return c.call(ctx, p, false, out)
}

// Post calls the API with a POST (for writes), with the same retries.
func (c *Client) Post(ctx context.Context, p params.Values, out any) error {
	return c.call(ctx, p, true, out)
}

// CSRFToken returns the session's edit token, fetched once per login.
func (c *Client) CSRFToken(ctx context.Context) (string, error) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	var tok string
	err := c.withContext(ctx, func(mw *mwclient.Client) error {
		var err error
		tok, err = mw.GetToken(mwclient.CSRFToken)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("wiki: fetching a csrf token: %w", err)
	}
	return tok, nil
}

func (c *Client) call(ctx context.Context, p params.Values, post bool, out any) error {
	action := p.Get("action")
	var err error
	relogged := false
	for attempt := 0; ; attempt++ {
		// go-mwclient adds format and formatversion to the map it is given.
		q := params.Values{}
		for k, v := range p {
			q[k] = v
		}
		err = c.once(ctx, q, post, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("wiki: %s: %w", action, ctx.Err())
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.sessionLost() && c.cfg.BotUser != "" && !relogged {
			relogged = true
			c.log.WarnContext(ctx, "wiki session lost, logging in again", "code", apiErr.Code)
			if lerr := c.login(ctx); lerr != nil {
				return lerr
			}
			continue
		}
		if !retryable(err) || c.cfg.Retries < 0 || attempt >= c.cfg.Retries {
			return fmt.Errorf("wiki: %s: %w", action, err)
		}
		delay := backoff(c.cfg.RetryBase, attempt, time.Minute)
		if errors.As(err, &apiErr) && apiErr.Code == "maxlag" && apiErr.Lag > 0 {
			// Give the replicas the time the wiki says they are behind.
			delay = max(delay, min(time.Duration(apiErr.Lag*float64(time.Second)), 30*time.Second))
		}
		c.log.WarnContext(ctx, "wiki API call failed, retrying", "action", action, "attempt", attempt+1, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("wiki: %s: %w", action, ctx.Err())
		case <-time.After(delay):
		}
	}
}

// once makes one request through go-mwclient and checks the answer.
func (c *Client) once(ctx context.Context, p params.Values, post bool, out any) error {
	if p.Get("maxlag") == "" {
		p.Set("maxlag", "5")
	}
	var body []byte
	err := c.withContext(ctx, func(mw *mwclient.Client) error {
		var err error
		if post {
			body, err = mw.PostRaw(p)
		} else {
			body, err = mw.GetRaw(p)
		}
		return err
	})
	if err != nil {
		if errors.Is(err, mwclient.ErrAPIBusy) {
			return &APIError{Code: "maxlag", Info: "the wiki's database replicas lag; retried and gave up for now"}
		}
		// go-mwclient reports a lagged wiki (X-Database-Lag) with the answer's
		// body as the error text; it is an API error, retried with backoff.
		var env APIErrorField
		if json.Unmarshal([]byte(err.Error()), &env) == nil && env.Error != nil {
			return env.Error
		}
		return &transportError{err: err}
	}
	return decode(body, out)
}

// withContext runs fn on a shallow copy of the go-mwclient client whose HTTP
// client carries ctx, because go-mwclient builds its requests without one.
// The copy shares the cookie jar and token map with the original.
func (c *Client) withContext(ctx context.Context, fn func(*mwclient.Client) error) error {
	cp := *c.mw
	cp.SetHTTPClient(&http.Client{
		Transport: ctxTransport{ctx: ctx, base: c.cfg.Transport},
		Timeout:   c.cfg.Timeout,
	})
	return fn(&cp)
}

// backoff is exponential with full jitter, capped.
func backoff(base time.Duration, attempt int, max time.Duration) time.Duration {
	d := base << min(attempt, 20)
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// ctxTransport attaches the call's context to go-mwclient's requests and
// turns server-side failures into errors, since go-mwclient reads any body
// as JSON whatever the status.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP %s from %s %s", resp.Status, req.Method, req.URL.Redacted())
	}
	return resp, nil
}

var errNotJSON = errors.New("answer is not JSON")

// APIError is an error reported by the MediaWiki API itself.
type APIError struct {
	Code string `json:"code"`
	Info string `json:"info"`
	// Lag is the replica lag in seconds that a maxlag error reports.
	Lag float64 `json:"lag"`
}

func (e *APIError) Error() string { return "API error " + e.Code + ": " + e.Info }

func (e *APIError) sessionLost() bool {
	switch e.Code {
	case "assertuserfailed", "assertbotfailed", "badtoken", "notloggedin":
		return true
	}
	return false
}

// transportError is a failure to get an answer at all: network, timeout, 5xx.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) || errors.Is(err, errNotJSON) {
		return true
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch apiErr.Code {
		case "maxlag", "ratelimited", "readonly", "internal_api_error_DBQueryError",
			"internal_api_error_DBConnectionError", "internal_api_error_DBQueryTimeoutError":
			return true
		}
	}
	return false
}

// APIErrorField is embedded in answer types so that one JSON pass yields
// both the answer and the API's error; large recent-changes pages make a
// second pass cost more than the rest of the watcher.
type APIErrorField struct {
	Error *APIError `json:"error"`
}

func (f *APIErrorField) apiError() *APIError { return f.Error }

type errorCarrier interface{ apiError() *APIError }

// decode parses an API answer and pulls out its error, if any. Warnings are
// not errors here: go-mwclient's Get would fail on them, which is why raw
// calls are used.
// See docs/mediawiki.md, "go-mwclient v1.3.0".
func decode(body []byte, out any) error {
	if ec, ok := out.(errorCarrier); ok {
		if err := json.Unmarshal(body, out); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("%w: %v (starts %q)", errNotJSON, err, snippet(body))
			}
			return fmt.Errorf("decoding API answer: %w", err)
		}
		if e := ec.apiError(); e != nil {
			return e
		}
		return nil
	}
	var env APIErrorField
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%w: %v (starts %q)", errNotJSON, err, snippet(body))
	}
	if env.Error != nil {
		return env.Error
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decoding API answer: %w", err)
	}
	return nil
}

func snippet(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}
