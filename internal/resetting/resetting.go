// Package resetting is an HTTP upstream for tests that fails mid-body: it
// answers every request with 200, the first bytes of a body, then resets
// the connection, as a server that crashes or a network that drops does.
package resetting

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// Upstream starts, on 127.0.0.1, a server answering every request with
// status 200, a JSON Content-Type, the version header 3.8.4 and an ETag,
// then the first cut bytes of body (announced with a Content-Length of
// len(body), or chunked), then a reset of the connection. It stops when
// the test ends. It returns the server's base URL.
func Upstream(t testing.TB, body string, cut int, chunked bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, body, cut, chunked)
		}
	}()
	return "http://" + ln.Addr().String()
}

func serve(c net.Conn, body string, cut int, chunked bool) {
	defer c.Close()
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	io.Copy(io.Discard, req.Body)
	w := bufio.NewWriter(c)
	fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-GitHub-Enterprise-Version: 3.8.4\r\nEtag: \"abc\"\r\n")
	if chunked {
		fmt.Fprintf(w, "Transfer-Encoding: chunked\r\n\r\n")
		if cut > 0 { // a chunk of 0 bytes would end the body
			fmt.Fprintf(w, "%x\r\n%s\r\n", cut, body[:cut])
		}
	} else {
		fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body[:cut])
	}
	w.Flush()
	time.Sleep(20 * time.Millisecond) // let the bytes reach the client first
	c.(*net.TCPConn).SetLinger(0)     // close with a reset
}
