package redact

import (
	"strings"
	"sync"
)

// memo remembers the results of a pure function of a string. It keeps two
// generations: a value found in the older one moves to the newer, and when
// the newer is full the older is forgotten. A value that recurs within
// memoSize distinct others is therefore computed once, however long the
// run, where a memo emptied when full forgets the values in use too.
type memo struct {
	mu       sync.Mutex
	cur, old map[string]string
}

// memoSize is the size of a generation. Two full generations of 40-byte
// tokens and their pseudonyms take about 6 MB.
const memoSize = 1 << 14

func (m *memo) get(v string, f func(string) string) string {
	m.mu.Lock()
	out, ok := m.cur[v]
	if !ok {
		if out, ok = m.old[v]; ok {
			m.put(v, out)
		}
	}
	m.mu.Unlock()
	if ok {
		return out
	}
	out = f(v)
	m.mu.Lock()
	m.put(v, out)
	m.mu.Unlock()
	return out
}

// put adds v to the newer generation, starting a new one when it is full.
// The caller holds mu.
func (m *memo) put(v, out string) {
	if m.cur == nil || len(m.cur) >= memoSize {
		m.old, m.cur = m.cur, make(map[string]string, min(memoSize, 2*len(m.cur)+64))
	}
	m.cur[strings.Clone(v)] = out // v may be a slice of a long body
}
