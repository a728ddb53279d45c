package sqlite

import "fmt"

// scanEvents calls fn with each event of an event_log body, in order,
// without building the events: the id is passed in buf, which fn must
// not keep (the next event's id overwrites it). It returns buf (grown as
// needed) for the next call, and an error for a body decodeEvents would
// refuse, after calling fn with the events before the damage.
func scanEvents(format int, body, buf []byte, fn func(id []byte, fan, club, at int64)) ([]byte, error) {
	if format != logFormatBinary {
		evs, err := decodeEvents(format, body)
		if err != nil {
			return buf, err
		}
		for _, e := range evs {
			buf = append(buf[:0], e.ID...)
			fn(buf, e.FanID, e.ClubID, ts(e.At))
		}
		return buf, nil
	}
	r := &journalReader{b: body}
	n := r.count()
	buf = buf[:0]
	at := int64(0)
	for ; n > 0 && r.err == nil; n-- {
		shared := r.uvarint()
		if r.err == nil && shared > uint64(len(buf)) {
			r.err = errJournal
		}
		rest := r.bytes()
		fan, club := r.varint(), r.varint()
		r.action()
		r.varint()
		at += r.varint()
		if r.err != nil {
			break
		}
		buf = append(buf[:shared], rest...)
		fn(buf, fan, club, at)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errJournal
	}
	if r.err != nil {
		return buf, fmt.Errorf("event log: %w", r.err)
	}
	return buf, nil
}

// bytes reads a string as a view of the body (no copy).
func (r *journalReader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}
