package cassettes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
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

// skimBlock is the size of the buffers a file is read in: each holds a
// chunk of whole entries (one longer entry makes its buffer grow), and
// chunks are parsed in parallel. A variable so that tests can make many
// chunks of a small file.
var skimBlock = 2 << 20

// Skim reads the cassette file at path for an index: prep is called with
// each interaction (on several goroutines at once, as chunks of the file
// are parsed in parallel; it may keep what the Sketch holds, not the
// Sketch), and fn with what prep returned, one at a time, in the order of
// the file. In the layout oauthcompat and go-vcr write, only requests are
// parsed: responses are checked to be readable and located
// ([Sketch.Place]), to be read later by [ReadPlace], which saves most of
// the work of reading a recording. Entries in another layout are read
// whole as [WalkFile] reads them (and a file it would read with yaml.v3
// is read so, from the first entry Skim is not sure of), so the
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
	var p entryLines
	sk := new(Sketch) // prep keeps none of it but what it holds
	for len(text) > 0 {
		var end int
		var ok bool
		*sk, end, ok = p.entry(text)
		if !ok {
			if end = bytes.Index(text, []byte("\n"+entryStart)) + 1; end <= 0 {
				end = len(text)
			}
		}
		entry := text[:end]
		if !ok {
			in, fast := parseEntry(string(entry), 4)
			if !fast {
				c.whole = true
				break
			}
			*sk = Sketch{ID: in.ID, Request: in.Request, Response: &in.Response}
		} else {
			sk.Place = Place{Offset: off, Length: len(entry), Sum: maphash.Bytes(placeSeed, entry)}
		}
		sk.File, sk.Line = s.path, line+1
		c.out = append(c.out, s.prep(sk))
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

// skimEntry reads the list entry at the start of text in exactly the
// layout the emitter writes (and yaml.v3 for the go-vcr types): its
// request parsed, its response checked to be one the fast parser reads
// ([parseEntry]) and left in the file. It returns the entry's length, or
// false for anything else and for what it cannot be sure of, which the
// fast parser reads instead: what it accepts, the fast parser accepts and
// reads the same (a fuzz test holds it). The strings of the request share
// one block of memory of their own.
func skimEntry(text []byte) (sk Sketch, n int, ok bool) {
	return (&entryLines{}).entry(text)
}

// entry is skimEntry, with p's scratch space.
func (p *entryLines) entry(text []byte) (sk Sketch, n int, ok bool) {
	*p = entryLines{b: text, keep: true, refs: p.refs[:0], hdrs: p.hdrs[:0]}
	id, ok := p.int(entryStart)
	if !ok || !p.exact("      request:") {
		return sk, 0, false
	}
	proto, ok := p.str(skimReq + "proto: ")
	major, ok1 := p.int(skimReq + "proto_major: ")
	minor, ok2 := p.int(skimReq + "proto_minor: ")
	length, ok3 := p.int(skimReq + "content_length: ")
	te, ok4 := p.list(skimReq + "transfer_encoding")
	trailer, ok5 := p.header(skimReq + "trailer")
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return sk, 0, false
	}
	host, ok := p.str(skimReq + "host: ")
	remote, ok1 := p.str(skimReq + "remote_addr: ")
	uri, ok2 := p.str(skimReq + "request_uri: ")
	body, ok3 := p.str(skimReq + "body: ")
	form, ok4 := p.header(skimReq + "form")
	headers, ok5 := p.header(skimReq + "headers")
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return sk, 0, false
	}
	u, ok := p.str(skimReq + "url: ")
	method, ok1 := p.str(skimReq + "method: ")
	end := p.i
	if !ok || !ok1 || !p.exact("      response:") {
		return sk, 0, false
	}
	p.keep = false
	if !p.response() || !skimText(text[:p.i]) || p.i < len(text) && !hasPrefix(text[p.i:], entryStart) {
		return sk, 0, false
	}
	block := p.block(end)
	sk.ID = int(id)
	sk.Request = cassette.Request{
		Proto: p.get(block, proto), ProtoMajor: int(major), ProtoMinor: int(minor), ContentLength: length,
		TransferEncoding: p.strs(block, te), Trailer: p.mapOf(block, trailer),
		Host: p.get(block, host), RemoteAddr: p.get(block, remote), RequestURI: p.get(block, uri), Body: p.get(block, body),
		Form: url.Values(p.mapOf(block, form)), Headers: p.mapOf(block, headers),
		URL: p.get(block, u), Method: p.get(block, method),
	}
	if sk.Request.Method == "" || sk.Request.URL == "" {
		return sk, 0, false
	}
	return sk, p.i, true
}

// response checks the fields of a response, as skimEntry reads a
// request's.
func (p *entryLines) response() bool {
	_, ok := p.str(skimReq + "proto: ")
	_, ok1 := p.int(skimReq + "proto_major: ")
	_, ok2 := p.int(skimReq + "proto_minor: ")
	_, ok3 := p.list(skimReq + "transfer_encoding")
	_, ok4 := p.header(skimReq + "trailer")
	_, ok5 := p.int(skimReq + "content_length: ")
	if !ok || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return false
	}
	if u, _, ok := p.line(); !ok || string(u) != skimReq+"uncompressed: true" && string(u) != skimReq+"uncompressed: false" {
		return false
	}
	_, ok = p.str(skimReq + "body: ")
	_, ok1 = p.header(skimReq + "headers")
	_, ok2 = p.str(skimReq + "status: ")
	code, ok3 := p.int(skimReq + "code: ")
	if !ok || !ok1 || !ok2 || !ok3 || code == 0 {
		return false
	}
	// The duration as the fast parser reads it (see conv.duration).
	v, _, ok := p.value(skimReq + "duration: ")
	if !ok {
		return false
	}
	d, kind, _, ok := scalarText(string(v))
	if !ok || kind != 's' {
		return false
	}
	if _, err := time.ParseDuration(d); err != nil {
		return false
	}
	// Of the integers strconv.ParseInt reads (which the fast parser
	// declines), time.ParseDuration reads only these.
	return d != "0" && d != "+0" && d != "-0"
}

// skimReq is the indentation of the fields of a request or response.
const skimReq = "        "

// entryLines reads the lines of an entry, each ending with a newline,
// and with keep the strings of its values: each as a reference into the
// entry (or the string itself when it had to be decoded), to be taken
// from the entry's block once it is known.
type entryLines struct {
	b    []byte
	i    int
	keep bool
	refs []strRef
	hdrs []headerRef
}

// block copies the strings the refs point at, before end, into one
// string (the block), and points the refs at it.
func (p *entryLines) block(end int) string {
	n := 0
	for _, r := range p.refs {
		if r.a >= 0 && r.b <= end {
			n += r.b - r.a
		}
	}
	for _, h := range p.hdrs {
		n += h.name.b - h.name.a
	}
	var b strings.Builder
	b.Grow(n)
	move := func(r *strRef) {
		if r.a >= 0 && r.b <= end {
			at := b.Len()
			b.Write(p.b[r.a:r.b])
			r.a, r.b = at, b.Len()
		}
	}
	for k := range p.refs {
		move(&p.refs[k])
	}
	for k := range p.hdrs {
		move(&p.hdrs[k].name)
	}
	return b.String()
}

// strRef is a string of an entry: block[a:b] when a >= 0, else s.
type strRef struct {
	a, b int
	s    string
}

// headerRef is a name of a map of string lists and the range of refs of
// its values.
type headerRef struct {
	name     strRef
	from, to int
}

func (p *entryLines) get(block string, k int) string {
	r := p.refs[k]
	if r.a < 0 {
		return r.s
	}
	return block[r.a:r.b]
}

// strs returns the strings of the refs in [r[0], r[1]).
func (p *entryLines) strs(block string, r [2]int) []string {
	if r[0] < 0 {
		return []string{}
	}
	out := make([]string, r[1]-r[0])
	for k := range out {
		out[k] = p.get(block, r[0]+k)
	}
	return out
}

// mapOf returns the map of the headerRefs in [r[0], r[1]).
func (p *entryLines) mapOf(block string, r [2]int) map[string][]string {
	hs := p.hdrs[r[0]:r[1]]
	h := make(map[string][]string, len(hs))
	for _, x := range hs {
		h[x.name.get(block)] = p.strs(block, [2]int{x.from, x.to})
	}
	return h
}

func (r strRef) get(block string) string {
	if r.a < 0 {
		return r.s
	}
	return block[r.a:r.b]
}

// line returns the next line, without its newline, and where it starts.
func (p *entryLines) line() ([]byte, int, bool) {
	j := bytes.IndexByte(p.b[p.i:], '\n')
	if j < 0 {
		return nil, 0, false
	}
	start := p.i
	p.i += j + 1
	return p.b[start : start+j], start, true
}

// peek returns the next line without reading it.
func (p *entryLines) peek() []byte {
	j := bytes.IndexByte(p.b[p.i:], '\n')
	if j < 0 {
		return nil
	}
	return p.b[p.i : p.i+j]
}

func (p *entryLines) exact(want string) bool {
	l, _, ok := p.line()
	return ok && string(l) == want
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// value reads the line prefix+value and returns value and where it
// starts: a value that starts with neither a space nor what only a longer
// read ends (a block scalar).
func (p *entryLines) value(prefix string) ([]byte, int, bool) {
	l, start, ok := p.line()
	if !ok || !hasPrefix(l, prefix) {
		return nil, 0, false
	}
	v := l[len(prefix):]
	if len(v) == 0 || v[0] == ' ' || v[0] == '|' {
		return nil, 0, false
	}
	return v, start + len(prefix), true
}

// str reads a string field, as conv.str reads it, and returns its ref.
func (p *entryLines) str(prefix string) (int, bool) {
	v, at, ok := p.value(prefix)
	if !ok {
		return 0, false
	}
	return p.scalar(v, at, true)
}

// scalar checks the scalar v (at at in the entry), a string (or with
// null, a null), and keeps its ref.
func (p *entryLines) scalar(v []byte, at int, null bool) (int, bool) {
	kind, plain, ok := checkScalar(v)
	if !ok || kind != 's' && !(null && kind == 'n') {
		return 0, false
	}
	if !p.keep {
		return 0, true
	}
	r := strRef{a: -1}
	switch {
	case kind == 'n':
	case plain:
		r = strRef{a: at, b: at + len(bytes.TrimRight(v, " "))}
	case v[0] == '\'' && bytes.IndexByte(v[1:len(v)-1], '\'') < 0,
		v[0] == '"' && bytes.IndexByte(v, '\\') < 0:
		r = strRef{a: at + 1, b: at + len(v) - 1}
	default:
		r.s, _, _, _ = scalarText(string(v))
	}
	p.refs = append(p.refs, r)
	return len(p.refs) - 1, true
}

// int reads an integer field, as conv.int reads it.
func (p *entryLines) int(prefix string) (int64, bool) {
	v, _, ok := p.value(prefix)
	if !ok {
		return 0, false
	}
	return canonicalInt(v)
}

// canonicalInt reads v, an integer as strconv.FormatInt writes it.
func canonicalInt(v []byte) (int64, bool) {
	d := v
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || d[0] == '0' && (len(d) > 1 || len(v) > 1) {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(d) < len(v) {
		n = -n
	}
	return n, true
}

// list reads a list of strings under key, "key: []" or "key:" and its
// items, as conv.strs reads it, and returns the range of its refs
// ([-1, -1] for []).
func (p *entryLines) list(key string) ([2]int, bool) {
	l, _, ok := p.line()
	switch {
	case !ok || !hasPrefix(l, key):
		return [2]int{}, false
	case string(l[len(key):]) == ": []":
		return [2]int{-1, -1}, true
	case string(l[len(key):]) != ":":
		return [2]int{}, false
	}
	from, to, ok := p.items(len(key) - len(strings.TrimLeft(key, " ")) + 4)
	return [2]int{from, to}, ok
}

// items reads the items of a list of strings, dashes at column ind: at
// least one.
func (p *entryLines) items(ind int) (from, to int, ok bool) {
	prefix := dashes(ind)
	from, n := len(p.refs), 0
	for hasPrefix(p.peek(), prefix) {
		v, at, ok := p.value(prefix)
		if !ok {
			return 0, 0, false
		}
		if _, _, isKey := cutKey(v); isKey && v[0] != '\'' && v[0] != '"' {
			return 0, 0, false // a mapping
		}
		if _, ok := p.scalar(v, at, false); !ok {
			return 0, 0, false
		}
		n++
	}
	return from, len(p.refs), n > 0
}

// header reads a map of string lists under key (headers, trailers, form
// values): "key: {}" or "key:" and its names in increasing order, each
// with "name: []" or its items, as conv.header reads it.
func (p *entryLines) header(key string) ([2]int, bool) {
	l, _, ok := p.line()
	switch {
	case !ok || !hasPrefix(l, key):
		return [2]int{}, false
	case string(l[len(key):]) == ": {}":
		return [2]int{len(p.hdrs), len(p.hdrs)}, true
	case string(l[len(key):]) != ":":
		return [2]int{}, false
	}
	ind := len(key) - len(strings.TrimLeft(key, " ")) + 4
	pad := skimIndent(ind)
	first := len(p.hdrs)
	var last []byte
	n := 0
	for ; hasPrefix(p.peek(), pad); n++ {
		l, start, _ := p.line()
		name := l[len(pad):]
		if len(name) == 0 || name[0] == ' ' {
			return [2]int{}, false
		}
		k, rest, isKey := cutKey(name)
		// Names in increasing order: none twice.
		if !isKey || n > 0 && string(k) <= string(last) {
			return [2]int{}, false
		}
		last = k
		from, to := -1, -1
		switch string(rest) {
		case "[]":
		case "":
			if from, to, ok = p.items(ind + 4); !ok {
				return [2]int{}, false
			}
		default:
			return [2]int{}, false
		}
		if p.keep {
			at := start + len(pad)
			p.hdrs = append(p.hdrs, headerRef{name: strRef{a: at, b: at + len(k)}, from: from, to: to})
		}
	}
	return [2]int{first, len(p.hdrs)}, n > 0
}

// dashes returns n spaces and "- ", the start of a list item.
func dashes(n int) string {
	if n < len(dashed) {
		return dashed[n]
	}
	return skimIndent(n) + "- "
}

var dashed = func() (t [32]string) {
	for n := range t {
		t[n] = skimIndent(n) + "- "
	}
	return t
}()

// skimIndent returns n spaces.
func skimIndent(n int) string {
	if n <= len(spaces) {
		return spaces[:n]
	}
	return strings.Repeat(" ", n)
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
	for ; i+16 <= len(entry); i += 16 {
		// Marks bytes below 0x20, 0x7f and those not ASCII (see
		// special8); a newline is looked at byte by byte.
		x, y := binary.LittleEndian.Uint64(entry[i:]), binary.LittleEndian.Uint64(entry[i+8:])
		if (x|(x+ones)|(x-0x20*ones)|y|(y+ones)|(y-0x20*ones))&(0x80*ones) != 0 {
			for _, c := range entry[i : i+16] {
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
