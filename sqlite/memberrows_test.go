package sqlite

import (
	"slices"
	"testing"
)

// TestMemberRows adds rows in order, repeated and out of order, and
// removes some: the rows read back are the set, in increasing order.
func TestMemberRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		add    []int64
		remove []int64
		want   []int64
		left   bool
	}{
		{"in order", []int64{1, 5, 300, 70000}, nil, []int64{1, 5, 300, 70000}, true},
		{"repeated", []int64{4, 4, 9, 9}, nil, []int64{4, 9}, true},
		{"out of order", []int64{10, 20, 15, 5, 20, 15}, nil, []int64{5, 10, 15, 20}, true},
		{"large rows", []int64{1 << 40, 1<<40 + 1, 1 << 62}, nil, []int64{1 << 40, 1<<40 + 1, 1 << 62}, true},
		{"some removed", []int64{1, 2, 3, 4}, []int64{2, 4}, []int64{1, 3}, true},
		{"all removed", []int64{7, 8}, []int64{8, 7}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m memberRows
			for _, r := range tc.add {
				m.add(r)
			}
			left := true
			if tc.remove != nil {
				left = m.remove(tc.remove)
			}
			if got := m.rows(nil); !slices.Equal(got, tc.want) || left != tc.left {
				t.Fatalf("rows %v (left %v), want %v (%v)", got, left, tc.want, tc.left)
			}
			if len(tc.want) > 0 && m.last != tc.want[len(tc.want)-1] {
				t.Fatalf("last %d, want %d", m.last, tc.want[len(tc.want)-1])
			}
			m.add(m.last + 3)
			if got := m.rows(nil); got[len(got)-1] != m.last {
				t.Fatalf("after adding past the last: %v, last %d", got, m.last)
			}
		})
	}
}
