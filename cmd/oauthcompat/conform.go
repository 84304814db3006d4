package main

import (
	"context"
	"fmt"
	"io"
)

// runConform is a placeholder until its issue lands.
func runConform(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oauthcompat: this command is not available yet")
	return exitFailure
}
