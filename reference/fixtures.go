package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// Fixtures is the seed state of a [Server]: the JSON shape printed by
// "oauthcompat serve --print-fixtures" and read by "--fixtures FILE".
type Fixtures struct {
	// Apps are the OAuth apps; their client_id and client_secret
	// authenticate the /applications/{client_id}/... endpoints.
	Apps []App `json:"apps"`
	// Users are the accounts; login and password authenticate the OAuth
	// Authorizations API.
	Users []User `json:"users"`
	// Tokens are OAuth tokens issued to an app for a user (gho_...). Each
	// implies a grant of that app by that user.
	Tokens []Token `json:"tokens"`
	// Authorizations are OAuth Authorizations API entries: personal access
	// tokens (no client_id, ghp_...) and app authorizations (gho_...).
	Authorizations []Authorization `json:"authorizations"`
	// AuthorizationsAPIDisabled makes POST /authorizations answer 410 Gone,
	// as GitHub does where the Authorizations API is turned off.
	AuthorizationsAPIDisabled bool `json:"authorizations_api_disabled,omitempty"`
	// RateLimit, when set, makes every answer carry X-RateLimit-Limit,
	// -Remaining, -Used, -Reset and -Resource, as a GHES instance does with
	// API rate limiting enabled (it is off by default). api.github.com and
	// GHEC always send them; this sets their limit.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
}

// App is an OAuth app.
type App struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Name         string `json:"name"`
	URL          string `json:"url"` // absolute URL of the app's homepage
}

// User is a GitHub account.
type User struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	ID       int64  `json:"id"`
	// OTP, when set, gives the user two-factor authentication: a Basic
	// login of theirs must carry this one-time password in X-GitHub-OTP,
	// or is answered 401 with "X-GitHub-OTP: required; <OTPDelivery>". The
	// reference server's one-time password never changes.
	OTP string `json:"otp,omitempty"`
	// OTPDelivery is how the user receives one-time passwords: "app" (the
	// default) or "sms".
	OTPDelivery string `json:"otp_delivery,omitempty"`
}

// Token is an OAuth token an app holds for a user. Value carries GitHub's
// prefix: gho_ for OAuth app tokens, ghu_ for user-to-server tokens.
type Token struct {
	Value    string   `json:"value"`
	User     string   `json:"user"`      // login of the owner
	ClientID string   `json:"client_id"` // the app it was issued to
	Scopes   []string `json:"scopes"`
}

// Authorization is an entry of the OAuth Authorizations API. An empty
// ClientID makes it a personal access token (Token starts with ghp_), which
// needs a Note unique for its user.
type Authorization struct {
	Note        string   `json:"note,omitempty"`
	NoteURL     string   `json:"note_url,omitempty"`
	Fingerprint string   `json:"fingerprint,omitempty"`
	Scopes      []string `json:"scopes"`
	User        string   `json:"user"` // login of the owner
	ClientID    string   `json:"client_id,omitempty"`
	Token       string   `json:"token"`
}

// DefaultFixtures returns the deterministic seed the server starts with
// when no fixtures file is given: two apps, three users (mona has
// two-factor authentication with the fixed one-time password
// [DefaultOTP]), seven OAuth tokens (five of them for octocat and the first
// app, enough for a conformance run to check, reset and delete), a personal
// access token and an app authorization with a fingerprint.
func DefaultFixtures() Fixtures {
	const app1, app2 = "Iv1.8a61f9b3a7aba766", "Iv1.4e8d2a7c9b1f0e3d"
	return Fixtures{
		Apps: []App{
			{ClientID: app1, ClientSecret: "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b", Name: "Octo CLI", URL: "https://octo-cli.example.com"},
			{ClientID: app2, ClientSecret: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", Name: "Build Bot", URL: "https://build-bot.example.com"},
		},
		Users: []User{
			{Login: "octocat", Password: "octocat-password", ID: 1},
			{Login: "hubot", Password: "hubot-password", ID: 2},
			{Login: "mona", Password: "mona-password", ID: 3, OTP: DefaultOTP},
		},
		Tokens: []Token{
			{Value: "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", User: "octocat", ClientID: app1, Scopes: []string{"repo", "user"}},
			{Value: "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", User: "octocat", ClientID: app1, Scopes: []string{"repo"}},
			{Value: "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", User: "octocat", ClientID: app1, Scopes: []string{"read:org"}},
			{Value: "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", User: "octocat", ClientID: app1, Scopes: []string{}},
			{Value: "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", User: "octocat", ClientID: app1, Scopes: []string{"gist"}},
			{Value: "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", User: "hubot", ClientID: app1, Scopes: []string{"repo"}},
			{Value: "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", User: "octocat", ClientID: app2, Scopes: []string{"workflow"}},
		},
		Authorizations: []Authorization{
			{Note: "deploy script", NoteURL: "https://octo-cli.example.com/deploy", Scopes: []string{"repo"}, User: "octocat", Token: "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"},
			{Note: "laptop", Fingerprint: "laptop-2024", Scopes: []string{"user"}, User: "octocat", ClientID: app1, Token: "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"},
		},
	}
}

// DefaultOTP is the one-time password of the default fixtures' user with
// two-factor authentication, mona. It is public test data.
const DefaultOTP = "123456"

// LoadFixtures reads and checks a fixtures file (the shape of
// [Fixtures]). Errors name the file, the field and the problem.
func LoadFixtures(path string) (Fixtures, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Fixtures{}, fmt.Errorf("read fixtures: %w", err)
	}
	f, err := ParseFixtures(b)
	if err != nil {
		return Fixtures{}, fmt.Errorf("fixtures %s: %w", path, err)
	}
	return f, nil
}

// ParseFixtures decodes and checks fixtures JSON. Unknown fields are
// refused, so a typo does not silently drop data.
func ParseFixtures(b []byte) (Fixtures, error) {
	var f Fixtures
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Fixtures{}, describeJSONError(b, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Fixtures{}, errors.New("trailing data after the JSON object")
	}
	if err := f.Validate(); err != nil {
		return Fixtures{}, err
	}
	return f, nil
}

func describeJSONError(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(b, syn.Offset)
		return fmt.Errorf("line %d column %d: invalid JSON: %v", line, col, syn)
	case errors.As(err, &typ):
		line, col := position(b, typ.Offset)
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s (line %d column %d): want %s, got JSON %s", field, line, col, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errors.New("empty file: want a JSON object with apps, users, tokens and authorizations")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s: known fields are apps, users, tokens, authorizations, authorizations_api_disabled, rate_limit and their members as printed by --print-fixtures", name)
	}
	return err
}

func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line = 1 + bytes.Count(b[:off], []byte("\n"))
	col = int(off) - bytes.LastIndexByte(b[:off], '\n')
	return line, col
}

// Validate checks that the fixtures are consistent: unique, non-empty
// identities, tokens in GitHub's format, owners and apps that exist. The
// error names the field (tokens[2].user) and the problem.
func (f Fixtures) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	apps := map[string]bool{}
	for i, a := range f.Apps {
		p := fmt.Sprintf("apps[%d]", i)
		switch {
		case a.ClientID == "":
			bad(p+".client_id", "empty")
		case strings.ContainsAny(a.ClientID, "/?#% :"):
			bad(p+".client_id", "%q has characters that cannot appear in a URL path segment", a.ClientID)
		case apps[a.ClientID]:
			bad(p+".client_id", "duplicate %q", a.ClientID)
		}
		apps[a.ClientID] = true
		if a.ClientSecret == "" {
			bad(p+".client_secret", "empty")
		}
		if a.Name == "" {
			bad(p+".name", "empty")
		}
		if u, err := url.Parse(a.URL); err != nil || u.Scheme == "" || u.Host == "" {
			bad(p+".url", "%q is not an absolute URL (e.g. https://app.example.com)", a.URL)
		}
	}
	users := map[string]bool{}
	ids := map[int64]bool{}
	for i, u := range f.Users {
		p := fmt.Sprintf("users[%d]", i)
		switch {
		case u.Login == "":
			bad(p+".login", "empty")
		case strings.ContainsAny(u.Login, "/?#% :"):
			bad(p+".login", "%q is not a valid login", u.Login)
		case users[u.Login]:
			bad(p+".login", "duplicate %q", u.Login)
		}
		users[u.Login] = true
		if u.Password == "" {
			bad(p+".password", "empty")
		}
		switch {
		case u.ID <= 0:
			bad(p+".id", "%d: want a positive integer", u.ID)
		case ids[u.ID]:
			bad(p+".id", "duplicate %d", u.ID)
		}
		ids[u.ID] = true
		if u.OTP != "" && (len(u.OTP) < 6 || len(u.OTP) > 8 || strings.Trim(u.OTP, "0123456789") != "") {
			bad(p+".otp", "want a one-time password of 6 to 8 digits")
		}
		switch u.OTPDelivery {
		case "", "app", "sms":
		default:
			bad(p+".otp_delivery", "%q: want app or sms", u.OTPDelivery)
		}
		if u.OTPDelivery != "" && u.OTP == "" {
			bad(p+".otp_delivery", "set without otp")
		}
	}
	if f.RateLimit != nil && f.RateLimit.Limit < 0 {
		errs = append(errs, fmt.Errorf("rate_limit.limit: %d: want a positive number (or 0 for 5000)", f.RateLimit.Limit))
	}
	tokens := map[string]string{}
	seenToken := func(field, tok string) {
		if prev, dup := tokens[tok]; dup {
			bad(field, "same token as %s", prev)
		}
		tokens[tok] = field
	}
	for i, t := range f.Tokens {
		p := fmt.Sprintf("tokens[%d]", i)
		if !validTokenShape(t.Value) {
			bad(p+".value", "not a GitHub token: want gho_ or ghu_ and 36 base62 characters with a valid checksum (print valid ones with --print-fixtures)")
		} else if t.Value[:4] == PrefixPersonal {
			bad(p+".value", "ghp_ tokens are personal access tokens: put them under authorizations without a client_id")
		}
		seenToken(p+".value", t.Value)
		if !users[t.User] {
			bad(p+".user", "no user %q in users", t.User)
		}
		if !apps[t.ClientID] {
			bad(p+".client_id", "no app %q in apps", t.ClientID)
		}
		checkScopes(bad, p, t.Scopes)
	}
	notes := map[[2]string]bool{}
	for i, a := range f.Authorizations {
		p := fmt.Sprintf("authorizations[%d]", i)
		if !validTokenShape(a.Token) {
			bad(p+".token", "not a GitHub token: want ghp_ (personal) or gho_ (with client_id) and 36 base62 characters with a valid checksum")
		} else if a.ClientID == "" && a.Token[:4] != PrefixPersonal {
			bad(p+".token", "an authorization without client_id is a personal access token: want the ghp_ prefix")
		} else if a.ClientID != "" && a.Token[:4] == PrefixPersonal {
			bad(p+".token", "an authorization of app %q holds an OAuth token: want the gho_ prefix", a.ClientID)
		}
		seenToken(p+".token", a.Token)
		if !users[a.User] {
			bad(p+".user", "no user %q in users", a.User)
		}
		if a.ClientID != "" && !apps[a.ClientID] {
			bad(p+".client_id", "no app %q in apps", a.ClientID)
		}
		if a.ClientID == "" {
			k := [2]string{a.User, a.Note}
			switch {
			case a.Note == "":
				bad(p+".note", "a personal access token needs a note")
			case notes[k]:
				bad(p+".note", "duplicate note %q for user %q", a.Note, a.User)
			}
			notes[k] = true
		}
		if a.NoteURL != "" {
			if u, err := url.Parse(a.NoteURL); err != nil || u.Scheme == "" {
				bad(p+".note_url", "%q is not an absolute URL", a.NoteURL)
			}
		}
		checkScopes(bad, p, a.Scopes)
	}
	return errors.Join(errs...)
}

func checkScopes(bad func(string, string, ...any), p string, scopes []string) {
	for j, s := range scopes {
		if s == "" || strings.ContainsAny(s, " ,\t\n") {
			bad(fmt.Sprintf("%s.scopes[%d]", p, j), "%q is not a scope name", s)
		}
	}
}
