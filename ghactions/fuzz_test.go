package ghactions_test

import (
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/ghactions"
)

// FuzzAnnotation: whatever a report says, an annotation is one line whose
// title ends at the first "::" and whose parts read back as written.
func FuzzAnnotation(f *testing.F) {
	f.Add("conform ghes-3.8: apps/check-token status-mismatch", "answered 404\nwant 200 (100%)")
	f.Add("a,b::c", "::error::injected\r\n::warning::x")
	f.Fuzz(func(t *testing.T, title, msg string) {
		line := ghactions.Annotation{Level: ghactions.LevelError, Title: title, Message: msg}.String()
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("annotation spans lines: %q", line)
		}
		rest, ok := strings.CutPrefix(line, "::error")
		if !ok {
			t.Fatal(line)
		}
		props, data, ok := strings.Cut(rest, "::")
		if !ok {
			t.Fatalf("no message separator: %q", line)
		}
		unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
		if title != "" {
			gotTitle, ok := strings.CutPrefix(props, " title=")
			if !ok || strings.ContainsAny(gotTitle, ":,") || unescape.Replace(gotTitle) != title {
				t.Fatalf("title %q reads back as %q", title, gotTitle)
			}
		}
		if unescape.Replace(data) != msg {
			t.Fatalf("message %q reads back as %q", msg, unescape.Replace(data))
		}
	})
}
