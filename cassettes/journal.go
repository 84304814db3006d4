package cassettes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
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
// preallocChunk); a zero byte where a record would start ends the journal.
// A record cut short or failing its checksum ends it too: it can only be
// the last one, torn by a crash mid-write.
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

// errTorn reports a record cut short or failing its checksum.
var errTorn = errors.New("torn journal record")

// readJournal returns the payload of every whole record of the journal at
// path. torn is true when trailing bytes did not form a whole, valid record.
func readJournal(path string) (out [][]byte, torn bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		i, err := readRecord(br)
		switch {
		case err == io.EOF, errors.Is(err, errZeros):
			return out, false, nil
		case errors.Is(err, errTorn):
			return out, true, nil
		case err != nil:
			return out, false, fmt.Errorf("read journal %s: %w", path, err)
		}
		out = append(out, i)
	}
}

// errZeros reports the zero-filled space after the last record.
var errZeros = errors.New("end of journal records")

func readRecord(br *bufio.Reader) ([]byte, error) {
	if b, err := br.Peek(1); err == nil && b[0] == 0 {
		return nil, errZeros
	}
	line, err := br.ReadSlice('\n')
	if err == io.EOF && len(line) == 0 {
		return nil, io.EOF
	}
	if err != nil {
		return nil, errTorn
	}
	fields := bytes.Fields(line)
	if len(fields) != 3 || string(fields[0]) != journalMagic {
		return nil, errTorn
	}
	n, err := strconv.Atoi(string(fields[1]))
	if err != nil || n < 0 || n > 1<<31 {
		return nil, errTorn
	}
	sum, err := strconv.ParseUint(string(fields[2]), 16, 32)
	if err != nil {
		return nil, errTorn
	}
	payload := make([]byte, n+1)
	if _, err := io.ReadFull(br, payload); err != nil {
		return nil, errTorn
	}
	if payload[n] != '\n' || crc32.Checksum(payload[:n], crcTable) != uint32(sum) {
		return nil, errTorn
	}
	return payload[:n], nil
}
