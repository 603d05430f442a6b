package avatar

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strings"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
)

// rasterizeSVG draws an SVG (a wiki's logo) as a size×size PNG, the image
// centred with its aspect kept on a transparent square: GoToSocial and
// Mastodon take only raster avatars (docs/interop.md, "Avatars").
func rasterizeSVG(svg []byte, size int) ([]byte, error) {
	icon, err := oksvg.ReadIconStream(bytes.NewReader(inlineGradients(svg)), oksvg.IgnoreErrorMode)
	if err != nil {
		return nil, fmt.Errorf("reading the SVG: %w", err)
	}
	vw, vh := icon.ViewBox.W, icon.ViewBox.H
	if vw <= 0 || vh <= 0 {
		return nil, errors.New("the SVG has no size")
	}
	scale := float64(size) / max(vw, vh)
	w, h := vw*scale, vh*scale
	icon.SetTarget((float64(size)-w)/2, (float64(size)-h)/2, w, h)
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.Transparent, image.Point{}, draw.Src)
	icon.Draw(rasterx.NewDasher(size, size, rasterx.NewScannerGV(size, size, img, img.Bounds())), 1)
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// inlineGradients copies the stops of a gradient into the gradients that
// reference it by href and have none of their own (SVG's inheritance, used
// by MediaWiki's default logo), which the rasterizer does not follow. The
// document is otherwise passed through byte for byte.
func inlineGradients(svg []byte) []byte {
	type span struct{ start, end int64 }
	stops := map[string][]byte{} // gradient id → its raw stops
	var refs []struct {
		span
		raw, href string
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = false
	var open *struct {
		id         string
		innerStart int64
	}
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return svg // not for us to repair
		}
		after := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			if !strings.HasSuffix(t.Name.Local, "Gradient") {
				continue
			}
			id, href := "", ""
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "id":
					id = a.Value
				case "href":
					href = strings.TrimPrefix(a.Value, "#")
				}
			}
			raw := string(svg[before:after])
			if href != "" && strings.HasSuffix(strings.TrimSpace(raw), "/>") {
				refs = append(refs, struct {
					span
					raw, href string
				}{span{before, after}, raw, href})
			} else if id != "" {
				open = &struct {
					id         string
					innerStart int64
				}{id, after}
			}
		case xml.EndElement:
			if open != nil && strings.HasSuffix(t.Name.Local, "Gradient") {
				stops[open.id] = svg[open.innerStart:before]
				open = nil
			}
		}
	}
	if len(refs) == 0 {
		return svg
	}
	var out bytes.Buffer
	last := int64(0)
	for _, r := range refs {
		inner, ok := stops[r.href]
		if !ok {
			continue
		}
		out.Write(svg[last:r.start])
		head := strings.TrimSuffix(strings.TrimRight(r.raw, " \t\r\n"), "/>")
		name := strings.Fields(strings.TrimPrefix(head, "<"))[0]
		out.WriteString(head + ">")
		out.Write(inner)
		out.WriteString("</" + name + ">")
		last = r.end
	}
	out.Write(svg[last:])
	return out.Bytes()
}
