package leakysvc

import (
	"context"
	"errors"
	"time"
)

// Event is one message of a subscription.
type Event struct {
	Topic string
	Data  []byte
}

var errIdle = errors.New("subscription idle")

// Forward copies events to the client until the subscription is idle for a minute.
// Every event leaves a one-minute timer behind (before Go 1.23).
func Forward(ctx context.Context, in <-chan Event, send func(Event) error) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-in:
			if err := send(ev); err != nil {
				return err
			}
		case <-time.After(time.Minute):
			return errIdle
		}
	}
}

// Heartbeat pings the client until the context ends; its ticker is never stopped.
func Heartbeat(ctx context.Context, ping func()) {
	t := time.NewTicker(15 * time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ping()
		}
	}
}

// HeartbeatFixed is Heartbeat done right: goleak-lint leaves it alone.
func HeartbeatFixed(ctx context.Context, ping func()) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ping()
		}
	}
}
