//go:build !race

package schemas

// raceDetector is set when the tests run under the race detector, whose
// slowdown the exhaustive tests answer by sampling.
const raceDetector = false
