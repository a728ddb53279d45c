package captcha

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
)

// Slider image geometry.
const (
	// SliderHeight is the height in pixels of every slider image.
	SliderHeight = 80
	// SliderGap is the side in pixels of the gap and of the piece.
	SliderGap = 40
	// MaxSliderWidth is the widest slider track a Renderer draws.
	MaxSliderWidth = 2000
)

// WriteSliderPNG draws a slider puzzle and writes the PNG to w: a
// width×SliderHeight textured track with a dark square gap centred at
// x=target and the movable piece at the left edge. The fan drags the
// piece into the gap; the gap is the only trace of target in the image
// (the texture depends on width alone). It requires 0 < target < width
// ≤ MaxSliderWidth.
func (r *Renderer) WriteSliderPNG(w io.Writer, width, target int) error {
	if width <= 0 || width > MaxSliderWidth {
		return fmt.Errorf("captcha: slider width must be 1 to %d, got %d", MaxSliderWidth, width)
	}
	if target <= 0 || target >= width {
		return fmt.Errorf("captcha: slider target must be inside (0, %d), got %d", width, target)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, SliderHeight))
	for y := range SliderHeight {
		for x := range width {
			img.SetRGBA(x, y, texture(width, x, y))
		}
	}
	top := (SliderHeight - SliderGap) / 2
	drawPiece(img, image.Rect(0, top, SliderGap, top+SliderGap))
	left := target - SliderGap/2
	drawGap(img, image.Rect(left, top, left+SliderGap, top+SliderGap).Intersect(img.Bounds()))
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("captcha: encode slider: %w", err)
	}
	return nil
}

// texture is the background colour at (x, y): soft colour waves with
// per-pixel noise, light enough (every channel at least 130) that the gap
// stands out. It is a pure function of the track width and position.
func texture(width, x, y int) color.RGBA {
	fx, fy := float64(x), float64(y)
	wave := func(a, b, phase float64) float64 {
		return 25 * math.Sin(fx/a+fy/b+phase)
	}
	n := noise(width, x, y)
	ch := func(base, v float64) uint8 {
		return uint8(min(255, max(130, base+v+float64(n%41)-20)))
	}
	return color.RGBA{
		R: ch(185, wave(23, 31, 0)),
		G: ch(190, wave(17, -13, 1.3)),
		B: ch(200, wave(29, 11, 2.6)),
		A: 255,
	}
}

// noise hashes (width, x, y) to a pseudo-random number (a 32-bit
// finalizer mix), so the same track always has the same texture.
func noise(width, x, y int) uint32 {
	h := uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77 ^ uint32(width)*0xC2B2AE3D
	h ^= h >> 16
	h *= 0x7FEB352D
	h ^= h >> 15
	h *= 0x846CA68B
	h ^= h >> 16
	return h
}

// drawGap darkens rect to about a third of its brightness and outlines it
// in white.
func drawGap(img *image.RGBA, rect image.Rectangle) {
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			if x == rect.Min.X || x == rect.Max.X-1 || y == rect.Min.Y || y == rect.Max.Y-1 {
				img.SetRGBA(x, y, color.RGBA{R: 245, G: 245, B: 245, A: 255})
				continue
			}
			c := img.RGBAAt(x, y)
			img.SetRGBA(x, y, color.RGBA{R: c.R / 3, G: c.G / 3, B: c.B / 3, A: 255})
		}
	}
}

// drawPiece paints the movable piece: a light square with a dark outline.
func drawPiece(img *image.RGBA, rect image.Rectangle) {
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			c := color.RGBA{R: 240, G: 236, B: 225, A: 255}
			if x == rect.Min.X || x == rect.Max.X-1 || y == rect.Min.Y || y == rect.Max.Y-1 {
				c = color.RGBA{R: 90, G: 90, B: 110, A: 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
}
