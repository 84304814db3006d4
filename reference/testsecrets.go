package reference

import (
	"encoding/json"
	"hash/fnv"
	"sync"

	"github.com/oauthcompat/oauthcompat/redact"
)

// Public test values that requests to the reference server send besides
// the seed's (see [DefaultFixtures]): a well-formed token no server issues,
// credentials and a one-time password that are wrong on purpose, and an
// access_token that is not a string (the JSON number 42). Like the seed,
// they are published test data, not secrets.
const (
	UnknownToken      = "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"
	WrongClientSecret = "not-the-secret"
	WrongPassword     = "wrong-password"
	WrongSecret       = "wrong"
	WrongOTP          = "000000"
	NumberToken       = "42"
)

// mintedTestTokens is how many tokens from the default seed count as
// published: more than any one trigger or fixture scenario mints.
const mintedTestTokens = 64

// DefaultSeed returns the seed a [Server] started with [DefaultFixtures]
// (and no [WithSeed]) mints its tokens from.
func DefaultSeed() uint64 { return fixturesSeed(DefaultFixtures()) }

// fixturesSeed derives a seed from the fixtures, so the same fixtures mint
// the same tokens.
func fixturesSeed(f Fixtures) uint64 {
	h := fnv.New64a()
	b, _ := json.Marshal(f)
	h.Write(b)
	return h.Sum64()
}

// IsTestSecret reports whether s is one of the reference server's
// published test credentials, which fixture packs and documentation hold
// in clear on purpose: a client secret, password, token or other secret
// value of [DefaultFixtures]; one of the public test values above; one of
// the first 64 tokens (of any prefix) a server mints from [DefaultSeed];
// or the hashed_token or token_last_eight of one of those tokens.
// `oauthcompat cassette lint` does not report them.
func IsTestSecret(s string) bool {
	if s == "" {
		return false
	}
	return testSecrets()[s]
}

var testSecrets = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	addToken := func(t string) {
		set[t] = true
		set[hashToken(t)] = true
		set[lastEight(t)] = true
	}
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, m := range x {
				walk(m, secret || redact.IsSecretField(k) || k == "value")
			}
		case []any:
			for _, m := range x {
				walk(m, secret)
			}
		case string:
			switch {
			case validTokenShape(x):
				addToken(x)
			case secret && x != "":
				set[x] = true
			}
		}
	}
	var tree any
	b, _ := json.Marshal(DefaultFixtures())
	json.Unmarshal(b, &tree)
	walk(tree, false)
	addToken(UnknownToken)
	for _, s := range []string{WrongClientSecret, WrongPassword, WrongSecret, WrongOTP, NumberToken} {
		set[s] = true
	}
	src := newTokenSource(DefaultSeed())
	for range mintedTestTokens {
		body := src.next("")
		for _, p := range []string{PrefixOAuth, PrefixUserToServer, PrefixPersonal} {
			addToken(p + body)
		}
	}
	return set
})
