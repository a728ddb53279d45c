package sqlite

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"fanclub"
)

// The result of a producer's batch is stored in batches.result, in one of
// two forms told apart by the first byte:
//
//	'{'   JSON of fanclub.BatchResult (rows written before the binary form)
//	0x01  binary: uvarint accepted, duplicates, rejected, n; then n
//	      results: id front-coded against the previous one (uvarint
//	      shared prefix length, string rest); byte status (0 accepted,
//	      1 duplicate, 2 rejected); string code; varint points. The
//	      totals count the results by status.
//
// Strings are a uvarint length and the bytes; every varint is in its
// shortest form.
const batchFormatBinary = 1

// batchStatuses are the statuses by their binary code.
var batchStatuses = [...]string{fanclub.EventAccepted, fanclub.EventDuplicate, fanclub.EventRejected}

// encodeBatchResult encodes r in the binary form.
func encodeBatchResult(r *fanclub.BatchResult) []byte {
	b := make([]byte, 0, 16+24*len(r.Results))
	b = append(b, batchFormatBinary)
	for _, n := range [...]int{r.Accepted, r.Duplicates, r.Rejected, len(r.Results)} {
		b = binary.AppendUvarint(b, uint64(n))
	}
	prev := ""
	for i := range r.Results {
		e := &r.Results[i]
		b = appendFrontCoded(b, prev, e.ID)
		prev = e.ID
		code := byte(0xff)
		for c, s := range batchStatuses {
			if s == e.Status {
				code = byte(c)
			}
		}
		b = append(b, code)
		b = appendString(b, e.Code)
		b = binary.AppendVarint(b, e.Points)
	}
	return b
}

// errBatchResult reports a stored batch result that does not decode.
var errBatchResult = errors.New("batch result: malformed")

// decodeBatchResult decodes either form.
func decodeBatchResult(raw []byte) (*fanclub.BatchResult, error) {
	if len(raw) > 0 && raw[0] == '{' {
		var r fanclub.BatchResult
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("batch result: %w", err)
		}
		if !tallied(&r) {
			return nil, errBatchResult
		}
		return &r, nil
	}
	if len(raw) == 0 || raw[0] != batchFormatBinary {
		return nil, errBatchResult
	}
	rd := &journalReader{b: raw[1:]}
	var totals [3]uint64
	for i := range totals {
		totals[i] = rd.uvarint()
	}
	n := rd.count()
	r := &fanclub.BatchResult{}
	if n > 0 {
		r.Results = make([]fanclub.EventResult, 0, n)
	}
	var tally [len(batchStatuses)]uint64
	prev := ""
	for ; n > 0 && rd.err == nil; n-- {
		e := fanclub.EventResult{ID: rd.frontCoded(prev)}
		prev = e.ID
		if len(rd.b) == 0 || int(rd.b[0]) >= len(batchStatuses) {
			return nil, errBatchResult
		}
		tally[rd.b[0]]++
		e.Status = batchStatuses[rd.b[0]]
		rd.b = rd.b[1:]
		e.Code, e.Points = rd.string(), rd.varint()
		r.Results = append(r.Results, e)
	}
	// The totals count the results by status (the ingest sets them so);
	// totals that disagree with the results are a damaged row.
	if rd.err != nil || len(rd.b) != 0 || totals != tally {
		return nil, errBatchResult
	}
	r.Accepted, r.Duplicates, r.Rejected = int(tally[0]), int(tally[1]), int(tally[2])
	return r, nil
}

// tallied reports whether r's totals count its results by status, as the
// ingest sets them.
func tallied(r *fanclub.BatchResult) bool {
	var tally [len(batchStatuses)]int
	for i := range r.Results {
		c := 0
		for c < len(batchStatuses) && batchStatuses[c] != r.Results[i].Status {
			c++
		}
		if c == len(batchStatuses) {
			return false
		}
		tally[c]++
	}
	return tally == [...]int{r.Accepted, r.Duplicates, r.Rejected}
}
