// Package detect finds which GitHub version a server runs from what it
// answers: the X-GitHub-Enterprise-Version header GHES and GitHub AE send
// on every response, the installed_version of GET /meta where it answers,
// and the headers only api.github.com and GHEC send.
package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// ErrUndetected is wrapped by the error of [Version] when the server
// answered but nothing in its answers names a version.
var ErrUndetected = errors.New("the server's answers name no GitHub version")

// ErrUnknownVersion is wrapped by the error of [Version] when the server
// names a version the catalog does not know.
var ErrUnknownVersion = errors.New("the server runs a version the catalog does not know")

// Result is a detected version and what it was detected from.
type Result struct {
	Version *schemas.Version
	// Evidence says what named the version, e.g.
	// "X-GitHub-Enterprise-Version: 3.8.12 on GET /api/v3/meta".
	Evidence string
}

// String is "ghes-3.8 (X-GitHub-Enterprise-Version: 3.8.12 on GET /api/v3/meta)".
func (r Result) String() string { return r.Version.Name + " (" + r.Evidence + ")" }

// Config says how to ask. Its zero value works.
type Config struct {
	// Client sends the requests. Nil means a client with a 30 s timeout.
	// Redirects are not followed.
	Client *http.Client
	// Catalog names the versions. Nil means [schemas.Default].
	Catalog *schemas.Catalog
}

// answer is what one request showed.
type answer struct {
	what   string // "GET /api/v3/meta"
	status int
	header http.Header
	body   []byte
}

// Version asks the server at base (e.g. https://ghes.example.com/api/v3 or
// http://127.0.0.1:8080) which version it runs. It sends GET base/meta and,
// when that is inconclusive, GET base/, without credentials, and reads in
// order: X-GitHub-Enterprise-Version ("3.8.12" is ghes-3.8, "GitHub AE" is
// github.ae), /meta's installed_version, and the product headers of
// api.github.com (X-GitHub-Api-Version-Selected, X-RateLimit-*). A host
// under ghe.com is GHEC. The error wraps the network error when the server
// cannot be reached, [ErrUndetected] when nothing names a version, and
// [ErrUnknownVersion] when the catalog does not know the one named.
func Version(ctx context.Context, base string, cfg Config) (Result, error) {
	cat := cfg.Catalog
	if cat == nil {
		cat = schemas.Default()
	}
	client := http.Client{Timeout: 30 * time.Second}
	if cfg.Client != nil {
		client = *cfg.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Result{}, fmt.Errorf("detect the version: %q is not an http(s) URL", base)
	}
	u.User = nil
	var seen []answer
	for _, path := range []string{"/meta", "/"} {
		a, err := get(ctx, &client, u, path)
		if err != nil {
			return Result{}, fmt.Errorf("cannot reach %s to detect its version: %w", u, err)
		}
		seen = append(seen, a)
		if r, ok, err := decide(cat, a); ok || err != nil {
			return r, err
		}
	}
	if r, ok, err := product(cat, u, seen); ok || err != nil {
		return r, err
	}
	var what []string
	for _, a := range seen {
		what = append(what, fmt.Sprintf("%s answered %d", a.what, a.status))
	}
	return Result{}, fmt.Errorf("detect the version of %s: %s, %w (no X-GitHub-Enterprise-Version, installed_version or api.github.com headers); pass --version", u, strings.Join(what, " and "), ErrUndetected)
}

func get(ctx context.Context, client *http.Client, base *url.URL, path string) (answer, error) {
	u := *base
	u.Path = strings.TrimRight(base.Path, "/") + path
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", "oauthcompat-detect")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return answer{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return answer{what: "GET " + u.Path, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// decide reads the enterprise header and /meta's installed_version of one
// answer: ok is true when they name a version.
func decide(cat *schemas.Catalog, a answer) (Result, bool, error) {
	if h := strings.TrimSpace(a.header.Get("X-GitHub-Enterprise-Version")); h != "" {
		evidence := "X-GitHub-Enterprise-Version: " + h + " on " + a.what
		if strings.HasPrefix(strings.ToLower(h), "github ae") {
			return known(cat, "github.ae", evidence)
		}
		return known(cat, h, evidence)
	}
	var meta struct {
		InstalledVersion string `json:"installed_version"`
	}
	if a.status == http.StatusOK && json.Unmarshal(a.body, &meta) == nil && meta.InstalledVersion != "" {
		return known(cat, meta.InstalledVersion, "installed_version "+meta.InstalledVersion+" of "+a.what)
	}
	return Result{}, false, nil
}

// product tells api.github.com and GHEC from the headers only they send.
func product(cat *schemas.Catalog, base *url.URL, seen []answer) (Result, bool, error) {
	for _, a := range seen {
		for _, name := range []string{"X-GitHub-Api-Version-Selected", "X-RateLimit-Resource", "X-RateLimit-Limit"} {
			v := a.header.Get(name)
			if v == "" {
				continue
			}
			evidence := name + ": " + v + " on " + a.what + " without X-GitHub-Enterprise-Version"
			if h := strings.ToLower(base.Hostname()); h == "ghe.com" || strings.HasSuffix(h, ".ghe.com") {
				return known(cat, "ghec", evidence+", on a ghe.com host")
			}
			return known(cat, "api.github.com", evidence+" (GHEC answers alike: pass --version ghec for it)")
		}
	}
	return Result{}, false, nil
}

func known(cat *schemas.Catalog, name, evidence string) (Result, bool, error) {
	v, err := cat.Version(name)
	if err != nil {
		return Result{}, true, fmt.Errorf("%s names %s: %w; import its description with 'oauthcompat catalog import' and pass --catalog DIR (or set OAUTHCOMPAT_CATALOG=DIR), or pass --version with the nearest version 'oauthcompat versions' lists", evidence, schemas.Canonical(name), ErrUnknownVersion)
	}
	return Result{Version: v, Evidence: evidence}, true, nil
}
