package replay

// SetMaxListed sets the bounds of the findings lint lists, for a test,
// and returns a function restoring them.
func SetMaxListed(perFile, total int) (restore func()) {
	f, t := maxListed, maxListedTotal
	maxListed, maxListedTotal = perFile, total
	return func() { maxListed, maxListedTotal = f, t }
}
