package captcha

import (
	"bytes"
	"image/png"
	"testing"
)

func TestWritePNGDecodesAtConfiguredSize(t *testing.T) {
	t.Parallel()
	r := New(Config{Width: 200, Height: 60})
	var buf bytes.Buffer
	if err := r.WritePNG(&buf, "042917"); err != nil {
		t.Fatalf("WritePNG: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 60 {
		t.Fatalf("size = %dx%d, want 200x60", b.Dx(), b.Dy())
	}
}

func TestWritePNGRejectsBadCodes(t *testing.T) {
	t.Parallel()
	r := New(Config{})
	for _, code := range []string{"", "12a4", "-1", "1234567890123", "１２"} {
		var buf bytes.Buffer
		if err := r.WritePNG(&buf, code); err == nil {
			t.Errorf("WritePNG(%q) = nil error, want an error", code)
		}
		if buf.Len() != 0 {
			t.Errorf("WritePNG(%q) wrote %d bytes on error", code, buf.Len())
		}
	}
}
