package reference_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oauthcompat/oauthcompat/reference"
)

// benchClient is a keep-alive client sized for b.RunParallel.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		DisableCompression:  true,
	}}
}

// benchLoop POSTs the check-token body to url in parallel and expects 200.
func benchLoop(b *testing.B, url string) {
	client := benchClient()
	defer client.CloseIdleConnections()
	reqBody := []byte(body(tok(0)))
	auth := basic(app1, secret1)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(reqBody))
			req.Header.Set("Authorization", auth)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}

// BenchmarkCheckToken measures POST /applications/{client_id}/token on the
// reference server over loopback. Compare with BenchmarkBareHandler.
func BenchmarkCheckToken(b *testing.B) {
	s, err := reference.New(version(b, "3.8"), reference.DefaultFixtures())
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	benchLoop(b, srv.URL+"/api/v3"+tokenPath(app1))
}

// BenchmarkBareHandler is the floor: a bare net/http handler that reads the
// request body and answers the same bytes and headers as check-token.
func BenchmarkBareHandler(b *testing.B) {
	s, err := reference.New(version(b, "3.8"), reference.DefaultFixtures())
	if err != nil {
		b.Fatal(err)
	}
	ref := httptest.NewServer(s)
	req, _ := http.NewRequest("POST", ref.URL+"/api/v3"+tokenPath(app1), bytes.NewReader([]byte(body(tok(0)))))
	req.SetBasicAuth(app1, secret1)
	res, err := ref.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	ref.Close()
	hdr := res.Header.Clone()
	hdr.Del("Date")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(200)
		w.Write(answer)
	}))
	defer srv.Close()
	benchLoop(b, srv.URL+"/api/v3"+tokenPath(app1))
}

// BenchmarkCheckTokenHandler measures the handler alone, without sockets.
func BenchmarkCheckTokenHandler(b *testing.B) {
	s, err := reference.New(version(b, "3.8"), reference.DefaultFixtures())
	if err != nil {
		b.Fatal(err)
	}
	reqBody := []byte(body(tok(0)))
	auth := basic(app1, secret1)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "http://ghe.example.com/api/v3"+tokenPath(app1), bytes.NewReader(reqBody))
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
