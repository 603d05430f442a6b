package avatar

import (
	"os"
	"testing"
)

// BenchmarkRasterizeLogo draws MediaWiki's default logo (when the package
// is installed) as the 400×400 avatar: done once an hour per process.
func BenchmarkRasterizeLogo(b *testing.B) {
	svg, err := os.ReadFile("/usr/share/mediawiki/resources/assets/change-your-logo.svg")
	if err != nil {
		b.Skip("MediaWiki's default logo is not installed")
	}
	for b.Loop() {
		if _, err := rasterizeSVG(svg, avatarSize); err != nil {
			b.Fatal(err)
		}
	}
}
