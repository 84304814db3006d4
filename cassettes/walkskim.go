package cassettes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Sketch is one interaction of a cassette as [Skim] reads it: its request
// whole, and its response either whole or only located in the file, to be
// read when it is needed with [ReadPlace].
type Sketch struct {
	// File is the cassette file it was read from.
	File string
	// Line is the line of its list entry in File (1-based), 0 when the
	// file was read whole by yaml.v3.
	Line int
	// ID is its recorded id.
	ID int
	// Request is its request, in memory of its own.
	Request cassette.Request
	// Response is its response when it was read with the request (an
	// entry [Skim] does not read alone, or a file read whole), else nil:
	// [ReadPlace] reads it from File at Place.
	Response *cassette.Response
	// Place is where the entry sits in File, when Response is nil.
	Place Place
}

// Place locates an interaction's list entry in its cassette file, with a
// checksum of its bytes (valid in this process only) that tells whether
// the file still holds it.
type Place struct {
	Offset int64
	Length int
	Sum    uint64
}

// placeSeed seeds the checksums of places.
var placeSeed = maphash.MakeSeed()

// entryStart is how an entry of the list starts in the layout the emitter
// and yaml.v3 write: a dash at column 4, its id first.
const entryStart = "    - id: "

// skimBlock is how much of a file a chunk holds, at least: chunks are
// parsed in parallel.
const skimBlock = 2 << 20

// Skim reads the cassette file at path for an index: prep is called with
// each interaction (on several goroutines at once, as chunks of the file
// are parsed in parallel), and fn with what prep returned, one at a time,
// in the order of the file. In the layout oauthcompat and go-vcr write,
// only requests are parsed: responses are checked to be readable and
// located ([Sketch.Place]), to be read later by [ReadPlace], which is most
// of the work of reading a recording saved. Entries in another layout are
// read whole as [WalkFile] reads them (and a file it would read with
// yaml.v3 is read so, from the first entry Skim is not sure of), so the
// interactions, and the errors with their file and line, are those of
// [WalkFile].
//
// An error fn returns stops the walk and is returned as it is.
func Skim[T any](path string, prep func(*Sketch) T, fn func(T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load cassette: %w", err)
	}
	defer f.Close()
	s := &skimmer[T]{path: path, f: f, prep: prep, fn: fn}
	return s.run()
}

type skimmer[T any] struct {
	path    string
	f       *os.File
	prep    func(*Sketch) T
	fn      func(T) error
	emitted int
}

// chunk is a run of whole entries of the file, parsed by a worker.
type chunk[T any] struct {
	buf   []byte // the reader's buffer, recycled once parsed
	text  []byte // the entries, in buf
	off   int64  // of text in the file
	line  int    // lines of the file before text
	out   []T
	whole bool // an entry no fast parser reads: the file is read by WalkFile from it
	err   error
	done  chan struct{}
}

// skimHeaders are how a file in the layout Skim reads starts.
var skimHeaders = []string{"---\nversion: 2\ninteractions:\n", "version: 2\ninteractions:\n"}

func (s *skimmer[T]) run() error {
	buf := make([]byte, skimBlock)
	n, err := io.ReadFull(s.f, buf)
	eof := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	if err != nil && !eof {
		return fmt.Errorf("load cassette %s: %w", s.path, err)
	}
	head := 0
	for _, h := range skimHeaders {
		if bytes.HasPrefix(buf[:n], []byte(h+entryStart)) {
			head = len(h)
		}
	}
	if head == 0 {
		return s.walk(0)
	}
	order := make(chan *chunk[T], 2*parallelism)
	jobs := make(chan *chunk[T], 2*parallelism)
	free := make(chan []byte, 4*parallelism+2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		s.read(buf, head, n, eof, order, jobs, free, stop)
	}()
	for range parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				s.parse(c)
				select {
				case free <- c.buf:
				default:
				}
				c.buf, c.text = nil, nil
				close(c.done)
			}
		}()
	}
	halt := func() {
		close(stop)
		for range order { // let the reader go
		}
		wg.Wait()
	}
	for c := range order {
		if c.err != nil {
			halt()
			return c.err
		}
		<-c.done
		for _, v := range c.out {
			s.emitted++
			if err := s.fn(v); err != nil {
				halt()
				return err
			}
		}
		if c.whole {
			halt()
			return s.walk(s.emitted)
		}
	}
	wg.Wait()
	return nil
}

// read cuts the file into chunks of whole entries and sends each to order
// (for the consumer) and jobs (for the workers), until the end or stop.
// buf holds the first n bytes of the file, the list from head; eof says
// the file ended there. Buffers come back from the workers on free.
func (s *skimmer[T]) read(buf []byte, head, n int, eof bool, order, jobs chan<- *chunk[T], free chan []byte, stop <-chan struct{}) {
	send := func(c *chunk[T]) bool {
		select {
		case order <- c:
		case <-stop:
			return false
		}
		if c.err != nil {
			return false
		}
		select {
		case jobs <- c:
			return true
		case <-stop:
			return false
		}
	}
	off := int64(head)
	line := bytes.Count(buf[:head], []byte{'\n'})
	for n > head {
		// Cut after the last whole entry: before the last entry start,
		// unless the file ended.
		cut := n
		if !eof {
			cut = bytes.LastIndex(buf[head:n], []byte("\n"+entryStart)) + 1 + head
		}
		if cut > head {
			next := buf
			select {
			case next = <-free:
			default:
				next = make([]byte, skimBlock)
			}
			if len(next) < n-cut+skimBlock/2 {
				next = make([]byte, n-cut+skimBlock)
			}
			copy(next, buf[cut:n])
			c := &chunk[T]{buf: buf, text: buf[head:cut], off: off, line: line, done: make(chan struct{})}
			line += bytes.Count(c.text, []byte{'\n'})
			off += int64(cut - head)
			buf, n, head = next, n-cut, 0
			if !send(c) {
				return
			}
		} else if n == len(buf) {
			// One entry longer than the buffer: read on.
			buf = append(buf, make([]byte, len(buf))...)
		}
		if eof {
			continue
		}
		m, err := io.ReadFull(s.f, buf[n:])
		n += m
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			eof = true
		case err != nil:
			send(&chunk[T]{err: fmt.Errorf("load cassette %s: %w", s.path, err)})
			return
		}
	}
}

// parse parses the entries of c: each in the layout the emitter writes
// by [skimEntry], any other by the fast parser, and at the first entry
// neither reads it marks c to be read whole from there. Nothing it makes
// holds on to c's buffer.
func (s *skimmer[T]) parse(c *chunk[T]) {
	text, off, line := c.text, c.off, c.line
	for len(text) > 0 {
		end := bytes.Index(text, []byte("\n"+entryStart)) + 1
		if end <= 0 {
			end = len(text)
		}
		entry := text[:end]
		sk, ok := skimEntry(entry)
		if !ok {
			in, fast := parseEntry(string(entry), 4)
			if !fast {
				c.whole = true
				break
			}
			sk = Sketch{ID: in.ID, Request: in.Request, Response: &in.Response}
		} else {
			sk.Place = Place{Offset: off, Length: len(entry), Sum: maphash.Bytes(placeSeed, entry)}
		}
		sk.File, sk.Line = s.path, line+1
		c.out = append(c.out, s.prep(&sk))
		text, off, line = text[end:], off+int64(end), line+bytes.Count(entry, []byte{'\n'})
	}
}

// walk reads the file with [WalkFile], from its skip-th interaction.
func (s *skimmer[T]) walk(skip int) error {
	return WalkFile(s.path, func(it Item) error {
		if it.Index < skip {
			return nil
		}
		in := it.Interaction
		sk := &Sketch{File: it.File, Line: it.Line, ID: in.ID, Request: in.Request, Response: &in.Response}
		return s.fn(s.prep(sk))
	})
}

// ReadPlace reads the interaction whose list entry [Skim] found at the place at of
// the cassette file at path. It fails, wrapping [ErrMalformed], when the
// file no longer holds that entry there.
func ReadPlace(path string, at Place) (*cassette.Interaction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read cassette: %w", err)
	}
	defer f.Close()
	b := make([]byte, at.Length)
	if n, err := f.ReadAt(b, at.Offset); n < len(b) {
		if errors.Is(err, io.EOF) {
			return nil, Malformed(fmt.Errorf("read cassette %s: it is shorter than when it was loaded; was it changed? Load it again", path))
		}
		return nil, fmt.Errorf("read cassette %s: %w", path, err)
	}
	entry := string(b)
	if maphash.String(placeSeed, entry) != at.Sum {
		return nil, Malformed(fmt.Errorf("read cassette %s: the interaction at byte %d is not the one loaded; was the file changed? Load it again", path, at.Offset))
	}
	in, ok := parseEntry(entry, 4)
	if !ok {
		c, err := Parse(path, []byte("version: 2\ninteractions:\n"+entry))
		if err != nil {
			return nil, err
		}
		if len(c.Interactions) != 1 {
			return nil, Malformed(fmt.Errorf("read cassette %s: byte %d holds %d interactions, not one", path, at.Offset, len(c.Interactions)))
		}
		in = c.Interactions[0]
	}
	return in, nil
}

// skimEntry reads one list entry in exactly the layout the emitter writes
// (and yaml.v3 for the go-vcr types): its request parsed, its response
// checked to be one the fast parser reads ([parseEntry]) and left in the
// file. It reports false for anything else, and for what it cannot be
// sure of, which the fast parser reads instead: what it accepts, the fast
// parser accepts and reads the same (a fuzz test holds it). The strings
// of the request share one block of memory of their own.
func skimEntry(entry []byte) (sk Sketch, ok bool) {
	const respLine = "\n      response:\n"
	at := bytes.Index(entry, []byte(respLine))
	if at < 0 || !skimText(entry) {
		return sk, false
	}
	p := &skimLines{s: string(entry[:at+1])}
	id, ok := p.int(entryStart)
	if !ok || !p.exact("      request:") {
		return sk, false
	}
	sk.ID = int(id)
	r := &sk.Request
	ok = p.str(skimReq+"proto: ", &r.Proto)
	var major, minor int64
	ok = ok && p.intTo(skimReq+"proto_major: ", &major) && p.intTo(skimReq+"proto_minor: ", &minor)
	r.ProtoMajor, r.ProtoMinor = int(major), int(minor)
	ok = ok && p.intTo(skimReq+"content_length: ", &r.ContentLength)
	ok = ok && p.list(skimReq+"transfer_encoding", &r.TransferEncoding)
	var trailer, form map[string][]string
	ok = ok && p.header(skimReq+"trailer", &trailer)
	ok = ok && p.str(skimReq+"host: ", &r.Host) && p.str(skimReq+"remote_addr: ", &r.RemoteAddr) &&
		p.str(skimReq+"request_uri: ", &r.RequestURI) && p.str(skimReq+"body: ", &r.Body)
	ok = ok && p.header(skimReq+"form", &form)
	var headers map[string][]string
	ok = ok && p.header(skimReq+"headers", &headers)
	ok = ok && p.str(skimReq+"url: ", &r.URL) && p.str(skimReq+"method: ", &r.Method)
	r.Trailer, r.Form, r.Headers = http.Header(trailer), url.Values(form), http.Header(headers)
	if !ok || r.Method == "" || r.URL == "" || p.i != len(p.s) {
		return sk, false
	}
	return sk, checkResponse(entry[at+len(respLine):])
}

// skimReq is the indentation of the fields of a request or response.
const skimReq = "        "

// skimLines reads the lines of a request, each ending with a newline.
type skimLines struct {
	s string
	i int
}

// line returns the next line, without its newline.
func (p *skimLines) line() (string, bool) {
	j := strings.IndexByte(p.s[p.i:], '\n')
	if j < 0 {
		return "", false
	}
	l := p.s[p.i : p.i+j]
	p.i += j + 1
	return l, true
}

// peek returns the next line without reading it.
func (p *skimLines) peek() string {
	j := strings.IndexByte(p.s[p.i:], '\n')
	if j < 0 {
		return ""
	}
	return p.s[p.i : p.i+j]
}

func (p *skimLines) exact(want string) bool {
	l, ok := p.line()
	return ok && l == want
}

// value reads the line prefix+value and returns value: one that starts
// with neither a space nor what only a longer read ends (a block scalar).
func (p *skimLines) value(prefix string) (string, bool) {
	l, ok := p.line()
	if !ok || !strings.HasPrefix(l, prefix) {
		return "", false
	}
	v := l[len(prefix):]
	if v == "" || v[0] == ' ' || v[0] == '|' {
		return "", false
	}
	return v, true
}

// str reads a string field, as conv.str reads it.
func (p *skimLines) str(prefix string, out *string) bool {
	v, ok := p.value(prefix)
	if !ok {
		return false
	}
	text, kind, _, ok := scalarText(v)
	switch {
	case !ok:
		return false
	case kind == 'n':
		*out = ""
	case kind == 's':
		*out = text
	default:
		return false
	}
	return true
}

func (p *skimLines) int(prefix string) (int64, bool) {
	var v int64
	ok := p.intTo(prefix, &v)
	return v, ok
}

// intTo reads an integer field, as conv.int reads it.
func (p *skimLines) intTo(prefix string, out *int64) bool {
	v, ok := p.value(prefix)
	if !ok {
		return false
	}
	text, kind, plain, ok := scalarText(v)
	if !ok || kind != 's' || !plain {
		return false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != text {
		return false
	}
	*out = n
	return true
}

// list reads a list of strings under key: "key: []" or "key:" and its
// items, as conv.strs reads them.
func (p *skimLines) list(key string, out *[]string) bool {
	l, ok := p.line()
	switch {
	case !ok:
		return false
	case l == key+": []":
		*out = []string{}
		return true
	case l != key+":":
		return false
	}
	return p.items(len(key)-len(strings.TrimLeft(key, " "))+4, out)
}

// items reads the items of a list of strings, dashes at column ind: at
// least one.
func (p *skimLines) items(ind int, out *[]string) bool {
	prefix := skimIndent(ind) + "- "
	var vs []string
	for strings.HasPrefix(p.peek(), prefix) {
		v, ok := p.value(prefix)
		if !ok {
			return false
		}
		if _, _, isKey := cutKey(v); isKey && v[0] != '\'' && v[0] != '"' {
			return false // a mapping
		}
		text, kind, _, ok := scalarText(v)
		if !ok || kind != 's' {
			return false
		}
		vs = append(vs, text)
	}
	*out = vs
	return len(vs) > 0
}

// header reads a map of string lists under key (headers, trailers, form
// values): "key: {}" or "key:" and its names in increasing order, each
// with "name: []" or its items, as conv.header reads it.
func (p *skimLines) header(key string, out *map[string][]string) bool {
	l, ok := p.line()
	switch {
	case !ok:
		return false
	case l == key+": {}":
		*out = map[string][]string{}
		return true
	case l != key+":":
		return false
	}
	ind := len(key) - len(strings.TrimLeft(key, " ")) + 4
	pad := skimIndent(ind)
	h := make(map[string][]string, 8)
	last := ""
	for n := 0; strings.HasPrefix(p.peek(), pad); n++ {
		l, _ := p.line()
		name := l[len(pad):]
		if name == "" || name[0] == ' ' {
			return false
		}
		k, rest, isKey := cutKey(name)
		// Names in increasing order: none twice.
		if !isKey || n > 0 && k <= last {
			return false
		}
		last = k
		var vs []string
		switch rest {
		case "[]":
			vs = []string{}
		case "":
			if !p.items(ind+4, &vs) {
				return false
			}
		default:
			return false
		}
		h[k] = vs
	}
	if len(h) == 0 {
		return false
	}
	*out = h
	return true
}

// skimIndent returns n spaces.
func skimIndent(n int) string {
	if n <= len(spaces) {
		return spaces[:n]
	}
	return strings.Repeat(" ", n)
}

// checkResponse checks the fields of a response (the lines after
// "response:") as skimEntry reads a request, keeping nothing.
func checkResponse(b []byte) bool {
	p := &byteLines{b: b}
	if !p.str(skimReq+"proto: ") || !p.int(skimReq+"proto_major: ") || !p.int(skimReq+"proto_minor: ") ||
		!p.list(skimReq+"transfer_encoding") || !p.header(skimReq+"trailer") || !p.int(skimReq+"content_length: ") {
		return false
	}
	if u, ok := p.line(); !ok || string(u) != skimReq+"uncompressed: true" && string(u) != skimReq+"uncompressed: false" {
		return false
	}
	if !p.str(skimReq+"body: ") || !p.header(skimReq+"headers") || !p.str(skimReq+"status: ") {
		return false
	}
	if v, ok := p.value(skimReq + "code: "); !ok || !canonicalInt(v) || string(v) == "0" {
		return false
	}
	// The duration as the fast parser reads it (see conv.duration).
	v, ok := p.value(skimReq + "duration: ")
	if !ok || p.i != len(p.b) {
		return false
	}
	d, kind, _, ok := scalarText(string(v))
	if !ok || kind != 's' {
		return false
	}
	if _, err := time.ParseDuration(d); err != nil {
		return false
	}
	_, err := strconv.ParseInt(d, 10, 64)
	return err != nil
}

// byteLines reads the lines of a response, each ending with a newline,
// and checks them as skimLines reads a request's.
type byteLines struct {
	b []byte
	i int
}

func (p *byteLines) line() ([]byte, bool) {
	j := bytes.IndexByte(p.b[p.i:], '\n')
	if j < 0 {
		return nil, false
	}
	l := p.b[p.i : p.i+j]
	p.i += j + 1
	return l, true
}

func (p *byteLines) peek() []byte {
	j := bytes.IndexByte(p.b[p.i:], '\n')
	if j < 0 {
		return nil
	}
	return p.b[p.i : p.i+j]
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// value is skimLines.value.
func (p *byteLines) value(prefix string) ([]byte, bool) {
	l, ok := p.line()
	if !ok || !hasPrefix(l, prefix) {
		return nil, false
	}
	v := l[len(prefix):]
	if len(v) == 0 || v[0] == ' ' || v[0] == '|' {
		return nil, false
	}
	return v, true
}

// str is skimLines.str.
func (p *byteLines) str(prefix string) bool {
	v, ok := p.value(prefix)
	if !ok {
		return false
	}
	kind, _, ok := checkScalar(v)
	return ok && (kind == 's' || kind == 'n')
}

// int is skimLines.intTo.
func (p *byteLines) int(prefix string) bool {
	v, ok := p.value(prefix)
	return ok && canonicalInt(v)
}

// canonicalInt reports whether v is an integer as strconv.FormatInt
// writes it.
func canonicalInt(v []byte) bool {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || d[0] == '0' && (len(d) > 1 || len(v) > 1) {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// list is skimLines.list.
func (p *byteLines) list(key string) bool {
	l, ok := p.line()
	switch {
	case !ok:
		return false
	case string(l) == key+": []":
		return true
	case string(l) != key+":":
		return false
	}
	return p.items(len(key) - len(strings.TrimLeft(key, " ")) + 4)
}

// items is skimLines.items.
func (p *byteLines) items(ind int) bool {
	prefix := skimIndent(ind) + "- "
	n := 0
	for hasPrefix(p.peek(), prefix) {
		v, ok := p.value(prefix)
		if !ok {
			return false
		}
		if _, _, isKey := cutKey(v); isKey && v[0] != '\'' && v[0] != '"' {
			return false // a mapping
		}
		if kind, _, ok := checkScalar(v); !ok || kind != 's' {
			return false
		}
		n++
	}
	return n > 0
}

// header is skimLines.header.
func (p *byteLines) header(key string) bool {
	l, ok := p.line()
	switch {
	case !ok:
		return false
	case string(l) == key+": {}":
		return true
	case string(l) != key+":":
		return false
	}
	ind := len(key) - len(strings.TrimLeft(key, " ")) + 4
	pad := skimIndent(ind)
	var last []byte
	n := 0
	for ; hasPrefix(p.peek(), pad); n++ {
		l, _ := p.line()
		name := l[len(pad):]
		if len(name) == 0 || name[0] == ' ' {
			return false
		}
		k, rest, isKey := cutKey(name)
		if !isKey || n > 0 && string(k) <= string(last) {
			return false
		}
		last = k
		switch string(rest) {
		case "[]":
		case "":
			if !p.items(ind + 4) {
				return false
			}
		default:
			return false
		}
	}
	return n > 0
}

// checkScalar is [scalarText] without the text: what it reports for
// string(v).
func checkScalar(v []byte) (kind byte, plain, ok bool) {
	switch string(v) {
	case "[]":
		return 'l', false, true
	case "{}":
		return 'm', false, true
	}
	switch v[0] {
	case '\'':
		if len(v) < 2 || v[len(v)-1] != '\'' {
			return 0, false, false
		}
		// Every quote inside doubled.
		for in := v[1 : len(v)-1]; ; {
			j := bytes.IndexByte(in, '\'')
			if j < 0 {
				return 's', false, true
			}
			if j+1 >= len(in) || in[j+1] != '\'' {
				return 0, false, false
			}
			in = in[j+2:]
		}
	case '"':
		return 's', false, checkDoubleQuoted(v)
	case '[', '{', '|', '>', '&', '*', '!', '%', '@', '`', '#', '?', ',', ']', '}':
		return 0, false, false
	case '-':
		if len(v) == 1 || v[1] == ' ' {
			return 0, false, false
		}
	}
	if bytes.Contains(v, []byte(": ")) || bytes.Contains(v, []byte(" #")) || v[len(v)-1] == ':' {
		return 0, false, false
	}
	switch string(bytes.TrimRight(v, " ")) {
	case "~", "null", "Null", "NULL":
		return 'n', false, true
	}
	return 's', true, true
}

// checkDoubleQuoted reports whether doubleQuoted reads v.
func checkDoubleQuoted(v []byte) bool {
	if len(v) < 2 || v[len(v)-1] != '"' {
		return false
	}
	in := v[1 : len(v)-1]
	for {
		j := bytes.IndexAny(in, `"\`)
		if j < 0 {
			return true
		}
		if in[j] == '"' || j+1 >= len(in) {
			return false
		}
		n := 0
		switch in[j+1] {
		case '0', 'a', 'b', 't', 'n', 'v', 'f', 'r', 'e', ' ', '"', '/', '\\', 'N', '_', 'L', 'P':
		case 'u':
			n = 4
		case 'U':
			n = 8
		default:
			return false
		}
		if j+2+n > len(in) {
			return false
		}
		if n > 0 {
			r, err := strconv.ParseUint(string(in[j+2:j+2+n]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return false
			}
		}
		in = in[j+2+n:]
	}
}

// skimText reports whether entry is text the emitter writes: printable
// ASCII and newlines, or valid UTF-8 of printable characters; no tabs,
// carriage returns or other control characters (the emitter escapes
// them), so none of what [plainText] and [simpleLines] look for.
func skimText(entry []byte) bool {
	const ones = 0x0101010101010101
	i := 0
	for ; i+8 <= len(entry); i += 8 {
		// Marks bytes below 0x20, 0x7f and those not ASCII (see
		// special8); a newline is looked at byte by byte.
		if x := binary.LittleEndian.Uint64(entry[i:]); (x|(x+ones)|(x-0x20*ones))&(0x80*ones) != 0 {
			for _, c := range entry[i : i+8] {
				if c < 0x20 && c != '\n' || c >= 0x7f {
					return skimTextSlow(entry)
				}
			}
		}
	}
	for _, c := range entry[i:] {
		if c < 0x20 && c != '\n' || c >= 0x7f {
			return skimTextSlow(entry)
		}
	}
	return true
}

// skimTextSlow is skimText rune by rune, for text that is not ASCII.
func skimTextSlow(entry []byte) bool {
	for len(entry) > 0 {
		r, n := utf8.DecodeRune(entry)
		if r != '\n' && (r == utf8.RuneError || r == '\t' || !printableRune(r)) {
			return false
		}
		entry = entry[n:]
	}
	return true
}
