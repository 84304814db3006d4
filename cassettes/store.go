package cassettes

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// ErrClosed is returned by [Store.Add] after [Store.Close].
var ErrClosed = errors.New("cassette store is closed")

// ErrBusy is returned when another process is recording into the same
// cassette: by [OpenStore] when it holds the same directory and name.
var ErrBusy = errors.New("cassette is being recorded by another process")

// ErrNotWritable is wrapped by the error of [OpenStore] when the cassette
// directory (or one of its version directories the store would write)
// cannot be written.
var ErrNotWritable = errors.New("cassette directory cannot be written")

// Store records interactions into the cassettes of one recording session:
// DIR/<version>/<name>.yaml, one per version seen. It is safe for
// concurrent use.
//
// While it is open it holds the lock file DIR/.<name>.lock: a second Store
// of the same directory and name is refused ([ErrBusy]) when it opens, not
// at its first interaction.
type Store struct {
	dir, name string
	red       *redact.Redactor
	opts      Options
	fsys      FS
	log       *slog.Logger
	lock      File
	recovered *Recovery

	mu       sync.Mutex
	adds     sync.WaitGroup      // Adds under way
	journals map[string]*journal // the current journal of each version
	closed   bool
	written  []string

	rotating sync.WaitGroup // journals rotated out, being merged
	rotErrs  []error        // what merging them failed with, for Close
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

	// FS is the file system written through; nil means [OS].
	FS FS

	// RotateSize, when positive, starts a new cassette of the same name
	// (<name>-0001.yaml, <name>-0002.yaml, ...) once the current one
	// holds this many bytes; the one it leaves is written at once.
	RotateSize int64

	// RotateEvery, when positive, starts a new cassette of the same name
	// once the current one has been recorded into this long.
	RotateEvery time.Duration

	// Logger is told at once of what loses nothing yet but needs the
	// user's attention: the disk nearly full (no room ahead of a
	// journal), a failed sync, a journal removed while recording. An
	// interaction that is not recorded is the error of its [Store.Add]
	// instead. Nil discards them.
	Logger *slog.Logger
}

func (o Options) syncInterval() time.Duration {
	if o.SyncInterval <= 0 {
		return DefaultSyncInterval
	}
	return o.SyncInterval
}

func (o Options) fs() FS {
	if o.FS == nil {
		return OS
	}
	return o.FS
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// OpenStore opens a store writing the cassettes called name under dir,
// redacting with r (which must not be nil), with the default [Options]. It
// first recovers any journal left in dir by a recording that did not
// finish (see [Recover]; [Store.Recovered] says what it did).
//
// It fails, before anything is recorded, when another Store holds the same
// directory and name ([ErrBusy]), when name is not a single path element,
// and when dir, or the version directory of an earlier cassette of this
// name, cannot be written ([ErrNotWritable]).
func OpenStore(dir, name string, r *redact.Redactor) (*Store, error) {
	return OpenStoreWith(dir, name, r, Options{})
}

// OpenStoreWith is [OpenStore] with options.
func OpenStoreWith(dir, name string, r *redact.Redactor, o Options) (*Store, error) {
	if r == nil {
		return nil, errors.New("open cassette store: no redactor")
	}
	if err := CheckName("cassette name", name); err != nil {
		return nil, fmt.Errorf("open cassette store: %w", err)
	}
	fsys := o.fs()
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open cassette store: %w: %w", ErrNotWritable, err)
	}
	lock, err := lockStore(fsys, dir, name)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, name: name, red: r, opts: o, fsys: fsys, log: o.logger(), lock: lock, journals: map[string]*journal{}}
	if err := s.probe(); err != nil {
		s.unlock()
		return nil, err
	}
	rec, err := RecoverWith(dir, o)
	s.recovered = rec
	if err != nil {
		s.unlock()
		return nil, fmt.Errorf("open cassette store: %w", err)
	}
	return s, nil
}

// lockName is the lock file of the cassettes called name: DIR/.<name>.lock,
// hidden from the commands that read a directory.
func lockName(dir, name string) string {
	return filepath.Join(dir, "."+name+".lock")
}

// lockStore takes the lock of the cassettes called name under dir, and
// writes this process's id into it for the message another recording
// gets.
func lockStore(fsys FS, dir, name string) (File, error) {
	p := lockName(dir, name)
	f, err := openLocked(fsys, p, 0)
	if errors.Is(err, ErrBusy) {
		holder := "holding " + p
		if b, err := readFile(fsys, p); err == nil {
			if pid := strings.TrimSpace(string(b)); pid != "" {
				holder = "pid " + pid + ", " + holder
			}
		}
		return nil, fmt.Errorf("open cassette store: %w (%s): stop it with SIGINT or SIGTERM, or wait for it to finish, or record under another --name", ErrBusy, holder)
	}
	if err != nil {
		return nil, fmt.Errorf("open cassette store: %w: %w", ErrNotWritable, err)
	}
	// Who holds it, for the message above; a failure here loses nothing.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// unlock removes the lock file and lets go of its lock. The file is
// removed while locked, and a Store that locks it checks it still has its
// name (see openLocked), so no two Stores ever both hold it.
func (s *Store) unlock() {
	if s.lock == nil {
		return
	}
	if same, err := samePath(s.fsys, s.lock, lockName(s.dir, s.name)); err == nil && same {
		s.fsys.Remove(lockName(s.dir, s.name))
	}
	s.lock.Close()
	s.lock = nil
}

// probe checks that the version directories holding a cassette or
// journal of this name, which Close will write, can be written: it
// creates and removes a file in each. (The lock file proved dir itself.)
func (s *Store) probe() error {
	entries, err := s.fsys.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("open cassette store: %w: %w", ErrNotWritable, err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		vdir := filepath.Join(s.dir, e.Name())
		mine := false
		for _, p := range []string{filepath.Join(vdir, s.name+Ext), filepath.Join(vdir, s.name+Ext+JournalExt)} {
			if _, err := s.fsys.Stat(p); err == nil {
				mine = true
			}
		}
		if !mine {
			continue
		}
		if err := probeDir(s.fsys, vdir); err != nil {
			return fmt.Errorf("open cassette store: %w: %w", ErrNotWritable, err)
		}
	}
	return nil
}

// probeDir creates and removes a file in dir.
func probeDir(fsys FS, dir string) error {
	f, err := createTemp(fsys, dir, ".probe-")
	if err != nil {
		return err
	}
	f.Close()
	return fsys.Remove(f.Name())
}

// Dir returns the directory the store writes under.
func (s *Store) Dir() string { return s.dir }

// Name returns the cassette name the store writes.
func (s *Store) Name() string { return s.name }

// Recovered returns what opening the store recovered: the journals left
// by earlier recordings that did not finish.
func (s *Store) Recovered() *Recovery { return s.recovered }

// CheckName reports an error when v, a cassette name or version that
// becomes a file or directory name, is not a single path element. what
// names it in the message ("cassette name").
func CheckName(what, v string) error {
	if v == "" || v == "." || v == ".." || strings.ContainsAny(v, `/\`) || strings.ContainsRune(v, 0) {
		return fmt.Errorf("%s %q: want a non-empty name without path separators", what, v)
	}
	return nil
}

// CheckVisibleName is [CheckName] for a name a user gives: it must not
// start with "." either, since every reader of cassettes skips hidden
// files and what was recorded there would never be read. (A hidden name
// is for a cassette staged before it is renamed into view.)
func CheckVisibleName(what, v string) error {
	if err := CheckName(what, v); err != nil {
		return err
	}
	if strings.HasPrefix(v, ".") {
		return fmt.Errorf("%s %q: want a name that does not start with \".\" (hidden files are not read as cassettes)", what, v)
	}
	return nil
}

// Prepare opens the journal of version now, rather than at the first
// interaction of that version: a recording that knows its version finds
// out at start-up that its directory cannot be written.
func (s *Store) Prepare(version string) error {
	if err := CheckName("version", version); err != nil {
		return fmt.Errorf("open cassette store: %w", err)
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.adds.Done()
	j, err := s.journal(version)
	if err != nil {
		if !errors.Is(err, ErrBusy) {
			err = fmt.Errorf("%w: %w", ErrNotWritable, err)
		}
		return fmt.Errorf("open cassette store: %w", err)
	}
	j.users.Done()
	return nil
}

// Add redacts i in place (Add takes ownership of it) and appends it to the
// journal of the cassette of version. It returns once the record is
// written to the journal, so that a crash of the process, SIGKILL included,
// loses none of it. The journal is fdatasynced in the background within
// [Options.SyncInterval] (before Add returns with [Options.SyncEach]), and
// fully before Close merges it.
//
// An error means the interaction is not recorded (the disk is full, the
// directory cannot be written): the caller must say so. The store stays
// usable, and the next Add tries again.
func (s *Store) Add(version string, i *cassette.Interaction) error {
	return s.AddLimited(version, i, 0)
}

// AddLimited is [Store.Add] for an interaction whose bodies may run past
// the recording cap maxBody (0 for none): each body is redacted whole,
// then cut to maxBody bytes, so that no beginning of a secret the cut
// would split survives it (a token cut short no longer has a token's
// shape). The recorded lengths then say what is stored, except on a
// response the upstream cut short ([CutHeader]), whose announced lengths
// are kept.
func (s *Store) AddLimited(version string, i *cassette.Interaction, maxBody int64) error {
	if err := CheckName("version", version); err != nil {
		return fmt.Errorf("record interaction: %w", err)
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.adds.Done()
	var secrets []string
	if i.Response.Headers.Get(CutHeader) != "" {
		secrets = redactCut(s.red, i)
	} else {
		secrets = s.red.Redact(i)
	}
	s.sweep(version, i, secrets)
	if maxBody > 0 {
		if cutBody(&i.Request.Body, &i.Request.ContentLength, &i.Request.Headers, maxBody, true) && i.Request.Form != nil {
			// The form holds what the body does.
			i.Request.Form, _ = url.ParseQuery(i.Request.Body)
		}
		cutBody(&i.Response.Body, &i.Response.ContentLength, &i.Response.Headers, maxBody, i.Response.Headers.Get(CutHeader) == "")
	}
	rec := recordBufs.Get().(*[]byte)
	defer putRecordBuf(rec) // commit writes it before it returns
	*rec = appendRecord((*rec)[:0], i)
	j, err := s.journal(version)
	if err != nil {
		return err
	}
	err = j.commit(*rec)
	j.users.Done()
	if err == nil {
		s.maybeRotate(version, j)
	}
	return err
}

// begin counts an Add (or Prepare) under way, which Close waits for, or
// returns ErrClosed. The caller calls s.adds.Done when it is done.
func (s *Store) begin() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.adds.Add(1)
	return nil
}

// redactCut redacts an interaction whose body the upstream cut short
// (see [CutHeader]) keeping the lengths it announced, which count more
// than the body: the redactor would set them to the body's. They move by
// as much as redaction changed the body's length.
func redactCut(red *redact.Redactor, i *cassette.Interaction) (secrets []string) {
	r := &i.Response
	length, header, body := r.ContentLength, r.Headers.Values("Content-Length"), len(r.Body)
	secrets = red.Redact(i)
	r.ContentLength = length
	r.Headers = setLengthHeader(r.Headers, header)
	moveLengths(&r.ContentLength, &r.Headers, len(r.Body)-body)
	return secrets
}

// cutBody cuts a redacted body to maxBody bytes (back to the start of a
// UTF-8 character), reporting whether it did; with fix, the recorded
// length and Content-Length header then say the stored length.
func cutBody(body *string, length *int64, h *http.Header, maxBody int64, fix bool) bool {
	if int64(len(*body)) <= maxBody {
		return false
	}
	n := int(maxBody)
	for n > 0 && n > int(maxBody)-utf8.UTFMax && !utf8.RuneStart((*body)[n]) {
		n--
	}
	if !utf8.RuneStart((*body)[n]) {
		n = int(maxBody)
	}
	*body = (*body)[:n]
	if fix && length != nil {
		*length = int64(n)
		if len(h.Values("Content-Length")) > 0 {
			*h = h.Clone()
			h.Set("Content-Length", strconv.Itoa(n))
		}
	}
	return true
}

// setLengthHeader returns h with the Content-Length values vs (a copy
// when that changes it).
func setLengthHeader(h http.Header, vs []string) http.Header {
	if slices.Equal(h.Values("Content-Length"), vs) {
		return h
	}
	h = h.Clone()
	h.Del("Content-Length")
	for _, v := range vs {
		h.Add("Content-Length", v)
	}
	return h
}

// moveLengths moves a recorded length and a single Content-Length header
// by d bytes (the body changed by as much); an unknown length stays
// unknown.
func moveLengths(length *int64, h *http.Header, d int) {
	if d == 0 {
		return
	}
	if *length >= 0 {
		*length += int64(d)
	}
	if vs := h.Values("Content-Length"); len(vs) == 1 {
		if n, err := strconv.ParseInt(vs[0], 10, 64); err == nil {
			*h = h.Clone()
			h.Set("Content-Length", strconv.FormatInt(n+int64(d), 10))
		}
	}
}

// sweep is the last line of defence before i is encoded and written (see
// [redact.Redactor.Sweep]): a secret redaction missed is replaced, and a
// warning names the field, never the secret. The lengths of a body it
// changes move with it.
func (s *Store) sweep(version string, i *cassette.Interaction, secrets []string) {
	reqBody, respBody := len(i.Request.Body), len(i.Response.Body)
	found := s.red.Sweep(i, secrets)
	if len(found) == 0 {
		return
	}
	moveLengths(&i.Request.ContentLength, &i.Request.Headers, len(i.Request.Body)-reqBody)
	moveLengths(&i.Response.ContentLength, &i.Response.Headers, len(i.Response.Body)-respBody)
	for _, f := range found {
		s.log.Warn("a secret redaction missed was replaced before writing; please report which field",
			"version", version, "method", i.Request.Method, "field", f.Field, "kind", f.Kind, "offset", f.Start)
	}
}

// journal returns the current journal of version, opening it on first
// use (and again on the next use when opening failed), counted as used:
// the caller calls its users.Done when it has committed. Only an Add or
// Prepare that Close waits for calls it.
func (s *Store) journal(version string) (*journal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.journals[version]; j != nil {
		j.users.Add(1)
		return j, nil
	}
	seg, base := s.segment(version)
	j, err := openJournal(s.fsys, RotatedPath(s.dir, version, s.name, seg)+JournalExt, s.opts, s.log)
	if err != nil {
		return nil, err
	}
	j.seg, j.base, j.opened = seg, base, time.Now()
	s.journals[version] = j
	j.users.Add(1)
	return j, nil
}

// Close waits for every Add under way, syncs the journals, then turns each
// journal into its cassette (see [Recover]) and removes the journal. A
// cassette already there keeps its interactions; the new ones follow. A
// journal whose name was removed while recording (its directory deleted)
// is read from the open file, and its cassette written into a re-created
// directory.
//
// When a cassette cannot be written (the disk is full), the error says so
// and its journal is kept, so 'oauthcompat cassette recover' can write it
// later: nothing recorded is lost.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.adds.Wait()
	s.rotating.Wait()
	versions := make([]string, 0, len(s.journals))
	for v := range s.journals {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	errs := s.rotErrs
	for _, v := range versions {
		if err := s.finish(s.journals[v]); err != nil {
			errs = append(errs, err)
		}
	}
	s.unlock()
	return errors.Join(errs...)
}

// finish closes the journal j and turns it into its cassette.
func (s *Store) finish(j *journal) error {
	j.close()
	m, err := merge(s.fsys, j.path, j.f, j.isGone())
	j.f.Close()
	if m.Cassette != "" {
		s.mu.Lock()
		s.written = append(s.written, m.Cassette)
		s.mu.Unlock()
	}
	if err != nil {
		return err
	}
	if m.Kept != "" {
		return fmt.Errorf("journal %s held damaged records (%s); they were skipped and the journal kept as %s", j.path, spans(m.Skipped), m.Kept)
	}
	if m.Warning != "" {
		s.log.Warn(m.Warning, "journal", j.path)
	}
	return nil
}

// Written returns the cassette files Close wrote.
func (s *Store) Written() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.written...)
}

// Recovery is what [Recover] did with the journals under a directory.
type Recovery struct {
	// Merged lists the journals turned into cassettes.
	Merged []Merged
	// Busy lists the journals left alone because a running recording
	// holds them.
	Busy []string
}

// Merged is one journal [Recover] (or [Store.Close]) turned into its
// cassette.
type Merged struct {
	Journal string
	// Cassette is the cassette written, "" when the journal held no
	// record.
	Cassette string
	// Records is how many interactions the journal held.
	Records int
	// Skipped lists the bytes of the journal that formed no valid record:
	// a record torn by a crash mid-write, or damage. Every valid record
	// before and after them is kept.
	Skipped []Span
	// Kept is where the journal was kept when bytes were skipped
	// (<journal>.damaged), for a closer look; "" when it was removed.
	Kept string
	// Warning says what went wrong after the cassette was written: the
	// journal could not be removed (a later recovery notices that the
	// cassette already holds its records).
	Warning string
}

// spans formats skipped spans as "N bytes at offset O, ...".
func spans(ss []Span) string {
	parts := make([]string, len(ss))
	for k, s := range ss {
		parts[k] = fmt.Sprintf("%d bytes at offset %d", s.Length, s.Offset)
	}
	return strings.Join(parts, ", ")
}

// Recover turns every journal under dir (*.yaml.journal, left by a
// recording that was killed) into a valid cassette, appending to the
// cassette already there, and removes it. Every whole record with a valid
// checksum is kept: a damaged or torn record is skipped and reported, and
// recovery goes on at the next record; the journal is then kept beside the
// cassette as <journal>.damaged. Journals that a running recording holds
// are left alone and listed in [Recovery.Busy].
func Recover(dir string) (*Recovery, error) { return RecoverWith(dir, Options{}) }

// RecoverWith is [Recover] through the file system of o.
func RecoverWith(dir string, o Options) (*Recovery, error) {
	fsys := o.fs()
	journals, err := walk(fsys, dir, func(name string) bool { return strings.HasSuffix(name, Ext+JournalExt) })
	if err != nil {
		return &Recovery{}, fmt.Errorf("recover journals: %w", err)
	}
	var (
		out  Recovery
		errs []error
	)
	for _, jp := range journals {
		f, err := fsys.OpenFile(jp, os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // merged by someone else meanwhile
			}
			errs = append(errs, fmt.Errorf("recover %s: %w", jp, named(jp, err)))
			continue
		}
		f.Close()
		f, err = openLocked(fsys, jp, lockWait)
		switch {
		case errors.Is(err, ErrBusy):
			out.Busy = append(out.Busy, jp)
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("recover %s: %w", jp, named(jp, err)))
			continue
		}
		m, err := merge(fsys, jp, f, false)
		f.Close()
		if err != nil {
			errs = append(errs, err)
		}
		if err == nil || m.Cassette != "" {
			out.Merged = append(out.Merged, m)
		}
	}
	return &out, errors.Join(errs...)
}

// merge appends the records of the journal at jp (locked through f, read
// from f) to its cassette, written atomically, then removes the journal,
// or keeps it as <journal>.damaged when some of its bytes formed no valid
// record. If a crash came between writing the cassette and removing the
// journal, the cassette already ends with the journal's records: merge
// notices and only removes the journal. gone says the journal's name was
// removed while recording: its cassette is written into a re-created
// directory, and when even that fails, the records are written back as a
// journal at jp.
func merge(fsys FS, jp string, f File, gone bool) (Merged, error) {
	m := Merged{Journal: jp}
	st, err := f.Stat()
	if err != nil {
		return m, fmt.Errorf("recover %s: %w", jp, named(jp, err))
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return m, fmt.Errorf("recover %s: read journal: %w", jp, err)
	}
	records, skipped, end := parseJournal(data)
	m.Records, m.Skipped = len(records), skipped
	cp := strings.TrimSuffix(jp, JournalExt)
	if len(records) > 0 {
		if err := appendCassette(fsys, cp, jp, records); err != nil {
			if gone {
				// The journal's only copy is the open file: put it back.
				if werr := writeFileAtomic(fsys, jp, data[:end], 0o644); werr == nil {
					return m, fmt.Errorf("%w; the journal (removed while recording) was written back as %s: run 'oauthcompat cassette recover' once the problem is fixed", err, jp)
				}
			}
			return m, err
		}
		m.Cassette = cp
	}
	if len(skipped) > 0 && !gone {
		kept, err := keepDamaged(fsys, jp)
		if err != nil {
			return m, fmt.Errorf("recover %s: keep the damaged journal: %w", jp, err)
		}
		m.Kept = kept
	} else if !gone {
		if err := fsys.Remove(jp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			// Nothing is lost, but the journal would be taken for an
			// unrecovered one: a recovery notices its records are
			// already in the cassette.
			return m, fmt.Errorf("recover %s: the cassette %s is written, but the journal could not be removed: %w; run 'oauthcompat cassette recover' to remove it", jp, cp, err)
		}
	}
	if err := syncDir(fsys, filepath.Dir(jp)); err != nil && !gone {
		m.Warning = fmt.Sprintf("the cassette %s is written, but its directory could not be synced (%v)", cp, err)
	}
	// The journal is gone: its append mark is stale (and tied to its
	// records, so it is never applied to another journal's).
	if err := removeMark(fsys, jp); err != nil && m.Warning == "" {
		m.Warning = fmt.Sprintf("the cassette %s is written, but the append mark %s could not be removed (%v); it is ignored", cp, jp+MarkExt, err)
	}
	return m, nil
}

// DamagedExt is appended to a journal's name to keep it once recovery
// skipped some of its bytes.
const DamagedExt = ".damaged"

// keepDamaged renames the journal at jp to jp.damaged (or jp.damaged.N
// when that is taken) and returns the new name.
func keepDamaged(fsys FS, jp string) (string, error) {
	for n := 1; ; n++ {
		p := jp + DamagedExt
		if n > 1 {
			p += "." + strconv.Itoa(n)
		}
		if _, err := fsys.Stat(p); err == nil {
			continue
		}
		if err := fsys.Rename(jp, p); err != nil {
			return "", err
		}
		return p, nil
	}
}
