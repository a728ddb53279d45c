package main

import (
	"bytes"
	"context"
	"testing"
)

// runFanclub runs the fanclub binary's command line in process with args
// and returns the exit status, standard output and standard error.
func runFanclub(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestUnknownCommand checks that an unknown command is a usage error that
// lists the commands.
func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runFanclub(t, "frobnicate")
	if code != 2 || stdout != "" || !bytes.Contains([]byte(stderr), []byte("unknown command \"frobnicate\"")) ||
		!bytes.Contains([]byte(stderr), []byte("simulate")) {
		t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if code, stdout, _ := runFanclub(t, "help"); code != 0 || !bytes.Contains([]byte(stdout), []byte("audit")) {
		t.Fatalf("help: code %d, stdout %q", code, stdout)
	}
}
