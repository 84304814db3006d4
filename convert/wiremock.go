package convert

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
)

// File is one file of an export: a path relative to the export's root
// ("mappings/000-apps.check-token-200.json") and its content.
type File struct {
	Path string
	Data []byte
}

// WireMockOptions configures [WireMock]. The zero value puts bodies
// inline and names scenarios "sequence-N".
type WireMockOptions struct {
	// Scenario prefixes the names of the WireMock scenarios made for
	// sequences: "<Scenario>/sequence-N".
	Scenario string
	// BodyFiles puts each response body in __files/ (bodyFileName)
	// instead of inline.
	BodyFiles bool
}

// wmMapping is a WireMock stub mapping.
type wmMapping struct {
	Name                  string      `json:"name"`
	Priority              int         `json:"priority"`
	Request               wmRequest   `json:"request"`
	Response              wmResponse  `json:"response"`
	ScenarioName          string      `json:"scenarioName,omitempty"`
	RequiredScenarioState string      `json:"requiredScenarioState,omitempty"`
	NewScenarioState      string      `json:"newScenarioState,omitempty"`
	Metadata              *wmMetadata `json:"metadata,omitempty"`
}

type wmMetadata struct {
	Operation   string `json:"operation,omitempty"`
	Interaction int    `json:"interaction"`
}

type wmRequest struct {
	Method          string               `json:"method"`
	URLPath         string               `json:"urlPath"`
	QueryParameters map[string]wmPattern `json:"queryParameters,omitempty"`
	Headers         map[string]wmPattern `json:"headers,omitempty"`
	BodyPatterns    []map[string]any     `json:"bodyPatterns,omitempty"`
}

// wmPattern is a WireMock string value pattern: one of its fields is set.
type wmPattern struct {
	EqualTo    *string     `json:"equalTo,omitempty"`
	Matches    string      `json:"matches,omitempty"`
	Absent     bool        `json:"absent,omitempty"`
	HasExactly []wmPattern `json:"hasExactly,omitempty"`
}

type wmResponse struct {
	Status       int            `json:"status"`
	Headers      map[string]any `json:"headers,omitempty"`
	Body         *string        `json:"body,omitempty"`
	Base64Body   string         `json:"base64Body,omitempty"`
	BodyFileName string         `json:"bodyFileName,omitempty"`
}

// WireMock returns WireMock stub mappings for the interactions, one file
// each under mappings/ (and, with BodyFiles, the bodies under __files/),
// to load with "--root-dir DIR" or POST to /__admin/mappings/import.
//
// A mapping matches the method, the URL path, the recorded query
// parameters (and the absence of those that other requests to the same
// path have), the Authorization credentials as recorded (the scheme in any
// case, "token" and "Bearer" alike, Basic with or without padding; absent
// when none was recorded), the presence of X-GitHub-OTP, If-None-Match when
// recorded, and the body: equalToJson for JSON, equalTo otherwise. Mappings
// with more to match get the higher priority. Identical requests answered
// in turn become a WireMock scenario whose states follow the recorded
// order; the last answer then repeats.
func WireMock(its []*cassette.Interaction, opts WireMockOptions) ([]File, error) {
	// The query parameter names used on each route, to require the
	// absence of the ones a request did not send.
	routeParams := map[string]map[string]bool{}
	type prepared struct {
		it    *cassette.Interaction
		path  string
		query url.Values
		key   string
	}
	var ps []prepared
	for _, it := range its {
		u, err := url.Parse(it.Request.URL)
		if err != nil {
			return nil, fmt.Errorf("interaction %d: request URL: %w", it.ID, err)
		}
		q, _ := url.ParseQuery(u.RawQuery)
		route := it.Request.Method + " " + u.Path
		if routeParams[route] == nil {
			routeParams[route] = map[string]bool{}
		}
		for k := range q {
			routeParams[route][k] = true
		}
		ps = append(ps, prepared{it: it, path: u.Path, query: q, key: requestKey(it, u.Path, q)})
	}
	// Sequences: interactions with the same key, in order.
	seqOf := map[string][]int{}
	var keys []string
	for i, p := range ps {
		if _, ok := seqOf[p.key]; !ok {
			keys = append(keys, p.key)
		}
		seqOf[p.key] = append(seqOf[p.key], i)
	}
	scenario := map[int][3]string{} // index -> name, required state, new state
	n := 0
	for _, k := range keys {
		idx := seqOf[k]
		if len(idx) < 2 {
			continue
		}
		n++
		name := fmt.Sprintf("sequence-%d", n)
		if opts.Scenario != "" {
			name = opts.Scenario + "/" + name
		}
		for j, i := range idx {
			next := ""
			if j+1 < len(idx) {
				next = state(j + 1)
			}
			scenario[i] = [3]string{name, state(j), next}
		}
	}
	var files []File
	for i, p := range ps {
		m, body := mappingOf(p.it, p.path, p.query, routeParams[p.it.Request.Method+" "+p.path])
		base := fmt.Sprintf("%03d-%s-%d", i, fileWord(p.it), p.it.Response.Code)
		if s, ok := scenario[i]; ok {
			m.ScenarioName, m.RequiredScenarioState, m.NewScenarioState = s[0], s[1], s[2]
		}
		if body != "" {
			switch {
			case opts.BodyFiles:
				m.Response.BodyFileName = base + bodyExt(p.it)
				files = append(files, File{Path: path.Join("__files", m.Response.BodyFileName), Data: []byte(body)})
			case utf8.ValidString(body):
				m.Response.Body = &body
			default:
				m.Response.Base64Body = base64.StdEncoding.EncodeToString([]byte(body))
			}
		}
		data, err := JSON(m)
		if err != nil {
			return nil, fmt.Errorf("interaction %d: %w", p.it.ID, err)
		}
		files = append(files, File{Path: path.Join("mappings", base+".json"), Data: data})
	}
	sort.Slice(files, func(a, b int) bool { return files[a].Path < files[b].Path })
	return files, nil
}

// state names the n-th state of a sequence: WireMock starts scenarios in
// "Started".
func state(n int) string {
	if n == 0 {
		return "Started"
	}
	return "answer-" + strconv.Itoa(n+1)
}

// requestKey is what makes two requests the same for WireMock.
func requestKey(it *cassette.Interaction, p string, q url.Values) string {
	h := it.Request.Headers
	otp := h.Get("X-Github-Otp") != ""
	return strings.Join([]string{it.Request.Method, p, q.Encode(), authKey(h.Get("Authorization")),
		strconv.FormatBool(otp), h.Get("If-None-Match"), canonicalBody(it.Request.Body)}, "\x00")
}

func authKey(v string) string {
	scheme, cred := redact.SplitAuthorization(v)
	return strings.ToLower(scheme) + " " + strings.TrimRight(cred, "=")
}

func canonicalBody(body string) string {
	if !isJSON(body) {
		return body
	}
	var t any
	if json.Unmarshal([]byte(body), &t) != nil {
		return body
	}
	b, _ := json.Marshal(t) // sorted keys
	return string(b)
}

func mappingOf(it *cassette.Interaction, p string, q url.Values, routeParams map[string]bool) (wmMapping, string) {
	req, resp := &it.Request, &it.Response
	m := wmMapping{
		Name:     fmt.Sprintf("%s %d (interaction %d)", nameWord(it), resp.Code, it.ID),
		Priority: 1,
		Request:  wmRequest{Method: req.Method, URLPath: p},
		Response: wmResponse{Status: resp.Code},
		Metadata: &wmMetadata{Operation: operation(it), Interaction: it.ID},
	}
	for name := range routeParams {
		if m.Request.QueryParameters == nil {
			m.Request.QueryParameters = map[string]wmPattern{}
		}
		vs, ok := q[name]
		switch {
		case !ok:
			m.Request.QueryParameters[name] = wmPattern{Absent: true}
		case len(vs) == 1:
			m.Request.QueryParameters[name] = equalTo(vs[0])
		default:
			var all []wmPattern
			for _, v := range vs {
				all = append(all, equalTo(v))
			}
			m.Request.QueryParameters[name] = wmPattern{HasExactly: all}
		}
	}
	m.Request.Headers = map[string]wmPattern{}
	if a := cassettes.Header(req.Headers, "Authorization"); a != "" {
		m.Request.Headers["Authorization"] = authPattern(a)
	} else {
		m.Request.Headers["Authorization"] = wmPattern{Absent: true}
	}
	if cassettes.Header(req.Headers, "X-Github-Otp") != "" {
		m.Request.Headers["X-GitHub-OTP"] = wmPattern{Matches: ".+"}
	} else {
		m.Request.Headers["X-GitHub-OTP"] = wmPattern{Absent: true}
	}
	if inm := cassettes.Header(req.Headers, "If-None-Match"); inm != "" {
		m.Request.Headers["If-None-Match"] = equalTo(inm)
	} else {
		m.Priority += 2
	}
	switch {
	case req.Body == "":
		m.Priority++
	case isJSON(req.Body):
		m.Request.BodyPatterns = []map[string]any{{"equalToJson": req.Body}}
	default:
		m.Request.BodyPatterns = []map[string]any{{"equalTo": req.Body}}
	}
	hs := responseHeaders(resp.Headers, resp.Body)
	if len(hs) > 0 {
		m.Response.Headers = map[string]any{}
		for i, h := range hs {
			if i > 0 && hs[i-1].name == h.name {
				continue
			}
			var vs []string
			for _, x := range hs[i:] {
				if x.name != h.name {
					break
				}
				vs = append(vs, x.value)
			}
			if len(vs) == 1 {
				m.Response.Headers[h.name] = vs[0]
			} else {
				m.Response.Headers[h.name] = vs
			}
		}
	}
	return m, resp.Body
}

func equalTo(s string) wmPattern { return wmPattern{EqualTo: &s} }

// authPattern matches the recorded credentials with the scheme in any
// case ("token" and "Bearer" alike) and Basic credentials with or without
// base64 padding.
func authPattern(v string) wmPattern {
	scheme, cred := redact.SplitAuthorization(v)
	switch strings.ToLower(scheme) {
	case "":
		return equalTo(v)
	case "basic":
		return wmPattern{Matches: `^\s*(?i:basic)\s+` + regexp.QuoteMeta(strings.TrimRight(cred, "=")) + `=*\s*$`}
	case "token", "bearer":
		return wmPattern{Matches: `^\s*(?i:token|bearer)\s+` + regexp.QuoteMeta(cred) + `\s*$`}
	}
	return wmPattern{Matches: `^\s*(?i:` + regexp.QuoteMeta(scheme) + `)\s+` + regexp.QuoteMeta(cred) + `\s*$`}
}

// nameWord names an interaction: its operation, else its method and path.
func nameWord(it *cassette.Interaction) string {
	if op := operation(it); op != "" {
		return op
	}
	u, err := url.Parse(it.Request.URL)
	if err != nil {
		return it.Request.Method
	}
	return it.Request.Method + " " + u.Path
}

// fileWord is a file-name-safe word for an interaction.
func fileWord(it *cassette.Interaction) string {
	if op := operation(it); op != "" {
		return strings.ReplaceAll(op, "/", ".")
	}
	return strings.ToLower(it.Request.Method)
}

func bodyExt(it *cassette.Interaction) string {
	if isJSON(it.Response.Body) {
		return ".json"
	}
	if utf8.ValidString(it.Response.Body) {
		return ".txt"
	}
	return ".bin"
}

// JSON encodes v as the exports do: indented two spaces, HTML characters
// as they are, a newline at the end.
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
