package avatar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// AssetFetcher fetches files the wiki points to (its logo): the wiki side
// does it, with the wiki's own trust, never for a URL a remote chose;
// *wiki.Client has it.
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

// Image is the wiki's logo as a raster image, with a short hash of it
// for the URL, so that servers fetch it again when it changes.
type Image struct {
	Body      []byte
	MediaType string
	// Version changes with the image; it goes into the image's URL.
	Version string
}

// Source is the wiki's logo as every actor's avatar. A raster logo
// is used as it is; an SVG logo (MediaWiki's default) is drawn as a PNG;
// when there is no logo, or it cannot be read or drawn, an image made
// from the wiki's name stands in, so an actor never shows a server's
// default avatar.
type Source struct {
	fetch    AssetFetcher
	logoURL  string
	siteName string
	log      *slog.Logger

	mu         sync.Mutex
	cur        *Image
	fetched    time.Time
	refreshing bool
}

// New returns the avatar of a wiki with the logo at logoURL (none: "")
// and the name siteName, fetched through fetch.
func New(fetch AssetFetcher, logoURL, siteName string, log *slog.Logger) *Source {
	return &Source{fetch: fetch, logoURL: logoURL, siteName: siteName, log: log}
}

// Get returns the current image. Only the very first call waits for the
// logo (bounded by firstLoadTimeout); after that a stale image is served
// while one refresh runs in the background, so actor documents never wait
// on the wiki. A failed read keeps the image in hand (or the stand-in) and
// is tried again a minute later.
func (a *Source) Get(ctx context.Context) *Image {
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
func (a *Source) store(img *Image, err error) {
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

func (a *Source) load(ctx context.Context) (*Image, error) {
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
	return newImage(body, mediaType), nil
}

func newImage(body []byte, mediaType string) *Image {
	sum := sha256.Sum256(body)
	return &Image{Body: body, MediaType: mediaType, Version: hex.EncodeToString(sum[:6])}
}
