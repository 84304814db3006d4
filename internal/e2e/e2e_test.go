//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oauthcompat/oauthcompat/conformance"
	"github.com/oauthcompat/oauthcompat/fleet"
	"github.com/oauthcompat/oauthcompat/internal/testenv"
	"github.com/oauthcompat/oauthcompat/reference"
	"github.com/oauthcompat/oauthcompat/reports"
	"github.com/oauthcompat/oauthcompat/schemas"
)

var (
	reportsDir = flag.String("reports", "", "the directory make demo wrote (demo-out)")
	outDir     = flag.String("out", "", "where the screenshots go (default: a temporary directory)")
)

// viewports are a laptop and a phone.
var viewports = []struct {
	name          string
	width, height int
	mobile        bool
}{{"desktop", 1280, 800, false}, {"phone", 390, 844, true}}

// findChromium is OAUTHCOMPAT_CHROMIUM, or the first Chromium on PATH.
func findChromium() (string, error) {
	if p := os.Getenv("OAUTHCOMPAT_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errNoChromium
}

func TestReportsInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		t.Skip("no Chromium on this machine (chromium, chromium-browser, google-chrome, or OAUTHCOMPAT_CHROMIUM): scripts/install-test-deps.sh chromium installs Debian's package; it could not here")
	}
	if *reportsDir == "" {
		t.Fatal("-reports DIR is required: the directory make demo wrote (make e2e passes it)")
	}
	if _, err := os.Stat(filepath.Join(*reportsDir, "index.html")); err != nil {
		t.Fatalf("%v: run make demo first (make e2e does)", err)
	}
	out := *outDir
	if out == "" {
		out = t.TempDir()
	}
	shots := filepath.Join(out, "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(out, "failing")
	writeFailingReports(t, failing)

	var pages []page
	for _, root := range []string{*reportsDir, failing} {
		abs, _ := filepath.Abs(root)
		filepath.Walk(abs, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && strings.HasSuffix(p, ".html") {
				rel, _ := filepath.Rel(abs, p)
				pages = append(pages, page{path: p, name: filepath.Base(abs) + "/" + filepath.ToSlash(rel)})
			}
			return nil
		})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].name < pages[j].name })
	if len(pages) < 10 {
		t.Fatalf("only %d HTML pages under %s and %s", len(pages), *reportsDir, failing)
	}

	var log bytes.Buffer
	b, err := launch(chromium, t.TempDir(), &log)
	if err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	defer func() {
		b.close()
		if t.Failed() {
			t.Logf("Chromium's output:\n%s", tail(log.String(), 40))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var version struct{ Product string }
	if err := b.call(ctx, "", "Browser.getVersion", nil, &version); err != nil {
		t.Fatalf("the DevTools protocol does not answer: %v", err)
	}
	t.Logf("%s; %d pages; screenshots in %s", version.Product, len(pages), shots)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) { checkPage(ctx, t, b, p, shots) })
	}
}

type page struct {
	path string // absolute file path
	name string // "demo-out/reports/ghes-3.8/live/report.html"
}

// facts is what the page says of itself.
type facts struct {
	BadLinks    []string `json:"badLinks"`
	Files       []string `json:"files"`
	Links       int      `json:"links"`
	Verdict     *box     `json:"verdict"`
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	InnerHeight int      `json:"innerHeight"`
	Background  string   `json:"background"`
	Toggle      string   `json:"toggle"` // the "only" label's display
}

type box struct {
	Top, Bottom, Width, Height float64
	Visible, OnTop             bool
	Text                       string
}

const factsJS = `(() => {
  const badLinks = [], files = [];
  const links = document.querySelectorAll('a[href]');
  for (const a of links) {
    const href = a.getAttribute('href');
    if (href.startsWith('#')) {
      if (!document.getElementById(decodeURIComponent(href.slice(1)))) badLinks.push(href);
    } else if (!/^[a-z][a-z0-9+.-]*:/i.test(href)) {
      files.push(a.href);
    } else {
      badLinks.push(href + ' (leaves the reports)');
    }
  }
  const v = document.getElementById('verdict');
  let verdict = null;
  if (v) {
    const r = v.getBoundingClientRect(), st = getComputedStyle(v);
    const at = document.elementFromPoint(r.left + Math.min(10, r.width / 2), r.top + r.height / 2);
    verdict = {top: r.top, bottom: r.bottom, width: r.width, height: r.height,
      visible: st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0,
      onTop: !!at && (at === v || v.contains(at)), text: v.textContent.trim()};
  }
  const t = document.querySelector('label.toggle');
  return {badLinks, files, links: links.length, verdict,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, innerHeight: window.innerHeight,
    background: getComputedStyle(document.body).backgroundColor, toggle: t ? getComputedStyle(t).display : ''};
})()`

// tab is one page's target in the browser.
type tab struct {
	b       *browser
	session string
	target  string
	events  chan message
	url     string

	console  []string // console errors, exceptions, error log entries
	requests []string // requests other than the page itself
}

func openTab(ctx context.Context, b *browser) (*tab, error) {
	var created struct{ TargetID string }
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &created); err != nil {
		return nil, err
	}
	var attached struct{ SessionID string }
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": created.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	tb := &tab{b: b, session: attached.SessionID, target: created.TargetID}
	tb.events = b.subscribe(tb.session)
	for _, m := range []string{"Page.enable", "Runtime.enable", "Network.enable", "Log.enable"} {
		if err := tb.call(ctx, m, nil, nil); err != nil {
			return nil, err
		}
	}
	return tb, nil
}

func (tb *tab) call(ctx context.Context, method string, params, out any) error {
	return tb.b.call(ctx, tb.session, method, params, out)
}

// note records what an event says about errors and requests; it reports
// whether the page finished loading.
func (tb *tab) note(m message) (loaded bool) {
	switch m.Method {
	case "Page.loadEventFired":
		return true
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string
			Args []struct {
				Value       any
				Description string
			}
		}
		json.Unmarshal(m.Params, &p)
		if p.Type == "error" || p.Type == "assert" {
			var parts []string
			for _, a := range p.Args {
				parts = append(parts, fmt.Sprint(a.Value, a.Description))
			}
			tb.console = append(tb.console, "console."+p.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		var p struct{ ExceptionDetails struct{ Text string } }
		json.Unmarshal(m.Params, &p)
		tb.console = append(tb.console, "exception: "+p.ExceptionDetails.Text)
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		json.Unmarshal(m.Params, &p)
		if p.Entry.Level == "error" {
			tb.console = append(tb.console, "log: "+p.Entry.Text+" "+p.Entry.URL)
		}
	case "Network.requestWillBeSent":
		var p struct{ Request struct{ URL string } }
		json.Unmarshal(m.Params, &p)
		if u := p.Request.URL; u != tb.url && u != "about:blank" {
			tb.requests = append(tb.requests, u)
		}
	}
	return false
}

// drain notes the events that arrived so far.
func (tb *tab) drain() {
	for {
		select {
		case m := <-tb.events:
			tb.note(m)
		default:
			return
		}
	}
}

// navigate loads u and waits for its load event.
func (tb *tab) navigate(ctx context.Context, u string) error {
	tb.url = u
	if err := tb.call(ctx, "Page.navigate", map[string]any{"url": u}, nil); err != nil {
		return err
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-tb.events:
			if tb.note(m) {
				time.Sleep(50 * time.Millisecond) // late console messages
				tb.drain()
				return nil
			}
		case <-timeout:
			return fmt.Errorf("%s did not load in 20s", u)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (tb *tab) eval(ctx context.Context, js string, out any) error {
	var r struct {
		Result           struct{ Value json.RawMessage }
		ExceptionDetails *struct{ Text string }
	}
	if err := tb.call(ctx, "Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true}, &r); err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return fmt.Errorf("evaluate: %s", r.ExceptionDetails.Text)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

func (tb *tab) screenshot(ctx context.Context, path string) error {
	var shot struct{ Data string }
	if err := tb.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

func checkPage(ctx context.Context, t *testing.T, b *browser, p page, shots string) {
	tb, err := openTab(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer b.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": tb.target}, nil)
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(p.path)}).String()
	base := strings.NewReplacer("/", "_", ".html", "").Replace(p.name)
	for _, vp := range viewports {
		if err := tb.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{"width": vp.width, "height": vp.height, "deviceScaleFactor": 1, "mobile": vp.mobile}, nil); err != nil {
			t.Fatal(err)
		}
		if err := tb.navigate(ctx, u); err != nil {
			t.Fatal(err)
		}
		var f facts
		if err := tb.eval(ctx, factsJS, &f); err != nil {
			t.Fatal(err)
		}
		where := fmt.Sprintf("at %dx%d", vp.width, vp.height)
		if f.InnerWidth != vp.width || f.InnerHeight != vp.height {
			t.Errorf("%s: the viewport is %dx%d", where, f.InnerWidth, f.InnerHeight)
		}
		for _, l := range f.BadLinks {
			t.Errorf("link %s names no element of the page", l)
		}
		for _, fu := range f.Files {
			if err := linkedFile(fu); err != nil {
				t.Errorf("link to %s: %v", fu, err)
			}
		}
		if f.Links == 0 {
			t.Error("no link at all: the page is not navigable")
		}
		switch v := f.Verdict; {
		case v == nil:
			t.Errorf("%s: no #verdict element", where)
		case !v.Visible || v.Width == 0 || v.Height == 0 || v.Text == "":
			t.Errorf("%s: the verdict is not visible: %+v", where, *v)
		case v.Top < 0 || v.Bottom > float64(f.InnerHeight):
			t.Errorf("%s: the verdict (%.0f to %.0f px) is not within the first %d px: it needs scrolling", where, v.Top, v.Bottom, f.InnerHeight)
		case !v.OnTop:
			t.Errorf("%s: something covers the verdict", where)
		}
		if f.ScrollWidth > f.InnerWidth {
			t.Errorf("%s: the page scrolls sideways (%d px wide in a %d px viewport)", where, f.ScrollWidth, f.InnerWidth)
		}
		if err := tb.screenshot(ctx, filepath.Join(shots, base+"-"+vp.name+".png")); err != nil {
			t.Error(err)
		}
	}
	checkViews(ctx, t, tb, shots, base)
	tb.drain()
	for _, c := range tb.console {
		t.Errorf("console: %s", c)
	}
	for _, r := range tb.requests {
		t.Errorf("the page requested %s: a report must stand alone", r)
	}
}

// checkViews switches on dark mode, print and the "only" view.
func checkViews(ctx context.Context, t *testing.T, tb *tab, shots, base string) {
	var light, dark, print facts
	tb.eval(ctx, factsJS, &light)
	if err := tb.call(ctx, "Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}}}, nil); err != nil {
		t.Fatal(err)
	}
	tb.eval(ctx, factsJS, &dark)
	if lum(dark.Background) > 0.2 || lum(light.Background) < 0.8 {
		t.Errorf("background light %s, dark %s: the page does not follow prefers-color-scheme", light.Background, dark.Background)
	}
	tb.screenshot(ctx, filepath.Join(shots, base+"-phone-dark.png"))
	tb.call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": "print", "features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}}}, nil)
	tb.eval(ctx, factsJS, &print)
	if lum(print.Background) < 0.8 {
		t.Errorf("print background %s: want white paper", print.Background)
	}
	if print.Toggle != "" && print.Toggle != "none" {
		t.Errorf("print shows the view switch (display %s)", print.Toggle)
	}
	tb.call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": "", "features": []map[string]string{}}, nil)

	// The "only" view hides what passed and keeps what failed.
	var only struct{ Has, Hidden, Shown, Failing, FailingShown, Message int }
	err := tb.eval(ctx, `(() => {
	  const box = document.getElementById('only');
	  if (!box) return {has: 0};
	  document.querySelector('label.toggle').click();
	  const shown = e => e.offsetParent !== null || getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
	  const ok = [...document.querySelectorAll('main .ok')], bad = [...document.querySelectorAll('main tr.fail, main tr.row-breaking')];
	  const msg = [...document.querySelectorAll('main .if-only')].filter(shown).length;
	  return {has: 1, hidden: ok.filter(e => !shown(e)).length, shown: ok.filter(shown).length,
	    failing: bad.length, failingShown: bad.filter(shown).length, message: msg};
	})()`, &only)
	if err != nil {
		t.Fatal(err)
	}
	if only.Has == 0 {
		return
	}
	if only.Shown > 0 || only.Message == 0 {
		t.Errorf("the only view: %d passing elements still shown, %d hidden; the view's message shown %d times", only.Shown, only.Hidden, only.Message)
	}
	if only.FailingShown != only.Failing {
		t.Errorf("the only view hides %d of %d failing rows", only.Failing-only.FailingShown, only.Failing)
	}
	tb.screenshot(ctx, filepath.Join(shots, base+"-phone-only.png"))
}

// lum is the relative luminance (0 black, 1 white) of a CSS "rgb(r, g, b)".
func lum(css string) float64 {
	var r, g, b float64
	if _, err := fmt.Sscanf(strings.ReplaceAll(css, " ", ""), "rgb(%g,%g,%g)", &r, &g, &b); err != nil {
		return -1
	}
	return (0.2126*r + 0.7152*g + 0.0722*b) / 255
}

var idAttr = regexp.MustCompile(`\sid="([^"]+)"`)

// linkedFile checks a link to another file of the reports: the file
// exists and, with a fragment, has an element with that id.
func linkedFile(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return fmt.Errorf("not a file of the reports")
	}
	b, err := os.ReadFile(filepath.FromSlash(u.Path))
	if err != nil {
		return err
	}
	if u.Fragment == "" {
		return nil
	}
	for _, m := range idAttr.FindAllSubmatch(b, -1) {
		if string(m[1]) == u.Fragment {
			return nil
		}
	}
	return fmt.Errorf("no element #%s there", u.Fragment)
}

// writeFailingReports writes reports with failures (make demo has none):
// one version's run against a server whose legacy endpoints are gone,
// and a fleet of it, a good server and an unreachable one.
func writeFailingReports(t *testing.T, dir string) {
	t.Helper()
	getenv := testenv.Getenv(testenv.Env("OAUTHCOMPAT_"))
	v, _ := schemas.Default().Version("ghes-3.3")
	broken := func() string { return testenv.LegacyRemovedServer(t, "ghes-3.3") }
	rep, err := conformance.Run(context.Background(), conformance.Config{Version: v, BaseURL: broken(), Credentials: conformance.CredentialsFromEnv(getenv)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reports.WriteFiles(filepath.Join(dir, "ghes-3.3-legacy-removed"), rep, []reports.Format{reports.HTML}); err != nil {
		t.Fatal(err)
	}
	good := reference.NewTestServer(t, "ghes-3.8", reference.DefaultFixtures())
	dead := testenv.ClosedURL(t)
	fr := fleet.Run(context.Background(), []fleet.Target{
		{Name: "new", URL: good.URL + "/api/v3", Version: "auto"},
		{Name: "old", URL: broken(), Version: "ghes-3.3"},
		{Name: "gone", URL: dead, Version: "auto"},
	}, fleet.Config{Getenv: getenv})
	if fr.ExitCode != 2 || fr.Targets[1].Verdict != fleet.NotConformant {
		t.Fatalf("the failing fleet: %s", fr.Line())
	}
	if _, err := reports.WriteFleetFiles(filepath.Join(dir, "fleet"), fr, []reports.Format{reports.HTML}); err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
