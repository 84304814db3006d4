package main

import (
	"context"
	"fmt"
	"io"
)

// runServe is a placeholder until its issue lands.
func runServe(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "oauthcompat: this command is not available yet")
	return exitFailure
}
