package leakysvc

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"time"
)

// Quote is what the pricing backend answers.
type Quote struct {
	Symbol string  `json:"symbol"`
	Price  float64 `json:"price"`
}

// QuoteWithin asks the backend for a quote but gives up after d. When it gives up,
// the goroutine blocks forever on its send: nobody receives from ch any more.
func QuoteWithin(client *http.Client, url string, d time.Duration) (*Quote, error) {
	ch := make(chan *Quote)
	go func() {
		q, _ := fetchQuote(context.Background(), client, url)
		ch <- q
	}()
	select {
	case q := <-ch:
		return q, nil
	case <-time.After(d):
		return nil, context.DeadlineExceeded
	}
}

// fetchQuote never closes the response body, and loses its timeout's cancel on the
// error path.
func fetchQuote(ctx context.Context, client *http.Client, url string) (*Quote, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	var q Quote
	err = json.NewDecoder(resp.Body).Decode(&q)
	cancel()
	return &q, err
}

// Archive writes every quote to its own file, but keeps every file open until it
// returns.
func Archive(quotes []Quote) error {
	for _, q := range quotes {
		f, err := os.Create(q.Symbol + ".json")
		if err != nil {
			return err
		}
		defer f.Close()
		if err := json.NewEncoder(f).Encode(q); err != nil {
			return err
		}
	}
	return nil
}
