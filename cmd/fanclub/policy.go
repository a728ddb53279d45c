package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"fanclub"
	"fanclub/policyfile"
)

// policyUsage describes 'fanclub policy'.
const policyUsage = `usage: fanclub policy SUBCOMMAND

subcommands:
  list                                  list the registered policies
  show NAME|FILE [--format yaml|json]   print a policy in full
  validate FILE...                      check policy files, reporting every error
  schema                                print the JSON Schema of a policy file
`

// runPolicy runs 'fanclub policy list|show|validate|schema'. Usage errors
// exit with status 2; invalid policy files with status 1.
func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, policyUsage)
		return 0
	case "list":
		return runPolicyList(args[1:], stdout, stderr)
	case "show":
		return runPolicyShow(args[1:], stdout, stderr)
	case "validate":
		return runPolicyValidate(args[1:], stdout, stderr)
	case "schema":
		return runPolicySchema(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "fanclub policy: unknown subcommand %q\n\n%s", args[0], policyUsage)
	return 2
}

// policyFlags returns a flag set for a policy subcommand.
func policyFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fanclub policy "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fanclub policy "+name+" "+usage)
		fs.PrintDefaults()
	}
	return fs
}

func runPolicyList(args []string, stdout, stderr io.Writer) int {
	fs := policyFlags("list", "", stderr)
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "fanclub policy list: unexpected argument %q\n", pos[0])
		return 2
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		fmt.Fprintf(stderr, "fanclub policy list: %s\n", fanclub.ErrorMessage(err))
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDISPLAY NAME\t显示名称\tJURISDICTION\tTIME ZONE")
	for _, name := range reg.Names() {
		p, err := reg.Policy(name)
		if err != nil {
			fmt.Fprintf(stderr, "fanclub policy list: %s\n", fanclub.ErrorMessage(err))
			return 1
		}
		m := p.Metadata
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, m.DisplayName.EN, m.DisplayName.ZH, m.Jurisdiction, m.TimeZone)
	}
	if err := tw.Flush(); err != nil {
		return 1
	}
	return 0
}

func runPolicyShow(args []string, stdout, stderr io.Writer) int {
	fs := policyFlags("show", "NAME|FILE [--format yaml|json]", stderr)
	format := fs.String("format", "yaml", "output format: yaml|json")
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "fanclub policy show: name one policy or policy file")
		fs.Usage()
		return 2
	}
	if *format != "yaml" && *format != "json" {
		fmt.Fprintf(stderr, "fanclub policy show: unknown format %q; allowed: yaml, json\n", *format)
		return 2
	}
	reg, err := policyfile.NewRegistry()
	if err != nil {
		fmt.Fprintf(stderr, "fanclub policy show: %s\n", fanclub.ErrorMessage(err))
		return 1
	}
	p, err := reg.Resolve(pos[0])
	switch {
	case fanclub.ErrorCode(err) == fanclub.ENOTFOUND && !policyfile.IsPath(pos[0]):
		fmt.Fprintf(stderr, "fanclub policy show: %s\n", fanclub.ErrorMessage(err))
		return 2
	case err != nil:
		fmt.Fprint(stderr, policyfile.FormatErrors(pos[0], err))
		return 1
	}
	var out []byte
	if *format == "json" {
		out, err = json.MarshalIndent(p, "", "  ")
		out = append(out, '\n')
	} else {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		err = enc.Encode(p)
		out = b.Bytes()
	}
	if err != nil {
		fmt.Fprintf(stderr, "fanclub policy show: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		return 1
	}
	return 0
}

func runPolicyValidate(args []string, stdout, stderr io.Writer) int {
	fs := policyFlags("validate", "FILE...", stderr)
	files, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "fanclub policy validate: name at least one policy file")
		fs.Usage()
		return 2
	}
	status := 0
	for _, f := range files {
		if _, err := policyfile.ParseFile(f); err != nil {
			fmt.Fprint(stdout, policyfile.FormatErrors(f, err))
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", f)
	}
	return status
}

func runPolicySchema(args []string, stdout, stderr io.Writer) int {
	fs := policyFlags("schema", "", stderr)
	pos, code := parseArgs(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "fanclub policy schema: unexpected argument %q\n", strings.Join(pos, " "))
		return 2
	}
	if _, err := stdout.Write(policyfile.Schema()); err != nil {
		return 1
	}
	return 0
}

// printPolicyLoadError writes why a policy named on the command line (a
// registered name or a policy file) could not be loaded: the error's
// message, then each problem of the file a line, as "file:line:col: path:
// message" (the form 'fanclub policy validate' prints), so an editor can
// jump to it.
func printPolicyLoadError(w io.Writer, cmd, name string, err error) {
	fmt.Fprintf(w, "fanclub %s: %s\n", cmd, fanclub.ErrorMessage(err))
	if len(fanclub.ErrorFields(err)) == 0 {
		return
	}
	for line := range strings.Lines(policyfile.FormatErrors(name, err)) {
		fmt.Fprintf(w, "  %s", line)
	}
}
