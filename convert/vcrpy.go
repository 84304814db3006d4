package convert

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// VCRPy returns the interactions as a VCR.py cassette (format version 1,
// YAML), in order: vcrpy plays identical requests' answers in turn, as
// replay does. Bodies that are not UTF-8 text are !!binary. VCR.py
// matches on method, scheme, host, port, path and query by default; to
// match the body too, use match_on=[..., "body"] (vcrpy compares JSON
// bodies as JSON when the request says application/json).
func VCRPy(its []*cassette.Interaction) ([]byte, error) {
	root := mapping(
		"interactions", vcrInteractions(its),
		"version", scalar("!!int", "1"),
	)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("encode VCR.py cassette: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode VCR.py cassette: %w", err)
	}
	return b.Bytes(), nil
}

func vcrInteractions(its []*cassette.Interaction) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, it := range its {
		req, resp := &it.Request, &it.Response
		reqBody := scalar("!!null", "null")
		if req.Body != "" {
			reqBody = text(req.Body)
		}
		seq.Content = append(seq.Content, mapping(
			"request", mapping(
				"body", reqBody,
				"headers", vcrHeaders(requestHeaders(req.Headers)),
				"method", scalar("!!str", req.Method),
				"uri", scalar("!!str", req.URL),
			),
			"response", mapping(
				"body", mapping("string", text(resp.Body)),
				"headers", vcrHeaders(responseHeaders(resp.Headers, resp.Body)),
				"status", mapping(
					"code", scalar("!!int", strconv.Itoa(resp.Code)),
					"message", scalar("!!str", statusText(resp)),
				),
			),
		))
	}
	return seq
}

// vcrHeaders is VCR.py's header map: each name to the list of its values.
func vcrHeaders(hs []header) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	var last *yaml.Node
	for i, h := range hs {
		if i == 0 || hs[i-1].name != h.name {
			last = &yaml.Node{Kind: yaml.SequenceNode}
			m.Content = append(m.Content, scalar("!!str", h.name), last)
		}
		last.Content = append(last.Content, scalar("!!str", h.value))
	}
	return m
}

// text is a string, or !!binary when it is not UTF-8.
func text(s string) *yaml.Node {
	if utf8.ValidString(s) {
		return scalar("!!str", s)
	}
	return scalar("!!binary", base64.StdEncoding.EncodeToString([]byte(s)))
}

func scalar(tag, v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v}
}

// mapping builds a YAML mapping from key, value pairs.
func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, scalar("!!str", kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}
