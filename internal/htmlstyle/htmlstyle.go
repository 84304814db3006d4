// Package htmlstyle is the stylesheet every HTML report of oauthcompat
// inlines (conformance reports, fleet reports, diffs), so they look and
// behave alike: colours that follow prefers-color-scheme, a print
// stylesheet, sticky table headers, anchors that clear them, a
// "failures only" view without scripts, and a layout that fits a phone
// without scrolling the page sideways.
//
// The "only" view is a visually hidden checkbox, #only, placed before the
// page's <main>: while it is checked, every element of <main> with class
// "ok" is hidden and every element with class "if-only" shown. A <label
// for="only" class="toggle"> switches it.
package htmlstyle

import "html/template"

// CSS is the stylesheet, for a <style> element.
const CSS template.CSS = `:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#57606a;--border:#d0d7de;--th:#f6f8fa;--code:#f6f8fa;--link:#0969da;--pass:#dafbe1;--fail:#ffebe9;--skip:#eaeef2;--probe:#f6f8fa;--probe-fail:#ff8182;--ok:#1a7f37;--bad:#cf222e;--warn-bg:#fff8c5;--warn-fg:#7d4e00;--info-bg:#ddf4ff;--info-fg:#0a3069;--break-bg:#ffebe9;--break-fg:#a40e26}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--border:#3d444d;--th:#151b23;--code:#151b23;--link:#4493f8;--pass:#12361f;--fail:#4c1a1d;--skip:#212830;--probe:#151b23;--probe-fail:#8e1519;--ok:#3fb950;--bad:#ff7b72;--warn-bg:#3b2e07;--warn-fg:#e3b341;--info-bg:#0c2d4a;--info-fg:#79c0ff;--break-bg:#4c1a1d;--break-fg:#ffa198}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:96rem;padding:0 1rem 2rem;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
a{color:var(--link)}
h1{font-size:1.4em;margin:1rem 0 .25rem}h2{font-size:1.15em;margin-top:2rem}h3{font-size:1em;margin-top:1.5rem}
[id]{scroll-margin-top:3rem}
header.top{border-bottom:1px solid var(--border);padding-bottom:.5rem}
.verdict{font-size:1.1em;font-weight:600;margin:.4rem 0}
.ok-text{color:var(--ok)}.bad-text{color:var(--bad)}
.lines{margin:.3rem 0;padding-left:1.2rem}
nav.toc{display:flex;flex-wrap:wrap;gap:.3rem .9rem;align-items:center;margin:.4rem 0}
.muted{color:var(--muted)}
table{border-collapse:separate;border-spacing:0;margin:.5rem 0;border-top:1px solid var(--border);border-left:1px solid var(--border)}
th,td{border-right:1px solid var(--border);border-bottom:1px solid var(--border);padding:.3rem .55rem;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;z-index:2;background:var(--th)}
th{background:var(--th)}
table.full{width:100%}
.wide{overflow-x:auto;max-width:100%}
.wide thead th{position:static}
.wide th{overflow-wrap:normal}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
code{background:var(--code);padding:0 .2rem;border-radius:4px}
pre{background:var(--code);padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3rem 0}
details summary{cursor:pointer}
.pass{background:var(--pass)}.fail{background:var(--fail)}.not-exercised,.skip{background:var(--skip)}
.probe-pass{background:var(--probe);color:var(--muted)}.probe-fail{background:var(--probe-fail)}
.cannot-provoke{background:var(--warn-bg);color:var(--muted)}
.unreachable,.error,.not-checked{background:var(--skip);color:var(--bad)}
td.cell{text-align:center;white-space:nowrap;padding:0}
td.cell a,td.cell span{display:block;padding:.3rem .55rem;color:inherit;text-decoration:none}
td.cell a:hover{text-decoration:underline}
tr.op th{background:var(--th);font-weight:600;position:static}
.legend{display:flex;flex-wrap:wrap;gap:.3rem}
.legend span{padding:.1rem .6rem;border:1px solid var(--border)}
.pill{display:inline-block;border-radius:1rem;padding:.05rem .7rem;margin:.1rem .3rem .1rem 0;font-weight:600}
.breaking{background:var(--break-bg);color:var(--break-fg)}.warning{background:var(--warn-bg);color:var(--warn-fg)}.info{background:var(--info-bg);color:var(--info-fg)}
.mig{margin-top:.3rem;color:var(--ok)}.ev{margin-top:.3rem;color:var(--muted);font-size:12px}
#only{position:absolute;opacity:0;width:1px;height:1px;margin:0}
label.toggle{cursor:pointer;border:1px solid var(--border);border-radius:1rem;padding:.05rem .7rem;background:var(--th);user-select:none}
label.toggle::before{content:"\2610  "}
#only:checked~header label.toggle{background:var(--fail);border-color:var(--bad)}
#only:checked~header label.toggle::before{content:"\2611  "}
#only:focus-visible~header label.toggle{outline:2px solid var(--link);outline-offset:2px}
#only:checked~main .ok{display:none}
.if-only{display:none}
#only:checked~main .if-only{display:block}
@media (max-width:40rem){
body{padding:0 .5rem 1rem}
table.cases,table.cases tbody,table.cases tr,table.cases td{display:block;width:100%}
table.cases{border:none}
table.cases thead{display:none}
table.cases tr{border:1px solid var(--border);margin-bottom:.4rem}
table.cases tr.op{border:none;margin-top:.8rem}
table.cases tr.op th{display:block;border:1px solid var(--border)}
table.cases td{border:none;padding:.15rem .5rem}
table.cases td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}
@media print{
:root{--fg:#000;--bg:#fff;--muted:#444;--border:#999;--th:#eee;--code:#f4f4f4;--link:#000;--pass:#e6f6e9;--fail:#fde8e6;--skip:#f0f0f0;--probe:#f6f6f6;--probe-fail:#f4b0ae;--ok:#1a7f37;--bad:#b3141f}
body{max-width:none;padding:0;font-size:11px}
nav.toc,label.toggle,#only{display:none}
thead th{position:static}
.wide{overflow:visible}
tr,pre,details{break-inside:avoid}
a{text-decoration:none}
}`
