package simulate

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strconv"

	"fanclub"
	"fanclub/export"
)

// DoExport downloads the fan's data (Format: json, csv or
// activitystreams; json when omitted), as GET /v1/me/export does, and
// prints its rows per table; the runner checks the export's signature.
const DoExport = "export"

// simulatorInstance names the simulator in the exports it signs.
const simulatorInstance = "urn:fanclub:simulator"

// ExportState is what an export step downloaded: its format, its rows per
// table and the clubs it withheld because their policy offers no export
// in that format.
type ExportState struct {
	Format   fanclub.ExportFormat `json:"format"`
	Counts   map[string]int64     `json:"counts"`
	Withheld []string             `json:"withheld,omitempty"`
}

// parseExportFormat checks a step's format: only export steps have one.
func parseExportFormat(sf stepFile, st *Step, add func(field, found, msg string)) {
	if sf.Do != DoExport {
		if sf.Format != "" {
			add("format", strconv.Quote(sf.Format), "format is only for export steps")
		}
		return
	}
	st.Format = fanclub.ExportJSON
	if sf.Format == "" {
		return
	}
	if !slices.Contains(fanclub.ExportFormats, fanclub.ExportFormat(sf.Format)) {
		add("format", strconv.Quote(sf.Format), "bad format; allowed: json, csv, activitystreams")
		return
	}
	st.Format = fanclub.ExportFormat(sf.Format)
}

// export runs an export step: it writes the fan's export, checks its
// signature with the instance's key (a JSON export is decoded in full)
// and records the counts.
func (r *runner) export(ctx context.Context, line *Line, fanID int64, f fanclub.ExportFormat) error {
	key, err := r.eng.SigningKey(ctx)
	if err != nil {
		return err
	}
	sc, err := r.eng.ExportScope(ctx, fanID, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := export.WriteScope(ctx, &buf, r.eng, sc, &export.Signer{Instance: simulatorInstance, Key: key})
	if err != nil {
		return err
	}
	if err := verifyExport(buf.Bytes(), f, key); err != nil {
		return fmt.Errorf("the %s export does not verify: %w", f, err)
	}
	st := &ExportState{Format: f, Counts: res.Counts}
	for _, w := range sc.Withheld {
		st.Withheld = append(st.Withheld, r.clubName(w.ClubID))
	}
	line.Export = st
	return nil
}

// verifyExport checks an export's signature with the key that made it.
func verifyExport(body []byte, f fanclub.ExportFormat, key *fanclub.SigningKey) error {
	var err error
	switch f {
	case fanclub.ExportCSV:
		_, err = export.VerifyZip(bytes.NewReader(body), int64(len(body)), key.Public())
	case fanclub.ExportJSON:
		_, err = export.Decode(bytes.NewReader(body), func(id string) (ed25519.PublicKey, bool) { return key.Public(), id == key.ID })
	default:
		_, err = export.VerifySigned(body, key.Public())
	}
	return err
}
