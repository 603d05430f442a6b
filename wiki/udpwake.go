package wiki

import (
	"context"
	"fmt"
	"log/slog"
	"net"
)

// ListenRCFeed listens for MediaWiki's $wgRCFeeds UDP packets (any
// formatter) on addr and signals wake for each, without blocking. UDP is
// lossy and unauthenticated, so a packet only makes the watcher read the
// API early; its content is never trusted as a change.
// See docs/mediawiki.md, "The UDP feed".
func ListenRCFeed(ctx context.Context, addr string, wake chan<- struct{}, log *slog.Logger) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("listening for the RC feed on udp %s: %w", addr, err)
	}
	log.InfoContext(ctx, "listening for the UDP recent-changes feed", "addr", pc.LocalAddr().String())
	go func() {
		<-ctx.Done()
		pc.Close()
	}()
	go func() {
		buf := make([]byte, 64*1024)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				if ctx.Err() == nil {
					log.ErrorContext(ctx, "RC feed listener stopped", "err", err)
				}
				return
			}
			select {
			case wake <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}()
	return nil
}
