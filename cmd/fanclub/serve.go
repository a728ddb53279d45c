package main

import (
	"context"
	"fmt"
	"io"
)

// runServe runs 'fanclub serve'.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub serve: not built yet")
	return 2
}
