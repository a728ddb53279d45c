package main

import (
	"context"
	"fmt"
	"io"
)

// runBench runs 'fanclub bench'.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub bench: not built yet")
	return 2
}
