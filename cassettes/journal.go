package cassettes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"

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

// appendRecord appends the journal record of i to dst.
func appendRecord(dst []byte, i *cassette.Interaction) []byte {
	e := emitter{b: make([]byte, 0, 2048)}
	e.item(i)
	payload := e.b
	dst = append(dst, journalMagic...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, ' ')
	dst = append(dst, fmt.Sprintf("%08x", crc32.Checksum(payload, crcTable))...)
	dst = append(dst, '\n')
	dst = append(dst, payload...)
	dst = append(dst, '\n')
	return dst
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
