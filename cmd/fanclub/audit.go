package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"fanclub/audit"
	"fanclub/policyfile"
)

// auditUsage describes 'fanclub audit'.
const auditUsage = `usage: fanclub audit NAME|FILE... [--lang zh|en] [--format md|json] [--fail-on high|medium|low]
       fanclub audit --rules [--lang zh|en] [--format md|json]

Audits each policy (a registered name or a policy file) against the exit
regulations and prints its findings. Exit status: 1 when any finding is at
or above --fail-on (default high), 0 otherwise, 2 on usage errors or a
policy that cannot be loaded.

flags:
`

// runAudit runs 'fanclub audit'. Flags may come before or after the policy
// names.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "en", "language of the report: zh or en")
	format := fs.String("format", audit.FormatMarkdown, "output format: md or json")
	failOn := fs.String("fail-on", string(audit.High), "lowest severity that makes the exit status 1: high, medium or low")
	rules := fs.Bool("rules", false, "print the rule catalogue instead of auditing")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), auditUsage)
		fs.PrintDefaults()
	}
	names, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if *lang != "en" && *lang != "zh" && *lang != "zh-CN" {
		fmt.Fprintf(stderr, "fanclub audit: unknown --lang %q; allowed: zh, en\n", *lang)
		return 2
	}
	if *format != audit.FormatMarkdown && *format != audit.FormatJSON {
		fmt.Fprintf(stderr, "fanclub audit: unknown --format %q; allowed: md, json\n", *format)
		return 2
	}
	threshold := audit.Severity(*failOn)
	if !slices.Contains(audit.Severities, threshold) {
		fmt.Fprintf(stderr, "fanclub audit: unknown --fail-on %q; allowed: high, medium, low\n", *failOn)
		return 2
	}
	if *rules {
		if len(names) > 0 {
			fmt.Fprintln(stderr, "fanclub audit: --rules takes no policy names")
			return 2
		}
		write := audit.WriteCatalogue
		if *format == audit.FormatJSON {
			write = audit.WriteCatalogueJSON
		}
		if err := write(stdout, *lang); err != nil {
			fmt.Fprintf(stderr, "fanclub audit: %v\n", err)
			return 1
		}
		return 0
	}
	if len(names) == 0 {
		fmt.Fprintln(stderr, "fanclub audit: name at least one policy or policy file")
		fs.Usage()
		return 2
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		fmt.Fprintf(stderr, "fanclub audit: %v\n", err)
		return 1
	}
	reports := make([]audit.Report, 0, len(names))
	for _, name := range names {
		p, err := reg.Resolve(name)
		if err != nil {
			printPolicyLoadError(stderr, "audit", name, err)
			return 2
		}
		reports = append(reports, audit.Audit(p))
	}
	if err := audit.Render(stdout, reports, *format, *lang); err != nil {
		fmt.Fprintf(stderr, "fanclub audit: %v\n", err)
		return 1
	}
	if failing(reports, threshold) {
		return 1
	}
	return 0
}

// failing reports whether any finding is at or above a severity.
func failing(reports []audit.Report, threshold audit.Severity) bool {
	limit := slices.Index(audit.Severities, threshold)
	for _, r := range reports {
		for _, f := range r.Findings {
			if i := slices.Index(audit.Severities, f.Severity); i >= 0 && i <= limit {
				return true
			}
		}
	}
	return false
}
