package replay_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"

	"github.com/oauthcompat/oauthcompat/cassettes"
	"github.com/oauthcompat/oauthcompat/internal/scalebench"
	"github.com/oauthcompat/oauthcompat/redact"
	"github.com/oauthcompat/oauthcompat/replay"
)

// lintFindingsGolden holds every finding of lint over a corpus of
// cassettes, with the key and without: the example session, the planted
// secrets, every fixture pack, and the generated traffic of make
// bench-scale with its bodies changed in the ways that exercise each
// check (go test ./replay -run TestLintFindingsUnchanged -update writes it).
const lintFindingsGolden = "testdata/lint-findings.golden"

// bodyVariants are response bodies that exercise the JSON, hash, secret
// and schema checks: real and pseudonymised tokens in every place, hashes
// that do not match, duplicate members, escapes, a byte-order mark, white
// space JSON does not allow, values of the wrong type, members missing.
func bodyVariants(tok, pseudo string) []string {
	b := scalebench.Interaction(1).Response.Body
	return []string{
		strings.Replace(b, `"token":"`, `"token":"x`, 1),
		strings.Replace(b, `"hashed_token":"`, `"hashed_token":"0`, 1),
		strings.Replace(b, `"note":null`, `"note":"`+tok+`"`, 1),
		strings.Replace(b, `"note":null`, `"note":"%3Dgho_`+tok[4:]+`"`, 1),
		strings.Replace(b, `"note":null`, `"note":"Basic `+strings.TrimPrefix(basic("someone", "Correct-Horse-Battery-9"), "Basic ")+`"`, 1),
		strings.Replace(b, `"note":null`, `"note":"https://x/applications/abc/tokens/Correct-Horse-9"`, 1),
		strings.Replace(b, `"note":null`, `"note":1`, 1),
		strings.Replace(b, `"note":null`, `"client_secret":"plain-secret-value","client_secret":"`+pseudo+`"`, 1),
		strings.Replace(b, `"note":null`, `"`+tok+`":1`, 1),
		strings.Replace(b, `"note":null`, `"a/b~c":"`+tok+`"`, 1),
		strings.Replace(b, `"scopes":["repo","user"]`, `"scopes":["repo","`+tok+`",{"token":"`+tok+`","hashed_token":"00"}]`, 1),
		strings.Replace(b, `"id":1,`, `"id":"1",`, 1),
		strings.Replace(b, `"id":1,`, `"id":1.5,`, 1),
		strings.Replace(b, `"id":1,`, ``, 1),
		strings.Replace(b, `"url":"https://ghes.example.com/api/v3/authorizations/1"`, `"url":"::not a url"`, 1),
		strings.Replace(b, `"created_at":"2024-01-01T00:00:00Z"`, `"created_at":"yesterday"`, 1),
		strings.Replace(b, `"login":"octocat"`, `"login":"oct\u006fcat \ud83d\ude00"`, 1),
		strings.Replace(b, `"login":"octocat"`, "\"login\":\"oct\xffcat\"", 1),
		strings.Replace(b, `"token_last_eight":"`, `"token_last_eight":"zz`, 1),
		strings.Replace(b, `"token":"`, `"token":"","token":"`, 1),
		strings.Replace(b, `"token":"gho_`, `"token":1,"token":"gho_`, 1),
		"\ufeff" + b,
		"\u00a0" + b,
		" \n" + b + "\n ",
		b + "x",
		b[:len(b)/2],
		`[` + b + `,` + b + `]`,
		`{"message":"Not Found","documentation_url":"` + tok + `"}`,
		wide(tok),
		`"just a string"`,
		`null`,
		``,
	}
}

// wide is an object of more members than lint compares one by one, with
// duplicate tokens and hashes.
func wide(tok string) string {
	var b strings.Builder
	b.WriteString(`{"id":1,"token":"x","hashed_token":"` + strings.Repeat("0", 64) + `"`)
	for i := range 40 {
		fmt.Fprintf(&b, `,"m%d":{"token":"%s","hashed_token":"%d"}`, i, tok, i)
	}
	b.WriteString(`,"token":"` + tok + `","hashed_token":"` + strings.Repeat("1", 64) + `"}`)
	return b.String()
}

// lintCorpus writes the generated cassettes into dir.
func lintCorpus(t *testing.T, dir string) {
	t.Helper()
	tok := "gho_16C7e42F292c6912E7710c838347Ae178B4a"
	red := redact.New(scalebench.Key, redact.Options{})
	pseudo := red.Token(tok)
	var its []*cassette.Interaction
	for i := range 40 {
		its = append(its, scalebench.Interaction(i))
	}
	for i, body := range bodyVariants(tok, pseudo) {
		it := scalebench.Interaction(10*i + 1) // a check-token 200
		red.Interaction(it)
		it.Response.Body = body
		its = append(its, it)
		if i%3 == 0 {
			q := scalebench.Interaction(10*i + 1)
			red.Interaction(q)
			q.Request.Body = body
			its = append(its, q)
		}
	}
	data, err := cassettes.Marshal(its)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cassettes.Path(dir, "ghes-3.8", "generated"), data)
	writeFile(t, cassettes.Path(dir, "ghes-2.19", "generated"), data)
	writeFile(t, cassettes.Path(dir, "unknown", "generated"), data)
}

// TestLintFindingsUnchanged holds lint to the findings it gave before it
// was made fast: the same findings, in the same words, on every cassette
// of the corpus, with the key and without.
func TestLintFindingsUnchanged(t *testing.T) {
	gen := t.TempDir()
	lintCorpus(t, gen)
	exampleKey, err := os.ReadFile("testdata/.redact-key")
	if err != nil {
		t.Fatal(err)
	}
	packs, _ := filepath.Glob("../fixtures/*/govcr")
	type input struct {
		name, path string
		key        []byte
	}
	inputs := []input{
		{"example", "testdata/ghes-3.8", exampleKey},
		{"planted", "testdata/.planted", plantKey},
		{"generated", gen, scalebench.Key},
	}
	for _, p := range packs {
		inputs = append(inputs, input{filepath.ToSlash(p), p, nil})
	}
	var out bytes.Buffer
	for _, in := range inputs {
		keys := [][]byte{nil}
		if in.key != nil {
			keys = append(keys, in.key)
		}
		for _, key := range keys {
			var r *redact.Redactor
			mode := "without the key"
			if key != nil {
				r, mode = redact.New(key, redact.Options{}), "with the key"
			}
			fs, err := replay.Lint(in.path, replay.LintOptions{Redactor: r})
			if err != nil {
				t.Fatalf("%s: %v", in.name, err)
			}
			lines := make([]string, 0, len(fs))
			for _, f := range fs {
				lines = append(lines, strings.ReplaceAll(f.String(), gen, "GEN"))
			}
			sort.Strings(lines)
			fmt.Fprintf(&out, "== %s, %s: %d findings\n%s\n", in.name, mode, len(fs), strings.Join(lines, "\n"))
		}
	}
	if *update {
		writeFile(t, lintFindingsGolden, out.Bytes())
		return
	}
	want, err := os.ReadFile(lintFindingsGolden)
	if err != nil {
		t.Fatalf("%v: run go test ./replay -run TestLintFindingsUnchanged -update", err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Fatalf("findings differ from %s at line %d:\nwant %s\ngot  %s", lintFindingsGolden, i+1, w, g)
			}
		}
	}
}
