package main

import (
	"context"
	"fmt"
	"io"
)

// runSimulate runs 'fanclub simulate'.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub simulate: not built yet")
	return 2
}
