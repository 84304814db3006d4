package cassettes_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// TestAddSweepsEveryField plants secrets where no redaction rule looks and
// checks that neither the journal nor the cassette holds them, and that
// the warning names the field without the secret.
func TestAddSweepsEveryField(t *testing.T) {
	const (
		hex40    = "e72e16c7e42f292c6912e7710c838347ae178b4a"
		password = "correct-horse-battery-staple"
	)
	tests := []struct {
		name  string
		edit  func(i *cassette.Interaction)
		field string // the field the sweep warns of; "" when redaction catches it
	}{
		{"reason phrase", func(i *cassette.Interaction) { i.Response.Status = "401 Bad credentials " + gho }, ""},
		{"header name", func(i *cassette.Interaction) { i.Response.Headers = http.Header{hex40: {"1"}} }, ""},
		{"password echoed in a note", func(i *cassette.Interaction) {
			i.Request.Body = `{"password":"` + password + `"}`
			i.Response.Body = `{"note":"set by ` + password + `"}`
		}, "response.body"},
		{"OTP echoed in a header", func(i *cassette.Interaction) {
			i.Request.Headers.Set("X-GitHub-OTP", "913355")
			i.Response.Headers = http.Header{"X-Debug": {"otp=913355"}}
		}, "response.headers[X-Debug]"},
		{"percent-encoded token in Location", func(i *cassette.Interaction) {
			i.Response.Headers = http.Header{"Location": {"/login?next=%2Fcb%3Faccess_token%3D" + gho}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			s, err := cassettes.OpenStoreWith(dir, "session", redact.New([]byte("0123456789abcdef0123456789abcdef"), redact.Options{}),
				cassettes.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			i := interaction(0)
			tt.edit(i)
			if err := s.Add("ghes-3.8", i); err != nil {
				t.Fatal(err)
			}
			journal, err := os.ReadFile(cassettes.Path(dir, "ghes-3.8", "session") + cassettes.JournalExt)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			written, err := os.ReadFile(filepath.Join(dir, "ghes-3.8", "session.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range []string{gho, hex40, password, "913355"} {
				for what, b := range map[string]string{"journal": string(journal), "cassette": string(written), "log": logs.String()} {
					if strings.Contains(b, sec) {
						t.Errorf("the %s holds a secret of %d characters:\n%s", what, len(sec), b)
					}
				}
			}
			if tt.field != "" && !strings.Contains(logs.String(), "field="+quoteLog(tt.field)) {
				t.Errorf("no warning names %s:\n%s", tt.field, logs.String())
			}
		})
	}
}

func quoteLog(s string) string {
	if strings.ContainsAny(s, " =\"") {
		return `"` + s + `"`
	}
	return s
}
