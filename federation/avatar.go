package federation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// AssetFetcher fetches files the wiki points to (its logo): the wiki side
// does it, with the wiki's own trust, never for a URL a remote chose.
type AssetFetcher interface {
	Asset(ctx context.Context, url string) ([]byte, string, error)
}

// avatarSize is the side of the square PNG made from an SVG logo.
const avatarSize = 400

// avatarTTL is how long the wiki's logo is used before it is read again.
const avatarTTL = time.Hour

// rasterTypes are the image types every Fediverse server takes as an
// avatar.
var rasterTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// avatarImage is the wiki's logo as a raster image, with a short hash of
// it for the URL, so that servers fetch it again when it changes.
type avatarImage struct {
	body      []byte
	mediaType string
	version   string
}

// wikiAvatar serves the wiki's logo as every actor's avatar. A raster logo
// is used as it is; an SVG logo (MediaWiki's default) is drawn as a PNG;
// when there is no logo, or it cannot be read or drawn, an image made
// from the wiki's name stands in, so an actor never shows a server's
// default avatar.
type wikiAvatar struct {
	fetch    AssetFetcher
	logoURL  string
	siteName string
	log      *slog.Logger

	mu         sync.Mutex
	cur        *avatarImage
	fetched    time.Time
	refreshing bool
}

// get returns the current image. Only the very first call waits for the
// logo (bounded by firstLoadTimeout); after that a stale image is served
// while one refresh runs in the background, so actor documents never wait
// on the wiki. A failed read keeps the image in hand (or the stand-in) and
// is tried again a minute later.
func (a *wikiAvatar) get(ctx context.Context) *avatarImage {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur == nil {
		lctx, cancel := context.WithTimeout(ctx, firstLoadTimeout)
		defer cancel()
		a.store(a.load(lctx))
		return a.cur
	}
	if time.Since(a.fetched) >= avatarTTL && !a.refreshing {
		a.refreshing = true
		go func() {
			img, err := a.load(context.WithoutCancel(ctx))
			a.mu.Lock()
			defer a.mu.Unlock()
			a.refreshing = false
			a.store(img, err)
		}()
	}
	return a.cur
}

// firstLoadTimeout bounds the wait for the logo the first time it is
// needed.
const firstLoadTimeout = 10 * time.Second

// store keeps a freshly loaded image, or notes the failure; a.mu is held.
func (a *wikiAvatar) store(img *avatarImage, err error) {
	if err != nil {
		a.log.Warn("the wiki's logo cannot be used as an avatar; using a stand-in", "logo", a.logoURL, "err", err)
		if a.cur == nil {
			a.cur = standInAvatar(a.siteName)
		}
		a.fetched = time.Now().Add(time.Minute - avatarTTL)
		return
	}
	a.cur, a.fetched = img, time.Now()
}

func (a *wikiAvatar) load(ctx context.Context) (*avatarImage, error) {
	if a.logoURL == "" || a.fetch == nil {
		return standInAvatar(a.siteName), nil
	}
	body, mediaType, err := a.fetch.Asset(ctx, a.logoURL)
	if err != nil {
		return nil, err
	}
	if !rasterTypes[mediaType] {
		if body, err = rasterizeSVG(body, avatarSize); err != nil {
			return nil, err
		}
		mediaType = "image/png"
	}
	return newAvatarImage(body, mediaType), nil
}

func newAvatarImage(body []byte, mediaType string) *avatarImage {
	sum := sha256.Sum256(body)
	return &avatarImage{body: body, mediaType: mediaType, version: hex.EncodeToString(sum[:6])}
}

// standInAvatar is a plain square in a colour taken from the wiki's name
// with a lighter disc: recognisably the same for every actor of one wiki.
func standInAvatar(name string) *avatarImage {
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
	return newAvatarImage(b.Bytes(), "image/png")
}

// avatar serves the avatar image; its URL carries the version, so it may
// be cached for long.
func (s *Server) avatar(w http.ResponseWriter, r *http.Request) {
	img := s.avatars.get(r.Context())
	w.Header().Set("Content-Type", img.mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(img.body)))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("ETag", `"`+img.version+`"`)
	w.Write(img.body)
}

// WarmAvatar reads the wiki's logo once, so that the first actor document
// does not wait for it (drawing an SVG logo can take a second).
func (s *Server) WarmAvatar(ctx context.Context) { s.avatars.get(ctx) }

// avatarURL is where the current avatar is served.
func (s *Server) avatarURL(img *avatarImage) string {
	return s.iris.Base + "/ap/avatar?v=" + img.version
}
