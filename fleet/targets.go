package fleet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/schemas"
	"gopkg.in/yaml.v3"
)

// Auto is the version that asks the server which version it runs.
const Auto = "auto"

// Target is one server of a targets file.
type Target struct {
	// Name labels the server in reports and names its report directory:
	// letters, digits, '.', '_' and '-', unique in the file.
	Name string `yaml:"name" json:"name"`
	// URL is the server's API base, e.g. https://ghe.example.com/api/v3.
	URL string `yaml:"url" json:"url"`
	// Version is the version to check against ("ghes-3.8", "3.8",
	// "github.ae"), or "auto" to detect it. Empty means the default the
	// command was given.
	Version string `yaml:"version,omitempty" json:"version,omitempty"`
	// CredentialsEnvPrefix names the environment variables of the
	// server's credentials: PREFIX + CLIENT_ID, CLIENT_SECRET, USERNAME,
	// PASSWORD and TOKENS. Empty means the OAUTHCOMPAT_* variables.
	CredentialsEnvPrefix string `yaml:"credentials_env_prefix,omitempty" json:"credentials_env_prefix,omitempty"`
}

// file is the targets file: YAML, or JSON (which YAML reads).
type file struct {
	Targets []Target `yaml:"targets"`
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Load reads a targets file (YAML or JSON) and checks it; see [Parse].
func Load(path string, cat *schemas.Catalog) ([]Target, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	t, err := Parse(b, cat)
	if err != nil {
		return nil, fmt.Errorf("targets file %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a targets file, YAML or JSON:
//
//	targets:
//	  - name: prod
//	    url: https://ghe.example.com/api/v3
//	    version: ghes-3.8            # or auto
//	    credentials_env_prefix: PROD_
//
// It rejects unknown keys, a missing or duplicate name, a URL that is not
// http(s) or carries credentials, and a version cat does not know (nil
// cat means [schemas.Default]).
func Parse(data []byte, cat *schemas.Catalog) ([]Target, error) {
	if cat == nil {
		cat = schemas.Default()
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty: list the servers under \"targets:\"")
		}
		return nil, fmt.Errorf("%w (want targets: a list of name, url, version, credentials_env_prefix)", err)
	}
	if len(f.Targets) == 0 {
		return nil, errors.New("no targets: list the servers under \"targets:\"")
	}
	seen := map[string]bool{}
	for i, t := range f.Targets {
		where := fmt.Sprintf("targets[%d]", i)
		if t.Name != "" {
			where += " (" + t.Name + ")"
		}
		switch {
		case t.Name == "":
			return nil, fmt.Errorf("%s: no name", where)
		case !validName.MatchString(t.Name):
			return nil, fmt.Errorf("%s: name %q: use letters, digits, '.', '_' and '-' (it names a report directory)", where, t.Name)
		case seen[strings.ToLower(t.Name)]:
			return nil, fmt.Errorf("%s: name %q is used twice", where, t.Name)
		}
		seen[strings.ToLower(t.Name)] = true
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: url %q is not an http(s) URL like https://ghe.example.com/api/v3", where, t.URL)
		}
		if u.User != nil {
			return nil, fmt.Errorf("%s: url must not carry credentials; set %sUSERNAME and %sPASSWORD instead", where, t.prefix(), t.prefix())
		}
		if t.Version != "" && !strings.EqualFold(t.Version, Auto) {
			if _, err := cat.Version(t.Version); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		if p := t.CredentialsEnvPrefix; p != "" && !validPrefix.MatchString(p) {
			return nil, fmt.Errorf("%s: credentials_env_prefix %q: use letters, digits and '_', like PROD_", where, p)
		}
	}
	return f.Targets, nil
}

var validPrefix = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// prefix is the credentials' variable prefix: CredentialsEnvPrefix or
// "OAUTHCOMPAT_".
func (t Target) prefix() string {
	if t.CredentialsEnvPrefix != "" {
		return t.CredentialsEnvPrefix
	}
	return "OAUTHCOMPAT_"
}

// EnvNames lists the variables the target's credentials come from.
func (t Target) EnvNames() []string {
	var out []string
	for _, k := range []string{conformance.EnvClientID, conformance.EnvClientSecret, conformance.EnvUsername, conformance.EnvPassword, conformance.EnvTokens} {
		out = append(out, t.prefix()+strings.TrimPrefix(k, "OAUTHCOMPAT_"))
	}
	return out
}

// Credentials reads the target's credentials through getenv from the
// variables [Target.EnvNames] lists.
func (t Target) Credentials(getenv func(string) string) conformance.Credentials {
	p := t.prefix()
	return conformance.CredentialsFromEnv(func(k string) string {
		return getenv(p + strings.TrimPrefix(k, "OAUTHCOMPAT_"))
	})
}
