package cassettes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// ErrClosed is returned by [Store.Add] after [Store.Close].
var ErrClosed = errors.New("cassette store is closed")

// ErrBusy is returned when another process is recording into the same
// cassette.
var ErrBusy = errors.New("cassette is being recorded by another process")

// Store records interactions into the cassettes of one recording session:
// DIR/<version>/<name>.yaml, one per version seen. It is safe for
// concurrent use.
type Store struct {
	dir, name string
	red       *redact.Redactor
	opts      Options

	mu       sync.Mutex
	adds     sync.WaitGroup      // Adds under way
	journals map[string]*journal // by version
	closed   bool
	written  []string
}

// DefaultSyncInterval is the longest a recorded interaction waits to be
// fdatasynced when [Options.SyncInterval] is zero.
const DefaultSyncInterval = 10 * time.Millisecond

// Options tune a [Store]. The zero value is the default.
type Options struct {
	// SyncInterval is the longest a record written to a journal waits for
	// the fdatasync that puts it on stable storage: the records an
	// operating-system crash or power loss can lose. A crash of the
	// process loses no record [Store.Add] returned. Zero means
	// [DefaultSyncInterval].
	SyncInterval time.Duration

	// SyncEach makes [Store.Add] return only once its record is on stable
	// storage. Concurrent Adds share one fdatasync (group commit), but
	// each waits for it: slower, for when a power loss must not lose an
	// answered interaction.
	SyncEach bool
}

func (o Options) syncInterval() time.Duration {
	if o.SyncInterval <= 0 {
		return DefaultSyncInterval
	}
	return o.SyncInterval
}

// OpenStore opens a store writing the cassettes called name under dir,
// redacting with r (which must not be nil), with the default [Options]. It
// first recovers any journal left in dir by a recording that did not
// finish (see [Recover]).
func OpenStore(dir, name string, r *redact.Redactor) (*Store, error) {
	return OpenStoreWith(dir, name, r, Options{})
}

// OpenStoreWith is [OpenStore] with options.
func OpenStoreWith(dir, name string, r *redact.Redactor, o Options) (*Store, error) {
	if r == nil {
		return nil, errors.New("open cassette store: no redactor")
	}
	if err := checkComponent("cassette name", name); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open cassette store: %w", err)
	}
	if _, err := Recover(dir); err != nil {
		return nil, fmt.Errorf("open cassette store: %w", err)
	}
	return &Store{dir: dir, name: name, red: r, opts: o, journals: map[string]*journal{}}, nil
}

// Dir returns the directory the store writes under.
func (s *Store) Dir() string { return s.dir }

// Name returns the cassette name the store writes.
func (s *Store) Name() string { return s.name }

// checkComponent rejects names that are not a single path element.
func checkComponent(what, v string) error {
	if v == "" || v == "." || v == ".." || strings.ContainsAny(v, `/\`) || strings.ContainsRune(v, 0) {
		return fmt.Errorf("%s %q: want a non-empty name without path separators", what, v)
	}
	return nil
}

// Add redacts i in place (Add takes ownership of it) and appends it to the
// journal of the cassette of version. It returns once the record is
// written to the journal, so that a crash of the process, SIGKILL included,
// loses none of it. The journal is fdatasynced in the background within
// [Options.SyncInterval] (before Add returns with [Options.SyncEach]), and
// fully before Close merges it.
func (s *Store) Add(version string, i *cassette.Interaction) error {
	if err := checkComponent("version", version); err != nil {
		return fmt.Errorf("record interaction: %w", err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.adds.Add(1)
	s.mu.Unlock()
	defer s.adds.Done()
	s.red.Interaction(i)
	rec := recordBufs.Get().(*[]byte)
	defer putRecordBuf(rec) // commit writes it before it returns
	*rec = appendRecord((*rec)[:0], i)
	j, err := s.journal(version)
	if err != nil {
		return err
	}
	return j.commit(*rec)
}

// journal returns the journal of version, opening it on first use. Only
// an Add that Close waits for calls it.
func (s *Store) journal(version string) (*journal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.journals[version]; j != nil {
		return j, nil
	}
	j, err := openJournal(Path(s.dir, version, s.name)+JournalExt, s.opts)
	if err != nil {
		return nil, err
	}
	s.journals[version] = j
	return j, nil
}

// Close waits for every Add under way, syncs the journals, then turns each
// journal into its cassette (see [Recover]) and removes the journal. A
// cassette already there keeps its interactions; the new ones follow.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.adds.Wait()
	s.mu.Lock()
	versions := make([]string, 0, len(s.journals))
	for v := range s.journals {
		versions = append(versions, v)
	}
	s.mu.Unlock()
	sort.Strings(versions)
	var errs []error
	for _, v := range versions {
		j := s.journals[v]
		if err := j.close(); err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := merge(j.path, j.f)
		j.f.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p != "" {
			s.mu.Lock()
			s.written = append(s.written, p)
			s.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

// Written returns the cassette files Close wrote.
func (s *Store) Written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.written...)
}

// Recover turns every journal under dir (*.yaml.journal, left by a
// recording that was killed) into a valid cassette, appending to the
// cassette already there, and removes it. A torn last record (the process
// died mid-write) is dropped; every record before it is kept. Journals
// that a running recording holds are left alone. It returns the cassette
// files written.
func Recover(dir string) ([]string, error) {
	var journals []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, Ext+JournalExt) {
			journals = append(journals, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recover journals: %w", err)
	}
	sort.Strings(journals)
	var (
		written []string
		errs    []error
	)
	for _, jp := range journals {
		f, err := os.OpenFile(jp, os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // merged by someone else meanwhile
			}
			errs = append(errs, fmt.Errorf("recover %s: %w", jp, err))
			continue
		}
		busy, err := tryLock(f)
		if busy || err != nil {
			f.Close()
			if err != nil {
				errs = append(errs, fmt.Errorf("recover %s: lock: %w", jp, err))
			}
			continue
		}
		p, err := merge(jp, f)
		f.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p != "" {
			written = append(written, p)
		}
	}
	return written, errors.Join(errs...)
}

// merge appends the records of the journal at jp (locked through f) to its
// cassette, written atomically, then removes the journal. It returns the
// cassette written, or "" when the journal held nothing. If a crash came
// between writing the cassette and removing the journal, the cassette
// already ends with the journal's records: merge notices and only removes
// the journal.
func merge(jp string, f *os.File) (string, error) {
	records, _, err := readJournal(jp)
	if err != nil {
		return "", fmt.Errorf("recover %s: %w", jp, err)
	}
	cp := strings.TrimSuffix(jp, JournalExt)
	if len(records) > 0 {
		var existing [][]byte
		if _, err := os.Stat(cp); err == nil {
			c, err := Load(cp)
			if err != nil {
				return "", fmt.Errorf("recover %s: the cassette it belongs to does not load, so the journal is kept; move the cassette aside and run 'oauthcompat cassette recover' again: %w", jp, err)
			}
			existing = items(c.Interactions)
		}
		if !endsWith(existing, records) {
			if err := writeFileAtomic(cp, assemble(append(existing, records...)), 0o644); err != nil {
				return "", fmt.Errorf("recover %s: %w", jp, err)
			}
		}
	}
	if err := os.Remove(jp); err != nil {
		return "", fmt.Errorf("recover %s: %w", jp, err)
	}
	if err := syncDir(filepath.Dir(jp)); err != nil {
		return "", err
	}
	if len(records) == 0 {
		return "", nil
	}
	return cp, nil
}
