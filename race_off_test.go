//go:build !race

package fanclub_test

// raceDetector is true in a build with the race detector, whose checks
// make the property tests several times slower: they run fewer cases.
const raceDetector = false
