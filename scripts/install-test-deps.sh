#!/usr/bin/env bash
# install-test-deps.sh [PART...]: installs what the cross-language tests use,
# behind 'make test-deps' (which 'make test' runs first).
#
# Each part is independent: it checks whether its tools are there (a fast
# no-op when they are), installs what is missing, and on failure prints what
# it could not install and goes on. The script always exits 0: a test whose
# tool is missing skips with that reason. Parts:
#
#   python   Debian's python3-requests and python3-vcr (for /usr/bin/python3)
#   node     @octokit/rest and wiremock (its standalone jar) from npm, into
#            .test-deps/node (ignored by git); needs node and npm
#   chromium Debian's chromium (and a font), for the end-to-end test of the
#            HTML reports (make e2e)
#
# With no argument every part runs. TEST_DEPS_DIR overrides .test-deps.
set -uo pipefail

cd "$(dirname "$0")/.."
DEPS=${TEST_DEPS_DIR:-$PWD/.test-deps}

say() { echo "test-deps: $*"; }

# have_python_modules PY MODULE...: PY imports every MODULE.
have_python_modules() {
	local py=$1
	shift
	[[ -x $py ]] || return 1
	local m
	for m in "$@"; do
		"$py" -c "import $m" >/dev/null 2>&1 || return 1
	done
}

apt_updated=0
apt_install() { # apt_install PACKAGE...
	if ! command -v apt-get >/dev/null; then
		return 1
	fi
	local sudo=""
	if [[ $(id -u) != 0 ]]; then
		command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
		sudo="sudo -n"
	fi
	if ((apt_updated == 0)); then
		$sudo apt-get update -qq >/dev/null 2>&1 || true
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

part_python() {
	# Debian's packages go to /usr/bin/python3's dist-packages, whatever
	# python3 comes first on PATH.
	if have_python_modules /usr/bin/python3 requests vcr; then
		return 0
	fi
	if [[ ! -x /usr/bin/python3 ]] && ! command -v python3 >/dev/null; then
		say "python: no Python 3 on this machine; the Python tests will skip"
		return 0
	fi
	say "python: installing python3-requests python3-vcr"
	if ! apt_install python3-requests python3-vcr || ! have_python_modules /usr/bin/python3 requests vcr; then
		say "python: could not install python3-requests and python3-vcr (needs apt-get as root); the Python tests will skip"
	fi
	return 0
}

part_node() {
	local dir=$DEPS/node
	if [[ -f $dir/node_modules/@octokit/rest/package.json && -n $(find "$dir/node_modules/wiremock" -name 'wiremock*standalone*.jar' -print -quit 2>/dev/null) ]]; then
		return 0
	fi
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		say "node: node and npm are not on PATH; the JavaScript tests will skip"
		return 0
	fi
	say "node: installing @octokit/rest and wiremock into $dir"
	mkdir -p "$dir"
	[[ -f $dir/package.json ]] || echo '{"private": true, "name": "oauthcompat-test-deps"}' >"$dir/package.json"
	if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error @octokit/rest@22 wiremock@3 >npm-install.log 2>&1); then
		say "node: npm install failed (see $dir/npm-install.log); the JavaScript tests will skip"
	fi
	return 0
}

part_chromium() {
	if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
		return 0
	fi
	say "chromium: installing Debian's chromium for make e2e"
	# fonts-dejavu-core: text renders in the screenshots even on a bare system.
	if ! apt_install chromium fonts-dejavu-core || ! command -v chromium >/dev/null; then
		say "chromium: could not install chromium (needs apt-get as root); make e2e will skip its browser checks"
	fi
	return 0
}

parts=("$@")
((${#parts[@]})) || parts=(python node chromium)
for p in "${parts[@]}"; do
	if declare -F "part_$p" >/dev/null; then
		"part_$p"
	else
		say "unknown part $p (known: python node chromium)"
	fi
done
exit 0
