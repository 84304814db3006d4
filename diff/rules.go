package diff

// Rule is one kind of change: its stable id, its severity and what it means.
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
}

// rules is the single table of rule ids. docs/diff.md documents each one;
// a test keeps the two in step.
var rules = []Rule{
	// Operations.
	{"operation-removed", SeverityBreaking, "the target no longer documents an operation"},
	{"legacy-path-token-endpoint-removed", SeverityBreaking, "a legacy endpoint with the token in the URL is gone; a token-in-body endpoint replaces it"},
	{"authorizations-api-operation-removed", SeverityBreaking, "an OAuth Authorizations API operation is gone; use the web application or device flow and the token endpoints"},
	{"operation-added", SeverityInfo, "the target documents a new operation"},
	{"operation-deprecated", SeverityWarning, "the target marks the operation deprecated: plan the move before it is removed"},
	{"operation-undeprecated", SeverityInfo, "the target no longer marks the operation deprecated"},
	{"operation-id-changed", SeverityInfo, "the same method and path have a new operationId (generated SDKs rename the method)"},
	// Status codes.
	{"status-added", SeverityInfo, "the operation documents a new status code"},
	{"status-removed", SeverityWarning, "the operation no longer documents an error or redirect status"},
	{"success-status-removed", SeverityBreaking, "the operation no longer documents a success status a client expects"},
	{"response-content-type-changed", SeverityWarning, "the documented media type of a response changed"},
	// Response bodies: what a client reads.
	{"response-body-added", SeverityInfo, "a status that had no body now documents one"},
	{"response-body-removed", SeverityBreaking, "a status that had a body now documents none"},
	{"response-property-added", SeverityInfo, "a response property appears (clients ignore unknown fields)"},
	{"response-property-removed", SeverityBreaking, "a required response property disappears"},
	{"response-optional-property-removed", SeverityWarning, "an optional response property disappears"},
	{"response-property-type-changed", SeverityBreaking, "a response property changes JSON type"},
	{"response-property-format-added", SeverityInfo, "a response property's format (date-time, uri, int64...) is now documented"},
	{"response-property-format-changed", SeverityWarning, "a response property changes or loses its format"},
	{"response-property-became-nullable", SeverityWarning, "a response property may now be null: strict clients break"},
	{"response-property-became-non-nullable", SeverityInfo, "a response property can no longer be null"},
	{"response-required-added", SeverityInfo, "a response property is now always present"},
	{"response-required-removed", SeverityWarning, "a response property may now be absent"},
	{"response-enum-value-added", SeverityWarning, "a response property can take a new value: exhaustive switches break"},
	{"response-enum-value-removed", SeverityInfo, "a response property can no longer take a value"},
	{"response-enum-added", SeverityInfo, "a response property's values are now enumerated"},
	{"response-enum-removed", SeverityWarning, "a response property's values are no longer enumerated"},
	// Request bodies: what a client sends.
	{"request-body-added", SeverityWarning, "the operation now documents a request body"},
	{"request-body-removed", SeverityWarning, "the operation no longer documents a request body"},
	{"request-body-became-required", SeverityBreaking, "the request body is now required"},
	{"request-body-became-optional", SeverityInfo, "the request body is now optional"},
	{"request-property-added", SeverityInfo, "a new optional request property"},
	{"request-required-property-added", SeverityBreaking, "a new request property that clients must send"},
	{"request-property-removed", SeverityWarning, "a request property is no longer documented: the server may ignore or reject it"},
	{"request-property-type-changed", SeverityBreaking, "a request property changes JSON type"},
	{"request-property-format-added", SeverityWarning, "a request property must now match a format"},
	{"request-property-format-changed", SeverityWarning, "a request property changes or loses its format"},
	{"request-property-became-nullable", SeverityInfo, "a request property accepts null"},
	{"request-property-became-non-nullable", SeverityBreaking, "a request property no longer accepts null"},
	{"request-property-required-added", SeverityBreaking, "an existing request property becomes required"},
	{"request-property-required-removed", SeverityInfo, "a request property becomes optional"},
	{"request-enum-value-added", SeverityInfo, "a request property accepts a new value"},
	{"request-enum-value-removed", SeverityBreaking, "a request property no longer accepts a value"},
	{"request-enum-added", SeverityBreaking, "a request property's values are now restricted"},
	{"request-enum-removed", SeverityInfo, "a request property's values are no longer restricted"},
	// Observed diffs.
	{"observed-endpoint-removed", SeverityBreaking, "an operation that answered now answers 404 because the server no longer has it"},
	{"observed-status-changed", SeverityBreaking, "an operation that answered with success no longer does, for another reason than removal"},
	{"observed-status-added", SeverityInfo, "the second recording shows a status the first does not"},
	{"observed-status-gone", SeverityInfo, "the first recording shows a non-success status the second does not"},
	{"observed-operation-only-before", SeverityInfo, "the operation was called in the first recording only"},
	{"observed-operation-only-after", SeverityInfo, "the operation was called in the second recording only"},
	{"observed-field-added", SeverityInfo, "a response field appears"},
	{"observed-field-removed", SeverityBreaking, "a response field disappears"},
	{"observed-field-type-changed", SeverityBreaking, "a response field changes JSON type"},
	{"observed-field-became-null", SeverityWarning, "a response field was seen null where it never was"},
	{"observed-field-sometimes-absent", SeverityWarning, "a response field that was always present is now sometimes absent"},
}

var ruleByID = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		if _, dup := m[r.ID]; dup {
			panic("diff: duplicate rule " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()

// Rules returns every rule, grouped as docs/diff.md lists them.
func Rules() []Rule { return append([]Rule(nil), rules...) }
