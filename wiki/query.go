package wiki

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"cgt.name/pkg/go-mwclient/params"
)

// maxContinuations bounds one query's continuations, so that a wiki that
// keeps answering "continue" cannot hold a caller forever. 50 pages with
// TextExtracts' 20 extracts a request need 3; categories of 50 pages rarely
// need more than a few.
const maxContinuations = 100

// continueField is embedded in answer types of queries that page with the
// API's own continuation ("continue": {...}). Each value is sent back as it
// came, the way the API asks clients to, whatever the modules in the query.
// See docs/mediawiki.md, "Continuing a query".
type continueField struct {
	Continue map[string]json.RawMessage `json:"continue"`
}

func (f *continueField) continuation() (map[string]string, error) {
	if len(f.Continue) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(f.Continue))
	for k, raw := range f.Continue {
		raw = bytes.TrimSpace(raw)
		var s string
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("continuation %s: %w", k, err)
			}
		} else {
			// Numbers (TextExtracts' excontinue is one) go back as written.
			var n json.Number
			if err := json.Unmarshal(raw, &n); err != nil {
				return nil, fmt.Errorf("continuation %s is neither a string nor a number: %s", k, raw)
			}
			s = n.String()
		}
		out[k] = s
	}
	return out, nil
}

// continuer is an answer that may ask to be continued.
type continuer interface {
	continuation() (map[string]string, error)
}

// queryAll runs a query and every continuation of it, handing each answer
// to each as it comes. The first request goes out as p; later ones carry
// the previous answer's continuation instead of the one before.
func queryAll[T any, PT interface {
	*T
	continuer
}](ctx context.Context, c *Client, p params.Values, each func(PT) error) error {
	q := params.Values{}
	for k, v := range p {
		q[k] = v
	}
	var prev map[string]string
	for i := 0; ; i++ {
		var resp T
		if err := c.Get(ctx, q, PT(&resp)); err != nil {
			return err
		}
		if err := each(&resp); err != nil {
			return err
		}
		next, err := PT(&resp).continuation()
		if err != nil {
			return err
		}
		if len(next) == 0 {
			return nil
		}
		if i >= maxContinuations {
			return fmt.Errorf("wiki: query still continuing after %s requests", strconv.Itoa(i+1))
		}
		for k := range prev {
			delete(q, k)
		}
		for k, v := range next {
			q.Set(k, v)
		}
		prev = next
	}
}
