package fleet_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/fleet"
)

// FuzzParse: a targets file either fails to parse, or every target it
// gives has a unique usable name, an http(s) URL without credentials and
// a known version or auto.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"targets:\n  - name: prod\n    url: https://ghe.example.com/api/v3\n    version: ghes-3.8\n    credentials_env_prefix: PROD_\n",
		`{"targets":[{"name":"a","url":"http://127.0.0.1:1","version":"auto"}]}`,
		"targets:\n  - {name: a, url: 'http://u:p@h'}\n",
		"targets: [",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		targets, err := fleet.Parse(data, nil)
		if err != nil {
			return
		}
		if len(targets) == 0 {
			t.Fatal("no error and no targets")
		}
		seen := map[string]bool{}
		for _, tg := range targets {
			u, err := url.Parse(tg.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				t.Fatalf("accepted URL %q", tg.URL)
			}
			if tg.Name == "" || strings.ContainsAny(tg.Name, "/\\ \n") || seen[strings.ToLower(tg.Name)] {
				t.Fatalf("accepted name %q", tg.Name)
			}
			seen[strings.ToLower(tg.Name)] = true
		}
	})
}
