package sqlite

import (
	"encoding/binary"
	"slices"
)

// memberRows is the event_log rows that hold one member's events, in
// increasing order, delta-coded: last is the largest row and deltas the
// uvarint differences between consecutive rows (the first from 0). A
// member's rows are near one another, so a row costs one to three bytes
// instead of an 8-byte id and a link.
type memberRows struct {
	last   int64
	deltas []byte
}

// add records row. Rows are indexed in increasing order; an earlier row
// (never added by this package's callers, kept correct anyway) is
// inserted in place.
func (m *memberRows) add(row int64) {
	switch {
	case row == m.last:
	case row > m.last:
		m.deltas = binary.AppendUvarint(m.deltas, uint64(row-m.last))
		m.last = row
	default:
		rows := m.rows(nil)
		if i, found := slices.BinarySearch(rows, row); !found {
			m.set(slices.Insert(rows, i, row))
		}
	}
}

// rows appends the rows to dst, in increasing order.
func (m *memberRows) rows(dst []int64) []int64 {
	row := int64(0)
	for b := m.deltas; len(b) > 0; {
		d, n := binary.Uvarint(b)
		b = b[n:]
		row += int64(d)
		dst = append(dst, row)
	}
	return dst
}

// rowsFrom appends to dst, in increasing order, the first n rows at or
// after from, decoding no further than the n-th.
func (m *memberRows) rowsFrom(dst []int64, from int64, n int) []int64 {
	row, taken := int64(0), 0
	for b := m.deltas; len(b) > 0 && taken < n; {
		d, w := binary.Uvarint(b)
		b = b[w:]
		row += int64(d)
		if row >= from {
			dst = append(dst, row)
			taken++
		}
	}
	return dst
}

// set replaces the rows with rows, in increasing order, in a slice of
// their size.
func (m *memberRows) set(rows []int64) {
	b := make([]byte, 0, len(rows)*2)
	prev := int64(0)
	for _, r := range rows {
		b = binary.AppendUvarint(b, uint64(r-prev))
		prev = r
	}
	m.deltas, m.last = slices.Clip(b), prev
}

// remove drops the given rows; it reports whether any row is left.
func (m *memberRows) remove(gone []int64) bool {
	rows := slices.DeleteFunc(m.rows(nil), func(r int64) bool { return slices.Contains(gone, r) })
	m.set(rows)
	return len(rows) > 0
}
