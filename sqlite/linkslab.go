package sqlite

// linkSlab holds the member chains' links in fixed-size chunks: growing
// it never copies what it holds (a slice of links doubled and copied
// hundreds of megabytes while Open indexed a long log) and leaves at most
// one chunk unused. Link 0 is the end of every chain.
type linkSlab struct {
	chunks [][]logLink
	n      int
	// dead counts the links no chain reaches any more (purged rows).
	dead int
}

// linkChunk is the number of links in a chunk (1 MiB).
const linkChunk = 1 << 16

func newLinkSlab() *linkSlab {
	s := &linkSlab{}
	s.push(logLink{})
	return s
}

// at returns link i.
func (s *linkSlab) at(i int) *logLink { return &s.chunks[i/linkChunk][i%linkChunk] }

// push appends a link and returns its index.
func (s *linkSlab) push(l logLink) int {
	if s.n%linkChunk == 0 {
		s.chunks = append(s.chunks, make([]logLink, linkChunk))
	}
	*s.at(s.n) = l
	s.n++
	return s.n - 1
}

// compacted returns a slab holding only the links member's chains reach,
// and renumbers member's heads to it.
func (s *linkSlab) compacted(heads map[memberKey]int) *linkSlab {
	out := newLinkSlab()
	var chain []int64
	for k, head := range heads {
		chain = chain[:0]
		for i := head; i != 0; i = s.at(i).next {
			chain = append(chain, s.at(i).row)
		}
		next := 0
		for j := len(chain) - 1; j >= 0; j-- {
			next = out.push(logLink{row: chain[j], next: next})
		}
		heads[k] = next
	}
	return out
}
