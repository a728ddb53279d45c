package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"fanclub/policyfile"
)

// loadPolicyDir adds the policy files of dir (serve --policies) to reg.
// An empty dir loads nothing. Any invalid file stops the start with a
// *policyfile.DirError, whose report reportPolicyErrors prints.
func loadPolicyDir(reg *policyfile.Registry, dir string, log *slog.Logger) error {
	if dir == "" {
		return nil
	}
	names, err := reg.LoadDir(dir)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	log.Info("custom policies loaded", "dir", dir, "policies", names)
	return nil
}

// reportPolicyErrors writes every problem of the policy files that
// stopped a start, one a line as 'fanclub policy validate' writes them.
func reportPolicyErrors(err error, stderr io.Writer) {
	var de *policyfile.DirError
	if errors.As(err, &de) {
		fmt.Fprint(stderr, de.Report)
	}
}
