package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
	"github.com/oauthcompat/oauthcompat/proxy"
)

// Lookup answers r from the recording without forwarding anything: the
// recorded response, or an error wrapping [ErrNoMatch] (a [*MissError])
// when no interaction matches or a sequence is used up, or one wrapping
// [ErrBodyTooLarge]. Like a RoundTrip it reads r.Body to its end and
// closes it, and changes nothing else in r.
func (ix *Index) Lookup(r *http.Request) (*http.Response, error) {
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("replay: read request body: %w", err)
	}
	resp, miss, err := ix.lookup(r, plainBody(r.Header, body))
	switch {
	case err != nil:
		return nil, err
	case miss != nil:
		return nil, miss
	}
	return resp, nil
}

func (ix *Index) lookup(r *http.Request, body []byte) (*http.Response, *MissError, error) {
	e, red, miss := ix.match(r, body)
	if miss != nil {
		ix.logMiss(r.Context(), miss)
		return nil, miss, nil
	}
	rp, err := ix.hit(r.Context(), e)
	if err != nil {
		return nil, nil, err
	}
	return rp.response(r, ix.answer(rp, r, body, red, false)), nil, nil
}

// RoundTrip implements [http.RoundTripper]: the recorded response, or on a
// miss the answer of Options.Miss (sent a copy of r), or else a 501
// response carrying the [MissError] as JSON and the header
// "X-Oauthcompat-Replay: miss". A miss is not an error, so a client sees it
// as it would over HTTP; use [Index.Lookup] or [Index.Misses] for the
// explanation. As the RoundTripper contract asks, it closes r.Body and
// does not change r.
func (ix *Index) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("replay: read request body: %w", err)
	}
	resp, miss, err := ix.lookup(r, plainBody(r.Header, body))
	switch {
	case err != nil:
		return nil, err
	case miss == nil:
		return resp, nil
	}
	if ix.opts.Miss != nil {
		return ix.opts.Miss.RoundTrip(withBody(r, body))
	}
	return missResponse(r, miss), nil
}

// ServeHTTP implements [http.Handler]: it writes the recorded status,
// headers and body bytes, or handles a miss as [Index.RoundTrip] does. A
// request body longer than [MaxRequestBody] gets 413.
func (ix *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r.Body, r.ContentLength)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		writeMessage(w, status, "replay: read request body: "+err.Error())
		return
	}
	plain := plainBody(r.Header, body)
	e, red, miss := ix.match(r, plain)
	if miss == nil {
		rp, err := ix.hit(r.Context(), e)
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, err.Error())
			return
		}
		rp.write(w, ix.answer(rp, r, plain, red, true))
		return
	}
	ix.logMiss(r.Context(), miss)
	if ix.opts.Miss != nil {
		ix.forward(w, withBody(r, body))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(MissHeader, "miss")
	w.WriteHeader(http.StatusNotImplemented)
	w.Write(missBody(miss))
}

// writeMessage answers with a JSON {"message": msg}, GitHub's error shape.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// write sends the recorded answer a. The header slices are shared with
// the index, which never changes them. A recorded upstream failure
// mid-body is reproduced: the status and headers (the Content-Length
// announced included), the bytes received, then the connection is cut.
func (e *reply) write(w http.ResponseWriter, a answer) {
	h := w.Header()
	for k, vs := range a.header {
		h[k] = vs
	}
	if a.length != nil {
		h["Content-Length"] = a.length
	}
	w.WriteHeader(e.status)
	w.Write(a.body)
	if e.cut != "" {
		cut(w)
	}
}

// cut sends what w holds and closes the connection without ending the
// response: the client sees the body end early, with an error.
func cut(w http.ResponseWriter) {
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// response builds the recorded answer a as an [http.Response] the caller
// owns. The body of a recorded upstream failure mid-body fails after the
// bytes received, with an error wrapping [io.ErrUnexpectedEOF].
func (e *reply) response(r *http.Request, a answer) *http.Response {
	h := a.header.Clone()
	length := int64(len(a.body))
	var body io.ReadCloser = io.NopCloser(bytes.NewReader(a.body))
	if a.length != nil {
		h["Content-Length"] = a.length
	}
	if e.cut != "" {
		length = -1
		if a.length != nil {
			length, _ = strconv.ParseInt(a.length[0], 10, 64)
		}
		body = &cutBody{r: bytes.NewReader(a.body), err: fmt.Errorf("replay: %s: %w", e.cut, io.ErrUnexpectedEOF)}
	}
	return &http.Response{
		Status:        e.statusLine,
		StatusCode:    e.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          body,
		ContentLength: length,
		Request:       r,
	}
}

// cutBody returns the bytes of r, then err instead of io.EOF.
type cutBody struct {
	r   *bytes.Reader
	err error
}

func (b *cutBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		err = b.err
	}
	return n, err
}

func (b *cutBody) Close() error { return nil }

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
		msg := forwardError(err)
		ix.log.LogAttrs(r.Context(), slog.LevelError, "replay: forward miss", slog.String("method", r.Method), slog.String("error", msg))
		w.Header().Set(MissHeader, "miss")
		writeMessage(w, http.StatusBadGateway, "replay: the request matched no recorded interaction, and forwarding it failed: "+msg)
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
	if _, err := io.Copy(w, resp.Body); err != nil {
		// The upstream failed mid-body (the recorder logged and recorded
		// it): the client sees the same, not a clean end.
		cut(w)
	}
}

// hit returns the answer of e, the interaction a request matched, and
// logs the hit; it logs and returns the error when the answer cannot be
// read from its cassette.
func (ix *Index) hit(ctx context.Context, e *entry) (*reply, error) {
	rp, err := ix.reply(e)
	if err != nil {
		ix.log.LogAttrs(ctx, slog.LevelError, "replay: answer unreadable",
			slog.String("cassette", e.file), slog.Int("interaction", e.id), slog.String("error", err.Error()))
		return nil, err
	}
	if ix.log.Enabled(ctx, slog.LevelDebug) {
		ix.log.LogAttrs(ctx, slog.LevelDebug, "replay hit",
			slog.String("cassette", e.file), slog.Int("interaction", e.id),
			slog.String("method", e.method), slog.String("path", e.v.path), slog.Int("status", rp.status))
	}
	return rp, nil
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

// forwardError is what a failed forward says: the cause without the
// request URL (a *url.Error names it, and a legacy path carries a token).
func forwardError(err error) string {
	var up *proxy.UpstreamError
	if errors.As(err, &up) {
		return up.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// plainBody is a request body as a recording stores it: decoded from the
// content codings its Content-Encoding names (the recorder stores bodies
// decoded, see internal/contentcoding), or as sent when it does not
// decode. A miss is forwarded as sent, not as matched.
func plainBody(h http.Header, body []byte) []byte {
	codings := contentcoding.Codings(h)
	if len(codings) == 0 || len(body) == 0 {
		return body
	}
	plain, err := contentcoding.Decode(codings, body, MaxRequestBody, false)
	if err != nil {
		return body
	}
	return plain
}
