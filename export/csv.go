package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"

	"fanclub"
)

// ManifestName is the zip entry, written last, that lists the CSV files
// with their SHA-256 and carries the signature.
const ManifestName = "manifest.json"

// ManifestFile is one CSV file of a zip export.
type ManifestFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// csvZip writes one CSV file per table into a zip.
type csvZip struct {
	zw    *zip.Writer
	sc    *fanclub.ExportScope
	cw    *csv.Writer
	h     hash.Hash
	n     *countWriter
	name  string
	files []ManifestFile
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (z *csvZip) table(name string) error {
	if err := z.close(); err != nil {
		return err
	}
	f, err := z.zw.CreateHeader(&zip.FileHeader{Name: name + ".csv", Method: zip.Deflate, Modified: z.sc.At})
	if err != nil {
		return err
	}
	z.name, z.h = name+".csv", sha256.New()
	z.n = &countWriter{w: io.MultiWriter(f, z.h)}
	z.cw = csv.NewWriter(z.n)
	return z.cw.Write(csvHeader[name])
}

func (z *csvZip) record(_ string, rec any) error { return z.cw.Write(csvRow(rec)) }

// close finishes the open CSV file and lists it in the manifest.
func (z *csvZip) close() error {
	if z.cw == nil {
		return nil
	}
	z.cw.Flush()
	if err := z.cw.Error(); err != nil {
		return err
	}
	z.files = append(z.files, ManifestFile{Name: z.name, Bytes: z.n.n, SHA256: hex.EncodeToString(z.h.Sum(nil))})
	z.cw = nil
	return nil
}

// writeCSV writes the CSV format: a zip of one CSV file per table and,
// last, the signed manifest.
func writeCSV(ctx context.Context, w io.Writer, src Source, sc *fanclub.ExportScope, s *Signer) (map[string]int64, error) {
	zw := zip.NewWriter(w)
	z := &csvZip{zw: zw, sc: sc}
	counts, err := walk(ctx, src, sc, z)
	if err != nil {
		return nil, err
	}
	if err := z.close(); err != nil {
		return nil, err
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: sc.At})
	if err != nil {
		return nil, err
	}
	d := newSignedDoc(f)
	head := headerOf(sc, s)
	head.Format = FormatName + "-csv"
	b, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	d.raw(b[:len(b)-1])
	d.member("files", z.files)
	d.member("counts", counts)
	if err := d.finish(s); err != nil {
		return nil, err
	}
	return counts, zw.Close()
}
