package captcha

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// sliderImage renders a slider puzzle and decodes it.
func sliderImage(t *testing.T, width, target int) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := New(Config{}).WriteSliderPNG(&buf, width, target); err != nil {
		t.Fatalf("WriteSliderPNG(%d, %d): %v", width, target, err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

// columnBrightness is the mean brightness (0-255) of columns [x0, x1).
func columnBrightness(img image.Image, x0, x1 int) float64 {
	var sum, n float64
	b := img.Bounds()
	for x := max(x0, b.Min.X); x < min(x1, b.Max.X); x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += float64(r+g+bl) / 3 / 257
			n++
		}
	}
	return sum / n
}

func TestWriteSliderPNGDrawsTheGapAtTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ width, target int }{
		{300, 40}, {300, 140}, {300, 280}, {600, 451}, {120, 100},
	} {
		img := sliderImage(t, tc.width, tc.target)
		if b := img.Bounds(); b.Dx() != tc.width || b.Dy() != SliderHeight {
			t.Fatalf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.width, SliderHeight)
		}
		gap := columnBrightness(img, tc.target-15, tc.target+15)
		for x := SliderGap; x+10 <= tc.width; x += 10 {
			if x+10 > tc.target-SliderGap/2 && x < tc.target+SliderGap/2 {
				continue
			}
			if other := columnBrightness(img, x, x+10); gap > other-40 {
				t.Errorf("width %d target %d: gap brightness %.0f, columns %d-%d %.0f", tc.width, tc.target, gap, x, x+10, other)
			}
		}
	}
}

func TestWriteSliderPNGTextureHidesTarget(t *testing.T) {
	t.Parallel()
	a, b := sliderImage(t, 300, 100), sliderImage(t, 300, 200)
	for _, x := range []int{60, 150, 250, 299} {
		for _, y := range []int{0, 5, 70, 79} {
			if a.At(x, y) != b.At(x, y) {
				t.Errorf("pixel (%d,%d) away from both gaps differs between targets", x, y)
			}
		}
	}
}

func TestWriteSliderPNGRejectsBadGeometry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ width, target int }{
		{300, 0}, {300, 300}, {300, -5}, {0, 0}, {-1, 1}, {2001, 100}, {300, 301},
	} {
		var buf bytes.Buffer
		if err := New(Config{}).WriteSliderPNG(&buf, tc.width, tc.target); err == nil {
			t.Errorf("WriteSliderPNG(%d, %d) = nil error", tc.width, tc.target)
		}
		if buf.Len() != 0 {
			t.Errorf("WriteSliderPNG(%d, %d) wrote %d bytes on error", tc.width, tc.target, buf.Len())
		}
	}
}
