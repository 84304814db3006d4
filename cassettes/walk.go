package cassettes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Item is one interaction of a recording, as [Walk] reads it.
type Item struct {
	// File is the cassette file it was read from.
	File string
	// Line is the line of its list entry in File (1-based), 0 when the
	// file was read whole by yaml.v3.
	Line int
	// Index is its position in File, from 0.
	Index int
	// Bytes is how much of File was read for it, for progress.
	Bytes int64
	// Interaction is the interaction; the callback may keep it.
	Interaction *cassette.Interaction
}

// Walk calls fn with each interaction of the recording at path, one at a
// time, in order: the cassette files [Files] lists (a directory of them,
// rotated files in the order they were written, or a single file), and
// in each file its interactions in order. Nothing but the interaction
// being read is held in memory: the block YAML oauthcompat and go-vcr
// write is read entry by entry by a dedicated parser, and any other file
// (or any entry that parser is not sure of) is read whole by yaml.v3.
//
// Errors reading a file wrap [ErrMalformed] and name its file and line;
// an error fn returns stops the walk and is returned as it is.
func Walk(path string, fn func(Item) error) error {
	files, err := Files(path)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := WalkFile(f, fn); err != nil {
			return err
		}
	}
	return nil
}

// callbackError carries an error of a walk's callback, so that it is
// returned unchanged.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// WalkFile calls fn with each interaction of the cassette file at path,
// in order, as [Walk] does.
func WalkFile(path string, fn func(Item) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load cassette: %w", err)
	}
	defer f.Close()
	w := &walker{path: path, r: bufio.NewReaderSize(f, 64<<10), fn: fn}
	err = w.run()
	var ce callbackError
	if errors.As(err, &ce) {
		return ce.err
	}
	return err
}

type walker struct {
	path string
	r    *bufio.Reader
	fn   func(Item) error

	line    int    // lines read
	pending []byte // a line read but not yet used (owned: a copy)
	hasPend bool
	long    []byte // a line longer than the reader's buffer
	buf     []byte // the entry being read
	emitted int    // interactions passed to fn
}

// next returns the next line (with its newline), or nil at the end. The
// line is valid until the next call.
func (w *walker) next() ([]byte, error) {
	if w.hasPend {
		w.hasPend = false
		w.line++
		return w.pending, nil
	}
	l, err := w.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		w.long = append(w.long[:0], l...)
		for errors.Is(err, bufio.ErrBufferFull) {
			l, err = w.r.ReadSlice('\n')
			w.long = append(w.long, l...)
		}
		l = w.long
	}
	if err == io.EOF {
		err = nil
		if len(l) == 0 {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("load cassette %s: %w", w.path, err)
	}
	w.line++
	return l, nil
}

func (w *walker) unread(l []byte) {
	w.pending = append(w.pending[:0], l...)
	w.hasPend = true
	w.line--
}

func isBlank(l []byte) bool { return len(bytes.TrimSpace(l)) == 0 }

func lineIndent(l []byte) int {
	n := 0
	for n < len(l) && l[n] == ' ' {
		n++
	}
	return n
}

// run reads the header the emitter writes (an optional "---", "version:
// 2", "interactions:"), then each entry of the list; anything else is read
// whole.
func (w *walker) run() error {
	var read int64
	state := 0 // 0: before version, 1: before interactions, 2: in the list
	for state < 2 {
		l, err := w.next()
		if err != nil {
			return err
		}
		if l == nil {
			return w.whole()
		}
		read += int64(len(l))
		t := string(bytes.TrimRight(l, " \n"))
		switch {
		case t == "":
		case t == "---" && state == 0:
		case t == "version: 2" && state == 0:
			state = 1
		case t == "interactions:" && state == 1:
			state = 2
		case t == "interactions: []" && state == 1:
			return w.rest()
		default:
			return w.whole()
		}
	}
	return w.entries(read)
}

// job is one entry of the list on its way from the reader to the
// consumer: read, then parsed by a worker.
type job struct {
	entry string
	ind   int
	line  int
	read  int64 // bytes read for it
	// whole says the reader found what only yaml.v3 reads; err that it
	// failed. Neither carries an entry.
	whole bool
	err   error

	in   *cassette.Interaction
	ok   bool
	done chan struct{} // closed once parsed
}

// parallelism is how many workers parse entries while the callback runs.
var parallelism = min(runtime.GOMAXPROCS(0), 4)

// entries reads the entries of the list (read bytes of header before
// them), parses them on workers, and passes them on in order. Only a
// bounded number of entries is in flight.
func (w *walker) entries(read int64) error {
	order := make(chan *job, 64)
	jobs := make(chan *job, 64)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		w.readEntries(read, order, jobs, stop)
	}()
	for range parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.in, j.ok = parseEntry(j.entry, j.ind)
				close(j.done)
			}
		}()
	}
	halt := func() {
		close(stop)
		for range order { // let the reader go
		}
		wg.Wait()
	}
	for j := range order {
		switch {
		case j.err != nil:
			halt()
			return j.err
		case j.whole:
			halt()
			return w.whole()
		}
		<-j.done
		if !j.ok {
			halt()
			return w.whole()
		}
		if err := w.emit(Item{File: w.path, Line: j.line, Index: w.emitted, Bytes: j.read, Interaction: j.in}); err != nil {
			halt()
			return err
		}
	}
	wg.Wait()
	return nil
}

// readEntries splits the list into entries and sends each to order (for
// the consumer) and jobs (for the workers), until the end, stop, or what
// only yaml.v3 reads.
func (w *walker) readEntries(read int64, order, jobs chan<- *job, stop <-chan struct{}) {
	send := func(j *job) bool {
		select {
		case order <- j:
		case <-stop:
			return false
		}
		if j.done == nil {
			return false
		}
		select {
		case jobs <- j:
			return true
		case <-stop:
			return false
		}
	}
	// line returns the next line (nil at the end), or false once a
	// read failed and the failure was sent.
	line := func() ([]byte, bool) {
		l, err := w.next()
		if err != nil {
			send(&job{err: err})
			return nil, false
		}
		return l, true
	}
	ind := -1
	for {
		l, ok := line()
		if !ok || l == nil {
			return
		}
		if isBlank(l) {
			read += int64(len(l))
			continue
		}
		n := lineIndent(l)
		if ind < 0 {
			ind = n
		}
		if n != ind || !bytes.HasPrefix(l[n:], []byte("- ")) {
			// Another key after the list, or a layout read whole.
			send(&job{whole: true})
			return
		}
		start := w.line
		entry := append(w.buf[:0], l...)
		for {
			l, ok := line()
			if !ok {
				return
			}
			if l == nil {
				break
			}
			if !isBlank(l) {
				if n := lineIndent(l); n < ind || n == ind && (bytes.HasPrefix(l[n:], []byte("- ")) || bytes.Equal(bytes.TrimRight(l[n:], "\n"), []byte("-"))) {
					w.unread(l)
					break
				}
			}
			entry = append(entry, l...)
		}
		w.buf = entry
		read += int64(len(entry))
		if !send(&job{entry: string(entry), ind: ind, line: start, read: read, done: make(chan struct{})}) {
			return
		}
		read = 0
	}
}

func (w *walker) emit(it Item) error {
	w.emitted++
	if err := w.fn(it); err != nil {
		return callbackError{err}
	}
	return nil
}

// rest checks that nothing but blank lines follows "interactions: []".
func (w *walker) rest() error {
	for {
		l, err := w.next()
		if err != nil {
			return err
		}
		if l == nil {
			return nil
		}
		if !isBlank(l) {
			return w.whole()
		}
	}
}

// parseEntry parses one list entry whose dash sits at column ind, or
// reports false when the fast parser is not sure of it.
func parseEntry(entry string, ind int) (in *cassette.Interaction, ok bool) {
	defer func() {
		if recover() != nil {
			in, ok = nil, false
		}
	}()
	if !plainText(entry) {
		return nil, false
	}
	lines := strings.Split(entry, "\n")
	if !simpleLines(lines) {
		return nil, false
	}
	p := &yparser{lines: lines}
	seq, ok := p.sequence(ind)
	if !ok || len(seq.items) != 1 {
		return nil, false
	}
	p.skipBlank()
	if p.i < len(lines) {
		return nil, false
	}
	return toInteraction(seq.items[0])
}

// whole reads the file whole (yaml.v3 when the fast parser declines it),
// and passes on the interactions not passed yet.
func (w *walker) whole() error {
	data, err := os.ReadFile(w.path)
	if err != nil {
		return fmt.Errorf("load cassette: %w", err)
	}
	c, ok := fastParse(w.path, data)
	if !ok {
		if c, err = Parse(w.path, data); err != nil {
			return err
		}
	}
	if len(c.Interactions) < w.emitted {
		return Malformed(fmt.Errorf("load cassette %s: it holds %d interactions, fewer than the %d read from it entry by entry; was it changed while being read?", w.path, len(c.Interactions), w.emitted))
	}
	per := int64(len(data)) / int64(max(1, len(c.Interactions)))
	for _, in := range c.Interactions[w.emitted:] {
		if err := w.emit(Item{File: w.path, Index: w.emitted, Bytes: per, Interaction: in}); err != nil {
			return err
		}
	}
	return nil
}

// rotated splits a cassette file name into its stem and rotation number:
// "session.yaml" is ("session", 0), "session-0003.yaml" ("session", 3).
func rotated(path string) (dir, stem string, n int) {
	dir, base := filepath.Split(path)
	base = strings.TrimSuffix(strings.TrimSuffix(base, Ext), ".yml")
	if i := strings.LastIndexByte(base, '-'); i > 0 && len(base)-i-1 >= RotationDigits {
		if v, err := strconv.Atoi(base[i+1:]); err == nil && v > 0 && strings.TrimLeft(base[i+1:], "0123456789") == "" {
			return dir, base[:i], v
		}
	}
	return dir, base, 0
}

// RotationDigits is the least number of digits of a rotated cassette's
// number: <name>-0001.yaml.
const RotationDigits = 4

// RotatedPath returns the path of the n-th rotated cassette of name of
// version under dir: DIR/<version>/<name>-NNNN.yaml, or [Path] when n is
// 0.
func RotatedPath(dir, version, name string, n int) string {
	if n == 0 {
		return Path(dir, version, name)
	}
	return Path(dir, version, fmt.Sprintf("%s-%0*d", name, RotationDigits, n))
}

// lessRecording orders cassette files as a recording is read: by
// directory, then by stem, then by rotation number, so that
// session.yaml, session-0001.yaml, ..., session-0010.yaml follow each
// other in the order they were written.
func lessRecording(a, b string) bool {
	da, sa, na := rotated(a)
	db, sb, nb := rotated(b)
	if da != db {
		return da < db
	}
	if sa != sb {
		return sa < sb
	}
	if na != nb {
		return na < nb
	}
	return a < b
}
