//go:build !race

package catalogen

const raceEnabled = false
