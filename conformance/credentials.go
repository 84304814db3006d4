package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// The environment variables (and KEY=VALUE file keys) credentials come
// from. They are never taken from flags, so they stay out of shell history
// and process listings.
const (
	EnvClientID     = "OAUTHCOMPAT_CLIENT_ID"
	EnvClientSecret = "OAUTHCOMPAT_CLIENT_SECRET"
	EnvUsername     = "OAUTHCOMPAT_USERNAME"
	EnvPassword     = "OAUTHCOMPAT_PASSWORD"
	EnvTokens       = "OAUTHCOMPAT_TOKENS"
	// EnvOTP is the one-time password of a user with two-factor
	// authentication, sent as X-GitHub-OTP with every Basic login of the
	// user. A real server's code changes every 30 seconds or so: the run
	// must end while it is valid.
	EnvOTP = "OAUTHCOMPAT_OTP"
	// EnvAllowLockout, set to yes, lets the suite fail the user's login
	// until the server locks it (403 "Maximum number of login attempts
	// exceeded"), as its last case. Never set it for a user you need.
	EnvAllowLockout = "OAUTHCOMPAT_ALLOW_LOCKOUT"
)

// Credentials are what the suite authenticates with. Every field may be
// empty: the cases that need a missing one are reported not exercised.
type Credentials struct {
	// ClientID and ClientSecret are the OAuth app's; they authenticate the
	// /applications/{client_id}/... endpoints (Basic).
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Username and Password are a user's; they authenticate the OAuth
	// Authorizations API (Basic), which can also mint tokens for the app.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Tokens are OAuth tokens of the app that the suite may use up: check,
	// reset, delete and revoke their grant.
	Tokens []string `json:"tokens,omitempty"`
	// OTP is the user's one-time password when the user has two-factor
	// authentication; empty means none.
	OTP string `json:"otp,omitempty"`
	// AllowLockout lets the suite lock the user out (its last case).
	AllowLockout bool `json:"allow_lockout,omitempty"`
}

// HasApp reports whether the app's client id and secret are both set.
func (c Credentials) HasApp() bool { return c.ClientID != "" && c.ClientSecret != "" }

// HasUser reports whether a user name and password are both set.
func (c Credentials) HasUser() bool { return c.Username != "" && c.Password != "" }

// Secrets returns every secret value, for masking.
func (c Credentials) Secrets() []string {
	var s []string
	for _, v := range append([]string{c.ClientSecret, c.Password, c.OTP}, c.Tokens...) {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// CredentialsFromEnv reads the OAUTHCOMPAT_* variables through getenv
// (os.Getenv in the command, a map in tests).
func CredentialsFromEnv(getenv func(string) string) Credentials {
	return Credentials{
		ClientID:     strings.TrimSpace(getenv(EnvClientID)),
		ClientSecret: strings.TrimSpace(getenv(EnvClientSecret)),
		Username:     strings.TrimSpace(getenv(EnvUsername)),
		Password:     getenv(EnvPassword),
		Tokens:       splitTokens(getenv(EnvTokens)),
		OTP:          strings.TrimSpace(getenv(EnvOTP)),
		AllowLockout: yes(getenv(EnvAllowLockout)),
	}
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "y", "yes", "true", "on":
		return true
	}
	return false
}

// Merge returns c with every empty field taken from o.
func (c Credentials) Merge(o Credentials) Credentials {
	if c.ClientID == "" {
		c.ClientID = o.ClientID
	}
	if c.ClientSecret == "" {
		c.ClientSecret = o.ClientSecret
	}
	if c.Username == "" {
		c.Username = o.Username
	}
	if c.Password == "" {
		c.Password = o.Password
	}
	if len(c.Tokens) == 0 {
		c.Tokens = o.Tokens
	}
	if c.OTP == "" {
		c.OTP = o.OTP
	}
	c.AllowLockout = c.AllowLockout || o.AllowLockout
	return c
}

func splitTokens(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// LoadCredentials reads a credentials file: either a JSON object with the
// fields of [Credentials] ("tokens" a list or a comma-separated string),
// or KEY=VALUE lines with the OAUTHCOMPAT_* names (blank lines and lines
// starting with # are skipped, "export " is allowed). Errors name the file
// and line but never a value.
func LoadCredentials(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("read credentials: %w", err)
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var raw struct {
			Credentials
			Tokens json.RawMessage `json:"tokens"`
		}
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			return Credentials{}, fmt.Errorf("credentials %s: %w (want client_id, client_secret, username, password, tokens, otp, allow_lockout)", path, err)
		}
		c := raw.Credentials
		if len(raw.Tokens) > 0 {
			var list []string
			var one string
			switch {
			case json.Unmarshal(raw.Tokens, &list) == nil:
				for _, t := range list {
					c.Tokens = append(c.Tokens, splitTokens(t)...)
				}
			case json.Unmarshal(raw.Tokens, &one) == nil:
				c.Tokens = splitTokens(one)
			default:
				return Credentials{}, fmt.Errorf("credentials %s: tokens must be a list of strings or a comma-separated string", path)
			}
		}
		return c, nil
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return Credentials{}, fmt.Errorf("credentials %s:%d: want KEY=VALUE", path, n)
		}
		switch k {
		case EnvClientID, EnvClientSecret, EnvUsername, EnvPassword, EnvTokens, EnvOTP, EnvAllowLockout:
		default:
			return Credentials{}, fmt.Errorf("credentials %s:%d: unknown key %q; use %s, %s, %s, %s, %s, %s or %s", path, n, k, EnvClientID, EnvClientSecret, EnvUsername, EnvPassword, EnvTokens, EnvOTP, EnvAllowLockout)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		env[k] = v
	}
	if err := sc.Err(); err != nil {
		return Credentials{}, fmt.Errorf("credentials %s: %w", path, err)
	}
	return CredentialsFromEnv(func(k string) string { return env[k] }), nil
}
