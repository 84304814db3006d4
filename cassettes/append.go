package cassettes

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// MarkExt is appended to a journal's name for its append mark: written
// (and synced) before a journal's records are appended in place to its
// cassette, removed once the journal is. It says how long the cassette
// was before the append, so that a recovery after a crash mid-append cuts
// the torn append off and makes it again. Its name ends in neither .yaml
// nor .journal, so no reader takes it for a cassette or a journal.
const MarkExt = ".append"

// markMagic starts an append mark.
const markMagic = "oauthcompat append mark v1"

// appendMark is what an append mark holds: the cassette's size before the
// append (-1: there was no cassette) and the journal records it appends,
// by number and checksum, so that a mark left by an append that finished
// is never applied to another journal's records.
type appendMark struct {
	size    int64
	records int
	crc     uint32
}

func (m appendMark) encode() []byte {
	return []byte(fmt.Sprintf("%s\nsize %d\nrecords %d\ncrc %08x\n", markMagic, m.size, m.records, m.crc))
}

func parseMark(data []byte) (appendMark, bool) {
	var m appendMark
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 || lines[0] != markMagic {
		return m, false
	}
	var err1, err2, err3 error
	m.size, err1 = strconv.ParseInt(strings.TrimPrefix(lines[1], "size "), 10, 64)
	m.records, err2 = strconv.Atoi(strings.TrimPrefix(lines[2], "records "))
	crc, err3 := strconv.ParseUint(strings.TrimPrefix(lines[3], "crc "), 16, 32)
	m.crc = uint32(crc)
	return m, err1 == nil && err2 == nil && err3 == nil
}

// recordsCRC is the checksum of records, for the append mark.
func recordsCRC(records [][]byte) uint32 {
	var c uint32
	for _, r := range records {
		c = crc32.Update(c, crcTable, r)
	}
	return c
}

// header is how a cassette the emitter wrote begins; appending in place
// needs it.
var (
	header      = []byte("---\nversion: 2\ninteractions:\n")
	entryPrefix = []byte("\n    - id: ")
)

// appendCassette appends records (journal payloads) to the cassette at cp
// for the journal at jp. A cassette the emitter wrote (or go-vcr: the same
// layout) is appended to in place, which costs what the records weigh,
// not what the cassette does; the append mark (jp + [MarkExt]) makes a
// crash at any moment recoverable, and the cassette is a valid go-vcr
// cassette after every completed append. A cassette of another layout is
// read and written whole, atomically, unless it already ends with the
// records. The caller removes the mark ([removeMark]) once the journal is
// removed.
func appendCassette(fsys FS, cp, jp string, records [][]byte) error {
	mp := jp + MarkExt
	crc := recordsCRC(records)
	if data, err := readFile(fsys, mp); err == nil {
		if m, ok := parseMark(data); ok && m.records == len(records) && m.crc == crc {
			// An append of these records was under way: undo what of it
			// was written, then make it again.
			if m.size < 0 {
				return createCassette(fsys, cp, jp, records)
			}
			if err := truncateFile(fsys, cp, m.size); err != nil {
				return fmt.Errorf("recover %s: undo a torn append to %s: %w; the journal is kept", jp, cp, err)
			}
			return appendInPlace(fsys, cp, jp, m.size, records)
		}
		// Left by an append that finished: not this journal's.
		if err := fsys.Remove(mp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("recover %s: remove the stale append mark %s: %w", jp, mp, err)
		}
	}
	st, err := fsys.Stat(cp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := writeMark(fsys, mp, appendMark{size: -1, records: len(records), crc: crc}); err != nil {
			return fmt.Errorf("recover %s: write %s: %w; the journal is kept", jp, cp, err)
		}
		return createCassette(fsys, cp, jp, records)
	case err != nil:
		return fmt.Errorf("recover %s: read the cassette: %w", jp, err)
	}
	if _, ok := tail(fsys, cp, st.Size()); !ok {
		return rewriteCassette(fsys, cp, jp, records)
	}
	if endsWithRecords(fsys, cp, st.Size(), records) {
		return nil // appended before a crash that came before the journal's removal
	}
	if err := writeMark(fsys, mp, appendMark{size: st.Size(), records: len(records), crc: crc}); err != nil {
		return fmt.Errorf("recover %s: append to %s: %w; the journal is kept", jp, cp, err)
	}
	return appendInPlace(fsys, cp, jp, st.Size(), records)
}

// writeMark writes the append mark at mp durably.
func writeMark(fsys FS, mp string, m appendMark) error {
	if err := writeFileAtomic(fsys, mp, m.encode(), 0o644); err != nil {
		return fmt.Errorf("write the append mark: %w", err)
	}
	return nil
}

// removeMark removes the append mark of the journal at jp, if any.
func removeMark(fsys FS, jp string) error {
	if err := fsys.Remove(jp + MarkExt); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// createCassette writes the cassette at cp holding records, atomically.
func createCassette(fsys FS, cp, jp string, records [][]byte) error {
	if err := writeFileAtomic(fsys, cp, assemble(records), 0o644); err != nil {
		return fmt.Errorf("recover %s: the journal is kept: %w", jp, err)
	}
	return nil
}

// truncateFile cuts the file at p to size.
func truncateFile(fsys FS, p string, size int64) error {
	f, err := fsys.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < size {
		return fmt.Errorf("the cassette is %d bytes, shorter than the %d it had before the append: it was changed meanwhile", st.Size(), size)
	}
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

// tail checks that the cassette at cp, size bytes long, is laid out as the
// emitter writes it (its header, then entries "    - id: N" to its end,
// which ends in a newline) and returns the id its last entry has.
func tail(fsys FS, cp string, size int64) (last int, ok bool) {
	f, err := fsys.OpenFile(cp, os.O_RDONLY, 0)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	head := make([]byte, len(header))
	if size < int64(len(header)) {
		return 0, false
	}
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, header) {
		return 0, false
	}
	// The last entry starts at the last "\n    - id: " (no line of an
	// entry starts there but its first: deeper lines are indented more).
	window := int64(64 << 10)
	for {
		from := max(int64(len(header))-1, size-window)
		buf := make([]byte, size-from)
		if _, err := f.ReadAt(buf, from); err != nil {
			return 0, false
		}
		if buf[len(buf)-1] != '\n' {
			return 0, false
		}
		if i := bytes.LastIndex(buf, entryPrefix); i >= 0 {
			rest := buf[i+len(entryPrefix):]
			nl := bytes.IndexByte(rest, '\n')
			n, err := strconv.Atoi(string(rest[:nl]))
			return n, err == nil && n >= 0
		}
		if from == int64(len(header))-1 {
			return 0, false
		}
		window *= 4
	}
}

// appendInPlace writes records after the first size bytes of the
// cassette at cp, numbering them after its last entry, and syncs it.
func appendInPlace(fsys FS, cp, jp string, size int64, records [][]byte) error {
	last, ok := tail(fsys, cp, size)
	if !ok {
		return fmt.Errorf("recover %s: the cassette %s no longer ends as it did before the append; the journal is kept", jp, cp)
	}
	f, err := fsys.OpenFile(cp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("recover %s: append to %s: %w; the journal is kept", jp, cp, err)
	}
	defer f.Close()
	// Written in chunks: what is held at once is bounded whatever the
	// number of records.
	const chunk = 1 << 20
	buf := make([]byte, 0, chunk+64<<10)
	off := size
	flush := func() error {
		if _, err := f.WriteAt(buf, off); err != nil {
			return err
		}
		off += int64(len(buf))
		buf = buf[:0]
		return nil
	}
	for k, r := range records {
		buf = append(buf, "    - id: "...)
		buf = strconv.AppendInt(buf, int64(last+1+k), 10)
		buf = append(buf, '\n')
		buf = append(buf, r...)
		if len(buf) >= chunk {
			if err := flush(); err != nil {
				return fmt.Errorf("recover %s: append to %s: %w; the journal is kept", jp, cp, err)
			}
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("recover %s: append to %s: %w; the journal is kept", jp, cp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("recover %s: sync %s: %w; the journal is kept", jp, cp, err)
	}
	return nil
}

// rewriteCassette appends records to a cassette of another layout by
// reading and writing it whole, atomically, unless it already ends with
// them (a crash came between writing it and removing the journal).
func rewriteCassette(fsys FS, cp, jp string, records [][]byte) error {
	data, err := readFile(fsys, cp)
	if err != nil {
		return fmt.Errorf("recover %s: read the cassette: %w", jp, err)
	}
	c, err := Parse(cp, data)
	if err != nil {
		return fmt.Errorf("recover %s: the cassette it belongs to does not load, so the journal is kept; move the cassette aside and run 'oauthcompat cassette recover' again: %w", jp, err)
	}
	existing := items(c.Interactions)
	if endsWith(existing, records) {
		return nil
	}
	if err := writeFileAtomic(fsys, cp, assemble(append(existing, records...)), 0o644); err != nil {
		return fmt.Errorf("recover %s: the journal is kept: %w", jp, err)
	}
	return nil
}

// endsWithRecords reports whether the last entries of the cassette at cp
// (size bytes, laid out as the emitter writes it) are records, whatever
// their ids. It reads only as much of the cassette as records weigh.
func endsWithRecords(fsys FS, cp string, size int64, records [][]byte) bool {
	if len(records) == 0 {
		return false
	}
	want := int64(len(header))
	for _, r := range records {
		want += int64(len(r)) + int64(len(entryPrefix)) + 21
	}
	from := max(0, size-want)
	buf := make([]byte, size-from)
	f, err := fsys.OpenFile(cp, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := f.ReadAt(buf, from); err != nil {
		return false
	}
	end := len(buf)
	for k := len(records) - 1; k >= 0; k-- {
		i := bytes.LastIndex(buf[:end], entryPrefix)
		if i < 0 {
			return false
		}
		nl := bytes.IndexByte(buf[i+len(entryPrefix):end], '\n')
		if nl < 0 || !bytes.Equal(buf[i+len(entryPrefix)+nl+1:end], records[k]) {
			return false
		}
		end = i + 1
	}
	return true
}
