package fanclub

import "testing"

// TestShareOfIsAnExactFloor checks the creator's share is ⌊value × share⌋
// of the share as written, never rounded to a coarser step or up.
func TestShareOfIsAnExactFloor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value int64
		share float64
		want  int64
	}{
		{400, 0.5, 200},
		{10, 0.33, 3},
		{100000, 0.12345, 12345},
		{10, 0.99995, 9},
		{99, 0.29, 28},
		{100, 0.29, 29},
		{7, 1, 7},
		{7, 0, 0},
		{0, 0.5, 0},
	}
	for _, tt := range tests {
		if got := shareOf(tt.value, tt.share); got != tt.want {
			t.Errorf("shareOf(%d, %v) = %d, want %d", tt.value, tt.share, got, tt.want)
		}
	}
}
