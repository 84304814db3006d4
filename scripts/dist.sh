#!/usr/bin/env bash
# dist.sh [OUT]: static release binaries (no cgo) for every platform the
# GitHub Action downloads, named oauthcompat-<os>-<arch>[.exe], with the
# release stamped in, and SHA256SUMS beside them.
#
#   VERSION=v1.2.3                  the release (default: git describe)
#   PLATFORMS="linux/amd64 ..."     the platforms (default: linux, darwin and
#                                   windows on amd64 and arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dist}
GO=${GO:-go}
platforms=${PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}
ldflags="-s -w $(scripts/ldflags.sh)"
mkdir -p "$OUT"
names=()
for p in $platforms; do
	os=${p%/*} arch=${p#*/}
	name=oauthcompat-$os-$arch
	[[ $os == windows ]] && name+=.exe
	echo "dist: $name"
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "$ldflags" -o "$OUT/$name.tmp" ./cmd/oauthcompat
	mv "$OUT/$name.tmp" "$OUT/$name"
	names+=("$name")
done
(cd "$OUT" && sha256sum "${names[@]}" >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "dist: $OUT/SHA256SUMS"
