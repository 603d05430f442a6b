package delivery

import (
	"sync"
	"time"
)

// breakerState is where a host's circuit breaker stands.
type breakerState int

const (
	// breakerClosed: deliveries go.
	breakerClosed breakerState = iota
	// breakerOpen: deliveries wait for the cool-down to end.
	breakerOpen
	// breakerHalfOpen: one trial delivery is under way; the rest wait.
	breakerHalfOpen
)

func (s breakerState) String() string {
	switch s {
	case breakerOpen:
		return "open"
	case breakerHalfOpen:
		return "half_open"
	}
	return "closed"
}

// hostHealth is what one answer says about a host.
type hostHealth int

const (
	// healthUnknown: the try failed on our side.
	healthUnknown hostHealth = iota
	// healthUp: the host answered (anything but a 5xx).
	healthUp
	// healthDown: a network error, a timeout or a 5xx.
	healthDown
)

// breaker is a circuit breaker per remote host, in memory and per process
// (a replica learns a host is down from its own tries). After threshold
// consecutive failures a host is open for a cool-down that starts at cool
// and doubles with each failed trial up to maxCool; when it ends, one
// trial delivery goes, and its success closes the breaker. A host failing
// for days stays paused between trials rather than having its deliveries
// spend their attempts and be dropped.
//
// It also remembers a host's "not before" from a 429's Retry-After.
// Only hosts that are failing or paused have an entry, so memory follows
// the number of troubled hosts, and prune forgets stale ones.
type breaker struct {
	threshold     int
	cool, maxCool time.Duration
	// observe hears every change of a host's state, for the metrics; it
	// is called with mu held and must not call back.
	observe func(host string, s breakerState)

	mu    sync.Mutex
	hosts map[string]*hostState
}

// hostState is one troubled host.
type hostState struct {
	// failures counts consecutive failures while closed.
	failures int
	// trips counts consecutive openings; it sets the cool-down.
	trips int
	// openUntil is when the cool-down ends; zero while closed.
	openUntil time.Time
	// trial is set while the half-open trial delivery is under way.
	trial bool
	// pausedUntil is a host-wide Retry-After.
	pausedUntil time.Time
	lastFailure time.Time
}

func newBreaker(threshold int, cool, maxCool time.Duration, observe func(string, breakerState)) *breaker {
	if observe == nil {
		observe = func(string, breakerState) {}
	}
	return &breaker{threshold: threshold, cool: cool, maxCool: maxCool, observe: observe, hosts: map[string]*hostState{}}
}

// cooldown is the pause after the n-th consecutive opening.
func (b *breaker) cooldown(trips int) time.Duration {
	c := b.cool
	for i := 1; i < trips && c < b.maxCool; i++ {
		c *= 2
	}
	return min(c, b.maxCool)
}

// deferUntil says whether deliveries to host must wait, and until when:
// while its breaker is open and cooling down, or it is paused.
func (b *breaker) deferUntil(host string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.deferLocked(b.hosts[host], now)
}

func (b *breaker) deferLocked(h *hostState, now time.Time) (time.Time, bool) {
	if h == nil {
		return time.Time{}, false
	}
	var until time.Time
	if now.Before(h.openUntil) {
		until = h.openUntil
	}
	if now.Before(h.pausedUntil) && h.pausedUntil.After(until) {
		until = h.pausedUntil
	}
	return until, !until.IsZero()
}

// admit is asked right before a POST to host. ok is false when the POST
// must wait until wait; trial is true when it is the half-open trial, whose
// outcome record must be told.
func (b *breaker) admit(host string, now time.Time) (trial bool, wait time.Time, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	if until, w := b.deferLocked(h, now); w {
		return false, until, false
	}
	if h == nil || h.openUntil.IsZero() {
		return false, time.Time{}, true
	}
	if h.trial {
		// Wait for the trial; should it fail, the next cool-down
		// defers this again.
		return false, now.Add(b.cool), false
	}
	h.trial = true
	b.observe(host, breakerHalfOpen)
	return true, time.Time{}, true
}

// limit is how many POSTs host may have under way: n, but one while it is
// failing, so that several hosts going down at once cannot take every
// worker in the time before their breakers open.
func (b *breaker) limit(host string, n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h := b.hosts[host]; h != nil && (h.failures > 0 || !h.openUntil.IsZero()) {
		return 1
	}
	return n
}

// record takes the outcome of a POST to host.
func (b *breaker) record(host string, now time.Time, trial bool, hh hostHealth) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	// A trial admitted before a Revive is no trial any more.
	trial = trial && h != nil && h.trial
	switch hh {
	case healthUnknown:
		if trial {
			h.trial = false
		}
	case healthUp:
		if h == nil {
			return
		}
		wasOpen := !h.openUntil.IsZero()
		b.closeLocked(host, h, now)
		if wasOpen {
			b.observe(host, breakerClosed)
		}
	case healthDown:
		if h == nil {
			h = &hostState{}
			b.hosts[host] = h
		}
		h.lastFailure = now
		switch {
		case trial:
			h.trial = false
			h.trips++
			h.openUntil = now.Add(b.cooldown(h.trips))
			b.observe(host, breakerOpen)
		case !h.openUntil.IsZero():
			// A POST that started before the breaker opened.
		default:
			h.failures++
			if h.failures >= b.threshold {
				h.trips = 1
				h.openUntil = now.Add(b.cooldown(1))
				b.observe(host, breakerOpen)
			}
		}
	}
}

// closeLocked forgets host's failures, keeping only a pause still running.
func (b *breaker) closeLocked(host string, h *hostState, now time.Time) {
	if now.Before(h.pausedUntil) {
		*h = hostState{pausedUntil: h.pausedUntil}
		return
	}
	delete(b.hosts, host)
}

// pause holds every delivery to host back until `until` (a 429's
// Retry-After).
func (b *breaker) pause(host string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	if h == nil {
		h = &hostState{}
		b.hosts[host] = h
	}
	if until.After(h.pausedUntil) {
		h.pausedUntil = until
	}
}

// revive closes host's breaker; it reports whether it was open. A pause
// the host itself asked for is kept.
func (b *breaker) revive(host string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	if h == nil {
		return false
	}
	wasOpen := !h.openUntil.IsZero()
	b.closeLocked(host, h, time.Now())
	if wasOpen {
		b.observe(host, breakerClosed)
	}
	return wasOpen
}

// state is host's breaker state at now.
func (b *breaker) state(host string, now time.Time) breakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.hosts[host]
	switch {
	case h == nil || h.openUntil.IsZero():
		return breakerClosed
	case now.Before(h.openUntil) || !h.trial:
		return breakerOpen
	}
	return breakerHalfOpen
}

// prune forgets closed hosts whose last failure is older than the longest
// cool-down and whose pause is over: their few failures are no longer
// "consecutive" in any useful sense.
func (b *breaker) prune(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for host, h := range b.hosts {
		if h.openUntil.IsZero() && !now.Before(h.pausedUntil) && now.Sub(h.lastFailure) > b.maxCool {
			delete(b.hosts, host)
		}
	}
}
