package redact

import (
	"strings"
	"sync"
)

// memo remembers the results of a pure function of a string. It keeps two
// generations: a value found in the older one moves to the newer, and when
// the newer is full the older is forgotten. What recurs within the last
// memoSize to 2×memoSize distinct values is therefore never computed
// twice, whatever the order of the rest; a load of a long cassette, where
// each token recurs thousands of interactions later, stays in memory.
type memo struct {
	mu       sync.Mutex
	cur, old map[string]string
}

// memoSize is the size of a generation. Two full generations of 40-byte
// tokens and their pseudonyms take about 10 MB.
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
