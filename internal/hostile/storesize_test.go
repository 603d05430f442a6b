package hostile

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storeSize is how many records wikipub's store holds: Redis's DBSIZE, or
// every key of every bucket of the embedded file (read with wikipub
// stopped, which holds the file's lock, and started again).
func (tg *target) storeSize(t testing.TB) int {
	t.Helper()
	if tg.redis != nil {
		return redisDBSize(t, tg.redis.Addr)
	}
	tg.wp.Stop()
	defer tg.restart(t)
	db, err := bolt.Open(tg.data, 0o600, &bolt.Options{ReadOnly: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	var count func(b *bolt.Bucket)
	count = func(b *bolt.Bucket) {
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				count(b.Bucket(k))
			} else {
				n++
			}
			return nil
		})
	}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { count(b); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// redisDBSize asks Redis DBSIZE in its own protocol.
func redisDBSize(t testing.TB, addr string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprint(c, "*1\r\n$6\r\nDBSIZE\r\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, ":") {
		t.Fatalf("DBSIZE: %q %v", line, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
