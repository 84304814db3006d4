package conformance

import "testing"

func TestMask(t *testing.T) {
	m := newMasker("c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b", "octocat-password")
	tests := []struct{ name, got, want string }{
		{"body fields", m.body([]byte(`{"access_token":"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","client_secret":"x","note":"n","token_last_eight":"7To4CBcq"}`)),
			`{"access_token":"***","client_secret":"***","note":"n","token_last_eight":"***"}`},
		{"token in text", m.text("bad token 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 here"), "bad token gho_*** here"},
		{"known secret", m.text("password octocat-password"), "password ***"},
		{"basic", m.authorization(basic("Iv1.8a61f9b3a7aba766", "c5f0e3b2a19d8c7b6a5f4e3d2c1b0a9f8e7d6c5b")), "Basic Iv1.8a61f9b3a7aba766:***"},
		{"token scheme", m.authorization("token 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"), "token ***"},
		{"legacy path", maskPath("/api/v3/applications/Iv1.x/tokens/anything?x=1"), "/api/v3/applications/Iv1.x/tokens/***?x=1"},
		{"grant path kept", maskPath("/applications/grants/12"), "/applications/grants/12"},
		{"not json", m.body([]byte("<html>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</html>")), "<html>gho_***</html>"},
		{"token glued", m.text("x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"), "xgho_***"},
		{"token percent-encoded", m.text("cb%3Ftoken%3D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"), "cb%3Ftoken%3Dgho_***"},
		{"echoed Basic under any name", m.body([]byte(`{"echo":"Basic c29tZW9uZTpwYXNzd29yZDE="}`)), `{"echo":"Basic ***"}`},
		{"authorization member", m.body([]byte(`{"Authorization":"opaque"}`)), `{"Authorization":"***"}`},
		{"legacy path, other spelling", m.text("GET /%61pplications/1/tokens/opaquevalue"), "GET /%61pplications/1/tokens/***"},
		{"path template kept", m.text("GET /applications/{client_id}/tokens/{access_token}"), "GET /applications/{client_id}/tokens/{access_token}"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestParseLink(t *testing.T) {
	h := `<http://h/api/v3/authorizations?page=2&per_page=1>; rel="next", <http://h/api/v3/authorizations?page=5&per_page=1>; rel="last"`
	l := parseLink(h)
	if pageNum(l["next"]) != 2 || pageNum(l["last"]) != 5 || l["prev"] != nil {
		t.Errorf("parseLink(%q) = %v", h, l)
	}
}
