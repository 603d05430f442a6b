package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// leaseStore is the part of the store the watcher lease uses.
type leaseStore interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// The lease timing: a holder renews every leaseRenew; a replica that is not
// the holder tries as often, so a dead holder is replaced within
// leaseTTL + leaseRenew (8 s).
const (
	leaseName  = "recentchanges-watcher"
	leaseTTL   = 6 * time.Second
	leaseRenew = 2 * time.Second
)

// holderID names this process among replicas.
func holderID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:8])
}

// runWithLease runs watch only while this process holds the watcher lease,
// so that of several replicas sharing one Redis exactly one reads recent
// changes at a time. It returns when ctx ends, after giving the lease up.
func runWithLease(ctx context.Context, st leaseStore, holder string, log *slog.Logger, watch func(context.Context) error) error {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = st.ReleaseLease(rctx, leaseName, holder)
	}()
	for ctx.Err() == nil {
		ok, err := st.AcquireLease(ctx, leaseName, holder, leaseTTL)
		if err != nil && ctx.Err() == nil {
			log.Warn("taking the watcher lease failed", "err", err)
		}
		if !ok || err != nil {
			sleepCtx(ctx, leaseRenew)
			continue
		}
		log.Info("this replica watches recent changes", "holder", holder)
		if err := holdAndWatch(ctx, st, holder, log, watch); err != nil {
			return err
		}
	}
	return nil
}

// holdAndWatch runs watch and renews the lease; losing the lease stops the
// watch, and the caller goes back to waiting for it.
func holdAndWatch(ctx context.Context, st leaseStore, holder string, log *slog.Logger, watch func(context.Context) error) error {
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- watch(wctx) }()
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-t.C:
			ok, err := st.AcquireLease(ctx, leaseName, holder, leaseTTL)
			if err == nil && ok {
				continue
			}
			if ctx.Err() != nil {
				stop()
				return <-done
			}
			log.Warn("lost the watcher lease; another replica takes over", "err", err)
			stop()
			<-done
			return nil
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
