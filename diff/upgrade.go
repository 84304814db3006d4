package diff

import (
	"fmt"
	"sort"

	"github.com/oauthcompat/oauthcompat/schemas"
)

// UpgradeCheck checks a client's recorded traffic against the target
// version to. The traffic was recorded at from (nil: the version its
// directory names). For every operation the client calls it reports:
//
//   - the operation removed: to does not document it (with the migration
//     for legacy path-token and Authorizations API operations);
//   - every breaking or warning change the documented diff from → to shows
//     for that operation that the client can meet: request body changes,
//     status changes, and response changes for the statuses the client
//     actually received.
//
// Info changes are left out: they cannot break a client. The report is
// breaking when a call can fail after the upgrade.
func (d *Differ) UpgradeCheck(traffic *Recording, from, to *schemas.Version) (*Report, error) {
	if from == nil {
		v, err := traffic.versionOf()
		if err != nil {
			return nil, err
		}
		from = v
	}
	doc, err := d.Documented(from, to)
	if err != nil {
		return nil, err
	}
	byOp := map[string][]Change{}
	for _, c := range doc.Changes {
		k := c.Method + " " + c.Path
		byOp[k] = append(byOp[k], c)
	}
	rep := &Report{Kind: KindUpgradeCheck, From: from.Name, To: to.Name}
	rep.noteLeftovers(traffic)
	groups := group(traffic)
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		ev := &Evidence{Calls: len(g.calls), StatusesBefore: g.statuses(), Example: example(g.calls[0]), Cassette: g.calls[0].Cassette}
		if top, ok := to.Match(g.op.Method, g.op.Path); !ok || top.Key() != k {
			rule, mig := removal(g.op, to)
			c := callChange(g, rule, fmt.Sprintf("the client calls it (%s); %s does not document it", times(len(g.calls)), to.Name))
			c.Migration, c.Evidence = mig, ev
			rep.add(c)
			continue
		}
		for _, c := range byOp[k] {
			if c.Severity == SeverityInfo {
				continue
			}
			if c.Location == "response" || c.Rule == "success-status-removed" || c.Rule == "status-removed" {
				if _, seen := g.byStatus[c.Status]; !seen {
					continue
				}
			}
			c.Evidence = ev
			c.Message = fmt.Sprintf("%s (the client calls it %s)", c.Message, times(len(g.calls)))
			rep.add(c)
		}
	}
	rep.Sort()
	return rep, nil
}

// times renders a call count: "once", "twice", "3 times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
