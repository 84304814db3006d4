#!/usr/bin/env bash
# demo.sh BIN OUT: the offline demo behind 'make demo'.
#
# For each version it starts the reference server on a free loopback port,
# runs the conformance suite against it live while recording cassettes, runs
# the suite again from those cassettes (no server involved), and stops the
# server. Versions with the OAuth Authorizations API get a second, short run
# against a server whose API is disabled, where creating an authorization
# answers 410 (row "+API off"). Then it diffs two recordings and two
# documented versions. Nothing leaves 127.0.0.1.
#
#   VERSIONS="ghes-3.2 ghes-3.8"  pick the versions (default: one per docs page)
#   ALL=1                          every version of the catalog
set -euo pipefail

BIN=${1:?usage: scripts/demo.sh BIN OUT}
OUT=${2:?usage: scripts/demo.sh BIN OUT}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

if [[ -n ${VERSIONS:-} ]]; then
	read -r -a versions <<<"$VERSIONS"
elif [[ ${ALL:-0} == 1 ]]; then
	mapfile -t versions < <("$BIN" versions --json | grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
else
	versions=(ghes-3.2 ghes-3.5 github.ae ghes-3.8 ghes-3.10)
fi

rm -rf "$OUT"
mkdir -p "$OUT/cassettes" "$OUT/reports" "$OUT/diff" "$OUT/logs"

server_pid=""
stop_server() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
fleet_pid=""
stop_all() {
	stop_server
	if [[ -n $fleet_pid ]]; then
		kill "$fleet_pid" 2>/dev/null || true
		wait "$fleet_pid" 2>/dev/null || true
	fi
}
trap stop_all EXIT INT TERM

# The reference server's built-in fixtures are public test values: the
# first app, its user with two-factor authentication (so the two-factor
# cases run, the lockout last), and every token of that app.
fixtures=$("$BIN" serve --print-fixtures)
field() { # field JQ_EXPR PYTHON_EXPR
	if command -v jq >/dev/null; then
		jq -r "$1" <<<"$fixtures"
	else
		python3 -c "import json,sys; f=json.load(sys.stdin); print($2)" <<<"$fixtures"
	fi
}
export OAUTHCOMPAT_CLIENT_ID OAUTHCOMPAT_CLIENT_SECRET OAUTHCOMPAT_USERNAME OAUTHCOMPAT_PASSWORD OAUTHCOMPAT_TOKENS
export OAUTHCOMPAT_OTP OAUTHCOMPAT_ALLOW_LOCKOUT=yes
OAUTHCOMPAT_CLIENT_ID=$(field '.apps[0].client_id' 'f["apps"][0]["client_id"]')
OAUTHCOMPAT_CLIENT_SECRET=$(field '.apps[0].client_secret' 'f["apps"][0]["client_secret"]')
user_jq='([.users[] | select(.otp)] + .users)[0]'
user_py='next((u for u in f["users"] if u.get("otp")), f["users"][0])'
OAUTHCOMPAT_USERNAME=$(field "$user_jq.login" "$user_py[\"login\"]")
OAUTHCOMPAT_PASSWORD=$(field "$user_jq.password" "$user_py[\"password\"]")
OAUTHCOMPAT_OTP=$(field "$user_jq.otp // \"\"" "$user_py.get(\"otp\", \"\")")
OAUTHCOMPAT_TOKENS=$(field '[.tokens[] | select(.client_id == "'"$OAUTHCOMPAT_CLIENT_ID"'") | .value] | join(",")' \
	'",".join(t["value"] for t in f["tokens"] if t["client_id"] == "'"$OAUTHCOMPAT_CLIENT_ID"'")')

# cases REPORT_JSON: one "case id<TAB>result" line per case, in run order.
cases() {
	if command -v jq >/dev/null; then
		jq -r '.cases[] | "\(.id)\t\(.result)"' "$1"
	else
		python3 -c 'import json,sys; [print(c["id"] + "\t" + c["result"]) for c in json.load(open(sys.argv[1]))["cases"]]' "$1"
	fi
}

# first_difference LIVE_JSON REPLAY_JSON: nothing when both reports list
# the same cases with the same results, else the first case that differs.
first_difference() {
	local out
	local -a live replay
	if ! out=$(cases "$1") || [[ -z $out ]]; then
		echo "cannot list the cases of $1"
		return
	fi
	mapfile -t live <<<"$out"
	if ! out=$(cases "$2") || [[ -z $out ]]; then
		echo "cannot list the cases of $2"
		return
	fi
	mapfile -t replay <<<"$out"
	local i n=${#live[@]}
	((${#replay[@]} > n)) && n=${#replay[@]}
	for ((i = 0; i < n; i++)); do
		if [[ ${live[i]:-} != "${replay[i]:-}" ]]; then
			local l=${live[i]:-} r=${replay[i]:-}
			if [[ -n $l && -n $r && ${l%%$'\t'*} == "${r%%$'\t'*}" ]]; then
				echo "${l%%$'\t'*}: live ${l#*$'\t'}, replay ${r#*$'\t'}"
			else
				[[ -n $l ]] && l="${l/$'\t'/ (})" || l=none
				[[ -n $r ]] && r="${r/$'\t'/ (})" || r=none
				echo "case $((i + 1)): live $l, replay $r"
			fi
			return
		fi
	done
}

summary=()
status=0
# start_server V LOG [FIXTURES]: the reference server for V on a free port;
# sets server_pid and url.
start_server() {
	local v=$1 log=$2
	"$BIN" serve --version "$v" --listen 127.0.0.1:0 ${3:+--fixtures "$3"} >"$log.serve.out" 2>"$log.serve.err" &
	server_pid=$!
	url=""
	for _ in $(seq 100); do
		url=$(head -n 1 "$log.serve.out" 2>/dev/null || true)
		[[ -n $url ]] && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.05
	done
	if [[ -z $url ]]; then
		echo "demo: the reference server for $v did not start:" >&2
		cat "$log.serve.err" >&2
		exit 2
	fi
}

# The 410 of POST /authorizations needs a server whose Authorizations API is
# disabled (a fixture setting), so it gets a run of its own.
disabled_fixtures=$OUT/logs/fixtures-authorizations-api-disabled.json
if command -v jq >/dev/null; then
	jq '.authorizations_api_disabled = true' <<<"$fixtures" >"$disabled_fixtures"
else
	python3 -c "import json,sys; f=json.load(sys.stdin); f['authorizations_api_disabled']=True; print(json.dumps(f))" <<<"$fixtures" >"$disabled_fixtures"
fi

for v in "${versions[@]}"; do
	log=$OUT/logs/$v
	start_server "$v" "$log"
	live=0
	"$BIN" conform --version "$v" --target "$url" --record "$OUT/cassettes" --report "$OUT/reports/$v/live" \
		>"$log.live.txt" 2>&1 || live=$?
	stop_server
	replayed=0
	"$BIN" conform --version "$v" --cassettes "$OUT/cassettes" --report "$OUT/reports/$v/replay" \
		>"$log.replay.txt" 2>&1 || replayed=$?
	if ((live > 1 || replayed > 1)); then
		echo "demo: conform failed for $v:" >&2
		cat "$log.live.txt" "$log.replay.txt" >&2
		exit 2
	fi
	# The replay must give every case the result the live run gave it, and
	# so reach the same verdict and counts.
	same=yes
	difference=$(first_difference "$OUT/reports/$v/live/report.json" "$OUT/reports/$v/replay/report.json")
	if [[ -n $difference ]]; then
		same="NO ($difference)"
		status=1
	elif [[ $(head -n 1 "$log.live.txt" | sed 's/ (live+record)//') != $(head -n 1 "$log.replay.txt" | sed 's/ (replay)//') ]]; then
		same="NO (the summary lines differ)"
		status=1
	fi
	((live == 0 && replayed == 0)) || status=1
	summary+=("$v|$(head -n 1 "$log.live.txt" | sed 's/^[^:]*: //')|$same")

	# grep reads the whole listing: with -q it could stop early, and the
	# catalog, killed by SIGPIPE, would fail the pipeline (pipefail).
	if "$BIN" catalog --version "$v" | grep '^oauth-authorizations/create-authorization ' >/dev/null; then
		start_server "$v" "$log.disabled" "$disabled_fixtures"
		disabled=0
		"$BIN" conform --version "$v" --target "$url" --only oauth-authorizations/create-authorization \
			--report "$OUT/reports/$v/authorizations-api-disabled" >"$log.disabled.txt" 2>&1 || disabled=$?
		stop_server
		((disabled == 0)) || status=1
		summary+=("  +API off|$(head -n 1 "$log.disabled.txt" | sed 's/^[^:]*: //')|")
	fi
done

# Diffs: two recordings (before and after an upgrade), and two documented
# versions, each as Markdown and HTML. The diff command is optional to the
# demo: report if it fails.
# diff_both NAME ARGS...: diff/NAME.md and diff/NAME.html.
diff_both() {
	local name=$1
	shift
	"$BIN" diff "$@" --out "$OUT/diff/$name.md" >"$OUT/logs/diff-$name.out" 2>"$OUT/logs/diff-$name.err" &&
		"$BIN" diff "$@" --format html --out "$OUT/diff/$name.html" >>"$OUT/logs/diff-$name.out" 2>>"$OUT/logs/diff-$name.err"
}
diff_from=ghes-3.2 diff_to=ghes-3.8
if [[ -d $OUT/cassettes/$diff_from && -d $OUT/cassettes/$diff_to ]]; then
	if diff_both "recorded-$diff_from-$diff_to" --from-cassettes "$OUT/cassettes/$diff_from" --to-cassettes "$OUT/cassettes/$diff_to"; then
		echo "diff of recordings: $OUT/diff/recorded-$diff_from-$diff_to.{md,html} ($(head -n 1 "$OUT/diff/recorded-$diff_from-$diff_to.md"))"
	else
		echo "diff of recordings failed: see $OUT/logs/diff-recorded-$diff_from-$diff_to.err"
	fi
fi
if diff_both documented-ghes-3.3-ghes-3.4 --from ghes-3.3 --to ghes-3.4; then
	echo "diff of documented versions: $OUT/diff/documented-ghes-3.3-ghes-3.4.{md,html} ($(head -n 1 "$OUT/diff/documented-ghes-3.3-ghes-3.4.md"))"
else
	echo "diff of documented versions failed: see $OUT/logs/diff-documented-ghes-3.3-ghes-3.4.err"
fi

# A fleet: two servers at once, versions detected, and a third address
# where nothing listens (on purpose: it is reported, and the others still
# run), in one conform --targets run with one report.
# Versions are detected from X-GitHub-Enterprise-Version: take the first
# and the last GHES version of the demo (none: no fleet).
ghes=()
for v in "${versions[@]}"; do [[ $v == ghes-* ]] && ghes+=("$v"); done
if ((${#ghes[@]})); then
	fleet_a=${ghes[0]} fleet_b=${ghes[$((${#ghes[@]} - 1))]}
	start_server "$fleet_b" "$OUT/logs/fleet-down"
	down_url=$url
	stop_server
	start_server "$fleet_a" "$OUT/logs/fleet-a"
	fleet_pid=$server_pid url_a=$url
	server_pid=""
	start_server "$fleet_b" "$OUT/logs/fleet-b"
	url_b=$url
	cat >"$OUT/logs/fleet-targets.yaml" <<TARGETS
targets:
  - name: east
    url: $url_a/api/v3
    version: auto
  - name: west
    url: $url_b/api/v3
    version: auto
  - name: down
    url: $down_url/api/v3
    version: auto
TARGETS
	fleet=0
	"$BIN" conform --targets "$OUT/logs/fleet-targets.yaml" --report "$OUT/reports/fleet" >"$OUT/logs/fleet.txt" 2>&1 || fleet=$?
	stop_server
	kill "$fleet_pid" 2>/dev/null || true
	wait "$fleet_pid" 2>/dev/null || true
	fleet_pid=""
	# The down server makes the run exit 2; the two others must be conformant.
	if ((fleet == 2)) && grep -q '^NOT conformant — 3 servers: 2 conformant, 1 unreachable$' "$OUT/logs/fleet.txt"; then
		echo "fleet: $OUT/reports/fleet/index.html (east $fleet_a and west $fleet_b conformant, versions detected; down unreachable, on purpose)"
	else
		echo "fleet run: exit $fleet, want 2 (two conformant servers, one down):" >&2
		cat "$OUT/logs/fleet.txt" >&2
		status=1
	fi
fi

# The recordings hold no secret: lint them (it finds the key beside them).
if "$BIN" cassette lint "$OUT/cassettes" >"$OUT/logs/lint.txt" 2>&1; then
	echo "cassette lint: no unredacted secret, every response valid ($(grep -c '(info)' "$OUT/logs/lint.txt" || true) notes in logs/lint.txt)"
else
	echo "cassette lint found problems: see $OUT/logs/lint.txt"
	status=1
fi

echo
printf '%-15s %-112s %s\n' VERSION "LIVE RUN (reference server, recorded)" "REPLAY SAME"
for row in "${summary[@]}"; do
	IFS='|' read -r v s same <<<"$row"
	printf '%-15s %-112s %s\n' "$v" "$s" "$same"
done
echo
# index.html links every report written, with its verdict, in the reports'
# own style (their stylesheet is copied from one of them).
esc() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }
# links DIR: the report files in DIR, as links relative to $OUT.
links() {
	local f sep=""
	for f in report.html index.html report.md report.json report.xml; do
		if [[ -f $1/$f ]]; then
			printf '%s<a href="%s">%s</a>' "$sep" "${1#"$OUT"/}/$f" "${f#*.}"
			sep=" · "
		fi
	done
}
write_index() {
	local v run dir log line first css
	first=$(find "$OUT/reports" -name report.html | head -n 1)
	css=$(sed -n '/<style>/,/<\/style>/p' "$first")
	{
		cat <<HEAD
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>oauthcompat demo</title>
$css
</head>
<body>
<header class="top">
<h1>oauthcompat demo</h1>
HEAD
		if ((status == 0)); then
			echo '<p id="verdict" class="verdict ok-text">✔ every version conformant, and every replay gives the live run'"'"'s results</p>'
		else
			echo '<p id="verdict" class="verdict bad-text">✘ a run has findings or a replay differs: see below and logs/</p>'
		fi
		echo '<nav class="toc"><a href="#conform">Conformance runs</a><a href="#diffs">Diffs</a><a href="#fleet">Fleet</a></nav>'
		echo '</header>'
		echo '<main>'
		echo '<h2 id="conform">Conformance runs</h2>'
		echo '<p class="muted">Each version live against the reference server (recorded), then replayed from the recording alone; "API off" is the run against a server whose Authorizations API is disabled.</p>'
		echo '<table class="cases full"><thead><tr><th>version</th><th>run</th><th>verdict</th><th>reports</th></tr></thead><tbody>'
		for v in "${versions[@]}"; do
			for run in live replay authorizations-api-disabled; do
				dir=$OUT/reports/$v/$run
				[[ -d $dir ]] || continue
				case $run in
				live) log=$OUT/logs/$v.live.txt ;;
				replay) log=$OUT/logs/$v.replay.txt ;;
				*) log=$OUT/logs/$v.disabled.txt ;;
				esac
				line=$(head -n 1 "$log" | esc)
				printf '<tr id="%s-%s"><td data-label="version">%s</td><td data-label="run">%s</td><td data-label="verdict">%s</td><td data-label="reports">%s</td></tr>\n' \
					"${v//./-}" "$run" "$v" "${run//-/ }" "$line" "$(links "$dir")"
			done
		done
		echo '</tbody></table>'
		echo '<h2 id="diffs">Diffs</h2><ul>'
		for line in "$OUT"/diff/*.md; do
			[[ -f $line ]] || continue
			run=${line%.md}
			printf '<li><a href="diff/%s.html">%s</a> (<a href="diff/%s.md">md</a>): %s</li>\n' "$(basename "$run")" "$(basename "$run")" "$(basename "$run")" "$(head -n 1 "$line" | esc)"
		done
		echo '</ul>'
		echo '<h2 id="fleet">Fleet</h2>'
		if [[ -f $OUT/reports/fleet/index.html ]]; then
			printf '<p><a href="reports/fleet/index.html">%s</a> (%s): %s</p>\n<ul>\n' "fleet report" "$(links "$OUT/reports/fleet")" "$(head -n 1 "$OUT/logs/fleet.txt" | esc)"
			for dir in "$OUT"/reports/fleet/*/; do
				dir=${dir%/}
				printf '<li>%s: %s</li>\n' "$(basename "$dir")" "$(links "$dir")"
			done
			echo '</ul>'
		else
			echo '<p>The fleet run wrote no report: see logs/fleet.txt.</p>'
		fi
		echo '</main>'
		echo '</body>'
		echo '</html>'
	} >"$OUT/index.html.tmp"
	mv "$OUT/index.html.tmp" "$OUT/index.html"
}
write_index

echo "wrote $OUT: index.html (every report), cassettes/<version>/conform.yaml, reports/<version>/{live,replay}/report.{xml,json,md,html}, reports/fleet/, diff/, logs/"
exit $status
