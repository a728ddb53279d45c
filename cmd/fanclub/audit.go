package main

import (
	"context"
	"fmt"
	"io"
)

// runAudit runs 'fanclub audit'.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub audit: not built yet")
	return 2
}
