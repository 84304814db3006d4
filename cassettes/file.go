package cassettes

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// OperationHeader is the request header in which each recorded interaction
// carries the catalog operation id it matched ("apps/check-token"). It is
// absent when no operation matched.
const OperationHeader = "X-Oauthcompat-Operation"

// Header returns the first value of the header name in h, the headers
// of a recorded request or response, whatever the case its name was
// written in: another tool may have written "authorization", which
// h.Get("Authorization") does not find. Names are not made canonical when
// a cassette is read, as a header name may hold a pseudonym whose case is
// part of it.
func Header(h http.Header, name string) string {
	if v := h[textproto.CanonicalMIMEHeaderKey(name)]; len(v) > 0 {
		return v[0]
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0]
		}
	}
	return ""
}

// ErrorHeader is set on the recorded response of an interaction whose
// upstream failed (no response, recorded with code 502). Its value is the
// error.
const ErrorHeader = "X-Oauthcompat-Error"

// CutHeader is set on a recorded response whose body the upstream cut
// short: it answered, then failed mid-body (a reset connection, a TLS
// error). Its value says after how many bytes and why ("upstream failed
// after 1024 bytes of the body: unexpected EOF"). The recorded status,
// headers (Content-Length included) and body are what the client got
// before the failure; a replay sends them, then cuts the connection.
// A client that stopped reading is not a cut: see [TruncatedHeader].
const CutHeader = "X-Oauthcompat-Cut"

// TruncatedHeader is set on a recorded response whose body was longer than
// the recording cap, or whose client closed it before its end. Its value
// says how much was kept ("stored 10485760 of 12000000 bytes"); the
// stored body is the beginning of the real one.
const TruncatedHeader = "X-Oauthcompat-Truncated"

// UndecodedHeader is set on a recorded request or response whose body
// came in a content coding the recording could not decode (unknown,
// corrupt, or expanding past the recording cap): it could not be
// redacted, so the stored body is a placeholder saying so, never the bytes
// as they came. Its value says why.
const UndecodedHeader = "X-Oauthcompat-Undecoded"

// ErrMalformed is wrapped by every error saying that a cassette file does
// not load: not YAML, not a go-vcr v3 cassette, or an interaction missing
// a field. Commands exit 3 on it, whatever they were doing.
var ErrMalformed = errors.New("malformed cassette")

// ErrNoCassettes is wrapped by the error of [Files] (and so of every
// command reading cassettes) on a directory holding no cassette. Commands
// exit 3 on it, as on a malformed cassette.
var ErrNoCassettes = errors.New("no cassettes")

// Malformed returns err marked as wrapping [ErrMalformed], with its
// message unchanged; nil stays nil. Other cassette readers (a faster
// parser of the same format) use it so that callers can tell a bad file
// from a bad argument.
func Malformed(err error) error {
	if err == nil || errors.Is(err, ErrMalformed) {
		return err
	}
	return malformedError{err}
}

type malformedError struct{ err error }

func (e malformedError) Error() string        { return e.err.Error() }
func (e malformedError) Unwrap() error        { return e.err }
func (e malformedError) Is(target error) bool { return target == ErrMalformed }

// Ext is the extension of a cassette file.
const Ext = ".yaml"

// Path returns where the cassette name of version is stored:
// DIR/<version>/<name>.yaml.
func Path(dir, version, name string) string {
	return filepath.Join(dir, version, name+Ext)
}

// file is the on-disk shape of a go-vcr v3 cassette.
type file struct {
	Version      int                     `yaml:"version"`
	Interactions []*cassette.Interaction `yaml:"interactions"`
}

// Marshal encodes interactions as a go-vcr v3 cassette, numbering them
// from 0 in order.
func Marshal(interactions []*cassette.Interaction) ([]byte, error) {
	for i, it := range interactions {
		it.ID = i
	}
	return assemble(items(interactions)), nil
}

// WriteAtomic writes c to path (which ends in .yaml) so that readers see
// either the old file or the whole new one: it writes a temporary file in
// the same directory, fsyncs it, renames it over path and fsyncs the
// directory. The interactions are renumbered from 0.
func WriteAtomic(path string, c *cassette.Cassette) error {
	c.Mu.RLock()
	data, err := Marshal(c.Interactions)
	c.Mu.RUnlock()
	if err != nil {
		return fmt.Errorf("write cassette %s: %w", path, named(path, err))
	}
	return writeFileAtomic(OS, path, data, 0o644)
}

// WriteFile writes data to path atomically, as [WriteAtomic] writes a
// cassette: readers see the old file or the whole new one. It creates the
// directories path needs.
func WriteFile(path string, data []byte) error { return writeFileAtomic(OS, path, data, 0o644) }

// writeFileAtomic writes data to path through fsys: a temporary file in
// the same directory (created if missing), fsynced, renamed over path,
// then the directory fsynced. On failure path is as it was and the
// temporary file is gone.
func writeFileAtomic(fsys FS, path string, data []byte, mode fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	tmp, err := createTemp(fsys, dir, "."+filepath.Base(path)+".tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			fsys.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	if err = fsys.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, named(path, err))
	}
	return syncDir(fsys, dir)
}

// createTemp creates a new file in dir named prefix followed by random
// digits, as [os.CreateTemp] does.
func createTemp(fsys FS, dir, prefix string) (File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

// Load reads the cassette file at path (with its .yaml extension). Errors
// name the file, and the line when the YAML parser gives one; a file
// without "version: 2", or an interaction without a method, URL or status
// code, is rejected with a message saying what is missing. Load never
// panics on bad input.
func Load(path string) (c *cassette.Cassette, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load cassette: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes cassette bytes read from path (used in messages). Every
// error it returns wraps [ErrMalformed].
func Parse(path string, data []byte) (c *cassette.Cassette, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("load cassette %s: malformed YAML: %v", path, p)
		}
		if err != nil {
			err = Malformed(err)
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("load cassette %s: %w", path, named(path, err))
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("load cassette %s: not a go-vcr cassette (want a mapping with version: 2 and interactions)", path)
	}
	top := root.Content[0]
	if v := mapValue(top, "version"); v == nil {
		return nil, fmt.Errorf("load cassette %s: missing version (want version: 2, the go-vcr v3 format)", path)
	} else if v.Value != "2" {
		return nil, fmt.Errorf("load cassette %s:%d: version %s is not supported (want version: 2, the go-vcr v3 format); re-record it", path, v.Line, v.Value)
	}
	var f file
	if err := top.Decode(&f); err != nil {
		return nil, fmt.Errorf("load cassette %s: %w", path, named(path, err))
	}
	items := mapValue(top, "interactions")
	for i, it := range f.Interactions {
		line := 0
		if items != nil && i < len(items.Content) {
			line = items.Content[i].Line
		}
		if it == nil {
			return nil, fmt.Errorf("load cassette %s:%d: interaction %d is empty", path, line, i)
		}
		var missing []string
		if it.Request.Method == "" {
			missing = append(missing, "request.method")
		}
		if it.Request.URL == "" {
			missing = append(missing, "request.url")
		}
		if it.Response.Code == 0 {
			missing = append(missing, "response.code")
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("load cassette %s:%d: interaction %d has no %s", path, line, i, strings.Join(missing, ", "))
		}
	}
	c = cassette.New(strings.TrimSuffix(path, Ext))
	c.File = path
	c.IsNew = false
	if f.Interactions != nil {
		c.Interactions = f.Interactions
	}
	return c, nil
}

// visibleFiles lists the files below dir that keep reports true, sorted,
// skipping hidden files and directories (a .git, an editor's backup, a
// recording's lock and temporary files).
func visibleFiles(dir string, keep func(path string) bool) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := p != dir && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case d.IsDir() || hidden:
			return nil
		}
		if keep(p) {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	return paths, err
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// LoadDir loads every *.yaml file under dir, recursively, sorted by path.
// dir may also be one cassette file. Every file that fails to load is
// reported, each error naming its file.
func LoadDir(dir string) ([]*cassette.Cassette, error) {
	paths, err := Files(dir)
	if err != nil {
		return nil, err
	}
	var (
		out  []*cassette.Cassette
		errs []error
	)
	for _, p := range paths {
		c, err := Load(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

// Files lists the cassette files at dir: dir itself when it is a file,
// else every *.yaml and *.yml file below it in the order a recording is
// read (by directory, name, then rotation number: session.yaml,
// session-0001.yaml, session-0002.yaml, ...), skipping hidden files
// and directories (a .git, an editor's backup). A directory holding no
// cassette is an error wrapping [ErrNoCassettes], or [ErrUnrecovered]
// when it holds journals, that says what to do.
func Files(dir string) ([]string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("load cassettes: %w", err)
	}
	if !st.IsDir() {
		return []string{dir}, nil
	}
	paths, err := visibleFiles(dir, func(p string) bool {
		ext := filepath.Ext(p)
		return ext == Ext || ext == ".yml"
	})
	if err != nil {
		return nil, fmt.Errorf("load cassettes: %w", err)
	}
	sort.SliceStable(paths, func(i, j int) bool { return lessRecording(paths[i], paths[j]) })
	if len(paths) == 0 {
		if ls, _ := Leftovers(dir); len(ls) > 0 {
			return nil, fmt.Errorf("load cassettes: %w: no cassettes under %s, but %s", ErrUnrecovered, dir, LeftoverAdvice(dir, ls))
		}
		return nil, fmt.Errorf("load cassettes: %w (*.yaml) under %s; record some with 'oauthcompat record' or 'oauthcompat conform --record'", ErrNoCassettes, dir)
	}
	return paths, nil
}
