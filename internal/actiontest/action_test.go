package actiontest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
	"gopkg.in/yaml.v3"
)

// repo is the repository root: the action's github.action_path.
var repo, _ = filepath.Abs(filepath.Join("..", ".."))

// runnerTemp is runner.temp, shared by every use of the action in this
// test binary as by the steps of one job: the binary the first use builds
// is up to date for the next, which go build then does not link again.
var runnerTemp string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "actiontest-runner-temp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runnerTemp = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// action is what the harness reads of action.yml.
type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// result is what one use of the action left.
type result struct {
	failed  string            // the id of the step that failed, if one did
	code    int               // its exit code
	log     string            // every step's output, as the runner's log has it
	summary string            // $GITHUB_STEP_SUMMARY
	outputs map[string]string // the action's outputs
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// use runs the action's steps with inputs, in a fresh workspace, with env
// added to the environment (the workflow's env: credentials), as the
// runner runs a composite action: bash --noprofile --norc -eo pipefail.
func use(t *testing.T, inputs, env map[string]string) result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs using %q, want composite", a.Runs.Using)
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %q", name)
		}
	}
	work := t.TempDir()
	temp := runnerTemp
	steps := t.TempDir() // this use's scripts and output files
	summary := filepath.Join(work, "_step_summary.md")
	outputs := map[string]map[string]string{}
	eval := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string {
			e := expr.FindStringSubmatch(m)[1]
			switch {
			case strings.HasPrefix(e, "inputs."):
				name := strings.TrimPrefix(e, "inputs.")
				in, ok := a.Inputs[name]
				if !ok {
					t.Fatalf("action.yml uses undeclared input %s", name)
				}
				if v, ok := inputs[name]; ok {
					return v
				}
				return in.Default
			case e == "github.action_path":
				return repo
			case e == "github.action_ref":
				return "main"
			case e == "runner.temp":
				return temp
			case e == "runner.os":
				return map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
			case e == "runner.arch":
				return map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
			case strings.HasPrefix(e, "steps."):
				parts := strings.Split(e, ".")
				if len(parts) != 4 || parts[2] != "outputs" {
					t.Fatalf("action.yml: expression %q", e)
				}
				return outputs[parts[1]][parts[3]]
			}
			t.Fatalf("action.yml: the harness does not know the expression %q", e)
			return ""
		})
	}
	var log bytes.Buffer
	res := result{outputs: map[string]string{}}
	for i, st := range a.Runs.Steps {
		if st.Shell != "bash" {
			t.Fatalf("step %s: shell %q, want bash (it runs on every runner OS)", st.ID, st.Shell)
		}
		script := filepath.Join(steps, fmt.Sprintf("step-%d.sh", i))
		os.WriteFile(script, []byte(eval(st.Run)), 0o644)
		outFile := filepath.Join(steps, fmt.Sprintf("output-%d", i))
		os.WriteFile(outFile, nil, 0o644)
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=true", "CI=true", "GITHUB_STEP_SUMMARY="+summary, "GITHUB_OUTPUT="+outFile, "RUNNER_TEMP="+temp, "GITHUB_WORKSPACE="+work)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k, v := range st.Env {
			cmd.Env = append(cmd.Env, k+"="+eval(v))
		}
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		outputs[st.ID] = readOutputs(t, outFile)
		if err != nil {
			res.failed, res.code = st.ID, cmd.ProcessState.ExitCode()
			break
		}
	}
	for name, o := range a.Outputs {
		res.outputs[name] = eval(o.Value)
	}
	res.log = log.String()
	s, _ := os.ReadFile(summary)
	res.summary = string(s)
	// Report paths are relative to the workspace.
	for _, k := range []string{"report-dir", "report-json", "report-html", "report-junit", "report-markdown"} {
		if v := res.outputs[k]; v != "" && !filepath.IsAbs(v) {
			res.outputs[k] = filepath.Join(work, v)
		}
	}
	return res
}

// readOutputs reads a $GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks.
func readOutputs(t *testing.T, path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var v []string
			for sc.Scan() && sc.Text() != delim {
				v = append(v, sc.Text())
			}
			out[name] = strings.Join(v, "\n")
			continue
		}
		if name, v, ok := strings.Cut(line, "="); ok {
			out[name] = v
		} else if line != "" {
			t.Errorf("%s: line %q is neither name=value nor name<<DELIMITER", path, line)
		}
	}
	return out
}

// creds is the reference server's fixtures as the workflow's env sets
// them, under prefix.
func creds(prefix string) map[string]string { return testenv.Env(prefix) }

// broken is the reference server of version with its legacy path-token
// endpoints answering 404, so a run against it fails.
func broken(t *testing.T, version string) string { return testenv.LegacyRemovedServer(t, version) }

var annotation = regexp.MustCompile(`(?m)^::(error|warning|notice) title=([^:]*)::(.*)$`)

// annotations lists "level title" of every annotation in the log.
func annotations(log string) []string {
	var out []string
	for _, m := range annotation.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func needBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash: the action's steps are bash scripts")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH: the action builds oauthcompat from source with it")
	}
}

func TestActionConformant(t *testing.T) {
	needBash(t)
	ts := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	res := use(t, map[string]string{"target": ts.URL + "/api/v3"}, creds("OAUTHCOMPAT_"))
	if res.failed != "" {
		t.Fatalf("step %s failed (exit %d):\n%s", res.failed, res.code, res.log)
	}
	for k, want := range map[string]string{"verdict": "conformant", "exit-code": "0"} {
		if res.outputs[k] != want {
			t.Errorf("output %s = %q, want %q", k, res.outputs[k], want)
		}
	}
	for _, k := range []string{"report-json", "report-html", "report-junit", "report-markdown", "binary"} {
		if _, err := os.Stat(res.outputs[k]); err != nil {
			t.Errorf("output %s: %v", k, err)
		}
	}
	if first, _, _ := strings.Cut(res.summary, "\n"); !strings.HasPrefix(first, "✅ **ghes-3.8 (live): conformant") {
		t.Errorf("summary starts %q: want the verdict", first)
	}
	if !strings.Contains(res.summary, "\nVersion: detected ghes-3.8 (X-GitHub-Enterprise-Version: 3.8.0") || !strings.Contains(res.summary, "Coverage") {
		t.Errorf("summary:\n%.500s", res.summary)
	}
	if a := annotations(res.log); slices.ContainsFunc(a, func(s string) bool { return strings.HasPrefix(s, "error") }) {
		t.Errorf("error annotations on a conformant run: %q", a)
	}
}

func TestActionFailures(t *testing.T) {
	needBash(t)
	res := use(t, map[string]string{"target": broken(t, "ghes-3.3"), "version": "3.3", "formats": "html"}, creds("OAUTHCOMPAT_"))
	if res.failed != "conform" || res.code != 1 {
		t.Fatalf("failed step %q with exit %d, want conform with 1:\n%s", res.failed, res.code, res.log)
	}
	if res.outputs["verdict"] != "not-conformant" || res.outputs["exit-code"] != "1" || res.outputs["report-junit"] != "" {
		t.Errorf("outputs %v", res.outputs)
	}
	a := annotations(res.log)
	if !slices.Contains(a, "error conform ghes-3.3%3A apps/check-authorization endpoint-removed") {
		t.Errorf("annotations %q lack the removed legacy endpoint's error", a)
	}
	first, rest, _ := strings.Cut(res.summary, "\n")
	if !strings.HasPrefix(first, "❌ **ghes-3.3 (live): NOT conformant") {
		t.Errorf("summary's first line %q: want the verdict", first)
	}
	if f, c := strings.Index(rest, "### Failures"), strings.Index(rest, "Coverage"); f < 0 || c < f {
		t.Errorf("summary: want the failures, then the coverage:\n%.800s", rest)
	}

	// fail-on never: reported, annotated as warnings, and the step passes.
	res = use(t, map[string]string{"target": broken(t, "ghes-3.3"), "version": "3.3", "fail-on": "never"}, creds("OAUTHCOMPAT_"))
	if res.failed != "" || res.outputs["verdict"] != "not-conformant" || res.outputs["exit-code"] != "0" {
		t.Errorf("fail-on never: failed %q, outputs %v\n%s", res.failed, res.outputs, res.log)
	}
	if a := annotations(res.log); !slices.Contains(a, "warning conform ghes-3.3%3A apps/check-authorization endpoint-removed") || slices.ContainsFunc(a, func(s string) bool { return strings.HasPrefix(s, "error") }) {
		t.Errorf("fail-on never: annotations %q", a)
	}
}

// TestActionFleet: the nightly fleet check, with one server down.
func TestActionFleet(t *testing.T) {
	needBash(t)
	prod := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	staging := reference.NewTestServer(t, "ghes-3.2", reference.DefaultFixtures())
	dead := testenv.ClosedURL(t)
	file := filepath.Join(t.TempDir(), "fleet.yaml")
	os.WriteFile(file, []byte("targets:\n  - {name: prod, url: '"+prod.URL+"/api/v3', credentials_env_prefix: PROD_}\n  - {name: staging, url: '"+staging.URL+"', version: ghes-3.2, credentials_env_prefix: STAGING_}\n  - {name: dr, url: '"+dead+"', credentials_env_prefix: DR_}\n"), 0o644)
	env := creds("PROD_")
	for k, v := range creds("STAGING_") {
		env[k] = v
	}
	res := use(t, map[string]string{"targets": file, "parallel": "3"}, env)
	if res.failed != "conform" || res.code != 2 {
		t.Fatalf("failed step %q with exit %d, want conform with 2 (dr is down):\n%s", res.failed, res.code, res.log)
	}
	if res.outputs["verdict"] != "not-conformant" || !strings.HasSuffix(res.outputs["report-html"], "index.html") {
		t.Errorf("outputs %v", res.outputs)
	}
	if a := annotations(res.log); !slices.Contains(a, "error conform dr%3A unreachable") {
		t.Errorf("annotations %q lack dr's", a)
	}
	if !strings.HasPrefix(res.summary, "❌ **NOT conformant — 3 servers: 2 conformant, 1 unreachable**") || !strings.Contains(res.summary, "| staging | ghes-3.2 | ✅ conformant |") {
		t.Errorf("summary:\n%.600s", res.summary)
	}
	if _, err := os.Stat(filepath.Join(res.outputs["report-dir"], "prod", "report.json")); err != nil {
		t.Errorf("prod's own report: %v", err)
	}
}

// TestActionCassettes: the pull-request gate replays a committed
// recording; no server runs.
func TestActionCassettes(t *testing.T) {
	needBash(t)
	ts := reference.NewTestServer(t, "ghes-3.5", reference.DefaultFixtures())
	first := use(t, map[string]string{"target": ts.URL, "version": "3.5"}, creds("OAUTHCOMPAT_"))
	if first.failed != "" {
		t.Fatalf("%s", first.log)
	}
	rec := filepath.Join(t.TempDir(), "recorded")
	cmd := exec.Command(first.outputs["binary"], "conform", "--version", "3.5", "--target", reference.NewTestServer(t, "ghes-3.5", reference.DefaultFixtures()).URL, "--record", rec, "--ci", "none")
	for k, v := range creds("OAUTHCOMPAT_") {
		cmd.Env = append(cmd.Environ(), k+"="+v)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("record: %v\n%s", err, b)
	}
	ts.Close()
	res := use(t, map[string]string{"cassettes": rec}, creds("OAUTHCOMPAT_"))
	if res.failed != "" || res.outputs["verdict"] != "conformant" {
		t.Fatalf("failed %q, outputs %v:\n%s", res.failed, res.outputs, res.log)
	}
	if !strings.HasPrefix(res.summary, "✅ **ghes-3.5 (replay): conformant") || !strings.Contains(res.summary, "Version: the recorded run's version: ghes-3.5") {
		t.Errorf("summary:\n%.400s", res.summary)
	}
}

func TestActionInputErrors(t *testing.T) {
	needBash(t)
	res := use(t, map[string]string{"target": "http://127.0.0.1:1", "cassettes": "x", "oauthcompat-version": "source"}, nil)
	if res.failed != "conform" || res.code != 2 || !strings.Contains(res.log, "::error title=oauthcompat conform::give exactly one of the inputs target, targets and cassettes") {
		t.Errorf("failed %q exit %d:\n%s", res.failed, res.code, res.log)
	}
	if res.outputs["verdict"] != "not-checked" {
		t.Errorf("outputs %v", res.outputs)
	}
}

// TestActionDownloadsRelease: with a release tag, the action downloads the
// release binary make dist builds (from a mirror on 127.0.0.1 here) and
// refuses one that does not match SHA256SUMS.
func TestActionDownloadsRelease(t *testing.T) {
	needBash(t)
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl: the action downloads with it")
	}
	dist := t.TempDir()
	tag := filepath.Join(dist, "v9.9.9-test")
	cmd := exec.Command("bash", filepath.Join(repo, "scripts", "dist.sh"), tag)
	cmd.Env = append(os.Environ(), "VERSION=v9.9.9-test", "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dist.sh: %v\n%s", err, b)
	}
	mirror := httptest.NewServer(http.FileServer(http.Dir(dist)))
	defer mirror.Close()
	ts := reference.NewTestServer(t, "github.ae", reference.DefaultFixtures())
	in := map[string]string{"target": ts.URL, "version": "github.ae", "oauthcompat-version": "v9.9.9-test", "release-url": mirror.URL}
	res := use(t, in, creds("OAUTHCOMPAT_"))
	if res.failed != "" || !strings.Contains(res.log, "oauthcompat v9.9.9-test\n") || res.outputs["verdict"] != "conformant" {
		t.Fatalf("failed %q, outputs %v:\n%s", res.failed, res.outputs, res.log)
	}
	sums := filepath.Join(tag, "SHA256SUMS")
	b, _ := os.ReadFile(sums)
	os.WriteFile(sums, bytes.Replace(b, b[:8], []byte("00000000"), 1), 0o644)
	res = use(t, in, creds("OAUTHCOMPAT_"))
	if res.failed != "install" || !strings.Contains(res.log, "does not match its SHA256SUMS entry") {
		t.Errorf("a bad checksum: failed %q:\n%s", res.failed, res.log)
	}
}
