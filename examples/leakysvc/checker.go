package leakysvc

import "net/http"

// NewChecker returns a Checker that polls url with client.
func NewChecker(client *http.Client, url string) *Checker {
	return &Checker{client: client, url: url}
}
