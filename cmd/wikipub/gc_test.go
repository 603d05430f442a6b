package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent}, // 32x: capped
		{2 << 20, 1500},         // the next collection at 32 MB
		{8 << 20, 300},
		{16 << 20, 100},
		{20 << 20, 100}, // beyond half the floor: Go's default
		{1 << 30, 100},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("live %d MB: GOGC %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// gcPercent reads the collector's pace.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// collect runs collections until the finalizer that re-decides the pace
// has had its turn (it runs on its own goroutine after each one).
func collect() {
	for range 20 {
		runtime.GC()
		runtime.Gosched()
	}
}

// TestTuneGC: the pace follows the live heap after each collection, back
// to Go's default for a large heap, and a GOGC from the environment is
// left alone.
func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	tuneGC(func(string) string { return "150" })()
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC=150 in the environment: the pace was changed to %d", p)
	}

	stop := tuneGC(func(string) string { return "" })
	defer stop()
	big := make([][]byte, 64)
	for i := range big {
		big[i] = make([]byte, 1<<20)
	}
	collect()
	if p := gcPercent(); p != 100 {
		t.Errorf("a 64 MB live heap: GOGC %d, want Go's default 100", p)
	}
	runtime.KeepAlive(big)
	big = nil
	collect()
	if p := gcPercent(); p <= 100 {
		t.Errorf("the large heap freed: GOGC %d, want above 100", p)
	}
}
