package replay

import (
	"net/http"
	"net/url"
	"strings"
)

// Upstream returns a RoundTripper that sends each request to upstream
// (scheme, host and any path prefix) through rt, for [Options.Miss]: a
// replay server's requests are addressed to the replay server itself.
// A nil rt means [http.DefaultTransport].
func Upstream(upstream *url.URL, rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &upstreamTransport{u: upstream, rt: rt}
}

type upstreamTransport struct {
	u  *url.URL
	rt http.RoundTripper
}

func (t *upstreamTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme = t.u.Scheme
	out.URL.Host = t.u.Host
	if p := strings.TrimSuffix(t.u.Path, "/"); p != "" && !strings.HasPrefix(out.URL.Path, p+"/") {
		out.URL.Path = p + out.URL.Path
		out.URL.RawPath = ""
	}
	out.Host = t.u.Host
	return t.rt.RoundTrip(out)
}
