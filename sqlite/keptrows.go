package sqlite

import (
	"cmp"
	"slices"
)

// keptRows holds committed rows of one kind (ledger transfers by seq,
// gifts by id) that the write-behind state keeps: from their commit until
// a checkpoint has stored them and no read transaction whose snapshot may
// predate that checkpoint is open. It indexes them by key and keeps them
// in number order. The overlay's mu guards it; only the writer changes it.
type keptRows[T any] struct {
	byKey map[string]*kept[T]
	// order holds the entries by number. A checkpoint stores every row
	// kept so far, so the stored rows are a prefix of order, in
	// checkpoint order (collect relies on it).
	order []*kept[T]
	key   func(*T) string
	num   func(*T) int64
}

// kept is one row and the epoch of the checkpoint that stored it (0 while
// only the journal holds it).
type kept[T any] struct {
	v       T
	flushed uint64
}

func newKeptRows[T any](key func(*T) string, num func(*T) int64) keptRows[T] {
	return keptRows[T]{byKey: map[string]*kept[T]{}, key: key, num: num}
}

// add keeps a row committed after every row kept so far.
func (k *keptRows[T]) add(v T, flushed uint64) {
	e := &kept[T]{v: v, flushed: flushed}
	k.byKey[k.key(&e.v)] = e
	k.order = append(k.order, e)
}

// get returns the entry of key.
func (k *keptRows[T]) get(key string) (*kept[T], bool) {
	e, ok := k.byKey[key]
	return e, ok
}

// into passes put a copy of the row of each of keys it holds, and
// returns the keys it lacks.
func (k *keptRows[T]) into(keys []string, put func(key string, v T)) (rest []string) {
	for _, key := range keys {
		if e, ok := k.byKey[key]; ok {
			put(key, e.v)
		} else {
			rest = append(rest, key)
		}
	}
	return rest
}

// rekey indexes e, whose key changed from old, under its new key.
func (k *keptRows[T]) rekey(e *kept[T], old string) {
	if k.byKey[old] == e {
		delete(k.byKey, old)
	}
	k.byKey[k.key(&e.v)] = e
}

// unflushed returns the rows only the journal holds, by number.
func (k *keptRows[T]) unflushed() []T {
	var out []T
	for _, e := range k.order {
		if e.flushed == 0 {
			out = append(out, e.v)
		}
	}
	return out
}

// markFlushed records that the checkpoint of epoch stored every row: the
// unflushed rows are the tail of order.
func (k *keptRows[T]) markFlushed(epoch uint64) {
	for i := len(k.order) - 1; i >= 0 && k.order[i].flushed == 0; i-- {
		k.order[i].flushed = epoch
	}
}

// collectable reports whether collect(oldest) would let go of a row.
func (k *keptRows[T]) collectable(oldest uint64) bool {
	return len(k.order) > 0 && gone(k.order[0].flushed, oldest)
}

// collect lets go of the rows every open read transaction's snapshot
// holds: those a checkpoint of an epoch up to oldest stored.
func (k *keptRows[T]) collect(oldest uint64) {
	n := 0
	for n < len(k.order) && gone(k.order[n].flushed, oldest) {
		e := k.order[n]
		if key := k.key(&e.v); k.byKey[key] == e {
			delete(k.byKey, key)
		}
		n++
	}
	if n > 0 {
		k.order = slices.Delete(k.order, 0, n)
	}
}

// gone reports whether a row stored by the checkpoint of epoch flushed is
// in the snapshot of every read transaction begun in oldest or later.
func gone(flushed, oldest uint64) bool { return flushed != 0 && flushed <= oldest }

// carryOver keeps, in k (just rebuilt from the journal), the rows of old
// it lacks, as stored by the checkpoint of epoch when old had not stored
// them yet (another handle's checkpoint did); fix adjusts each. Rows the
// tables hold number below the journal's, so order stays a prefix of
// stored rows; it is sorted by number all the same.
func (k *keptRows[T]) carryOver(old *keptRows[T], epoch uint64, fix func(*T)) {
	var carried []*kept[T]
	for _, oe := range old.order {
		key := k.key(&oe.v)
		if _, ok := k.byKey[key]; ok {
			continue
		}
		e := &kept[T]{v: oe.v, flushed: cmp.Or(oe.flushed, epoch)}
		fix(&e.v)
		k.byKey[key] = e
		carried = append(carried, e)
	}
	k.order = append(carried, k.order...)
	k.sort()
}

// keepStored keeps the rows of vs it lacks as stored by the checkpoint of
// epoch (rows another handle's checkpoint stored).
func (k *keptRows[T]) keepStored(vs []T, epoch uint64) {
	for _, v := range vs {
		if _, ok := k.byKey[k.key(&v)]; !ok {
			k.add(v, epoch)
		}
	}
	k.sort()
}

// sort puts order in number order.
func (k *keptRows[T]) sort() {
	slices.SortStableFunc(k.order, func(a, b *kept[T]) int { return cmp.Compare(k.num(&a.v), k.num(&b.v)) })
}

// where returns copies of the rows keep accepts, by number.
func (k *keptRows[T]) where(keep func(*T) bool) []T {
	var out []T
	for _, e := range k.order {
		if keep(&e.v) {
			out = append(out, e.v)
		}
	}
	return out
}

// mergeBy merges lists of rows into one, by the number num gives each,
// in ascending order; a row whose number an earlier list had replaces it
// (later lists are newer).
func mergeBy[T any](lists [3][]T, num func(T) int64) []T {
	idx := map[int64]int{}
	var out []T
	for _, list := range lists {
		for _, v := range list {
			if i, ok := idx[num(v)]; ok {
				out[i] = v
				continue
			}
			idx[num(v)] = len(out)
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(num(a), num(b)) })
	return out
}
