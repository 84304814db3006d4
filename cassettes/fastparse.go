package cassettes

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// loadFile reads a cassette. YAML decoding is most of the load time
// (gopkg.in/yaml.v3 reads about 20 MB/s, so 10,000 interactions took over
// a second), so the block YAML that yaml.v3 and go-vcr write is read by a
// small dedicated parser; anything it does not know (comments, anchors,
// flow collections, folded scalars...) and every error goes to
// [cassettes.Load], whose messages name the file and line. Tests check
// that both agree.
func loadFile(path string) (*cassette.Cassette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if c, ok := fastParse(path, data); ok {
		return c, nil
	}
	return Parse(path, data)
}

// ynode is a parsed YAML value: a scalar, a mapping or a sequence.
type ynode struct {
	kind  byte // 's' scalar, 'm' mapping, 'l' sequence, 'n' null
	plain bool // an unquoted scalar (subject to null resolution)
	s     string
	keys  []string
	vals  []*ynode
	items []*ynode
}

type yparser struct {
	lines []string
	i     int
}

func indentOf(l string) int {
	n := 0
	for n < len(l) && l[n] == ' ' {
		n++
	}
	return n
}

func blank(l string) bool { return strings.TrimSpace(l) == "" }

// fastParse parses data as a go-vcr v3 cassette, or reports false.
func fastParse(path string, data []byte) (c *cassette.Cassette, ok bool) {
	defer func() {
		if recover() != nil {
			c, ok = nil, false
		}
	}()
	if !plainText(data) {
		return nil, false
	}
	lines := strings.Split(string(data), "\n")
	start := 0
	for start < len(lines) && blank(lines[start]) {
		start++
	}
	if start < len(lines) && strings.TrimRight(lines[start], " ") == "---" {
		start++
	}
	if !simpleLines(lines[start:]) {
		return nil, false
	}
	p := &yparser{lines: lines, i: start}
	p.skipBlank()
	if p.i >= len(lines) || indentOf(lines[p.i]) != 0 {
		return nil, false
	}
	root, ok := p.mapping(0, "")
	if !ok {
		return nil, false
	}
	p.skipBlank()
	if p.i < len(lines) {
		return nil, false
	}
	return toCassette(path, root)
}

// plainText reports whether data is UTF-8 without the characters the fast
// parser leaves to yaml.v3 (carriage returns, NUL, Unicode line breaks, a
// byte order mark).
func plainText[T string | []byte](data T) bool {
	ascii := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\r' || c == 0 {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.Valid([]byte(data)) && !bytes.ContainsAny([]byte(data), "\u0085\u2028\u2029\ufeff")
}

// simpleLines reports whether lines hold none of what the fast parser
// leaves to yaml.v3: tabs in indentation, comments, directives, document
// markers.
func simpleLines(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimLeft(l, " ")
		if t != "" && (t[0] == '\t' || t[0] == '#' || t[0] == '%') || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...") {
			return false
		}
	}
	return true
}

func (p *yparser) skipBlank() {
	for p.i < len(p.lines) && blank(p.lines[p.i]) {
		p.i++
	}
}

// mapping parses a block mapping whose keys sit at column ind. first, when
// not empty, is the text of the first line after a sequence dash.
func (p *yparser) mapping(ind int, first string) (*ynode, bool) {
	n := &ynode{kind: 'm'}
	seen := map[string]bool{}
	for {
		var line string
		if first != "" {
			line, first = first, ""
		} else {
			p.skipBlank()
			if p.i >= len(p.lines) || indentOf(p.lines[p.i]) != ind {
				break
			}
			line = p.lines[p.i][ind:]
			if strings.HasPrefix(line, "- ") || line == "-" {
				break
			}
		}
		p.i++
		k, rest, ok := cutKey(line)
		if !ok || seen[k] {
			return nil, false
		}
		seen[k] = true
		v, ok := p.value(ind, rest)
		if !ok {
			return nil, false
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
	}
	return n, true
}

// cutKey splits "key: rest" or "key:".
func cutKey[T string | []byte](line T) (key, rest T, ok bool) {
	if len(line) == 0 || strings.IndexByte("'\"[]{}?&*!|>%@`#,", line[0]) >= 0 || line[0] == '-' && len(line) > 1 && line[1] == ' ' {
		return key, rest, false
	}
	i := 0
	for i+1 < len(line) && (line[i] != ':' || line[i+1] != ' ') {
		i++
	}
	if i+1 >= len(line) {
		if line[len(line)-1] == ':' {
			return line[:len(line)-1], rest, true
		}
		return key, rest, false
	}
	rest = line[i+2:]
	for len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	return line[:i], rest, true
}

// value parses the value of a key at column ind whose inline text is rest.
func (p *yparser) value(ind int, rest string) (*ynode, bool) {
	switch {
	case rest == "":
		p.skipBlank()
		if p.i >= len(p.lines) {
			return &ynode{kind: 'n'}, true
		}
		ni := indentOf(p.lines[p.i])
		l := p.lines[p.i][ni:]
		isSeq := strings.HasPrefix(l, "- ") || l == "-"
		switch {
		case ni > ind && isSeq:
			return p.sequence(ni)
		case ni == ind && isSeq:
			return p.sequence(ni)
		case ni > ind:
			return p.mapping(ni, "")
		}
		return &ynode{kind: 'n'}, true
	case rest[0] == '|':
		return p.literal(ind, rest)
	}
	v, ok := scalar(rest)
	if !ok {
		return nil, false
	}
	// A plain scalar continued on the next lines needs the full parser.
	if save := p.i; true {
		p.skipBlank()
		if p.i < len(p.lines) && indentOf(p.lines[p.i]) > ind {
			return nil, false
		}
		p.i = save
	}
	return v, true
}

// sequence parses a block sequence whose dashes sit at column ind.
func (p *yparser) sequence(ind int) (*ynode, bool) {
	n := &ynode{kind: 'l'}
	for {
		p.skipBlank()
		if p.i >= len(p.lines) || indentOf(p.lines[p.i]) != ind {
			break
		}
		l := p.lines[p.i][ind:]
		if !strings.HasPrefix(l, "- ") {
			if l == "-" {
				return nil, false
			}
			break
		}
		item := strings.TrimLeft(l[2:], " ")
		col := ind + len(l) - len(item)
		if _, _, isKey := cutKey(item); isKey && item[0] != '\'' && item[0] != '"' {
			v, ok := p.mapping(col, item)
			if !ok {
				return nil, false
			}
			n.items = append(n.items, v)
			continue
		}
		p.i++
		if item == "" || item[0] == '|' || strings.HasPrefix(item, "- ") {
			return nil, false
		}
		v, ok := scalar(item)
		if !ok {
			return nil, false
		}
		n.items = append(n.items, v)
	}
	return n, true
}

// literal parses a literal block scalar (|, |-, |+, with an optional
// indentation indicator) belonging to a key at column ind.
func (p *yparser) literal(ind int, header string) (*ynode, bool) {
	chomp := byte(0)
	explicit := 0
	for _, c := range header[1:] {
		switch {
		case c == '-' || c == '+':
			chomp = byte(c)
		case c >= '1' && c <= '9':
			explicit = int(c - '0')
		default:
			return nil, false
		}
	}
	var body []string
	content := -1
	if explicit > 0 {
		content = ind + explicit
	}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if blank(l) {
			if content >= 0 && len(l) > content {
				body = append(body, l[content:])
			} else if content < 0 && len(l) > ind+1 {
				return nil, false // spaces before the first line: let the full parser decide
			} else {
				body = append(body, "")
			}
			p.i++
			continue
		}
		li := indentOf(l)
		if content < 0 {
			if li <= ind {
				break
			}
			content = li
		}
		if li < content {
			break
		}
		body = append(body, l[content:])
		p.i++
	}
	// Trailing blank lines: blank lines after the scalar belong to it only
	// for chomping; a blank line with fewer spaces is fine either way.
	trail := 0
	for trail < len(body) && body[len(body)-1-trail] == "" {
		trail++
	}
	text := strings.Join(body[:len(body)-trail], "\n")
	switch chomp {
	case '-':
	case '+':
		if len(body)-trail > 0 {
			text += "\n"
		}
		text += strings.Repeat("\n", trail)
	default:
		if len(body)-trail > 0 {
			text += "\n"
		}
	}
	return &ynode{kind: 's', s: text}, true
}

// scalar parses a one-line scalar: plain, 'single' or "double" quoted, or
// the empty flow collections [] and {}.
func scalar(s string) (*ynode, bool) {
	text, kind, plain, ok := scalarText(s)
	if !ok {
		return nil, false
	}
	return &ynode{kind: kind, s: text, plain: plain}, true
}

// scalarText is [scalar] without the node: the text, the kind ('s'
// scalar, 'n' null, 'l' and 'm' the empty flow collections) and whether
// it was plain. A single-quoted scalar without quotes in it and a
// double-quoted one without escapes are returned as substrings of s.
func scalarText(s string) (text string, kind byte, plain, ok bool) {
	switch s {
	case "[]":
		return "", 'l', false, true
	case "{}":
		return "", 'm', false, true
	}
	switch s[0] {
	case '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return "", 0, false, false
		}
		in := s[1 : len(s)-1]
		if strings.IndexByte(in, '\'') < 0 {
			return in, 's', false, true
		}
		if strings.Count(in, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(in, "''", ""), "'") {
			return "", 0, false, false
		}
		return strings.ReplaceAll(in, "''", "'"), 's', false, true
	case '"':
		text, ok := doubleQuoted(s)
		return text, 's', false, ok
	case '[', '{', '|', '>', '&', '*', '!', '%', '@', '`', '#', '?', ',', ']', '}':
		return "", 0, false, false
	case '-':
		if s == "-" || strings.HasPrefix(s, "- ") {
			return "", 0, false, false
		}
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return "", 0, false, false
	}
	s = strings.TrimRight(s, " ")
	switch s {
	case "~", "null", "Null", "NULL":
		return "", 'n', false, true
	}
	return s, 's', true, true
}

func doubleQuoted(s string) (string, bool) {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", false
	}
	in := s[1 : len(s)-1]
	if !strings.Contains(in, `\`) {
		if strings.Contains(in, `"`) {
			return "", false
		}
		return in, true
	}
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '"' {
			return "", false
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(in) {
			return "", false
		}
		switch e := in[i]; e {
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case ' ', '"', '/', '\\':
			b.WriteByte(e)
		case 'N':
			b.WriteRune('\u0085')
		case '_':
			b.WriteRune('\u00a0')
		case 'L':
			b.WriteRune('\u2028')
		case 'P':
			b.WriteRune('\u2029')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n > len(in) {
				return "", false
			}
			v, err := strconv.ParseUint(in[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", false
			}
			if e == 'x' {
				// yaml.v3 writes \xXX for a byte that is not valid UTF-8 on
				// its own; the full parser decides what that means.
				return "", false
			}
			if !utf8.ValidRune(rune(v)) {
				return "", false
			}
			b.WriteRune(rune(v))
			i += n
		default:
			return "", false
		}
	}
	return b.String(), true
}

// get returns the value of key in a mapping, or nil.
func (n *ynode) get(key string) *ynode {
	if n == nil || n.kind != 'm' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// conv turns nodes into Go values the way yaml.v3 decodes them into the
// go-vcr types, or records that it cannot.
type conv struct{ ok bool }

func (c *conv) str(n *ynode) string {
	switch {
	case n == nil || n.kind == 'n':
		return ""
	case n.kind == 's':
		return n.s
	}
	c.ok = false
	return ""
}

func (c *conv) int(n *ynode) int64 {
	if n == nil || n.kind == 'n' {
		return 0
	}
	if n.kind != 's' || !n.plain {
		c.ok = false
		return 0
	}
	v, err := strconv.ParseInt(n.s, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != n.s {
		c.ok = false
	}
	return v
}

func (c *conv) bool(n *ynode) bool {
	if n == nil || n.kind == 'n' {
		return false
	}
	if n.kind == 's' && n.plain && (n.s == "true" || n.s == "false") {
		return n.s == "true"
	}
	c.ok = false
	return false
}

func (c *conv) strs(n *ynode) []string {
	if n == nil || n.kind == 'n' {
		return nil
	}
	if n.kind != 'l' {
		c.ok = false
		return nil
	}
	out := make([]string, len(n.items))
	for i, it := range n.items {
		if it.kind != 's' {
			c.ok = false
		}
		out[i] = it.s
	}
	return out
}

func (c *conv) header(n *ynode) map[string][]string {
	if n == nil || n.kind == 'n' {
		return nil
	}
	if n.kind != 'm' {
		c.ok = false
		return nil
	}
	h := make(map[string][]string, len(n.keys))
	for i, k := range n.keys {
		h[k] = c.strs(n.vals[i])
	}
	return h
}

func (c *conv) duration(n *ynode) time.Duration {
	if n == nil || n.kind == 'n' {
		return 0
	}
	if n.kind != 's' {
		c.ok = false
		return 0
	}
	d, err := time.ParseDuration(n.s)
	if _, isInt := strconv.ParseInt(n.s, 10, 64); err != nil || isInt == nil {
		c.ok = false
	}
	return d
}

func toCassette(path string, root *ynode) (*cassette.Cassette, bool) {
	if v := root.get("version"); v == nil || v.kind != 's' || v.s != "2" || !v.plain {
		return nil, false
	}
	list := root.get("interactions")
	if list == nil || list.kind != 'l' && list.kind != 'n' {
		return nil, false
	}
	its := make([]*cassette.Interaction, 0, len(list.items))
	for _, it := range list.items {
		in, ok := toInteraction(it)
		if !ok {
			return nil, false
		}
		its = append(its, in)
	}
	c := cassette.New(strings.TrimSuffix(path, Ext))
	c.File = path
	c.IsNew = false
	c.Interactions = its
	return c, true
}

// toInteraction converts one parsed list entry of a cassette, or reports
// false when it is not one the fast parser is sure of.
func toInteraction(it *ynode) (*cassette.Interaction, bool) {
	cv := &conv{ok: true}
	if it.kind != 'm' {
		return nil, false
	}
	rq, rs := it.get("request"), it.get("response")
	if rq == nil || rs == nil || rq.kind != 'm' || rs.kind != 'm' {
		return nil, false
	}
	in := &cassette.Interaction{
		ID: int(cv.int(it.get("id"))),
		Request: cassette.Request{
			Proto:            cv.str(rq.get("proto")),
			ProtoMajor:       int(cv.int(rq.get("proto_major"))),
			ProtoMinor:       int(cv.int(rq.get("proto_minor"))),
			ContentLength:    cv.int(rq.get("content_length")),
			TransferEncoding: cv.strs(rq.get("transfer_encoding")),
			Trailer:          http.Header(cv.header(rq.get("trailer"))),
			Host:             cv.str(rq.get("host")),
			RemoteAddr:       cv.str(rq.get("remote_addr")),
			RequestURI:       cv.str(rq.get("request_uri")),
			Body:             cv.str(rq.get("body")),
			Form:             url.Values(cv.header(rq.get("form"))),
			Headers:          http.Header(cv.header(rq.get("headers"))),
			URL:              cv.str(rq.get("url")),
			Method:           cv.str(rq.get("method")),
		},
		Response: cassette.Response{
			Proto:            cv.str(rs.get("proto")),
			ProtoMajor:       int(cv.int(rs.get("proto_major"))),
			ProtoMinor:       int(cv.int(rs.get("proto_minor"))),
			TransferEncoding: cv.strs(rs.get("transfer_encoding")),
			Trailer:          http.Header(cv.header(rs.get("trailer"))),
			ContentLength:    cv.int(rs.get("content_length")),
			Uncompressed:     cv.bool(rs.get("uncompressed")),
			Body:             cv.str(rs.get("body")),
			Headers:          http.Header(cv.header(rs.get("headers"))),
			Status:           cv.str(rs.get("status")),
			Code:             int(cv.int(rs.get("code"))),
			Duration:         cv.duration(rs.get("duration")),
		},
	}
	if !cv.ok || in.Request.Method == "" || in.Request.URL == "" || in.Response.Code == 0 {
		return nil, false
	}
	return in, true
}
