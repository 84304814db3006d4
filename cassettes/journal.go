package cassettes

import (
	"bytes"
	"hash/crc32"
	"slices"
	"strconv"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// JournalExt is appended to a cassette's path to name its journal.
const JournalExt = ".journal"

// A journal is a sequence of records, each a header line
//
//	OCJ1 <length> <crc32c of payload, 8 hex digits>\n
//
// followed by <length> bytes of payload (the interaction's cassette entry,
// the YAML of its request and response, as the cassette will hold it) and
// a newline. The file is filled with zeros ahead of the records (see
// preallocChunk): zeros after the last record end the journal. A record
// cut short or failing its checksum is skipped (see [parseJournal]).
const journalMagic = "OCJ1"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// appendRecord appends the journal record of i to dst. It allocates
// nothing when dst has room for the record.
func appendRecord(dst []byte, i *cassette.Interaction) []byte {
	// The payload is encoded in place, after room for a header whose
	// length has four digits; it is moved only when its length has
	// another number of digits.
	start := len(dst)
	e := emitter{b: append(slices.Grow(dst, sizeHint(i)), journalMagic+" 0000 00000000\n"...)}
	at := len(e.b) // where the payload starts
	e.item(i)
	b := e.b
	n := len(b) - at
	var hdr [64]byte
	h := append(hdr[:0], journalMagic...)
	h = append(h, ' ')
	h = strconv.AppendInt(h, int64(n), 10)
	h = append(h, ' ')
	h = appendHex32(h, crc32.Checksum(b[at:], crcTable))
	h = append(h, '\n')
	if d := start + len(h) - at; d != 0 {
		if d > 0 {
			b = append(b, hdr[:d]...) // room to move the payload up
		}
		copy(b[at+d:], b[at:at+n])
		b = b[:at+d+n]
	}
	copy(b[start:], h)
	return append(b, '\n')
}

// recordBufs holds buffers to encode records into ([Store.Add] returns
// its buffer once the record is committed: the journal keeps no reference
// to it).
var recordBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 8<<10)
	return &b
}}

// maxPooledRecord is the largest buffer recordBufs keeps: the few records
// with a body of megabytes do not pin their buffers.
const maxPooledRecord = 256 << 10

// putRecordBuf returns b to recordBufs.
func putRecordBuf(b *[]byte) {
	if cap(*b) <= maxPooledRecord {
		*b = (*b)[:0]
		recordBufs.Put(b)
	}
}

// appendHex32 appends v as eight lowercase hexadecimal digits.
func appendHex32(b []byte, v uint32) []byte {
	const hex = "0123456789abcdef"
	return append(b,
		hex[v>>28], hex[v>>24&0xf], hex[v>>20&0xf], hex[v>>16&0xf],
		hex[v>>12&0xf], hex[v>>8&0xf], hex[v>>4&0xf], hex[v&0xf])
}

// Span is a run of bytes of a journal, for reporting what recovery
// skipped.
type Span struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// parseJournal returns the payload of every whole, checksum-valid record
// of a journal's bytes (sub-slices of data), and the spans of bytes it
// skipped. A damaged record does not end the journal: parsing goes on at
// the next record header (a line starting with the magic, as every record
// does, followed by a valid record), so every intact record after the
// damage is kept. Zeros after the last record are the space made ahead
// of the records, not damage; anything else that forms no record
// (a record torn by a crash mid-write, bytes overwritten) is skipped and
// reported.
//
// end is where the last valid record ends.
func parseJournal(data []byte) (records [][]byte, skipped []Span, end int) {
	pos := 0
	for pos < len(data) {
		if payload, size, ok := recordAt(data, pos); ok {
			records = append(records, payload)
			pos += size
			end = pos
			continue
		}
		next := nextRecord(data, pos)
		stop := next
		if next < 0 {
			stop = len(data)
			for stop > pos && data[stop-1] == 0 {
				stop--
			}
			if stop == pos {
				break // only zeros left: the end of the records
			}
		}
		skipped = append(skipped, Span{Offset: int64(pos), Length: int64(stop - pos)})
		if next < 0 {
			break
		}
		pos = next
	}
	return records, skipped, end
}

// recordSep is what precedes every record but the first: the newline
// ending the one before, then the magic.
var recordSep = []byte("\n" + journalMagic + " ")

// nextRecord returns where the next valid record after pos starts, or -1.
func nextRecord(data []byte, pos int) int {
	for from := pos; ; {
		i := bytes.Index(data[from:], recordSep)
		if i < 0 {
			return -1
		}
		at := from + i + 1
		if _, _, ok := recordAt(data, at); ok {
			return at
		}
		from = at
	}
}

// maxHeader bounds a record's header line.
const maxHeader = 64

// recordAt parses the record at data[pos:]: its payload and its size with
// header and trailing newline. ok is false when no whole, valid record
// starts there.
func recordAt(data []byte, pos int) (payload []byte, size int, ok bool) {
	rest := data[pos:]
	if !bytes.HasPrefix(rest, []byte(journalMagic+" ")) {
		return nil, 0, false
	}
	nl := bytes.IndexByte(rest[:min(len(rest), maxHeader)], '\n')
	if nl < 0 {
		return nil, 0, false
	}
	fields := bytes.Fields(rest[:nl])
	if len(fields) != 3 || string(fields[0]) != journalMagic {
		return nil, 0, false
	}
	n, err := strconv.Atoi(string(fields[1]))
	if err != nil || n < 0 || n > len(rest)-nl-2 {
		return nil, 0, false
	}
	sum, err := strconv.ParseUint(string(fields[2]), 16, 32)
	if err != nil {
		return nil, 0, false
	}
	payload = rest[nl+1 : nl+1+n]
	if rest[nl+1+n] != '\n' || crc32.Checksum(payload, crcTable) != uint32(sum) {
		return nil, 0, false
	}
	return payload, nl + 1 + n + 1, true
}
