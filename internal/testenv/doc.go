// Package testenv starts the real external services that integration tests
// need, as child processes owned by the test that asked for them.
//
// It must not know wikipub's packages beyond starting its binary: tests
// drive what it starts as a user or a server would.
package testenv
