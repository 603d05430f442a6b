package remote

import (
	"time"

	"github.com/wikipub/wikipub/federation/internal/ttlcache"
)

// keyRefreshEvery is how often a signature that does not verify may make
// us fetch its key and owner again: a key that really changed is picked
// up within it, while junk signatures naming someone else's keyId cost
// that someone one fetch a minute, not one per request.
const keyRefreshEvery = time.Minute

// fetchFailureTTL is how long a failed fetch of a remote document is
// remembered and answered from memory: a dead or refusing server is asked
// once per it, however many requests name it.
const fetchFailureTTL = 30 * time.Second

// fetchGate decides, per remote document id, whether it may be fetched
// now: not again within keyRefreshEvery of the last fetch, and not within
// fetchFailureTTL of a failed one.
type fetchGate struct {
	fetched *ttlcache.Cache[string, struct{}]
	failed  *ttlcache.Cache[string, error]
}

func newFetchGate() fetchGate {
	return fetchGate{
		fetched: ttlcache.New[string, struct{}](keyRefreshEvery, 100_000),
		failed:  ttlcache.New[string, error](fetchFailureTTL, 100_000),
	}
}

// mayRefresh reports whether id was not fetched within keyRefreshEvery.
func (g fetchGate) mayRefresh(id string) bool {
	_, recent := g.fetched.Get(id)
	return !recent
}

// failure is the error of a fetch of id that failed lately, or nil.
func (g fetchGate) failure(id string) error {
	err, _ := g.failed.Get(id)
	return err
}

// done records a fetch of id and how it went.
func (g fetchGate) done(id string, err error) {
	g.fetched.Put(id, struct{}{})
	if err != nil {
		g.failed.Put(id, err)
	} else {
		g.failed.Drop(id)
	}
}
