package avatar

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
)

// standInAvatar is a plain square in a colour taken from the wiki's name
// with a lighter disc: recognisably the same for every actor of one wiki.
func standInAvatar(name string) *Image {
	h := fnv.New32a()
	h.Write([]byte(name))
	v := h.Sum32()
	bg := color.RGBA{R: uint8(40 + v%120), G: uint8(40 + (v>>8)%120), B: uint8(40 + (v>>16)%120), A: 255}
	fg := color.RGBA{R: bg.R + 90, G: bg.G + 90, B: bg.B + 90, A: 255}
	const n = 128
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := x-n/2, y-n/2
			c := bg
			if dx*dx+dy*dy < (n/3)*(n/3) {
				c = fg
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return newImage(b.Bytes(), "image/png")
}
