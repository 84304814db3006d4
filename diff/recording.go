package diff

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// ErrRecordingVersion is returned when a recording's version cannot be
// told from its directory name; test for it with [errors.Is].
var ErrRecordingVersion = errors.New("recording version unknown")

// Recording is the OAuth calls of one recording of one version: the
// go-vcr v3 cassettes under DIR/<version>/.
type Recording struct {
	Dir     string           // the directory given
	Name    string           // the version directory's name ("ghes-3.8")
	Version *schemas.Version // the catalog version Name denotes, or nil
	// Calls are the recorded calls in cassette and interaction order:
	// every call of a small recording; of a large one, the first
	// [SampleCalls] of each operation and status. [Recording.Traffic]
	// counts them all.
	Calls []Call

	ops     map[string]*OpTraffic // by operation key
	sampled map[string]int        // calls kept, by operation key and status
	// Leftovers says, when journals lie beside the cassettes (recordings
	// that did not finish), that their interactions are in no cassette
	// and what to do; "" when there are none. Reports carry it as a note.
	Leftovers string

	versionErr error // why Version is nil
}

// Call is one recorded interaction that addresses a catalog operation.
type Call struct {
	Operation    *schemas.Operation // what the call addresses (catalog-wide lookup)
	OperationID  string             // the recorded id, or the recording version's, or Operation's
	Method       string
	URL          string // as recorded (redacted)
	Path         string // the URL's path without /api/v3
	Status       int
	RequestBody  []byte
	ResponseBody []byte
	Cassette     string // the cassette file, relative to Dir
}

// Key is the operation's identity across versions, "METHOD /path/template".
func (c Call) Key() string { return c.Operation.Key() }

// LoadRecordings reads every cassette under dir and groups the calls by
// version directory (DIR/<version>/<name>.yaml). Cassettes directly in
// dir belong to the version named by dir itself, so dir may also be one
// version's directory, or one cassette file. Interactions that address no catalog operation
// (other paths, recorded with --record-all) are skipped.
func (d *Differ) LoadRecordings(dir string) ([]*Recording, error) {
	return d.LoadRecordingsWith(dir, LoadOptions{})
}

// LoadOptions tune the reading of recordings.
type LoadOptions struct {
	// Progress, when set, is called after each interaction read with how
	// many bytes of cassette it took.
	Progress func(bytes int64)
}

// LoadRecordingsWith is [Differ.LoadRecordings] with options. The
// cassettes are read one interaction at a time: memory stays bounded
// whatever the size of the recording (see [Recording.Calls]).
func (d *Differ) LoadRecordingsWith(dir string, o LoadOptions) ([]*Recording, error) {
	opts := struct{ progress func(int64) }{o.Progress}
	files, err := cassettes.Files(dir)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Recording{}
	var names []string
	for _, f := range files {
		rel, err := filepath.Rel(dir, f)
		name := filepath.Base(filepath.Clean(dir))
		switch {
		case err != nil || rel == ".": // dir is the cassette file itself
			rel, name = filepath.Base(f), filepath.Base(filepath.Dir(f))
		default:
			if parts := strings.Split(filepath.ToSlash(rel), "/"); len(parts) > 1 {
				name = parts[0]
			}
		}
		rec := byName[name]
		if rec == nil {
			rec = &Recording{Dir: dir, Name: name}
			rec.Version, rec.versionErr = d.cat.Version(name)
			byName[name] = rec
			names = append(names, name)
		}
		err = cassettes.WalkFile(f, func(item cassettes.Item) error {
			it := item.Interaction
			call, ok := d.call(rec, it.Request.Method, it.Request.URL, cassettes.Header(it.Request.Headers, cassettes.OperationHeader))
			if !ok {
				return nil
			}
			call.Status = it.Response.Code
			call.Cassette = filepath.ToSlash(rel)
			rec.count(call, it.Response.Headers, it.Request.Headers)
			if opts.progress != nil {
				opts.progress(item.Bytes)
			}
			if rec.sampled == nil {
				rec.sampled = map[string]int{}
			}
			sk := call.Key() + " " + strconv.Itoa(call.Status)
			if rec.sampled[sk] >= SampleCalls {
				return nil
			}
			rec.sampled[sk]++
			call.RequestBody = []byte(it.Request.Body)
			call.ResponseBody = []byte(it.Response.Body)
			rec.Calls = append(rec.Calls, call)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(names)
	advice := ""
	if ls, err := cassettes.Leftovers(dir); err == nil {
		advice = cassettes.LeftoverAdvice(dir, ls)
	}
	out := make([]*Recording, len(names))
	for i, n := range names {
		byName[n].Leftovers = advice
		out[i] = byName[n]
	}
	return out, nil
}

// LoadRecording reads a recording of exactly one version.
func (d *Differ) LoadRecording(dir string) (*Recording, error) {
	return d.LoadRecordingWith(dir, LoadOptions{})
}

// LoadRecordingWith is [Differ.LoadRecording] with options.
func (d *Differ) LoadRecordingWith(dir string, o LoadOptions) (*Recording, error) {
	recs, err := d.LoadRecordingsWith(dir, o)
	if err != nil {
		return nil, err
	}
	if len(recs) > 1 {
		var paths []string
		for _, r := range recs {
			paths = append(paths, filepath.Join(dir, r.Name))
		}
		return nil, fmt.Errorf("load recording %s: it holds recordings of %d versions; pass one of %s", dir, len(recs), strings.Join(paths, ", "))
	}
	return recs[0], nil
}

// call identifies the operation an interaction addresses: the recorded
// operation header names it when the recorder matched one; otherwise the
// catalog looks the method and path up in every version.
func (d *Differ) call(rec *Recording, method, rawURL, header string) (Call, bool) {
	path := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		path = u.Path
	}
	path = schemas.StripPrefix(path)
	op, ok := d.cat.Lookup(method, path)
	if !ok {
		return Call{}, false
	}
	id := op.ID
	if rec.Version != nil {
		if vop, ok := rec.Version.Match(method, path); ok && vop.Key() == op.Key() {
			id = vop.ID
		}
	}
	if header != "" {
		id = header
	}
	return Call{Operation: op, OperationID: id, Method: method, URL: rawURL, Path: path}, true
}

// versionOf returns the recording's catalog version or an error saying how
// to name it: a name the catalog does not know may be a version published
// since (the catalog's error says how to import it), or not a version
// name at all.
func (r *Recording) versionOf() (*schemas.Version, error) {
	if r.Version != nil {
		return r.Version, nil
	}
	where := filepath.Join(r.Dir, r.Name)
	if filepath.Base(filepath.Clean(r.Dir)) == r.Name {
		where = r.Dir
	}
	return nil, fmt.Errorf("%w: the cassettes in %s are filed under %q: %v; if %s is not the version they were recorded from, put them under DIR/<version>/ or name the version explicitly",
		ErrRecordingVersion, where, r.Name, r.versionErr, r.Name)
}

// label names a recording in reports: "ghes-3.8 (conform-3.8)".
func (r *Recording) label() string {
	base := filepath.Base(filepath.Clean(r.Dir))
	if base == r.Name {
		return r.Name
	}
	return r.Name + " (" + base + ")"
}

// leftovers is rec's note on leftover journals, "" for a nil rec.
func (rec *Recording) leftovers() string {
	if rec == nil {
		return ""
	}
	return rec.Leftovers
}
