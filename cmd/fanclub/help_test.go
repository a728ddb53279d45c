package main

import (
	"strings"
	"testing"
)

// TestHelpGoesToStdout checks that help asked for with -h is output: every
// command prints its usage on stdout, nothing on stderr, and exits 0; a
// bad flag still prints the usage on stderr and exits 2.
func TestHelpGoesToStdout(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"serve"}, {"migrate"}, {"consume"}, {"simulate"}, {"compare"}, {"audit"},
		{"policy"}, {"policy", "list"}, {"policy", "show"}, {"policy", "validate"}, {"policy", "schema"},
		{"admin"}, {"admin", "token"}, {"admin", "refunds"}, {"admin", "erase"},
		{"export"}, {"export", "verify"},
		{"bench"}, {"bench", "ingest"}, {"bench", "gifts"}, {"bench", "exitstorm"}, {"bench", "http"}, {"bench", "nodes"},
	}
	for _, cmd := range commands {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runFanclub(t, append(cmd, "-h")...)
			if code != 0 || !strings.Contains(out, "usage: fanclub "+cmd[0]) || errOut != "" {
				t.Fatalf("%s -h: exit %d, stdout:\n%s\nstderr:\n%s", name, code, out, errOut)
			}
			if len(cmd) == 1 && (cmd[0] == "policy" || cmd[0] == "admin" || cmd[0] == "export" || cmd[0] == "bench") {
				return // a group: without -h a missing subcommand is its own error
			}
			code, out, errOut = runFanclub(t, append(cmd, "--no-such-flag")...)
			if code != 2 || out != "" || !strings.Contains(errOut, "usage: fanclub "+cmd[0]) {
				t.Fatalf("%s --no-such-flag: exit %d, stdout:\n%s\nstderr:\n%s", name, code, out, errOut)
			}
		})
	}
}
