// Package promreg registers Prometheus collectors so that two parts (or
// two instances in one test binary) asking for the same metric share one.
//
// It must not know which metrics exist: each package declares its own.
package promreg
