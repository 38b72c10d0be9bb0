// Package leakysvc is a small service with the leaks goleak-lint finds.
package leakysvc

import (
	"context"
	"net/http"
	"time"
)

// Checker polls a dependency until it answers.
type Checker struct {
	client *http.Client
	url    string
}

// WaitHealthy is called on every request that needs the dependency.
// Its time.Tick ticker is never freed once it returns (before Go 1.23).
func (c *Checker) WaitHealthy(ctx context.Context) error {
	for range time.Tick(200 * time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
		if err != nil {
			return err
		}
		resp, err := c.client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}
