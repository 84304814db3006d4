// Package versionorder is the order GitHub versions are listed in: GHES by
// release (ghes-2.18 … ghes-3.19, ghes-3.20), then github.ae,
// api.github.com and ghec, then any other name alphabetically. The catalog
// generator and the catalog loader share it, so a generated catalog and an
// overlay merged into it agree.
package versionorder

import (
	"fmt"
	"regexp"
	"strings"
)

var ghesName = regexp.MustCompile(`^ghes-(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// Valid reports whether n is a version name GitHub's descriptions use:
// ghes-X.Y, github.ae, api.github.com or ghec. Such a name is also safe as
// a file name (no separator, no "..").
func Valid(n string) bool {
	switch n {
	case "github.ae", "api.github.com", "ghec":
		return true
	}
	return ghesName.MatchString(n)
}

func rank(n string) (int, int, int) {
	switch n {
	case "github.ae":
		return 1, 0, 0
	case "api.github.com":
		return 2, 0, 0
	case "ghec":
		return 3, 0, 0
	}
	var a, b int
	if rest, ok := strings.CutPrefix(n, "ghes-"); ok {
		if _, err := fmt.Sscanf(rest, "%d.%d", &a, &b); err == nil {
			return 0, a, b
		}
	}
	return 4, 0, 0
}

// Less reports whether version name a comes before b.
func Less(a, b string) bool {
	a1, a2, a3 := rank(a)
	b1, b2, b3 := rank(b)
	switch {
	case a1 != b1:
		return a1 < b1
	case a2 != b2:
		return a2 < b2
	case a3 != b3:
		return a3 < b3
	}
	return a < b
}
