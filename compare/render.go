package compare

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"fanclub"
)

// Formats lists the formats Render writes.
var Formats = []string{"md", "html", "json"}

//go:embed page.html.tmpl
var pageFS embed.FS

// Render writes a comparison as Markdown ("md": one table per dimension
// under its section heading), a self-contained HTML page ("html") or JSON
// ("json": the Comparison struct). Another format is an invalid error.
func Render(w io.Writer, c *Comparison, format string) error {
	if c == nil {
		return fanclub.Errorf(fanclub.EINVALID, "no comparison to render")
	}
	switch format {
	case "md":
		return renderMarkdown(w, c)
	case "html":
		return renderHTML(w, c)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("render json: %w", err)
		}
		return nil
	}
	return &fanclub.Error{Code: fanclub.EINVALID, Message: fmt.Sprintf("unknown format %q", format),
		Fields: []fanclub.FieldError{{Path: "format", Found: format,
			Allowed: strings.Join(Formats, ", "), Message: "unknown format"}}}
}

// renderMarkdown writes one GitHub-flavoured table per dimension.
func renderMarkdown(w io.Writer, c *Comparison) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s\n", c.Title)
	for _, t := range c.Dimensions {
		fmt.Fprintf(b, "\n## %s\n\n", t.Title)
		writeMarkdownRow(b, t.Columns)
		b.WriteString("|" + strings.Repeat("---|", len(t.Columns)) + "\n")
		for _, r := range t.Rows {
			writeMarkdownRow(b, r.Cells)
		}
		if t.Key == "exit" {
			fmt.Fprintf(b, "\n%s\n", c.Note)
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("render md: %w", err)
	}
	return nil
}

// writeMarkdownRow writes a table row, escaping pipes and line breaks.
func writeMarkdownRow(b *bufio.Writer, cells []string) {
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	b.WriteString("|")
	for _, s := range cells {
		b.WriteString(" " + esc.Replace(s) + " |")
	}
	b.WriteString("\n")
}

// renderHTML writes a self-contained page; html/template escapes every cell.
func renderHTML(w io.Writer, c *Comparison) error {
	tmpl, err := template.New("page.html.tmpl").Funcs(template.FuncMap{
		"htmlLang": func(lang string) string {
			if lang == "zh" {
				return "zh-CN"
			}
			return lang
		},
	}).ParseFS(pageFS, "page.html.tmpl")
	if err != nil {
		return fmt.Errorf("parse page template: %w", err)
	}
	if err := tmpl.Execute(w, c); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}
