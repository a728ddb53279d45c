// Package captcha renders exit challenges as PNG images. The engine
// chooses and checks the answers; this package only draws them: captcha
// codes with the digit driver of github.com/mojocn/base64Captcha (noise
// dots, skew and distortion), so the code is readable by a person but not
// trivially by a program, and slider puzzles as a textured track with a
// gap where the piece must be dragged.
package captcha

import (
	"bytes"
	"fmt"
	"io"

	"github.com/mojocn/base64Captcha"
)

// Config sizes the rendered image.
type Config struct {
	// Width and Height are the image size in pixels (default 240×80).
	Width, Height int
	// MaxSkew is the largest skew of one digit (default 0.7).
	MaxSkew float64
	// DotCount is the number of background noise circles (default 80).
	DotCount int
}

// MaxDigits is the longest code a Renderer draws.
const MaxDigits = 12

// Renderer draws digit strings as PNG images.
type Renderer struct {
	cfg Config
}

// New returns a renderer; zero fields of cfg take their defaults.
func New(cfg Config) *Renderer {
	if cfg.Width <= 0 {
		cfg.Width = 240
	}
	if cfg.Height <= 0 {
		cfg.Height = 80
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 0.7
	}
	if cfg.DotCount <= 0 {
		cfg.DotCount = 80
	}
	return &Renderer{cfg: cfg}
}

// ContentType is the media type of what WritePNG writes.
const ContentType = "image/png"

// WritePNG draws digits (1 to MaxDigits of 0-9) and writes the PNG to w.
func (r *Renderer) WritePNG(w io.Writer, digits string) error {
	if len(digits) == 0 || len(digits) > MaxDigits {
		return fmt.Errorf("captcha: code must have 1 to %d digits, got %d", MaxDigits, len(digits))
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return fmt.Errorf("captcha: code must be digits only, got %q at %d", digits[i], i)
		}
	}
	d := base64Captcha.NewDriverDigit(r.cfg.Height, r.cfg.Width, len(digits), r.cfg.MaxSkew, r.cfg.DotCount)
	item, err := d.DrawCaptcha(digits)
	if err != nil {
		return fmt.Errorf("captcha: draw: %w", err)
	}
	var buf bytes.Buffer
	if _, err := item.WriteTo(&buf); err != nil {
		return fmt.Errorf("captcha: encode: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("captcha: write: %w", err)
	}
	return nil
}
