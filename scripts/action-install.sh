#!/usr/bin/env bash
# action-install.sh: the install step of action.yml. Builds oauthcompat from
# the action's files, or downloads a release binary for the runner's OS and
# architecture and checks its SHA-256, into $TOOL_DIR; sets the step output
# "binary".
set -euo pipefail

case ${RUNNER_OS_NAME:-Linux} in
Linux) os=linux ;;
macOS) os=darwin ;;
Windows) os=windows ;;
*) echo "::error title=oauthcompat install::no oauthcompat release for runner OS ${RUNNER_OS_NAME}"; exit 3 ;;
esac
case ${RUNNER_ARCH_NAME:-X64} in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) echo "::error title=oauthcompat install::no oauthcompat release for runner architecture ${RUNNER_ARCH_NAME}"; exit 3 ;;
esac
exe=""
[[ $os == windows ]] && exe=.exe
mkdir -p "$TOOL_DIR"
bin=$TOOL_DIR/oauthcompat$exe

want=${OAUTHCOMPAT_WANT:-}
if [[ -z $want ]]; then
	if command -v go >/dev/null && [[ -f $ACTION_PATH/go.mod ]]; then
		want=source
	else
		want=${ACTION_REF:-}
	fi
fi

if [[ $want == source ]]; then
	if ! command -v go >/dev/null; then
		echo "::error title=oauthcompat install::oauthcompat-version is source but Go is not installed: add actions/setup-go, or give a release tag"
		exit 3
	fi
	echo "oauthcompat: building from $ACTION_PATH"
	(cd "$ACTION_PATH" && go build -ldflags "$(sh scripts/ldflags.sh)" -o "$bin" ./cmd/oauthcompat)
else
	if [[ -z $want || $want == main || $want == HEAD ]]; then
		echo "::error title=oauthcompat install::no release to download (the action was referenced at '${want:-nothing}'): reference a release tag (oauthcompat/oauthcompat@v1.2.0), set oauthcompat-version, or install Go"
		exit 3
	fi
	name=oauthcompat-$os-$arch$exe
	url=${OAUTHCOMPAT_RELEASE_URL%/}/$want
	echo "oauthcompat: downloading $url/$name"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if ! curl -fsSL --retry 3 -o "$tmp/$name" "$url/$name" || ! curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$url/SHA256SUMS"; then
		echo "::error title=oauthcompat install::cannot download $url/$name and its SHA256SUMS"
		exit 3
	fi
	want_sum=$(awk -v n="$name" '$2 == n || $2 == "*" n {print $1}' "$tmp/SHA256SUMS")
	if command -v sha256sum >/dev/null; then
		got_sum=$(sha256sum "$tmp/$name" | awk '{print $1}')
	else
		got_sum=$(shasum -a 256 "$tmp/$name" | awk '{print $1}')
	fi
	if [[ -z $want_sum || $want_sum != "$got_sum" ]]; then
		echo "::error title=oauthcompat install::$name does not match its SHA256SUMS entry (${want_sum:-none}); not using it"
		exit 3
	fi
	mv "$tmp/$name" "$bin"
	chmod +x "$bin"
fi
"$bin" version
echo "binary=$bin" >>"$GITHUB_OUTPUT"
