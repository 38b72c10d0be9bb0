// Command loadtest drives leakysvc's leaky code with a fixed, deterministic workload
// against an in-process backend, then writes a heap and a goroutine profile, so that
// goleak-lint's findings on the package can be ranked by what they really leak.
//
// Usage: go run ./cmd/loadtest -out profiles   (from examples/leakysvc; writes
// profiles/heap.pb.gz and profiles/goroutine.pb.gz, about a second of work)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"example.com/leakysvc"
)

const (
	slowQuotes = 40  // QuoteWithin gives up on these: one goroutine each blocks on its send
	fastQuotes = 20  // answered in time: nothing left behind
	heartbeats = 200 // Heartbeat: one unstopped ticker each; HeartbeatFixed: none
	events     = 500 // Forward: one pending one-minute timer per event
	checks     = 20  // WaitHealthy: one time.Tick ticker each
	badQuotes  = 50  // fetchQuote returns early: each loses its 2s timeout's cancel

	quoteTimeout = 200 * time.Millisecond // for the quotes that are answered in time
)

var errDone = errors.New("subscription done")

func main() {
	runtime.MemProfileRate = 1
	out := flag.String("out", "profiles", "directory to write heap.pb.gz and goroutine.pb.gz to")
	flag.Parse()

	// The backend: /slow answers only once released; every answer streams quote updates.
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/quote", serveQuote)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		serveQuote(w, r)
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	backend := httptest.NewServer(mux)
	client := backend.Client()

	for i := 0; i < slowQuotes; i++ {
		if _, err := leakysvc.QuoteWithin(client, backend.URL+"/slow", 5*time.Millisecond); err == nil {
			log.Fatal("loadtest: the slow backend answered in time")
		}
	}
	close(release)
	waitForSenders(slowQuotes)

	for i := 0; i < fastQuotes; i++ {
		if _, err := leakysvc.QuoteWithin(client, backend.URL+"/quote", quoteTimeout); err != nil {
			log.Fatal(err)
		}
	}

	done, cancel := context.WithCancel(context.Background())
	cancel()
	pings := 0
	for i := 0; i < heartbeats; i++ {
		leakysvc.Heartbeat(done, func() { pings++ })
		leakysvc.HeartbeatFixed(done, func() { pings++ })
	}

	in := make(chan leakysvc.Event, events)
	for i := 0; i < events; i++ {
		in <- leakysvc.Event{Topic: "quotes", Data: []byte(strings.Repeat("x", 64))}
	}
	forwarded := 0
	err := leakysvc.Forward(context.Background(), in, func(ev leakysvc.Event) error {
		frame := bytes.Repeat(ev.Data, 256) // encoded and sent, then garbage
		if len(frame) == 0 {
			return errDone
		}
		forwarded++
		if forwarded == events {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		log.Fatalf("loadtest: Forward: %v", err)
	}

	checker := leakysvc.NewChecker(client, backend.URL+"/health")
	var wg sync.WaitGroup
	for i := 0; i < checks; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := checker.WaitHealthy(context.Background()); err != nil {
				log.Print(err)
			}
		}()
	}
	wg.Wait()

	for i := 0; i < badQuotes; i++ {
		if q, _ := leakysvc.QuoteWithin(client, ":no-scheme", quoteTimeout); q != nil {
			log.Fatal("loadtest: a quote from a bad URL")
		}
	}
	// QuoteWithin's own timers fire and are freed; the lost cancels' 2s timers stay.
	time.Sleep(quoteTimeout + 50*time.Millisecond)

	write(*out, "heap.pb.gz", "heap")
	write(*out, "goroutine.pb.gz", "goroutine")
	log.Printf("loadtest: %d pings, %d events forwarded, %d goroutines", pings, forwarded, runtime.NumGoroutine())
}

// serveQuote streams a hundred quote updates; QuoteWithin reads only the first.
func serveQuote(w http.ResponseWriter, r *http.Request) {
	enc := json.NewEncoder(w)
	for i := 0; i < 100; i++ {
		if err := enc.Encode(leakysvc.Quote{Symbol: "ACME", Price: 100 + float64(i)/100}); err != nil {
			return
		}
	}
}

// waitForSenders waits (up to five seconds) until n goroutines are blocked sending.
func waitForSenders(n int) {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		m := runtime.Stack(buf, true)
		if m == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if bytes.Count(buf[:m], []byte("[chan send]")) >= n {
			return
		}
	}
	log.Printf("loadtest: fewer than %d goroutines blocked sending after 5s", n)
}

// write writes the named profile to dir/file, after a GC for heap profiles.
func write(dir, file, profile string) {
	if profile == "heap" {
		runtime.GC()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, file))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup(profile).WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
