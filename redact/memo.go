package redact

import "sync"

// memo remembers the results of a pure function of a string; it forgets
// everything when it grows too big.
type memo struct {
	mu sync.Mutex
	m  map[string]string
}

const memoSize = 4096

func (m *memo) get(v string, f func(string) string) string {
	m.mu.Lock()
	out, ok := m.m[v]
	m.mu.Unlock()
	if ok {
		return out
	}
	out = f(v)
	m.mu.Lock()
	if len(m.m) >= memoSize || m.m == nil {
		m.m = make(map[string]string)
	}
	m.m[v] = out
	m.mu.Unlock()
	return out
}
