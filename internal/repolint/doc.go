// Package repolint holds tests about the repository itself, not about
// wikipub's behaviour: that code comments and READMEs cite only documents a
// newcomer can open — files inside the repository — and that every section
// of docs/ they cite exists; and that the federation side's packages
// import each other in one direction only (layers_test.go).
//
// It has no code outside its tests and must not be imported.
package repolint
