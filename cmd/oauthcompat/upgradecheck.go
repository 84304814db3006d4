package main

import (
	"context"
	"fmt"
	"io"
)

// runUpgradeCheck is a placeholder until its issue lands.
func runUpgradeCheck(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oauthcompat: this command is not available yet")
	return exitFailure
}
