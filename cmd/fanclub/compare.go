package main

import (
	"context"
	"fmt"
	"io"
)

// runCompare runs 'fanclub compare'.
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub compare: not built yet")
	return 2
}
