package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
)

// Lookup answers r from the recording without forwarding anything: the
// recorded response, or an error wrapping [ErrNoMatch] (a [*MissError])
// when no interaction matches or a sequence is used up. It consumes and
// restores r.Body.
func (ix *Index) Lookup(r *http.Request) (*http.Response, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, fmt.Errorf("replay: read request body: %w", err)
	}
	e, miss := ix.match(r, body)
	if miss != nil {
		ix.logMiss(r.Context(), miss)
		return nil, miss
	}
	ix.logHit(r.Context(), e)
	return e.response(r), nil
}

// RoundTrip implements [http.RoundTripper]: the recorded response, or on a
// miss the answer of Options.Miss, or else a 501 response carrying the
// [MissError] as JSON and the header "X-Oauthcompat-Replay: miss". A miss is
// not an error, so a client sees it as it would over HTTP; use [Index.Lookup]
// or [Index.Misses] for the explanation.
func (ix *Index) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := ix.Lookup(r)
	if err == nil {
		return resp, nil
	}
	miss, ok := err.(*MissError)
	if !ok {
		return nil, err
	}
	if ix.opts.Miss != nil {
		return ix.opts.Miss.RoundTrip(r)
	}
	return missResponse(r, miss), nil
}

// ServeHTTP implements [http.Handler]: it writes the recorded status,
// headers and body bytes, or handles a miss as [Index.RoundTrip] does.
func (ix *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		http.Error(w, "replay: read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	e, miss := ix.match(r, body)
	if miss == nil {
		ix.logHit(r.Context(), e)
		e.write(w)
		return
	}
	ix.logMiss(r.Context(), miss)
	if ix.opts.Miss != nil {
		ix.forward(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(MissHeader, "miss")
	w.WriteHeader(http.StatusNotImplemented)
	w.Write(missBody(miss))
}

// write sends the recorded answer. The header slices are shared with the
// index, which never changes them.
func (e *entry) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range e.header {
		h[k] = vs
	}
	h["Content-Length"] = e.length
	w.WriteHeader(e.status)
	w.Write(e.body)
}

// response builds the recorded answer as an [http.Response] the caller owns.
func (e *entry) response(r *http.Request) *http.Response {
	h := e.header.Clone()
	h["Content-Length"] = e.length
	return &http.Response{
		Status:        e.statusLine,
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       r,
	}
}

func missResponse(r *http.Request, m *MissError) *http.Response {
	b := missBody(m)
	return &http.Response{
		Status:     "501 Not Implemented",
		StatusCode: http.StatusNotImplemented,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"application/json; charset=utf-8"},
			MissHeader:       {"miss"},
			"Content-Length": {strconv.Itoa(len(b))},
		},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       r,
	}
}

// forward sends a missed request through Options.Miss and relays the
// answer.
func (ix *Index) forward(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	if out.URL.Host == "" {
		out.URL.Scheme = "http"
		out.URL.Host = r.Host
	}
	// The server's own hop-by-hop headers stay here.
	for _, k := range []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"} {
		out.Header.Del(k)
	}
	resp, err := ix.opts.Miss.RoundTrip(out)
	if err != nil {
		ix.log.LogAttrs(r.Context(), slog.LevelError, "replay: forward miss", slog.String("method", r.Method), slog.String("error", err.Error()))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set(MissHeader, "miss")
		w.WriteHeader(http.StatusBadGateway)
		b, _ := json.Marshal(map[string]string{"message": "replay: the request matched no recorded interaction and forwarding it upstream failed: " + err.Error()})
		w.Write(append(b, '\n'))
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, vs := range resp.Header {
		if !hopByHop[k] || k == "Content-Length" {
			h[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (ix *Index) logHit(ctx context.Context, e *entry) {
	if !ix.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	ix.log.LogAttrs(ctx, slog.LevelDebug, "replay hit",
		slog.String("cassette", e.file), slog.Int("interaction", e.id),
		slog.String("method", e.method), slog.String("path", e.v.path), slog.Int("status", e.status))
}

func (ix *Index) logMiss(ctx context.Context, m *MissError) {
	attrs := []slog.Attr{slog.String("method", m.Request.Method), slog.String("path", m.Request.Path)}
	if c := m.Closest; c != nil {
		attrs = append(attrs, slog.String("closest_cassette", c.Cassette), slog.Int("closest_interaction", c.Interaction))
	}
	for _, d := range m.Differences {
		attrs = append(attrs, slog.Group(d.Field, slog.String("recorded", d.Recorded), slog.String("got", d.Got)))
	}
	ix.log.LogAttrs(ctx, slog.LevelWarn, m.Message, attrs...)
}
