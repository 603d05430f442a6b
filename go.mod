module github.com/wikipub/wikipub

go 1.26.8

require (
	cgt.name/pkg/go-mwclient v1.3.0
	github.com/go-fed/httpsig v1.1.0
	github.com/mozillazg/go-unidecode v0.2.0
	github.com/redis/go-redis/v9 v9.23.0
	go.etcd.io/bbolt v1.5.0
)

require (
	github.com/antonholmquist/jason v1.0.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/mrjones/oauth v0.0.0-20190623134757-126b35219450 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/crypto v0.0.0-20200622213623-75b288015ac9 // indirect
	golang.org/x/sys v0.48.0 // indirect
)
