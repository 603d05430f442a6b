// Package repolint holds tests about the repository itself, not about
// wikipub's behaviour: that code comments and READMEs cite only documents a
// newcomer can open — files inside the repository — and that every section
// of docs/ they cite exists.
//
// It has no code outside its tests and must not be imported.
package repolint
