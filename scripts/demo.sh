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
trap stop_server EXIT INT TERM

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
# versions. The diff command is optional to the demo: report if it fails.
diff_from=ghes-3.2 diff_to=ghes-3.8
if [[ -d $OUT/cassettes/$diff_from && -d $OUT/cassettes/$diff_to ]]; then
	if "$BIN" diff --from-cassettes "$OUT/cassettes/$diff_from" --to-cassettes "$OUT/cassettes/$diff_to" \
		--out "$OUT/diff/recorded-$diff_from-$diff_to.md" >"$OUT/logs/diff-recorded.out" 2>"$OUT/logs/diff-recorded.err"; then
		echo "diff of recordings: $OUT/diff/recorded-$diff_from-$diff_to.md ($(head -n 1 "$OUT/diff/recorded-$diff_from-$diff_to.md"))"
	else
		echo "diff of recordings failed: see $OUT/logs/diff-recorded.err"
	fi
fi
if "$BIN" diff --from ghes-3.3 --to ghes-3.4 --out "$OUT/diff/documented-ghes-3.3-ghes-3.4.md" >"$OUT/logs/diff-documented.out" 2>"$OUT/logs/diff-documented.err"; then
	echo "diff of documented versions: $OUT/diff/documented-ghes-3.3-ghes-3.4.md ($(head -n 1 "$OUT/diff/documented-ghes-3.3-ghes-3.4.md"))"
else
	echo "diff of documented versions failed: see $OUT/logs/diff-documented.err"
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
echo "wrote $OUT: cassettes/<version>/conform.yaml, reports/<version>/{live,replay}/report.{xml,json,md,html}, diff/, logs/"
exit $status
