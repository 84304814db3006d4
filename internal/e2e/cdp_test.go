//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// browser is headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe): JSON messages separated by NUL bytes,
// Chromium reading on its fd 3 and writing on its fd 4.
type browser struct {
	cmd *exec.Cmd
	w   io.WriteCloser

	mu      sync.Mutex
	next    int
	pending map[int]chan message
	subs    map[string][]chan message // session id -> event subscribers
	err     error
	done    chan struct{}
}

type message struct {
	ID        int                       `json:"id,omitempty"`
	Method    string                    `json:"method,omitempty"`
	Params    json.RawMessage           `json:"params,omitempty"`
	Result    json.RawMessage           `json:"result,omitempty"`
	Error     *struct{ Message string } `json:"error,omitempty"`
	SessionID string                    `json:"sessionId,omitempty"`
}

// chromiumFlags are the flags headless Chromium needs on a machine with no
// network but loopback and no display.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-default-apps", "--mute-audio", "--remote-debugging-pipe",
}

// launch starts Chromium with a fresh profile in profile.
func launch(path, profile string, stderr io.Writer) (*browser, error) {
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, append(chromiumFlags, "--user-data-dir="+profile, "about:blank")...)
	cmd.ExtraFiles = []*os.File{toR, fromW} // fd 3: Chromium reads; fd 4: Chromium writes
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	toR.Close()
	fromW.Close()
	b := &browser{cmd: cmd, w: toW, pending: map[int]chan message{}, subs: map[string][]chan message{}, done: make(chan struct{})}
	go b.read(fromR)
	return b, nil
}

func (b *browser) read(r io.Reader) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.err = fmt.Errorf("the browser closed its pipe: %w", err)
			for _, ch := range b.pending {
				close(ch)
			}
			b.pending = map[int]chan message{}
			b.mu.Unlock()
			return
		}
		var m message
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				delete(b.pending, m.ID)
				ch <- m
			}
		} else {
			for _, ch := range b.subs[m.SessionID] {
				select {
				case ch <- m:
				default: // a subscriber that does not keep up loses events; ours buffer plenty
				}
			}
		}
		b.mu.Unlock()
	}
}

// call sends method with params in session ("" for the browser) and
// decodes the result into out (when not nil).
func (b *browser) call(ctx context.Context, session, method string, params, out any) error {
	if params == nil {
		params = struct{}{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	ch := make(chan message, 1)
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return b.err
	}
	b.next++
	id := b.next
	b.pending[id] = ch
	b.mu.Unlock()
	req, _ := json.Marshal(message{ID: id, Method: method, Params: p, SessionID: session})
	if _, err := b.w.Write(append(req, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: %w", method, b.err)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// subscribe returns the events of session.
func (b *browser) subscribe(session string) chan message {
	ch := make(chan message, 4096)
	b.mu.Lock()
	b.subs[session] = append(b.subs[session], ch)
	b.mu.Unlock()
	return ch
}

// close ends the browser.
func (b *browser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.call(ctx, "", "Browser.close", nil, nil)
	b.w.Close()
	waited := make(chan error, 1)
	go func() { waited <- b.cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-waited
	}
}

var errNoChromium = errors.New("no Chromium")
