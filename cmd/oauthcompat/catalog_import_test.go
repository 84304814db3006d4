package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/diff"
	"github.com/oauthcompat/oauthcompat/reference"
)

// description319 is the committed trimmed copy of GitHub's ghes-3.19
// description (the OAuth paths and the components they reach).
const description319 = "../../internal/catalogen/testdata/trimmed/ghes-3.19.json"

// editedDescription writes a copy of the ghes-3.19 description changed by
// edit into a temporary file.
func editedDescription(t *testing.T, edit func(doc map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(description319)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	out, _ := json.Marshal(doc)
	p := filepath.Join(t.TempDir(), "description.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// importAs imports a description into a fresh overlay and returns its
// directory.
func importAs(t *testing.T, description, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "catalog")
	code, out, errOut := runCmd(t, "catalog", "import", "--description", description, "--name", name, "--out", dir)
	if code != exitOK {
		t.Fatalf("catalog import: exit %d\n%s%s", code, out, errOut)
	}
	return dir
}

// serveInBackground runs "serve" with args and returns its base URL; the
// server stops when the test ends.
func serveInBackground(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve %v: %v (stderr: %s)", args, err, stderr.String())
	}
	return strings.TrimSpace(line)
}

func diffJSON(t *testing.T, args ...string) diff.Report {
	t.Helper()
	code, out, errOut := runCmd(t, append([]string{"diff", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	var rep diff.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("diff JSON: %v\n%s", err, out)
	}
	return rep
}

// TestImportedVersionLikeBuiltIn: ghes-3.19's description imported as
// ghes-3.20 is documented exactly as ghes-3.19, and the reference server
// standing in for it passes the conformance suite.
func TestImportedVersionLikeBuiltIn(t *testing.T) {
	dir := importAs(t, description319, "ghes-3.20")
	rep := diffJSON(t, "--from", "ghes-3.19", "--to", "ghes-3.20", "--catalog", dir)
	if len(rep.Changes) != 0 || rep.To != "ghes-3.20" {
		t.Errorf("diff ghes-3.19 ghes-3.20: %+v", rep)
	}

	base := serveInBackground(t, "--version", "ghes-3.20", "--catalog", dir)
	withEnv(t, fixtureEnv())
	code, out, errOut := conform("--version", "ghes-3.20", "--catalog", dir, "--target", base+"/api/v3")
	if code != exitOK || !strings.Contains(out, "conformant") {
		t.Errorf("conform ghes-3.20: exit %d\n%s%s", code, out, errOut)
	}

	// The environment variable works as --catalog does.
	env := fixtureEnv()
	env[envCatalog] = dir
	withEnv(t, env)
	code, out, errOut = runCmd(t, "versions")
	if code != exitOK || !strings.Contains(out, "ghes-3.20") || !strings.Contains(out, "imported: ") || !strings.Contains(out, "sha256 ") {
		t.Errorf("versions with %s: exit %d\n%s%s", envCatalog, code, out, errOut)
	}
	code, out, _ = runCmd(t, "catalog", "--version", "3.20")
	if code != exitOK || !strings.Contains(out, "imported from") || !strings.Contains(out, "documents ghes-3.19; imported as ghes-3.20") {
		t.Errorf("catalog --version 3.20: exit %d\n%s", code, out)
	}
	body := filepath.Join(t.TempDir(), "404.json")
	os.WriteFile(body, []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`), 0o644)
	code, out, _ = runCmd(t, "validate", "--version", "3.20", "--operation", "apps/check-token", "--status", "404", body)
	if code != exitOK || !strings.Contains(out, "valid: ghes-3.20") {
		t.Errorf("validate against an imported version: exit %d\n%s", code, out)
	}
}

// TestImportedVersionWithoutScopedToken: a description that drops the
// scoped-token operation gives a version whose diff reports exactly that
// removal, as breaking, and whose reference server answers 404 there.
func TestImportedVersionWithoutScopedToken(t *testing.T) {
	p := editedDescription(t, func(doc map[string]any) {
		delete(doc["paths"].(map[string]any), "/applications/{client_id}/token/scoped")
	})
	dir := importAs(t, p, "ghes-3.20")
	rep := diffJSON(t, "--from", "ghes-3.19", "--to", "ghes-3.20", "--catalog", dir)
	if len(rep.Changes) != 1 {
		t.Fatalf("diff: %d changes, want exactly the scoped-token removal: %+v", len(rep.Changes), rep.Changes)
	}
	c := rep.Changes[0]
	if c.Severity != diff.SeverityBreaking || c.Operation != "apps/scope-token" || c.Method != "POST" || c.Path != "/applications/{client_id}/token/scoped" {
		t.Errorf("change = %+v, want the breaking removal of POST /applications/{client_id}/token/scoped", c)
	}
	code, _, _ := runCmd(t, "diff", "--from", "ghes-3.19", "--to", "ghes-3.20", "--catalog", dir, "--fail-on", "breaking")
	if code != exitFindings {
		t.Errorf("diff --fail-on breaking: exit %d, want %d", code, exitFindings)
	}

	base := serveInBackground(t, "--version", "ghes-3.20", "--catalog", dir)
	f := reference.DefaultFixtures()
	req, _ := http.NewRequest("POST", base+"/api/v3/applications/"+f.Apps[0].ClientID+"/token/scoped",
		strings.NewReader(`{"access_token":"`+f.Tokens[0].Value+`","target":"octocat"}`))
	req.SetBasicAuth(f.Apps[0].ClientID, f.Apps[0].ClientSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("POST .../token/scoped on ghes-3.20: %d, want 404", res.StatusCode)
	}
	withEnv(t, fixtureEnv())
	code, out, errOut := conform("--version", "ghes-3.20", "--catalog", dir, "--target", base+"/api/v3")
	if code != exitOK {
		t.Errorf("conform ghes-3.20 without scoped tokens: exit %d\n%s%s", code, out, errOut)
	}
}

// TestServeRefusesUnemulatedOperation: a description with an operation
// the reference server has no handler for imports (with a warning), and
// serve names the operation and refuses.
func TestServeRefusesUnemulatedOperation(t *testing.T) {
	p := editedDescription(t, func(doc map[string]any) {
		paths := doc["paths"].(map[string]any)
		paths["/applications/{client_id}/token/refresh"] = map[string]any{"post": map[string]any{
			"operationId": "apps/refresh-token", "summary": "Refresh a token",
			"responses": map[string]any{"204": map[string]any{"description": "No Content"}},
		}}
	})
	dir := filepath.Join(t.TempDir(), "catalog")
	code, out, errOut := runCmd(t, "catalog", "import", "--description", p, "--name", "3.20", "--out", dir)
	if code != exitOK || !strings.Contains(errOut, "warning: the reference server cannot stand in for ghes-3.20") {
		t.Errorf("import: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "serve", "--version", "ghes-3.20", "--catalog", dir, "--listen", "127.0.0.1:0")
	if code != exitFailure || !strings.Contains(errOut, "POST /applications/{client_id}/token/refresh (apps/refresh-token)") || !strings.Contains(errOut, "Refusing") {
		t.Errorf("serve: exit %d, stderr %s", code, errOut)
	}
}

// TestImportDereferenced: the dereferenced form of a description imports
// to the same version as the bundled form.
func TestImportDereferenced(t *testing.T) {
	b, err := os.ReadFile(description319)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(b, &doc)
	comps := doc["components"].(map[string]any)
	var deref func(v any) any
	deref = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				return deref(comps[parts[0]].(map[string]any)[parts[1]])
			}
			out := map[string]any{}
			for k, e := range t {
				out[k] = deref(e)
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = deref(e)
			}
			return out
		}
		return v
	}
	doc["paths"] = deref(doc["paths"])
	delete(doc, "components")
	raw, _ := json.Marshal(doc)
	p := filepath.Join(t.TempDir(), "ghes-3.19.deref.json")
	os.WriteFile(p, raw, 0o644)
	dir := filepath.Join(t.TempDir(), "catalog")
	code, out, errOut := runCmd(t, "catalog", "import", "--description", p, "--out", dir)
	if code != exitOK || !strings.Contains(out, "imported ghes-3.19 ") || !strings.Contains(out, "dereferenced description") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	// Without --name it is ghes-3.19, replacing the built-in one.
	rep := diffJSON(t, "--from", "ghes-3.18", "--to", "ghes-3.19", "--catalog", dir)
	builtIn := diffJSON(t, "--from", "ghes-3.18", "--to", "ghes-3.19")
	if len(rep.Changes) != len(builtIn.Changes) {
		t.Errorf("diff 3.18→3.19: %d changes with the dereferenced import, %d built in", len(rep.Changes), len(builtIn.Changes))
	}
	code, out, _ = runCmd(t, "versions", "--json", "--catalog", dir)
	if code != exitOK || !strings.Contains(out, `"format": "dereferenced"`) || !strings.Contains(out, `"imported": true`) {
		t.Errorf("versions --json: exit %d\n%s", code, out)
	}
}

// TestImportRejects: files that are not usable descriptions give a usage
// error saying what is missing, and write nothing.
func TestImportRejects(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	full, _ := os.ReadFile(description319)
	noName := editedDescription(t, func(doc map[string]any) {
		delete(doc["info"].(map[string]any), "x-github-plan")
		for _, item := range doc["paths"].(map[string]any) {
			for _, op := range item.(map[string]any) {
				delete(op.(map[string]any), "externalDocs")
			}
		}
	})
	danglingRef := editedDescription(t, func(doc map[string]any) {
		delete(doc["components"].(map[string]any)["schemas"].(map[string]any), "authorization")
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"truncated", []string{"--description", write("cut.json", string(full[:len(full)/2]))}, "invalid JSON at line"},
		{"yaml", []string{"--description", write("d.yaml", "openapi: 3.0.3\ninfo: {}\n")}, "looks like YAML"},
		{"swagger", []string{"--description", write("s.json", `{"swagger":"2.0","paths":{}}`)}, "Swagger 2.0"},
		{"not openapi", []string{"--description", write("p.json", `{"name":"package.json"}`)}, `no "openapi" field`},
		{"no paths", []string{"--description", write("np.json", `{"openapi":"3.0.3","info":{}}`)}, `no "paths" object`},
		{"unrelated", []string{"--description", write("pet.json", `{"openapi":"3.0.3","paths":{"/pets":{"get":{"operationId":"listPets","responses":{"200":{"description":"ok"}}}}}}`)}, "none of its 1 paths is an OAuth application or authorization endpoint"},
		{"no operationId", []string{"--description", write("noid.json", `{"openapi":"3.0.3","info":{"x-github-plan":"ghec"},"paths":{"/applications/{client_id}/token":{"post":{"responses":{"200":{"description":"ok"}}}}}}`)}, "POST /applications/{client_id}/token has no operationId"},
		{"dangling $ref", []string{"--description", danglingRef, "--name", "3.20"}, "#/components/schemas/authorization, which the description does not define"},
		{"no name", []string{"--description", noName}, "pass --name"},
		{"bad name", []string{"--description", description319, "--name", "GHES three"}, "--name"},
		{"missing file", []string{"--description", filepath.Join(tmp, "nope.json")}, "no such file"},
		{"no out", []string{"--description", description319, "--out", ""}, "--out are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "catalog")
			args := append([]string{"catalog", "import", "--out", out}, tc.args...)
			code, _, errOut := runCmd(t, args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, exitUsage, tc.want)
			}
			if _, err := os.Stat(filepath.Join(out, "catalog.json")); err == nil {
				t.Error("a rejected description wrote an overlay")
			}
		})
	}
}

// TestCatalogFlagEverywhere: every command that takes --version takes
// --catalog, and a directory that is no overlay is a usage error.
func TestCatalogFlagEverywhere(t *testing.T) {
	bad := t.TempDir()
	cassettes := t.TempDir()
	for _, args := range [][]string{
		{"versions"},
		{"catalog", "--version", "3.8"},
		{"validate", "--version", "3.8", "--operation", "apps/check-token", "--status", "404", description319},
		{"serve", "--version", "3.8", "--listen", "127.0.0.1:0"},
		{"record", "--upstream", "http://127.0.0.1:1", "--cassettes", cassettes, "--listen", "127.0.0.1:0"},
		{"replay", "--cassettes", "../../replay/testdata", "--listen", "127.0.0.1:0"},
		{"conform", "--version", "3.8", "--target", "http://127.0.0.1:1"},
		{"diff", "--from", "3.8", "--to", "3.9"},
		{"upgrade-check", "--traffic", "../../replay/testdata", "--to", "3.9"},
		{"cassette", "lint", "../../replay/testdata"},
	} {
		t.Run(args[0], func(t *testing.T) {
			n := 1
			if args[0] == "cassette" {
				n = 2
			}
			full := append(append(append([]string{}, args[:n]...), "--catalog", bad), args[n:]...)
			code, _, errOut := runCmd(t, full...)
			if code != exitUsage || !strings.Contains(errOut, "--catalog: catalog overlay") || !strings.Contains(errOut, "catalog import") {
				t.Errorf("%v: exit %d, stderr %q", full, code, errOut)
			}
		})
	}
}

// TestCatalogShowsWhereFactsComeFrom: catalog --version V ends with the
// source of V's facts: the package file and its SHA-256, or the committed
// transcription with what was read and what was inferred.
func TestCatalogShowsWhereFactsComeFrom(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    []string
	}{
		{"3.8", []string{"npm @octokit/openapi@14.0.0 package/generated/ghes-3.8.json (sha256 af246497d6298d4d5b1c5ab9415ecc54cf6b0330eda02e3bfd657c3ef45a20aa)"}},
		{"3.2", []string{"github/rest-api-description descriptions/ghes-3.2/ghes-3.2.json at 00400c4a", "transcribed in internal/catalogen/sources/rest-api-description/ghes-3.2.json", "read from github/rest-api-description", "inferred from neighbours"}},
		{"3.0", []string{"the facts of ghes-3.2", "the ghes-3.0 description was not read", "inferred from neighbours", "Note: ghes-3.0 is inferred from ghes-3.2"}},
	} {
		code, out, errOut := runCmd(t, "catalog", "--version", tc.version)
		if code != exitOK {
			t.Fatalf("catalog --version %s: exit %d %s", tc.version, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("catalog --version %s lacks %q:\n%s", tc.version, w, out)
			}
		}
	}
}

// TestImportValidatesName: --name must be a version name GitHub uses
// (ghes-X.Y, or 3.20 for it, github.ae, api.github.com, ghec); anything else,
// and above all a path, is a usage error that writes nothing.
func TestImportValidatesName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   string // the version it is filed under, "" when refused
	}{
		{"ghes-3.20", "ghes-3.20"},
		{"3.21", "ghes-3.21"},
		{"GHES-4.0", "ghes-4.0"},
		{"enterprise-server@3.22", "ghes-3.22"},
		{"github.ae", "github.ae"},
		{"api.github.com", "api.github.com"},
		{"ghec", "ghec"},
		{"foo", ""},
		{"a..b", ""},
		{"ghes-3", ""},
		{"ghes-3.20.1", "ghes-3.20"}, // a patch release files under its feature release
		{"ghes-next", ""},
		{"../ghes-3.20", ""},
		{"ghes-3.20/x", ""},
		{`ghes-3.20\x`, ""},
		{"/tmp/ghes-3.20", ""},
		{"..", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "catalog")
			code, out, errOut := runCmd(t, "catalog", "import", "--description", description319, "--name", tc.name, "--out", dir)
			if tc.ok != "" {
				if code != exitOK || !strings.Contains(out, "imported "+tc.ok+" ") {
					t.Errorf("exit %d, stdout %q, stderr %q; want %s imported", code, out, errOut, tc.ok)
				}
				return
			}
			if code != exitUsage || !strings.Contains(errOut, "--name") || !strings.Contains(errOut, "ghes-3.20") {
				t.Errorf("exit %d, stderr %q; want a usage error about --name with an example", code, errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err == nil {
				t.Error("a refused name wrote an overlay")
			}
		})
	}
}

// TestImportWarningsOnStderr: the warning that serve will refuse an
// imported version goes to standard error; standard output holds only the
// import's summary.
func TestImportWarningsOnStderr(t *testing.T) {
	p := editedDescription(t, func(doc map[string]any) {
		doc["paths"].(map[string]any)["/applications/{client_id}/token/refresh"] = map[string]any{"post": map[string]any{
			"operationId": "apps/refresh-token", "summary": "Refresh a token",
			"responses": map[string]any{"204": map[string]any{"description": "No Content"}},
		}}
	})
	code, out, errOut := runCmd(t, "catalog", "import", "--description", p, "--name", "3.20", "--out", filepath.Join(t.TempDir(), "catalog"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "warning") || !strings.Contains(errOut, "warning: the reference server cannot stand in for ghes-3.20") {
		t.Errorf("stdout %q\nstderr %q\nwant the warning on stderr only", out, errOut)
	}
}

// TestUnknownVersionSaysHowToAddIt: every command that takes a version
// answers an unknown one with where versions come from: --catalog DIR or
// OAUTHCOMPAT_CATALOG for an imported one, and 'oauthcompat versions'.
func TestUnknownVersionSaysHowToAddIt(t *testing.T) {
	for _, args := range [][]string{
		{"catalog", "--version", "9.99"},
		{"validate", "--version", "9.99", "--operation", "apps/check-token", "--status", "404", description319},
		{"serve", "--version", "9.99", "--listen", "127.0.0.1:0"},
		{"replay", "--cassettes", "../../replay/testdata", "--version", "9.99", "--listen", "127.0.0.1:0"},
		{"conform", "--version", "9.99", "--target", "http://127.0.0.1:1"},
		{"diff", "--from", "3.8", "--to", "9.99"},
		{"diff", "--from", "9.99", "--to", "3.8"},
		{"upgrade-check", "--traffic", "../../replay/testdata", "--to", "9.99"},
		{"cassette", "lint", "--version", "9.99", "../../replay/testdata"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, errOut := runCmd(t, args...)
			for _, want := range []string{"--catalog DIR", envCatalog, "oauthcompat versions"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("exit %d, stderr %q: want it to mention %s", code, errOut, want)
				}
			}
		})
	}
}
