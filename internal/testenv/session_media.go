package testenv

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// UploadImage uploads a raster image of w×h pixels as File:name through
// importImages.php, drawn here: a PNG, or a JPEG when name ends in .jpg or
// .jpeg. seed varies the picture, so that two uploads differ. The wiki's
// thumbnailer (GD) can scale it, so PageImages has a lead image with real
// thumbnails.
func (s *Session) UploadImage(t testing.TB, name string, w, h int, seed uint8, comment string) {
	t.Helper()
	dir := t.TempDir()
	b, err := drawImage(name, w, h, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.W.Maint(t, "importImages.php", "--extensions=png,jpg,jpeg", "--comment="+comment, "--user="+s.W.AdminUser, dir)
}

// drawImage draws a gradient with a band whose colour comes from seed.
func drawImage(name string, w, h int, seed uint8) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), seed, 255}
			if y > h/3 && y < h/2 {
				c = color.RGBA{seed, 255 - seed, 128, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	lower := strings.ToLower(name)
	var err error
	if strings.HasSuffix(lower, ".jpg") || strings.HasSuffix(lower, ".jpeg") {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&buf, img)
	}
	return buf.Bytes(), err
}
