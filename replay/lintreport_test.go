package replay_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// TestLintReportsWhatItCouldNotCheck: a cassette of a version the catalog
// does not know (record --version 3.99) does not pass silently: lint says
// the operation and schema checks did not run, unless --version names
// one. Bodies cut short and recorded upstream failures are listed (as
// info), a journal beside the cassettes is reported, and the counts say
// how much was checked.
func TestLintReportsWhatItCouldNotCheck(t *testing.T) {
	dir := t.TempDir()
	key := []byte("0123456789abcdef0123456789abcdef")
	recordSession(t, "ghes-3.8", dir, redact.New(key, redact.Options{}))
	ok := rec{"POST", "http://x/api/v3/applications/" + clientID + "/token", jsonHeader(nil), `{"access_token":""}`, 422, jsonHeader(nil), `{"message":"Validation Failed","documentation_url":"https://docs.github.com/rest"}`}
	writeCassette(t, filepath.Join(dir, "ghes-3.99", "session.yaml"), ok)
	writeCassette(t, filepath.Join(dir, "ghes-3.8", "failures.yaml"),
		rec{"GET", "http://x/api/v3/applications/grants", nil, "", 200, http.Header{cassettes.TruncatedHeader: {"stored 10 of 99 bytes"}}, `[{"id":1,"u`},
		rec{"GET", "http://x/api/v3/applications/grants", nil, "", 200, http.Header{cassettes.CutHeader: {"upstream failed after 3 bytes of the body: unexpected EOF"}, "Content-Length": {"99"}}, `[{"`},
		rec{"GET", "http://x/api/v3/applications/grants", nil, "", 502, http.Header{cassettes.ErrorHeader: {"dial tcp: connection refused"}}, `{}`},
	)
	journal := cassettes.Path(dir, "ghes-3.8", "killed") + cassettes.JournalExt
	if err := os.WriteFile(journal, []byte("OCJ1 0 00000000\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := replay.LintAll(dir, replay.LintOptions{Redactor: redact.New(key, redact.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]replay.Finding{}
	for _, f := range res.Findings {
		kinds[f.Kind] = append(kinds[f.Kind], f)
	}
	if fs := kinds[replay.FindingNoVersion]; len(fs) != 1 || fs[0].Info || !strings.Contains(fs[0].File, "ghes-3.99") || !strings.Contains(fs[0].Message, "--version") {
		t.Errorf("unknown version: %v; want one finding (not info) on ghes-3.99 naming --version", fs)
	}
	if fs := kinds[replay.FindingTruncated]; len(fs) != 1 || !fs[0].Info || fs[0].Interaction != 0 {
		t.Errorf("truncated: %v; want interaction 0, as info", fs)
	}
	if fs := kinds[replay.FindingUpstream]; len(fs) != 2 || !fs[0].Info || fs[0].Interaction != 1 || fs[1].Interaction != 2 {
		t.Errorf("upstream failures: %v; want interactions 1 and 2, as info", fs)
	}
	if fs := kinds[replay.FindingJournal]; len(fs) != 1 || fs[0].Info || fs[0].File != journal || !strings.Contains(fs[0].Message, "cassette recover") {
		t.Errorf("journal: %v; want %s reported with 'cassette recover'", fs, journal)
	}
	if len(kinds[replay.FindingSchema]) != 0 {
		t.Errorf("bodies cut short were schema-checked: %v", kinds[replay.FindingSchema])
	}
	if res.Cassettes != 3 || res.Interactions < 5 {
		t.Errorf("counted %d cassettes, %d interactions; want 3 and the session's", res.Cassettes, res.Interactions)
	}

	// Checked against a version named on the command line: nothing
	// unknown.
	res, err = replay.LintAll(filepath.Join(dir, "ghes-3.99"), replay.LintOptions{Version: "3.8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("with --version: %s", f)
	}
}
