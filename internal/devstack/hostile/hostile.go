// Package hostile is a server the tests point ProviderConfigs at to stand for an endpoint a tenant chose to harm
// the shared provider: it answers with an endless body, accepts and never answers (a tarpit), or redirects to
// plain http. It counts what it did, so a test can tell what the provider read and how long it waited.
package hostile

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
)

// A Mode is how the server answers every request.
type Mode int

const (
	// Endless answers Status with a body of Limit bytes of JSON-looking filler, written as fast as the client
	// reads (an endless body, for any client that does not stop reading).
	Endless Mode = iota
	// Tarpit accepts the request and never answers, until the client gives up or the server is closed.
	Tarpit
	// Redirect answers 307 to Location, a plain http address.
	Redirect
)

// A Server is one hostile endpoint.
type Server struct {
	*httptest.Server
	// Mode, Status, Limit and Location are read at every request; set them before pointing a client at it.
	Mode     Mode
	Status   int
	Limit    int64
	Location string

	// Written counts the body bytes the server managed to write, over all requests.
	Written atomic.Int64
	// Requests counts the requests it received; Held the tarpitted requests still held.
	Requests atomic.Int64
	Held     atomic.Int64

	stop     chan struct{}
	stopOnce sync.Once
}

// Start starts a hostile server (plain http, or TLS when tls is true) in mode m.
func Start(m Mode, tls bool) *Server {
	s := &Server{Mode: m, Status: http.StatusInternalServerError, Limit: 1 << 30, stop: make(chan struct{})}
	h := http.HandlerFunc(s.serve)
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	return s
}

// Close releases every held request, then closes the server.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.CloseClientConnections()
	s.Server.Close()
}

var filler = func() []byte {
	b := make([]byte, 64<<10)
	b[0] = '{'
	b[1] = '"'
	for i := 2; i < len(b); i++ {
		b[i] = 'a' + byte(i%26)
	}
	return b
}()

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	switch s.Mode {
	case Tarpit:
		s.Held.Add(1)
		defer s.Held.Add(-1)
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case Redirect:
		w.Header().Set("Location", s.Location)
		w.WriteHeader(http.StatusTemporaryRedirect)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.Status)
		for left := s.Limit; left > 0; {
			chunk := filler
			if int64(len(chunk)) > left {
				chunk = chunk[:left]
			}
			n, err := w.Write(chunk)
			s.Written.Add(int64(n))
			left -= int64(n)
			if err != nil {
				return
			}
			select {
			case <-s.stop:
				return
			default:
			}
		}
	}
}

// A Recorder is a plain http server that records whether any request reached it, and with which headers.
type Recorder struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
}

// StartRecorder starts a Recorder that answers 200 with an empty JSON object.
func StartRecorder() *Recorder {
	rec := &Recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.headers = append(rec.headers, r.Header.Clone())
		rec.mu.Unlock()
		_, _ = w.Write([]byte("{}"))
	}))
	return rec
}

// Requests returns the headers of every request the recorder received.
func (rec *Recorder) Requests() []http.Header {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]http.Header(nil), rec.headers...)
}
