package replay

// SetReplyCacheBytes sets the budget of the answers an Index keeps once
// read, for the Indexes loaded until restore is called.
func SetReplyCacheBytes(n int64) (restore func()) {
	old := replyCacheBytes
	replyCacheBytes = n
	return func() { replyCacheBytes = old }
}

// HeldAnswers returns how many answers read from cassettes ix holds, and
// their size as the cache counts it.
func HeldAnswers(ix *Index) (int, int64) {
	ix.cache.mu.Lock()
	defer ix.cache.mu.Unlock()
	return len(ix.cache.held), ix.cache.bytes
}
