package delivery

import (
	"sync"
	"time"
)

// admission is what the host limiter did with a delivery.
type admission int

const (
	// admitRun: the host had a free slot, now the delivery's; run it.
	admitRun admission = iota
	// admitQueued: it waits in the host's line and gets a slot from a
	// delivery to the same host that finishes.
	admitQueued
	// admitFull: the host's slots and line are full; put it back.
	admitFull
	// admitDuplicate: a delivery with its id is already held.
	admitDuplicate
)

// hostLimiter bounds the POSTs under way per host:port, so one slow or
// dead host takes at most limit workers (and only one while it is
// failing), and keeps a short FIFO per busy host so a burst to one host
// is not put back in the store right away. It never blocks: a delivery
// that does not fit is refused with a time to come back, and the
// deliverer puts it back in the store until then. It also counts every
// delivery held in memory (running, ready or waiting), which bounds what
// the deliverer claims.
//
// A limiter lives for one Run.
type hostLimiter struct {
	limit, queue int
	// busy is the least a refused delivery is put back for, and the
	// assumed duration of a POST to a host not yet measured.
	busy time.Duration
	// limitFor lowers a host's limit (to 1 while it fails); nil keeps it.
	limitFor func(host string, limit int) int
	// freed gets a token whenever a held delivery is let go, to wake a
	// dispatcher waiting for room.
	freed chan struct{}

	mu    sync.Mutex
	hosts map[string]*hostLoad
	ids   map[string]struct{}
}

// hostLoad is one host with deliveries held.
type hostLoad struct {
	active  int
	waiting []job
	// took is a moving average of how long its POSTs take.
	took time.Duration
	// comeBack is the latest time a refused delivery was told to come
	// back; the next one comes a slot's worth later.
	comeBack time.Time
}

func newHostLimiter(limit, queue int, busy time.Duration, limitFor func(string, int) int) *hostLimiter {
	if limitFor == nil {
		limitFor = func(_ string, n int) int { return n }
	}
	return &hostLimiter{
		limit: limit, queue: queue, busy: busy, limitFor: limitFor,
		freed: make(chan struct{}, 1),
		hosts: map[string]*hostLoad{}, ids: map[string]struct{}{},
	}
}

// admit takes j if its host has room. For admitFull it returns when j
// should come back: the refused deliveries of a host are spaced by the
// time the host takes per POST and slot, so a backlog of thousands for one
// host comes back about as fast as the host works through it, instead of
// being claimed and put back again and again.
func (l *hostLimiter) admit(j job) (verdict admission, comeBack time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.ids[j.del.ID]; dup {
		return admitDuplicate, time.Time{}
	}
	h := l.hosts[j.host]
	if h == nil {
		h = &hostLoad{}
		l.hosts[j.host] = h
	}
	limit := l.limitFor(j.host, l.limit)
	switch {
	case h.active < limit:
		h.active++
		l.ids[j.del.ID] = struct{}{}
		return admitRun, time.Time{}
	case len(h.waiting) < l.queue:
		h.waiting = append(h.waiting, j)
		l.ids[j.del.ID] = struct{}{}
		return admitQueued, time.Time{}
	}
	took := h.took
	if took <= 0 {
		took = l.busy
	}
	h.comeBack = later(j.claimed.Add(l.busy), h.comeBack.Add(took/time.Duration(limit)))
	return admitFull, h.comeBack
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// finish lets j go; took is how long its POST took, 0 when it made none.
// When another delivery waits for the same host and the host's limit
// allows, j's slot passes to it and it is returned to be run next.
func (l *hostLimiter) finish(j job, took time.Duration) (next job, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.ids, j.del.ID)
	select {
	case l.freed <- struct{}{}:
	default:
	}
	h := l.hosts[j.host]
	if h == nil {
		return job{}, false
	}
	if took > 0 {
		if h.took == 0 {
			h.took = took
		} else {
			h.took = (4*h.took + took) / 5
		}
	}
	h.active--
	if len(h.waiting) > 0 && h.active < l.limitFor(j.host, l.limit) {
		h.active++
		next = h.waiting[0]
		h.waiting[0] = job{}
		h.waiting = h.waiting[1:]
		return next, true
	}
	if h.active <= 0 && len(h.waiting) == 0 {
		delete(l.hosts, j.host)
	}
	return job{}, false
}

// held is how many deliveries are held in memory.
func (l *hostLimiter) held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ids)
}

// drainWaiting takes every delivery still waiting for its host, for Run
// to put back when it stops.
func (l *hostLimiter) drainWaiting() []job {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []job
	for _, h := range l.hosts {
		for _, j := range h.waiting {
			delete(l.ids, j.del.ID)
			out = append(out, j)
		}
		h.waiting = nil
	}
	return out
}
