package wiki

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"cgt.name/pkg/go-mwclient/params"
)

// imageInfo is the current version of one file as prop=imageinfo gives it.
type imageInfo struct {
	title       string
	URL         string `json:"url"`
	Mime        string `json:"mime"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	ThumbURL    string `json:"thumburl"`
	ThumbWidth  int    `json:"thumbwidth"`
	ThumbHeight int    `json:"thumbheight"`
	ThumbMime   string `json:"thumbmime"`
	FileHidden  bool   `json:"filehidden"`
}

func (ii *imageInfo) thumbMime() string {
	if ii.ThumbMime != "" {
		return ii.ThumbMime
	}
	return ii.Mime
}

// imageInfos reads the files' current versions with a thumbnail of the
// given width, 50 files a request (the API renders at most 50 thumbnails
// a request: ApiQueryImageInfo::TRANSFORM_LIMIT). The map is keyed by file
// name without the namespace, with spaces; files the wiki does not have,
// or hides, are absent.
func (c *Client) imageInfos(ctx context.Context, names []string, width int) (map[string]imageInfo, error) {
	out := map[string]imageInfo{}
	fileNS := "File"
	if ns, ok := c.site.Namespaces[6]; ok && ns.Name != "" {
		fileNS = ns.Name
	}
	seen := map[string]bool{}
	var titles []string
	for _, n := range names {
		n = strings.ReplaceAll(n, "_", " ")
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		titles = append(titles, fileNS+":"+n)
	}
	for start := 0; start < len(titles); start += maxPagesPerQuery {
		chunk := titles[start:min(start+maxPagesPerQuery, len(titles))]
		p := params.Values{
			"action": "query", "titles": strings.Join(chunk, "|"), "prop": "imageinfo",
			"iiprop": "url|mime|size|thumbmime", "iiurlwidth": strconv.Itoa(width),
		}
		type page struct {
			Title     string      `json:"title"`
			Missing   bool        `json:"missing"`
			Invalid   bool        `json:"invalid"`
			ImageInfo []imageInfo `json:"imageinfo"`
		}
		type response struct {
			APIErrorField
			continueField
			Query struct {
				Pages []page `json:"pages"`
			} `json:"query"`
		}
		err := queryAll(ctx, c, p, func(r *response) error {
			for _, pg := range r.Query.Pages {
				// A file can be missing locally and still be served by a
				// shared repository (Commons): its image info is what counts.
				if len(pg.ImageInfo) == 0 || pg.Invalid {
					continue
				}
				ii := pg.ImageInfo[0]
				if ii.FileHidden || ii.URL == "" {
					continue
				}
				ii.title = pg.Title
				_, name, _ := strings.Cut(pg.Title, ":")
				out[name] = ii
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the image info of %d files: %w", len(chunk), err)
		}
	}
	return out, nil
}
