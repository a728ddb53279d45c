package main

import (
	"context"
	"fmt"
	"io"
)

// runPolicy runs 'fanclub policy'.
func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "fanclub policy: not built yet")
	return 2
}
