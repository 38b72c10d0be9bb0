// Written by `npm run docs` from the meta of each rule in rules/index.ts: do not edit.
// The main thread selects and describes rules from this list without loading their code
// (task.ts loads that where a package is linted); test/docs.test.ts fails when it is stale.
import type { RuleMeta } from '../src/engine/types.js';

export const catalog: readonly RuleMeta[] = [
  {
    "id": "unstopped-ticker",
    "title": "time.NewTicker or time.NewTimer result is never stopped",
    "why": "Before Go 1.23 the runtime keeps every started timer in its timer heap until it is stopped, whether or not the program still references it. A ticker is never freed: one made per call, per iteration or per value and never stopped keeps firing for the life of the process. A timer is freed when it fires, so an unstopped one costs how many are made times how long each waits: it is reported only when it is made per call or per iteration, with its duration. A timer made once per process or per value, reused with Reset and left unstopped at shutdown, lingers once and is not reported; nor is a timer of at most a second, or a ticker whose only reader is a loop that never ends (that loop is the leak: goroutine-no-exit).",
    "fix": "Call Stop when done: `defer t.Stop()` right after creating it, or `t.Stop()` in the Close or Stop method of the struct that holds it. The value is followed through variables, closures, fields of its struct type, parameters of the package's functions and results returned to its callers; handing it to code outside the package (returned from an exported function, passed to another package, kept in a map or sent on a channel) counts as handled, since the receiver then owns it.",
    "example": {
      "bad": "func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}",
      "good": "func poll(ctx context.Context) {\n\tt := time.NewTicker(time.Second)\n\tdefer t.Stop()\n\tfor {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase <-t.C:\n\t\t\tcheck()\n\t\t}\n\t}\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "skipped",
    "tags": [
      "timer",
      "memory"
    ],
    "goVersion": {
      "below": "1.23",
      "restoredBy": "asynctimerchan=1"
    }
  },
  {
    "id": "time-tick-leak",
    "title": "time.Tick in a function that returns leaks its ticker",
    "why": "time.Tick creates a ticker that cannot be stopped. Before Go 1.23 the runtime never frees it: once the code that reads it is done (its function returns, its goroutine ends), the ticker goes on firing into a channel nobody reads, for the life of the process. Made per call, per iteration or per value, this grows without bound. Made once per process (a package variable, init, main outside its loops, code only those call) or read by a loop that never ends, it is one ticker, and is not reported.",
    "fix": "Use time.NewTicker and `defer t.Stop()`. time.Tick is fine where it runs once per process and in a loop that never ends.",
    "example": {
      "bad": "func (c *Client) waitReady(ctx context.Context) error {\n\tfor range time.Tick(100 * time.Millisecond) {\n\t\tif c.ready() {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn nil\n}",
      "good": "func (c *Client) waitReady(ctx context.Context) error {\n\tt := time.NewTicker(100 * time.Millisecond)\n\tdefer t.Stop()\n\tfor range t.C {\n\t\tif c.ready() {\n\t\t\treturn nil\n\t\t}\n\t}\n\treturn nil\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "skipped",
    "tags": [
      "timer",
      "memory"
    ],
    "goVersion": {
      "below": "1.23",
      "restoredBy": "asynctimerchan=1"
    }
  },
  {
    "id": "time-after-in-loop",
    "title": "time.After in a loop's select makes a timer per iteration",
    "why": "Each evaluation of time.After starts a new timer. In a select inside a loop, every iteration that takes another case leaves its timer behind, and before Go 1.23 a timer is freed only when it fires: a busy loop holds as many live timers as it iterates in one timeout. The message gives the timeout. A case that leaves no timer behind is not counted: one that sleeps at least as long as the timer, a stop signal the loop also leaves on elsewhere (once closed, the loop ends), and a notification channel the package only ever closes and never sends on (a new term's channel): it wins once per notification, not per iteration.",
    "fix": "Create one timer before the loop (time.NewTimer, defer Stop) and Reset it each iteration, or compute a deadline once (context.WithTimeout) and select on ctx.Done().",
    "example": {
      "bad": "for {\n\tselect {\n\tcase msg := <-msgs:\n\t\thandle(msg)\n\tcase <-time.After(time.Minute):\n\t\treturn errIdle\n\t}\n}",
      "good": "idle := time.NewTimer(time.Minute)\ndefer idle.Stop()\nfor {\n\tselect {\n\tcase msg := <-msgs:\n\t\thandle(msg)\n\t\tidle.Reset(time.Minute)\n\tcase <-idle.C:\n\t\treturn errIdle\n\t}\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "skipped",
    "tags": [
      "timer",
      "memory"
    ],
    "goVersion": {
      "below": "1.23",
      "restoredBy": "asynctimerchan=1"
    }
  },
  {
    "id": "goroutine-abandoned-send",
    "title": "goroutine sends on a channel whose receiver can give up",
    "why": "A send on an unbuffered channel blocks until someone receives. When the function that made the channel stops listening first (a select that times out or sees ctx.Done(), an early error return, a \"first result wins\" receive from N goroutines), the goroutine blocks on its send forever, holding its stack and everything it references. Once per call, this is the most common goroutine leak in Go services. The channel is followed from its make through variables, struct fields, parameters and results (`r.resp <- v` with r a request the function built); a goroutine started once per process, and a receiver whose give-up path fails the test (`t.Fatal`), are not reported. Also reported: the function that made the channel sending on it itself before it has handed the channel to anyone (`errC <- err; return errC`): no one can be there to receive; and any send, in whichever goroutine or function, on a channel that nothing in the package receives from and code elsewhere cannot reach; and a goroutine's send on a channel whose every receiver is a loop that can stop on something else (`case <-ctx.Done(): return`), in another function: once the loop has returned, the send waits forever. A channel returned out of the package that a call here drops (`start(job)` as a statement) has no receiver for the goroutines that call starts. A capacity the package fixes counts as that number: a named constant, or a parameter every call passes the same constant for. A buffered channel is reported when the one goroutine that sends on it surely sends more values (straight-line sends, loops of a constant count) than the buffer holds plus every receive the package can make (receives in the maker that run at most once, such as a range whose body always returns); and a send on a channel field of a value made fresh in a function (`q := newQueue()`, a constructor that only returns a literal) that finds its buffer full before the value has gone anywhere but to sends on that field and to methods that do the same: nothing can be receiving yet.",
    "fix": "Give the channel room for every send that may be abandoned: make(chan T, 1) for one sender, make(chan T, n) for n senders. Or make the send itself give up: select { case ch <- v: case <-ctx.Done(): }.",
    "example": {
      "bad": "func fetch(ctx context.Context, url string) (*Result, error) {\n\tch := make(chan *Result)\n\tgo func() { ch <- get(url) }()\n\tselect {\n\tcase r := <-ch:\n\t\treturn r, nil\n\tcase <-ctx.Done():\n\t\treturn nil, ctx.Err() // the goroutine blocks on ch <- forever\n\t}\n}",
      "good": "func fetch(ctx context.Context, url string) (*Result, error) {\n\tch := make(chan *Result, 1) // the send never blocks\n\tgo func() { ch <- get(url) }()\n\tselect {\n\tcase r := <-ch:\n\t\treturn r, nil\n\tcase <-ctx.Done():\n\t\treturn nil, ctx.Err()\n\t}\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "concurrency"
    ]
  },
  {
    "id": "goroutine-unclosed-range",
    "title": "goroutine ranges over a channel that nobody closes",
    "why": "A `for v := range ch` loop ends only when ch is closed. When nothing ever closes the channel, the goroutine running the loop waits for the next value forever once the senders are done, keeping its stack and everything it references. Started per request or per object, each one is a goroutine leaked. The channel is followed from its make through variables, the struct fields of their type, parameters and results: a close anywhere in the package counts, a channel handed to code the package cannot see is not reported, nor a goroutine started once per process.",
    "fix": "Close the channel when the last value has been sent: `defer close(ch)` in the (single) sender, or close it after a sync.WaitGroup of the senders is done, or in the Close method of the type that owns it.",
    "example": {
      "bad": "func process(items []Item) {\n\tch := make(chan Item)\n\tgo func() {\n\t\tfor it := range ch { // never ends\n\t\t\thandle(it)\n\t\t}\n\t}()\n\tfor _, it := range items {\n\t\tch <- it\n\t}\n}",
      "good": "func process(items []Item) {\n\tch := make(chan Item)\n\tgo func() {\n\t\tfor it := range ch {\n\t\t\thandle(it)\n\t\t}\n\t}()\n\tfor _, it := range items {\n\t\tch <- it\n\t}\n\tclose(ch)\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "concurrency"
    ]
  },
  {
    "id": "goroutine-blocked-receive",
    "title": "goroutine receives from a channel nobody sends to or closes",
    "why": "A receive blocks until a value is sent or the channel is closed. When nothing in the package sends on the channel or closes it — followed from its make through variables, the struct fields of their type, parameters and results — or the function that made it returns early, on an error path, before it does, the goroutine waiting on it blocks forever, with its stack and everything it references. A channel nobody sends on or closes blocks whoever receives, so a plain receive in any function is reported too: its caller waits forever. A channel handed to code the package cannot see (another package, an exported field) may be closed there and is not reported, unless it is handed out receive-only (`func (s *Stopper) ShouldStop() <-chan struct{}`), which lets code elsewhere receive but not close it; nor is a goroutine started once per process, nor a method of a test file that nothing in the package calls (a fake the tests leave alone). A goroutine that waits only for `ctx.Done()` of a context nothing cancels is reported too: context.Background or TODO, or a WithCancel child of one whose cancel func goes where nothing calls it (as lost-cancel finds), through variables and parameters every caller fills so. And a goroutine's plain receive, started once a context is done (`case <-ctx.Done(): go drain()`), from an unbuffered channel nothing closes whose every send, in another function, is a select case beside one that stops once a context is done: those senders have stopped.",
    "fix": "Make sure every path signals the goroutine: `defer close(done)` right after starting it, or send / close before each return. If the goroutine should also stop on cancellation, select on ctx.Done().",
    "example": {
      "bad": "func (s *Server) handle(conn net.Conn) error {\n\tdone := make(chan struct{})\n\tgo func() {\n\t\t<-done\n\t\tconn.Close()\n\t}()\n\tif err := s.auth(conn); err != nil {\n\t\treturn err // done is never closed: the goroutine waits forever\n\t}\n\tclose(done)\n\treturn nil\n}",
      "good": "func (s *Server) handle(conn net.Conn) error {\n\tdone := make(chan struct{})\n\tdefer close(done)\n\tgo func() {\n\t\t<-done\n\t\tconn.Close()\n\t}()\n\treturn s.auth(conn)\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "concurrency"
    ]
  },
  {
    "id": "goroutine-no-exit",
    "title": "goroutine runs an endless loop that nothing can stop",
    "why": "A goroutine whose loop has no return, no break out of it and no ctx.Done() or quit-channel case runs until the process exits, with its stack and everything it references. Started once per process (from main or init, behind a package-level sync.Once or a start-once check, by a function only those call) it is a daemon, and is not reported. Started per call (a method, a request handler), per loop iteration, or per value (a constructor, a sync.Once in a field) it is one more goroutine every time: the value it serves can never be freed and the goroutine count grows with the traffic. The message says which, as the package shows it.",
    "fix": "Give the loop a way out: a `case <-ctx.Done(): return` in its select, or a quit channel that a Close or Stop method closes. Start process-wide workers once (from main, init or a sync.Once).",
    "example": {
      "bad": "func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}}\n\tgo func() {\n\t\tfor {\n\t\t\ttime.Sleep(time.Minute)\n\t\t\tc.evictExpired()\n\t\t}\n\t}()\n\treturn c\n}",
      "good": "func NewCache() *Cache {\n\tc := &Cache{items: map[string]entry{}, quit: make(chan struct{})}\n\tgo func() {\n\t\tt := time.NewTicker(time.Minute)\n\t\tdefer t.Stop()\n\t\tfor {\n\t\t\tselect {\n\t\t\tcase <-c.quit:\n\t\t\t\treturn\n\t\t\tcase <-t.C:\n\t\t\t\tc.evictExpired()\n\t\t\t}\n\t\t}\n\t}()\n\treturn c\n}\n\nfunc (c *Cache) Close() { close(c.quit) }"
    },
    "severity": "warning",
    "precision": "medium",
    "inTests": "skipped",
    "optIn": "Whether an endless worker leaks depends on how often its constructor runs, and that is mostly decided in other packages (a daemon that main starts once is intended), which the package model does not see. Judged blind on the eleven development corpora, 3 of 12 findings grew with use; the rest were process-lifetime workers.",
    "tags": [
      "goroutine"
    ]
  },
  {
    "id": "unbounded-map-cache",
    "title": "Long-lived map is filled but never pruned",
    "why": "A map held by a package variable or by a long-lived struct (a server, a client, a registry) lives as long as the process. When request-time code adds entries keyed by user ids, session ids, URLs or other open-ended values, and nothing in the package ever deletes, clears, re-makes or size-checks the map, every new key stays forever: memory grows with traffic until the process is restarted or killed. The same holds for a sync.Map that is stored to but never deleted from.",
    "fix": "Bound the map: evict an entry when len(m) exceeds a limit, give entries a TTL and delete expired ones (on a timer or on access), use an LRU (container/list plus delete), or reset the map periodically. Not reported: maps filled only where code runs once (init, main outside its loops, sync.Once, what only those reach, exported Register functions), maps pruned anywhere in the package (also through an alias, a helper or a method of the map's named type), and keys from a finite set (constants, enums, a loop index bounded by a constant, a parameter every caller passes a constant for, the elements of a configured collection: one set up whole once, in init or by the constructor of the value holding the map, and never appended to, replaced or written into where code runs per call, such as the peers of a cluster).",
    "example": {
      "bad": "var userCache = map[string]*User{}\n\nfunc lookup(id string) *User {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tif u, ok := userCache[id]; ok {\n\t\treturn u\n\t}\n\tu := load(id)\n\tuserCache[id] = u\n\treturn u\n}",
      "good": "var userCache = map[string]*User{}\n\nfunc lookup(id string) *User {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tif u, ok := userCache[id]; ok {\n\t\treturn u\n\t}\n\tif len(userCache) >= maxUsers {\n\t\tclear(userCache)\n\t}\n\tu := load(id)\n\tuserCache[id] = u\n\treturn u\n}"
    },
    "severity": "warning",
    "precision": "medium",
    "inTests": "skipped",
    "optIn": "Judged blind on the development corpora, 2 of 30 of its findings grew with use: most long-lived maps in mature code are registries filled at start-up by other packages, or caches keyed by a small domain (peers, schemes, type ids) that the package alone cannot prove finite. Turn it on for code you know, or with a heap profile to see which maps are large.",
    "tags": [
      "memory",
      "cache"
    ]
  },
  {
    "id": "append-only-slice",
    "title": "Long-lived slice is only ever appended to",
    "why": "A slice held by a package variable or by a long-lived struct lives as long as the process. When request-time code appends to it (events, log lines, seen ids, subscribers) and nothing in the package ever truncates it, re-makes it, sets it to nil or checks its length, it grows with every request; its backing array is also copied on each growth, so the peak is about twice the data.",
    "fix": "Cap it: drop the oldest elements when len exceeds a limit (`s = s[len(s)-max:]`, or a ring buffer), reset it after each flush (`s = s[:0]`), or remove elements when they are done (an unsubscribe). Not reported: slices filled only where code runs once (init, main outside its loops, sync.Once, what only those reach, exported Register functions) or in a bounded loop there, and slices shrunk anywhere in the package (`s = s[1:]`, swap-remove, `slices.Delete`, a method of the named slice type).",
    "example": {
      "bad": "var events []Event\n\nfunc record(e Event) {\n\tmu.Lock()\n\tevents = append(events, e)\n\tmu.Unlock()\n}",
      "good": "var events []Event\n\nfunc record(e Event) {\n\tmu.Lock()\n\tevents = append(events, e)\n\tif len(events) > maxEvents {\n\t\tevents = events[len(events)-maxEvents:]\n\t}\n\tmu.Unlock()\n}"
    },
    "severity": "warning",
    "precision": "medium",
    "inTests": "skipped",
    "optIn": "Judged blind on the development corpora, none of its 9 findings grew with use: the slices belonged to one run, one test cluster or one sync, or were filled from other packages at start-up. Turn it on for code you know, or with a heap profile to see which slices are large.",
    "tags": [
      "memory",
      "cache"
    ]
  },
  {
    "id": "fake-weak-ref",
    "title": "Hand-rolled weak reference: a refcount that frees nothing",
    "why": "Go's garbage collector is a tracing collector: it frees what is unreachable and never looks at reference counts, so a count that drops to zero frees nothing while the struct still points at the value. A struct that counts its users beside a pointer, map, slice or interface value keeps that value alive for as long as the struct itself is reachable (say, from a cache map), whatever the count says. When nothing nils the field or deletes the entry as the count reaches zero (a zero branch that is empty, only logs or only comments counts for nothing), or when the count is only ever incremented, the \"weak reference\" is a strong one and every value it ever held stays in memory. Likewise a `uintptr(unsafe.Pointer(x))` kept as a \"weak\" pointer is no reference at all: the object may be freed and its address reused while the integer still names it.",
    "fix": "Use the real thing: `weak.Make(v)` / `weak.Pointer[T]` (Go 1.24+), with `runtime.AddCleanup` to drop the map entry when the value is collected, or `unique.Make` for interning. If you keep the refcount, release at zero: when the decrement brings it to zero, nil the value, delete the owning map entry and Close what it holds. For an unbounded cache, bound it (LRU, TTL) instead.",
    "example": {
      "bad": "type WeakRef struct {\n\trefCount int32\n\tv        interface{}\n}\n\nfunc (c *Cache) Get(k string) interface{} {\n\tr := c.data[k]\n\tatomic.AddInt32(&r.refCount, 1)\n\treturn r.v\n}",
      "good": "type Cache struct {\n\tmu   sync.Mutex\n\tdata map[string]weak.Pointer[Blob]\n}\n\nfunc (c *Cache) Set(k string, b *Blob) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.data[k] = weak.Make(b)\n\truntime.AddCleanup(b, c.forget, k)\n}\n\nfunc (c *Cache) forget(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tif c.data[k].Value() == nil {\n\t\tdelete(c.data, k)\n\t}\n}"
    },
    "severity": "warning",
    "precision": "medium",
    "inTests": "skipped",
    "tags": [
      "memory",
      "gc"
    ]
  },
  {
    "id": "defer-in-loop",
    "title": "defer in a loop runs only when the function returns",
    "why": "A deferred call runs when the surrounding function returns, not at the end of the loop iteration that deferred it. A file, response body, lock or context cancel deferred inside a loop is held for every iteration until the function returns: a loop over many items runs out of file descriptors or memory, a loop that re-locks the same mutex deadlocks on its second iteration, and in a loop that never ends the deferred calls never run at all while their defer records pile up. Not reported in a loop that ends: a defer after which the iteration always returns or breaks out, one that can run only once (a lazy-init guard, a timer case), one that holds nothing (a log line, wg.Done, a panic handler, a cleanup that runs only on error), a lock taken on a different element each iteration, the release of what exists before the loop or is kept for use after it, a loop over a fixed list (a literal, or a package-level table nothing grows), and a defer whose iteration releases the same value itself before it goes round (the defer then only covers the returns in between). The message says how often the loop runs, as the package shows it (per call of a function, in main).",
    "fix": "Move the loop body into its own function (or a func literal called in the loop) so that the defer runs at the end of each iteration, or release the resource explicitly at the end of the iteration.",
    "example": {
      "bad": "func sum(paths []string) (int64, error) {\n\tvar n int64\n\tfor _, p := range paths {\n\t\tf, err := os.Open(p)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tdefer f.Close()\n\t\tc, err := io.Copy(io.Discard, f)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tn += c\n\t}\n\treturn n, nil\n}",
      "good": "func sum(paths []string) (int64, error) {\n\tvar n int64\n\tfor _, p := range paths {\n\t\tc, err := size(p)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\tn += c\n\t}\n\treturn n, nil\n}\n\nfunc size(p string) (int64, error) {\n\tf, err := os.Open(p)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tdefer f.Close()\n\treturn io.Copy(io.Discard, f)\n}"
    },
    "severity": "warning",
    "precision": "medium",
    "inTests": "skipped",
    "optIn": "Judged blind on the eleven development corpora, 1 of 11 findings grew with use: most defers in loops hold a handful of values (the addresses of one host, the layers of one image) until a function that soon returns. Turn it on to see every defer that waits for its function.",
    "tags": [
      "resource",
      "memory"
    ]
  },
  {
    "id": "unclosed-body",
    "title": "HTTP response body is never closed",
    "why": "The Transport puts a connection back in its idle pool only once the response Body is closed (or read to EOF). Until then the *http.Response holds its TCP connection, and the connection's two goroutines (its read loop and write loop) stay blocked with their buffers. Reading is not closing: a decoder stops at the end of its value, and an early return or a read error leaves the rest unread; closing only when an error is returned leaves every successful response open. A client that does this per request leaks a connection, a file descriptor and two goroutines each time, until it runs out of one of them. A response is any value the package shows to be an *http.Response: from http.Get, Post or PostForm, from (*http.Client).Do, Get, Post or PostForm, or from a function, method or interface method of the package declared to return one (whose callers in the package are then judged the same way). Passing the response (or its Body) to a function of the package counts when that function closes it or hands it on. Not reported: HEAD requests, a 101 Switching Protocols upgrade, a body read to EOF (io.ReadAll, io.Copy into io.Discard: the connection goes back to the pool, and a read error closes it), and code that runs once per process (main, init, what only they call) outside a loop.",
    "fix": "Right after the error check, `defer resp.Body.Close()`; or close it on every path once done. Returning the response, storing it, or passing it (or its Body) to a function that closes it also counts: that code then owns it.",
    "example": {
      "bad": "func fetch(c *http.Client, url string) (*Quote, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tvar q Quote\n\treturn &q, json.NewDecoder(resp.Body).Decode(&q)\n}",
      "good": "func fetch(c *http.Client, url string) (*Quote, error) {\n\tresp, err := c.Get(url)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tdefer resp.Body.Close()\n\tvar q Quote\n\treturn &q, json.NewDecoder(resp.Body).Decode(&q)\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "skipped",
    "tags": [
      "http",
      "resource",
      "goroutine"
    ]
  },
  {
    "id": "lost-cancel",
    "title": "context cancel func discarded or not called on every path",
    "why": "A context made with context.WithCancel, WithTimeout or WithDeadline (or their Cause variants) stays alive until its cancel function is called or its parent is cancelled: under a cancellable parent it sits in the parent's children map, a WithTimeout or WithDeadline context keeps a runtime timer armed until the deadline, under a parent of a custom Context type a goroutine waits for either to finish, and every goroutine waiting on its Done channel keeps waiting. Under a long-lived parent (a server's base context, a connection's context) each call that loses its cancel function leaks the child context, what it references, and its timer or goroutines. The cancel function is followed wherever the package puts it: into a struct field (some code of the package must call that field), into a parameter of a package function (which must call it or hand it on), and out as a result (each caller in the package is then judged the same way). Not reported: a WithCancel whose parent is context.Background() or TODO() (nothing registers it, nothing runs for it), code that runs once per process (main, init, what only they call), a context made once before a loop that never ends, and a child whose function returns only after the parent's (or the child's own) Done channel is closed: it is cancelled by then.",
    "fix": "Call the cancel function on every path: `defer cancel()` right after the call is the simple way. When the context must outlive the function, hand the cancel function on (return it, store it in a field that a Close or Stop method calls, pass it to the code that finishes the work). In a loop, cancel the previous context before making the next one.",
    "example": {
      "bad": "func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n\tif err := c.ready(ctx); err != nil {\n\t\treturn nil, err // leaks ctx: cancel is never called on this path\n\t}\n\tres, err := c.fetch(ctx, key)\n\tcancel()\n\treturn res, err\n}",
      "good": "func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {\n\tctx, cancel := context.WithTimeout(ctx, c.timeout)\n\tdefer cancel()\n\tif err := c.ready(ctx); err != nil {\n\t\treturn nil, err\n\t}\n\treturn c.fetch(ctx, key)\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "skipped",
    "tags": [
      "context",
      "goroutine",
      "memory"
    ]
  },
  {
    "id": "double-lock",
    "title": "a mutex is locked again while the goroutine holds it",
    "why": "Go's mutexes are not reentrant: a goroutine that calls Lock on a mutex it already holds, itself, through a method it calls on the same value, or a few calls further down the package (a String method that fmt calls on the locked value, a back-pointer to the owner), blocks forever, and so does every goroutine that needs the mutex after it. A second RLock while holding a read lock deadlocks too as soon as a writer waits in between: the waiting writer blocks new readers, and the first reader never gets to unlock.",
    "fix": "Do not call methods that lock from code that holds the lock: split them into an exported method that locks and an unexported `...Locked` one that expects the lock held, and call the latter. Release the lock before every path that goes round a loop to lock it again.",
    "example": {
      "bad": "func (s *Server) Stop() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.drain() // drain locks s.mu too: Stop blocks forever\n}\n\nfunc (s *Server) drain() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.draining = true\n}",
      "good": "func (s *Server) Stop() {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.drainLocked()\n}\n\n// drainLocked expects s.mu held.\nfunc (s *Server) drainLocked() {\n\ts.draining = true\n}"
    },
    "severity": "error",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "lock",
      "concurrency"
    ]
  },
  {
    "id": "lock-not-released",
    "title": "a path out of the function leaves a mutex locked",
    "why": "A function that locks a mutex and unlocks it on some paths but returns (or breaks out) on another path with it still locked leaves it locked for good: the next goroutine to call Lock blocks forever, and every goroutine after it piles up behind. Early returns on error or \"nothing to do\" paths are where the Unlock is most often missed.",
    "fix": "Unlock on every path: `defer mu.Unlock()` right after the Lock when the whole function may hold it, or an Unlock before each return, break and continue that leaves the critical section.",
    "example": {
      "bad": "func (d *Devices) cleanup() error {\n\td.mu.Lock()\n\tif d.deleted == 0 {\n\t\treturn nil // d.mu stays locked\n\t}\n\td.deleted = 0\n\td.mu.Unlock()\n\treturn nil\n}",
      "good": "func (d *Devices) cleanup() error {\n\td.mu.Lock()\n\tdefer d.mu.Unlock()\n\tif d.deleted == 0 {\n\t\treturn nil\n\t}\n\td.deleted = 0\n\treturn nil\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "lock",
      "concurrency"
    ]
  },
  {
    "id": "lock-order",
    "title": "two mutexes are locked in opposite orders",
    "why": "When one path locks A and then B while another locks B and then A, two goroutines can each take their first mutex and then wait forever for the other one: an AB-BA deadlock. Both goroutines leak, and so does every goroutine that needs either mutex afterwards. The second lock is often hidden in a method called while the first is held.",
    "fix": "Pick one order for the two mutexes and keep to it everywhere, or release the first before taking the second (copy what you need under the first lock, unlock, then lock the other).",
    "example": {
      "bad": "func (a *Account) Send(l *Ledger) {\n\ta.mu.Lock()\n\tdefer a.mu.Unlock()\n\tl.Record(a) // locks l.mu while a.mu is held\n}\n\nfunc (l *Ledger) Audit(a *Account) {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\ta.mu.Lock() // locks a.mu while l.mu is held\n\ta.mu.Unlock()\n}",
      "good": "func (l *Ledger) Audit(a *Account) {\n\tbalance := a.Balance() // a.mu taken and released first\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\tl.check(balance)\n}"
    },
    "severity": "error",
    "precision": "medium",
    "inTests": "reported",
    "optIn": "Judged blind on the development corpora, none of its 3 findings could deadlock: an outer lock, the protocol state or a one-item-per-path rule kept the two orders from running at once, which the package model does not see. It finds 5 of GoBench's 6 AB-BA kernels when turned on.",
    "tags": [
      "goroutine",
      "lock",
      "concurrency"
    ]
  },
  {
    "id": "blocks-holding-lock",
    "title": "a channel wait holds a mutex its partner must take",
    "why": "A goroutine that sends on or receives from an unbuffered channel while holding a mutex waits for its partner with the mutex held. When every goroutine that could be that partner has to lock the same mutex first (before its own receive, send or close, or between two rounds of its loop), the partner never gets there: both goroutines block forever, and so does everyone who needs the mutex. A channel that a method also returns to other code counts too: whatever an outside holder does, the partner the package itself runs still has to take the mutex before it answers.",
    "fix": "Release the mutex before the channel operation (copy what it guards first), or make the operation unable to block for good: a select with a `default`, a `ctx.Done()` or a stop channel, or a buffer that the code can prove large enough.",
    "example": {
      "bad": "func (s *Status) Set(v int) {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.updates <- v // the reader locks s.mu before it reads again\n}\n\nfunc (s *Status) loop() {\n\tfor v := range s.updates {\n\t\ts.mu.Lock()\n\t\ts.last = v\n\t\ts.mu.Unlock()\n\t}\n}",
      "good": "func (s *Status) Set(v int) {\n\ts.mu.Lock()\n\ts.pending = v\n\ts.mu.Unlock()\n\ts.updates <- v // sent after the mutex is released\n}"
    },
    "severity": "error",
    "precision": "medium",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "lock",
      "channel",
      "concurrency"
    ]
  },
  {
    "id": "waitgroup-misuse",
    "title": "a WaitGroup counter that Wait cannot see reach zero",
    "why": "wg.Wait() returns only when every Add is matched by a Done. A goroutine that returns early without calling Done, a Wait inside the very goroutine the counter counts, or a Wait inside the loop that starts the goroutines an Add before the loop counted, leaves the counter above zero: Wait and its goroutine block forever. An Add inside the started goroutine races the Wait: Wait may return before the goroutine is counted, and leave it running on.",
    "fix": "Call `defer wg.Done()` first thing in the goroutine; call wg.Add before the `go` statement, in the goroutine that waits; call wg.Wait once, after the loop that starts the goroutines, outside them.",
    "example": {
      "bad": "wg.Add(len(jobs))\nfor _, j := range jobs {\n\tgo func(j Job) {\n\t\tdefer wg.Done()\n\t\tj.Run()\n\t}(j)\n\twg.Wait() // waits for all of them after starting one\n}",
      "good": "wg.Add(len(jobs))\nfor _, j := range jobs {\n\tgo func(j Job) {\n\t\tdefer wg.Done()\n\t\tj.Run()\n\t}(j)\n}\nwg.Wait()"
    },
    "severity": "error",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "waitgroup",
      "concurrency"
    ]
  },
  {
    "id": "cond-wait-misuse",
    "title": "sync.Cond Wait that nothing can wake",
    "why": "cond.Wait() sleeps until a Signal or Broadcast on that Cond. When the package never signals it, the waiting goroutine sleeps forever. When the Wait is not in a loop that re-checks the condition it waits for (or the loop tests something the loop never changes), a Signal that came before the Wait is lost and the goroutine sleeps forever too: a Cond keeps no state of its own. So it is when Wait is handed on as a func value (`background(c.Wait)`) to code that calls it once, outside such a loop.",
    "fix": "Wait in a loop on the guarded state, `for !ready { c.Wait() }`, and have whoever changes that state call Signal or Broadcast under the same lock. Where a one-time event is all you need, close a channel instead.",
    "example": {
      "bad": "func (q *Queue) Get() Item {\n\tq.mu.Lock()\n\tdefer q.mu.Unlock()\n\tq.cond.Wait() // a Put that signalled before this is lost\n\treturn q.pop()\n}",
      "good": "func (q *Queue) Get() Item {\n\tq.mu.Lock()\n\tdefer q.mu.Unlock()\n\tfor len(q.items) == 0 {\n\t\tq.cond.Wait()\n\t}\n\treturn q.pop()\n}"
    },
    "severity": "warning",
    "precision": "high",
    "inTests": "reported",
    "tags": [
      "goroutine",
      "cond",
      "concurrency"
    ]
  }
];
