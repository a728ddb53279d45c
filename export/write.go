package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"fanclub"
)

// Result is what an export wrote: the rows per table.
type Result struct {
	Format fanclub.ExportFormat `json:"format"`
	Counts map[string]int64     `json:"counts"`
}

// ContentType returns the media type of a format's export.
func ContentType(f fanclub.ExportFormat) string {
	switch f {
	case fanclub.ExportCSV:
		return "application/zip"
	case fanclub.ExportActivityStreams:
		return "application/activity+json"
	}
	return "application/json"
}

// FileName returns the file name an export of a format is offered as.
func FileName(f fanclub.ExportFormat, fanID int64) string {
	ext := map[fanclub.ExportFormat]string{fanclub.ExportCSV: "zip", fanclub.ExportActivityStreams: "activity.json"}[f]
	if ext == "" {
		ext = "json"
	}
	return fmt.Sprintf("fanclub-export-fan-%d.%s", fanID, ext)
}

// Write streams a fan's export in a format to w, signed by s. It reads
// the scope first (an error then has written nothing) and then the
// behaviour log page by page; an error after the first byte leaves w
// holding a truncated document that no importer accepts.
func Write(ctx context.Context, w io.Writer, src Source, fanID int64, format fanclub.ExportFormat, s *Signer) (*Result, error) {
	sc, err := src.ExportScope(ctx, fanID, format)
	if err != nil {
		return nil, err
	}
	return WriteScope(ctx, w, src, sc, s)
}

// WriteScope is Write with the scope already read.
func WriteScope(ctx context.Context, w io.Writer, src Source, sc *fanclub.ExportScope, s *Signer) (*Result, error) {
	bw := bufio.NewWriterSize(w, 32<<10)
	var (
		counts map[string]int64
		err    error
	)
	switch sc.Format {
	case fanclub.ExportCSV:
		counts, err = writeCSV(ctx, bw, src, sc, s)
	case fanclub.ExportActivityStreams:
		counts, err = writeActivities(ctx, bw, src, sc, s)
	default:
		counts, err = writeJSON(ctx, bw, src, sc, s)
	}
	if err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return &Result{Format: sc.Format, Counts: counts}, nil
}

// jsonDoc writes the JSON format's tables: one array per table.
type jsonDoc struct {
	d    *signedDoc
	open bool // a table's array is open
	n    int  // rows of the open table
}

func (j *jsonDoc) table(name string) error {
	j.close()
	j.open, j.n = true, 0
	j.d.str(`,"` + name + `":[`)
	return j.d.err
}

func (j *jsonDoc) record(_ string, rec any) error {
	if j.n > 0 {
		j.d.str(",")
	}
	j.n++
	j.d.value(rec)
	return j.d.err
}

// close ends the open table's array.
func (j *jsonDoc) close() {
	if j.open {
		j.d.str("]")
		j.open = false
	}
}

// writeJSON writes the JSON format.
func writeJSON(ctx context.Context, w io.Writer, src Source, sc *fanclub.ExportScope, s *Signer) (map[string]int64, error) {
	d := newSignedDoc(w)
	head, err := json.Marshal(headerOf(sc, s))
	if err != nil {
		return nil, err
	}
	d.raw(head[:len(head)-1]) // the header's members, without its closing brace
	j := &jsonDoc{d: d}
	counts, err := walk(ctx, src, sc, j)
	if err != nil {
		return nil, err
	}
	j.close()
	d.member("counts", counts)
	return counts, d.finish(s)
}
