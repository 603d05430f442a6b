package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// heapFloor is the least heap the collector lets grow before it runs.
// wikipub's live heap is a few MB while it only answers, and Go collects
// whenever the heap doubles (GOGC=100), at least every 4 MB allocated: a
// crawler of cold actors then pays more for collections, each of which
// wakes every core, than for its answers. Above half this floor the
// collector paces itself as Go's default does, so a large fan-out's heap
// is not multiplied (README, "Performance").
const heapFloor = 32 << 20

// maxGCPercent bounds the pace a tiny live heap is given.
const maxGCPercent = 2000

// gcPercentFor is the GOGC that puts the next collection at heapFloor for
// a live heap of live bytes, and never below Go's default of 100.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := int(heapFloor*100/live) - 100
	return min(max(p, 100), maxGCPercent)
}

// sentinel is the object whose finalizer follows the collections; it
// holds a pointer so that it is not one of the tiny objects Go packs
// together, whose finalizers may never run.
type sentinel struct{ _ *int }

// tuneGC keeps the heap floor, re-deciding the pace after each collection
// from the live heap it left, unless GOGC is set, which is the operator's
// to choose. stop ends it (tests; the process keeps it for life).
func tuneGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := maxGCPercent
	debug.SetGCPercent(last)
	var arm func()
	arm = func() {
		// A finalizer runs once the collector finds its object
		// unreachable, i.e. after each collection; it arms the next.
		runtime.SetFinalizer(new(sentinel), func(*sentinel) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if p := gcPercentFor(sample[0].Value.Uint64()); p != last {
					debug.SetGCPercent(p)
					last = p
				}
			}
			arm()
		})
	}
	arm()
	return func() { stopped.Store(true) }
}
