package avatar

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// A logo like MediaWiki's default: gradients that inherit their stops by
// href, which the rasterizer alone draws as black.
const hrefGradientSVG = `<svg width="100" height="50" version="1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg">
  <defs>
    <linearGradient id="g" gradientUnits="userSpaceOnUse" x1="0" x2="100" y1="0" y2="0">
      <stop offset="0%" stop-color="#ff0000"/>
      <stop offset="100%" stop-color="#ff0000"/>
    </linearGradient>
    <linearGradient xlink:href="#g" id="g2" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="100" y2="0"/>
  </defs>
  <rect x="0" y="0" width="100" height="50" fill="url(#g2)"/>
</svg>`

func TestRasterizeSVG(t *testing.T) {
	if got := string(inlineGradients([]byte(hrefGradientSVG))); strings.Count(got, "<stop") != 4 || !strings.Contains(got, `id="g2" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="100" y2="0">`) {
		t.Fatalf("the inheriting gradient did not get the stops:\n%s", got)
	}
	b, err := rasterizeSVG([]byte(hrefGradientSVG), 200)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 200 || img.Bounds().Dy() != 200 {
		t.Fatalf("size %v, want 200×200", img.Bounds())
	}
	// 100×50 drawn centred: the middle is red, the top band transparent.
	if r, g, b, a := img.At(100, 100).RGBA(); r>>8 < 200 || g>>8 > 40 || b>>8 > 40 || a>>8 < 200 {
		t.Errorf("centre pixel %d,%d,%d,%d: want the gradient's red", r>>8, g>>8, b>>8, a>>8)
	}
	if _, _, _, a := img.At(100, 10).RGBA(); a != 0 {
		t.Errorf("the band above a wide logo should be transparent (alpha %d)", a>>8)
	}
	for _, bad := range []string{"", "not svg", "<svg></svg>"} {
		if _, err := rasterizeSVG([]byte(bad), 10); err == nil {
			t.Errorf("rasterizeSVG(%q) gave no error", bad)
		}
	}
}

func TestStandInAvatar(t *testing.T) {
	a, b := standInAvatar("Testwiki"), standInAvatar("Otherwiki")
	if _, err := png.Decode(bytes.NewReader(a.Body)); err != nil || a.MediaType != "image/png" {
		t.Fatalf("stand-in is not a PNG: %v", err)
	}
	if a.Version == b.Version {
		t.Errorf("two wikis get the same stand-in")
	}
	if standInAvatar("Testwiki").Version != a.Version {
		t.Errorf("the stand-in of one wiki changes")
	}
}
