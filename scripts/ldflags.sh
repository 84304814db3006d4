#!/usr/bin/env sh
# ldflags.sh: the -X flags that stamp the release and the commit into the
# binary (see cmd/oauthcompat/version.go). VERSION in the environment
# overrides the release git describes.
cd "$(dirname "$0")/.." || exit 1
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
commit=$(git rev-parse HEAD 2>/dev/null || true)
date=$(git log -1 --format=%cI 2>/dev/null || true)
printf '%s' "-X main.version=$version -X main.commit=$commit -X main.commitDate=$date"
