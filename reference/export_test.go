package reference

import "time"

// SetLoginClock sets the clock the login lockout of s expires by.
func SetLoginClock(s *Server, now func() time.Time) { s.logins.now = now }
