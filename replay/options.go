package replay

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/schemas"
)

// Exhausted says what a replay does once every recorded answer of a
// sequence of identical requests has been given.
type Exhausted int

const (
	// ExhaustedRepeatLast answers every further identical request with the
	// last recorded answer. It is the default.
	ExhaustedRepeatLast Exhausted = iota
	// ExhaustedError answers a further identical request as a miss.
	ExhaustedError
)

// String returns the flag spelling: "repeat-last" or "error".
func (e Exhausted) String() string {
	if e == ExhaustedError {
		return "error"
	}
	return "repeat-last"
}

// ParseExhausted parses the flag spelling of an [Exhausted] mode.
func ParseExhausted(s string) (Exhausted, error) {
	switch s {
	case "", "repeat-last":
		return ExhaustedRepeatLast, nil
	case "error":
		return ExhaustedError, nil
	}
	return 0, errors.New(`exhausted mode must be "repeat-last" or "error", got "` + s + `"`)
}

// Options configures [Load] and [NewServer]. The zero value works: version
// from the cassette directory names, repeat-last, match secrets by shape,
// answer misses with 501, log nothing.
type Options struct {
	// Version is the GitHub version the replay stands for, in any form
	// [schemas.Catalog.Version] accepts. Empty means: take it from the
	// cassette directory names (DIR/<version>/<name>.yaml). When set, only
	// cassettes of that version (and cassettes in directories that name no
	// version) are loaded.
	Version string
	// Catalog resolves Version and the versions directories name; nil means
	// [schemas.Default]. Pass [schemas.LoadOverlay]'s catalog to replay
	// an imported version.
	Catalog *schemas.Catalog
	// Exhausted says what happens once a sequence of identical requests is
	// used up.
	Exhausted Exhausted
	// Redactor pseudonymises each incoming request exactly as the recorder
	// did, so a client sending the real secret gets the answer recorded for
	// it. It must use the key the cassettes were recorded with. Nil means
	// secret-bearing fields (client_secret, password, tokens, Authorization
	// credentials, tokens in paths) are matched by shape only: their kind,
	// not their value.
	Redactor *redact.Redactor
	// Miss handles requests no recorded interaction matches. Nil answers
	// 501 with an explanation, and nothing leaves the machine. Non-nil
	// (typically a [proxy.Recorder]) forwards the request and returns the
	// real answer.
	Miss http.RoundTripper
	// Logger receives one record per miss (and hits at debug level). Nil
	// logs nothing.
	Logger *slog.Logger
	// KeepURLs answers with the recorded URLs. By default the origin
	// (scheme://host) of each recorded request is replaced, in the response
	// body and in its Location, Content-Location and Link headers, by the
	// origin the live request was sent to, so the url fields and pagination
	// links of an answer point at the replay server, not at the server the
	// cassette was recorded from.
	KeepURLs bool
	// Match relaxes matching: headers, query parameters and body fields to
	// ignore, and body fields matched by pattern. The zero value compares
	// everything replay compares by default.
	Match Match
}

// ErrNoMatch is the error every replay miss wraps; test with [errors.Is].
var ErrNoMatch = errors.New("replay: no recorded interaction matches")

// ErrOptions is wrapped by the error [Load] returns for options that mean
// nothing, such as an empty field in [Match].
var ErrOptions = errors.New("invalid options")

// ErrNoCassettes is returned by [Load] when the path holds no cassette of
// the version asked for.
var ErrNoCassettes = errors.New("no cassettes")

// ErrSeveralVersions is returned by [Load] when no version was asked for
// and the path holds cassettes of several.
var ErrSeveralVersions = errors.New("cassettes of several versions")
