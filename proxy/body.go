package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/oauthcompat/oauthcompat/internal/contentcoding"
)

// teeBody passes a response body through unchanged while keeping its first
// limit bytes. done runs once, when the body reaches its end (complete),
// fails (an upstream error mid-body: cut is set, unless ctx is done,
// which is the client going away), or is closed before its end; the Read
// or Close that triggers it returns only after done. With a known length,
// the end is its last byte: done runs before the Read that brings it
// returns, so the interaction is recorded before the client has the
// whole response. The upstream's error comes in a Read of its own, after
// w is flushed: a proxy writes the bytes before it, the flush sends them
// (and the status and headers) to the client, then the error cuts the
// connection, so the client sees what the upstream did. Bytes past a known length
// (only a RoundTripper that misstates it can bring any) still reach the
// client, and overrun is called once. Close may run while a Read is under
// way.
type teeBody struct {
	ctx     context.Context // the request's: done when the client went away
	rc      io.ReadCloser
	length  int64 // the Content-Length, or -1
	limit   int64
	done    func(b *teeBody, complete bool)
	overrun func()
	w       http.ResponseWriter // flushed before the upstream's error is returned; may be nil

	mu        sync.Mutex // guards what follows, and done's reading it
	buf       strings.Builder
	n         int64 // bytes passed through
	truncated bool
	finished  bool
	over      bool
	cut       error // the upstream's error mid-body
	pending   error // cut, held back for the next Read
}

func (b *teeBody) Read(p []byte) (int, error) {
	if b.pending != nil {
		return 0, b.fail()
	}
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if n > 0 {
		if b.finished && !b.over {
			b.over = true
			if b.overrun != nil {
				b.overrun()
			}
		}
		b.n += int64(n)
		if room := b.limit - int64(b.buf.Len()); room > 0 && !b.finished {
			b.buf.Write(p[:min(int64(n), room)])
		}
		if int64(b.buf.Len()) < b.n {
			b.truncated = true
		}
	}
	switch {
	case err == io.EOF || b.length > 0 && b.n >= b.length:
		b.finishLocked(true)
	case err != nil && !b.finished && (b.ctx == nil || b.ctx.Err() == nil):
		b.cut = err
		b.finishLocked(false)
		b.mu.Unlock()
		if n > 0 {
			b.pending = err
			return n, nil
		}
		b.pending = err
		return 0, b.fail()
	}
	b.mu.Unlock()
	return n, err
}

// fail flushes what the client was written, then returns the upstream's
// error.
func (b *teeBody) fail() error {
	if b.w != nil {
		http.NewResponseController(b.w).Flush()
	}
	return b.pending
}

func (b *teeBody) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	b.finishLocked(false)
	b.mu.Unlock()
	return err
}

// finishLocked runs done once; b.mu is held.
func (b *teeBody) finishLocked(complete bool) {
	if !b.finished {
		b.finished = true
		b.done(b, complete)
	}
}

// doneBody calls done once when the body is closed or reaches its end.
type doneBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *doneBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// cutMargin is how many bytes past the recording cap a body is kept:
// the whole is redacted before the cut (see [cassettes.Store.AddLimited]),
// so a secret the cap would split is seen whole (GitHub's longest tokens
// are under 300 characters).
const cutMargin = 4 << 10

// decodeBody undoes the content codings of h on body (decoded to at most
// limit bytes; truncated says body is only its beginning). ok is false
// when there are none. A body that cannot be decoded (an unknown coding,
// corrupt bytes) becomes a placeholder and why says so: it could not be
// redacted, so it is never stored as it came. cut says the decoded body
// ran past limit.
func decodeBody(h http.Header, body string, truncated bool, limit int64) (out string, ok, cut bool, why string) {
	codings := contentcoding.Codings(h)
	if len(codings) == 0 {
		return body, false, false, ""
	}
	b, err := contentcoding.Decode(codings, []byte(body), limit, truncated)
	switch {
	case err == nil:
		return string(b), true, false, ""
	case errors.Is(err, contentcoding.ErrTooLarge):
		return string(b), true, true, ""
	}
	why = fmt.Sprintf("%s-coded body of %d bytes not stored: %s", strings.Join(codings, ", "), len(body), err)
	return "[oauthcompat: " + why + "]", true, false, why
}

// BufferPool is a pool of 32 KiB copy buffers for [httputil.ReverseProxy]:
// without one, it allocates a buffer per response.
type BufferPool struct{ p sync.Pool }

// Get returns a buffer.
func (b *BufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

// Put returns a buffer to the pool.
func (b *BufferPool) Put(buf []byte) { b.p.Put(&buf) }
