package reference

import (
	"encoding/base64"
	"slices"
	"strconv"
)

// env is what rendering needs from the request and the operation.
type env struct {
	apiBase string // "http://host/api/v3" (GHES) or "http://host"
	webBase string // "http://host"
	status  bool   // error bodies carry "status"
	// statusless are the statuses whose error bodies carry no "status",
	// whatever status says (the route's documented schemas).
	statusless []int
	f          fields // the members that differ between versions which this route renders
}

// patApp is the app GitHub shows for a personal access token.
var patApp = App{ClientID: "00000000000000000000", URL: "https://docs.github.com/rest/oauth-authorizations/oauth-authorizations"}

func appendApp(b []byte, a *app, note string) []byte {
	v := patApp
	if a != nil {
		v = a.App
	} else {
		v.Name = note
		if v.Name == "" {
			v.Name = "personal access token"
		}
	}
	b = append(b, `{"client_id":`...)
	b = appendString(b, v.ClientID)
	b = append(b, `,"name":`...)
	b = appendString(b, v.Name)
	b = append(b, `,"url":`...)
	b = appendString(b, v.URL)
	return append(b, '}')
}

// nodeID is GitHub's legacy global id of a user: base64("04:User<id>").
func nodeID(id int64) string {
	var raw [32]byte
	s := strconv.AppendInt(append(raw[:0], "04:User"...), id, 10)
	return base64.StdEncoding.EncodeToString(s)
}

func appendUser(b []byte, e *env, u *user) []byte {
	if u == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"login":`...)
	b = appendString(b, u.Login)
	b = append(b, `,"id":`...)
	b = appendInt(b, u.ID)
	if e.f&fNodeID != 0 {
		b = append(b, `,"node_id":`...)
		b = appendString(b, nodeID(u.ID))
	}
	b = append(b, `,"avatar_url":`...)
	var id [20]byte
	b = appendConcat(b, e.webBase, "/avatars/u/", string(strconv.AppendInt(id[:0], u.ID, 10)))
	b = append(b, `,"gravatar_id":"","url":`...)
	b = appendConcat(b, e.apiBase, "/users/", u.Login)
	b = append(b, `,"html_url":`...)
	b = appendConcat(b, e.webBase, "/", u.Login)
	for _, f := range [...]struct{ key, suffix string }{
		{"followers_url", "/followers"},
		{"following_url", "/following{/other_user}"},
		{"gists_url", "/gists{/gist_id}"},
		{"starred_url", "/starred{/owner}{/repo}"},
		{"subscriptions_url", "/subscriptions"},
		{"organizations_url", "/orgs"},
		{"repos_url", "/repos"},
		{"events_url", "/events{/privacy}"},
		{"received_events_url", "/received_events"},
	} {
		b = append(b, ',')
		b = appendKey(b, f.key)
		b = appendConcat(b, e.apiBase, "/users/", u.Login, f.suffix)
	}
	if e.f&fUserViewType != 0 {
		return append(b, `,"type":"User","user_view_type":"public","site_admin":false}`...)
	}
	return append(b, `,"type":"User","site_admin":false}`...)
}

func appendInstallation(b []byte, e *env, in *installation) []byte {
	if in == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"permissions":{`...)
	for i, p := range in.permissions {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p[0])
		b = append(b, ':')
		b = appendString(b, p[1])
	}
	b = append(b, `},"repository_selection":`...)
	b = appendString(b, in.selection)
	b = append(b, `,"single_file_name":null,"has_multiple_single_files":false,"single_file_paths":[],"repositories_url":`...)
	b = appendConcat(b, e.apiBase, "/user/repos")
	b = append(b, `,"account":`...)
	b = appendUser(b, e, in.account)
	return append(b, '}')
}

// appendAuthorization renders r as GitHub's authorization object. The
// token itself is shown only when showToken is true (creation, check and
// reset); elsewhere GitHub sends "".
func appendAuthorization(b []byte, e *env, r *record, showToken bool) []byte {
	b = append(b, `{"id":`...)
	b = appendInt(b, r.id)
	b = append(b, `,"url":`...)
	var id [20]byte
	b = appendConcat(b, e.apiBase, "/authorizations/", string(strconv.AppendInt(id[:0], r.id, 10)))
	b = append(b, `,"app":`...)
	b = appendApp(b, r.app, r.note)
	b = append(b, `,"token":`...)
	if showToken {
		b = appendString(b, r.token)
	} else {
		b = append(b, `""`...)
	}
	if e.f&fHashedToken != 0 {
		b = append(b, `,"hashed_token":`...)
		b = appendString(b, r.hashed)
	}
	if e.f&fTokenLastEight != 0 {
		b = append(b, `,"token_last_eight":`...)
		b = appendString(b, lastEight(r.token))
	}
	b = append(b, `,"note":`...)
	b = appendNullString(b, r.note)
	b = append(b, `,"note_url":`...)
	b = appendNullString(b, r.noteURL)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, r.created)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, r.updated)
	b = append(b, `,"scopes":`...)
	b = appendStrings(b, r.scopes)
	if e.f&fFingerprint != 0 {
		b = append(b, `,"fingerprint":`...)
		b = appendNullString(b, r.fingerprint)
	}
	if e.f&fExpiresAt != 0 {
		b = append(b, `,"expires_at":`...)
		b = appendTime(b, r.expires)
	}
	if e.f&fUser != 0 {
		b = append(b, `,"user":`...)
		b = appendUser(b, e, r.user)
	}
	if e.f&fInstallation != 0 {
		b = append(b, `,"installation":`...)
		b = appendInstallation(b, e, r.inst)
	}
	return append(b, '}')
}

func appendGrant(b []byte, e *env, s *state, g *grant) []byte {
	b = append(b, `{"id":`...)
	b = appendInt(b, g.id)
	b = append(b, `,"url":`...)
	var id [20]byte
	b = appendConcat(b, e.apiBase, "/applications/grants/", string(strconv.AppendInt(id[:0], g.id, 10)))
	b = append(b, `,"app":`...)
	b = appendApp(b, g.app, "")
	b = append(b, `,"created_at":`...)
	b = appendTime(b, g.created)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, s.grantUpdated(g))
	b = append(b, `,"scopes":`...)
	b = appendStrings(b, s.grantScopes(g))
	if e.f&fUser != 0 {
		b = append(b, `,"user":`...)
		b = appendUser(b, e, g.user)
	}
	return append(b, '}')
}

// fieldError is one entry of a validation error's "errors".
type fieldError struct {
	Resource string
	Field    string
	Code     string // missing_field, invalid, already_exists, missing, custom
	Message  string
}

// carriesStatus reports whether an error body of this status has
// "status".
func (e *env) carriesStatus(status int) bool {
	return e.status && !slices.Contains(e.statusless, status)
}

func appendBasicError(b []byte, e *env, status int, msg, doc string) []byte {
	b = append(b, `{"message":`...)
	b = appendString(b, msg)
	b = append(b, `,"documentation_url":`...)
	b = appendString(b, doc)
	if e.carriesStatus(status) {
		b = append(b, `,"status":"`...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, '"')
	}
	return append(b, '}')
}

func appendValidationError(b []byte, e *env, msg, doc string, errs []fieldError) []byte {
	b = append(b, `{"message":`...)
	b = appendString(b, msg)
	if len(errs) > 0 {
		b = append(b, `,"errors":[`...)
		for i, fe := range errs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			sep := false
			for _, kv := range [...][2]string{{"resource", fe.Resource}, {"field", fe.Field}, {"code", fe.Code}, {"message", fe.Message}} {
				if kv[1] == "" && kv[0] != "code" {
					continue
				}
				if sep {
					b = append(b, ',')
				}
				sep = true
				b = appendKey(b, kv[0])
				b = appendString(b, kv[1])
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"documentation_url":`...)
	b = appendString(b, doc)
	if e.carriesStatus(422) {
		b = append(b, `,"status":"422"`...)
	}
	return append(b, '}')
}
