package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"fanclub"
	"fanclub/compare"
	"fanclub/policyfile"
)

// defaultComparePolicies are compared when no policy is named: the three
// platforms of the source article, then the default policy.
var defaultComparePolicies = []string{"wechat-channels", "douyin", "kuaishou", "fair"}

// runCompare runs 'fanclub compare [NAME|FILE...] [--lang zh|en]
// [--format md|html|json]'. Flags may come before, between or after the
// policy names. Bad flags and unknown policies exit with status 2.
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanclub compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "zh", "language of the tables: "+strings.Join(compare.Languages, "|"))
	format := fs.String("format", "md", "output format: "+strings.Join(compare.Formats, "|"))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fanclub compare [NAME|FILE...] [--lang zh|en] [--format md|html|json]")
		fmt.Fprintf(fs.Output(), "\nCompares exit policies along the eight dimensions; default policies: %s.\n\nflags:\n",
			strings.Join(defaultComparePolicies, " "))
		fs.PrintDefaults()
	}
	names, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if !slices.Contains(compare.Languages, *lang) {
		fmt.Fprintf(stderr, "fanclub compare: unknown language %q; allowed: %s\n", *lang, strings.Join(compare.Languages, ", "))
		return 2
	}
	if !slices.Contains(compare.Formats, *format) {
		fmt.Fprintf(stderr, "fanclub compare: unknown format %q; allowed: %s\n", *format, strings.Join(compare.Formats, ", "))
		return 2
	}
	if len(names) == 0 {
		names = defaultComparePolicies
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		printCompareError(stderr, err)
		return 1
	}
	policies := make([]*fanclub.Policy, 0, len(names))
	for _, n := range names {
		p, err := reg.Resolve(n)
		if err != nil {
			printPolicyLoadError(stderr, "compare", n, err)
			return 2
		}
		policies = append(policies, p)
	}
	c, err := compare.Build(policies, *lang)
	if err != nil {
		printCompareError(stderr, err)
		return 2
	}
	var out bytes.Buffer
	if err := compare.Render(&out, c, *format); err != nil {
		printCompareError(stderr, err)
		return 1
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "fanclub compare: write output: %v\n", err)
		return 1
	}
	return 0
}

// printCompareError prints a domain error's message and field problems.
func printCompareError(w io.Writer, err error) {
	fmt.Fprintf(w, "fanclub compare: %s\n", fanclub.ErrorMessage(err))
	for _, f := range fanclub.ErrorFields(err) {
		fmt.Fprintf(w, "  %s\n", f.String())
	}
	if fanclub.ErrorCode(err) == fanclub.EINTERNAL {
		fmt.Fprintf(w, "  %v\n", err)
	}
}
