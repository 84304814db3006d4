package convert

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
)

// The HTTP Archive 1.2 objects oauthcompat writes and reads
// (http://www.softwareishard.com/blog/har-12-spec/).
type harFile struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Entries []harEntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	// Operation is the catalog operation of the interaction, a custom
	// field (HAR allows those with a leading underscore).
	Operation string `json:"_operation,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harCookie  `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harResponse struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	Content     harContent  `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Text     string  `json:"text"`
	Params   []harNV `json:"params,omitempty"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// epoch is the startedDateTime of an interaction whose response carries no
// Date: cassettes do not store when a request was sent.
var epoch = time.Unix(0, 0).UTC()

// HAR returns the interactions as an HTTP Archive 1.2 (JSON), one entry
// each, in order. Cookies are left in the headers (the cookies arrays are
// empty); a body that is not UTF-8 text is base64 with "encoding":
// "base64"; an entry's startedDateTime is its response's Date, or the Unix
// epoch.
func HAR(its []*cassette.Interaction) ([]byte, error) {
	f := harFile{Log: harLog{Version: "1.2", Creator: harCreator{Name: "oauthcompat", Version: "1"}, Entries: []harEntry{}}}
	for _, it := range its {
		f.Log.Entries = append(f.Log.Entries, harOf(it))
	}
	b, err := JSON(f)
	if err != nil {
		return nil, fmt.Errorf("encode HAR: %w", err)
	}
	return b, nil
}

func harOf(it *cassette.Interaction) harEntry {
	req, resp := &it.Request, &it.Response
	started := epoch
	if d, err := http.ParseTime(cassettes.Header(resp.Headers, "Date")); err == nil {
		started = d.UTC()
	}
	ms := float64(resp.Duration.Microseconds()) / 1000
	e := harEntry{
		StartedDateTime: started.Format("2006-01-02T15:04:05.000Z"),
		Time:            ms,
		Timings:         harTimings{Wait: ms},
		Operation:       operation(it),
		Request: harRequest{
			Method:      req.Method,
			URL:         req.URL,
			HTTPVersion: proto(req.Proto),
			Cookies:     []harCookie{},
			Headers:     nvs(requestHeaders(req.Headers)),
			QueryString: []harNV{},
			HeadersSize: -1,
			BodySize:    len(req.Body),
		},
		Response: harResponse{
			Status:      resp.Code,
			StatusText:  statusText(resp),
			HTTPVersion: proto(resp.Proto),
			Cookies:     []harCookie{},
			Headers:     nvs(responseHeaders(resp.Headers, resp.Body)),
			Content:     harContent{Size: len(resp.Body), MimeType: mimeType(resp.Headers, resp.Body)},
			RedirectURL: cassettes.Header(resp.Headers, "Location"),
			HeadersSize: -1,
			BodySize:    len(resp.Body),
		},
	}
	if u, err := url.Parse(req.URL); err == nil {
		for _, p := range strings.Split(u.RawQuery, "&") {
			if p == "" {
				continue
			}
			k, v, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			e.Request.QueryString = append(e.Request.QueryString, harNV{k, v})
		}
	}
	if req.Body != "" {
		// The request's own Content-Type, "" when it sent none: a guess
		// would come back as a header it did not send.
		e.Request.PostData = &harPostData{MimeType: cassettes.Header(req.Headers, "Content-Type"), Text: req.Body}
	}
	if resp.Body != "" {
		if utf8.ValidString(resp.Body) {
			e.Response.Content.Text = resp.Body
		} else {
			e.Response.Content.Text = base64.StdEncoding.EncodeToString([]byte(resp.Body))
			e.Response.Content.Encoding = "base64"
		}
	}
	return e
}

func proto(p string) string {
	if p == "" {
		return "HTTP/1.1"
	}
	return p
}

func nvs(hs []header) []harNV {
	out := make([]harNV, len(hs))
	for i, h := range hs {
		out[i] = harNV{h.name, h.value}
	}
	return out
}

// ErrNotHAR is wrapped by the error [FromHAR] returns for data that is not
// an HTTP Archive.
var ErrNotHAR = errors.New("not an HTTP Archive")

// FromHAR reads an HTTP Archive (1.1 or 1.2, as browsers' devtools,
// mitmproxy, Charles and [HAR] write it) into interactions, one per entry,
// in order, unredacted. HTTP/2 pseudo-headers are dropped, header names
// are canonicalised, a base64 body is decoded, a form given only as params
// is encoded, and Content-Encoding is dropped (HAR holds bodies decoded).
// An entry's "_operation" becomes the [cassettes.OperationHeader].
func FromHAR(data []byte) ([]*cassette.Interaction, error) {
	var f harFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotHAR, err)
	}
	if f.Log.Version == "" && f.Log.Entries == nil {
		return nil, fmt.Errorf("%w: no log.version or log.entries", ErrNotHAR)
	}
	var its []*cassette.Interaction
	var errs []error
	for n, e := range f.Log.Entries {
		it, err := fromEntry(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", n, err))
			continue
		}
		it.ID = len(its)
		its = append(its, it)
	}
	return its, errors.Join(errs...)
}

func fromEntry(e harEntry) (*cassette.Interaction, error) {
	u, err := url.Parse(e.Request.URL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("request URL %q is not absolute", e.Request.URL)
	}
	if e.Request.Method == "" {
		return nil, errors.New("no request method")
	}
	reqH := headersOf(e.Request.Headers)
	body := ""
	if p := e.Request.PostData; p != nil {
		body = p.Text
		if body == "" && len(p.Params) > 0 {
			v := url.Values{}
			for _, kv := range p.Params {
				v.Add(kv.Name, kv.Value)
			}
			body = v.Encode()
		}
		if reqH.Get("Content-Type") == "" && p.MimeType != "" {
			reqH.Set("Content-Type", p.MimeType)
		}
	}
	if e.Operation != "" {
		reqH.Set(cassettes.OperationHeader, e.Operation)
	}
	respBody := e.Response.Content.Text
	if e.Response.Content.Encoding == "base64" {
		b, err := base64.StdEncoding.DecodeString(respBody)
		if err != nil {
			return nil, fmt.Errorf("response content: base64: %w", err)
		}
		respBody = string(b)
	}
	respH := headersOf(e.Response.Headers)
	respH.Del("Content-Encoding")
	status := e.Response.StatusText
	if status == "" {
		status = http.StatusText(e.Response.Status)
	}
	major, minor := protoVersion(e.Request.HTTPVersion)
	rmajor, rminor := protoVersion(e.Response.HTTPVersion)
	it := &cassette.Interaction{
		Request: cassette.Request{
			Proto: fmt.Sprintf("HTTP/%d.%d", major, minor), ProtoMajor: major, ProtoMinor: minor,
			ContentLength: int64(len(body)),
			Host:          u.Host,
			Body:          body,
			Headers:       reqH,
			URL:           e.Request.URL,
			Method:        strings.ToUpper(e.Request.Method),
			Form:          map[string][]string{},
		},
		Response: cassette.Response{
			Proto: fmt.Sprintf("HTTP/%d.%d", rmajor, rminor), ProtoMajor: rmajor, ProtoMinor: rminor,
			ContentLength: int64(len(respBody)),
			Body:          respBody,
			Headers:       respH,
			Status:        strconv.Itoa(e.Response.Status) + " " + status,
			Code:          e.Response.Status,
			Duration:      time.Duration(e.Time * float64(time.Millisecond)),
		},
	}
	if h := reqH.Get("Host"); h != "" {
		it.Request.Host = h
		reqH.Del("Host")
	}
	return it, nil
}

// headersOf turns HAR headers into a header map: names canonical, HTTP/2
// pseudo-headers (":authority") and hop-by-hop headers dropped.
func headersOf(nvs []harNV) http.Header {
	h := http.Header{}
	for _, nv := range nvs {
		if strings.HasPrefix(nv.Name, ":") || nv.Name == "" {
			continue
		}
		k := textproto.CanonicalMIMEHeaderKey(nv.Name)
		if hopByHop[k] {
			continue
		}
		h[k] = append(h[k], nv.Value)
	}
	return h
}

// protoVersion parses "HTTP/1.1", "http/2.0", "h2" or "HTTP/2"; anything
// else is HTTP/1.1.
func protoVersion(v string) (major, minor int) {
	v = strings.ToUpper(strings.TrimSpace(v))
	switch v {
	case "H2", "HTTP/2", "HTTP/2.0":
		return 2, 0
	case "H3", "HTTP/3", "HTTP/3.0":
		return 3, 0
	case "HTTP/1.0":
		return 1, 0
	}
	return 1, 1
}
