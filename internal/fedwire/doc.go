// Package fedwire wires the federation packages together, once, for
// `wikipub serve` and for the integration tests alike, so what the tests
// run is what serve runs.
//
// It must not read flags or the environment (cmd/wikipub does, once) nor
// start anything: it makes the parts and hands each what it uses; the
// caller runs them.
package fedwire
