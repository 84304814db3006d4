package diff

import (
	"fmt"

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
	rep, err := d.UpgradeCheckTraffic(traffic.Traffic(), from, to)
	if err != nil {
		return nil, err
	}
	rep.noteLeftovers(traffic)
	return rep, nil
}

// UpgradeCheckTraffic is [Differ.UpgradeCheck] of a recording's summary
// by operation ([Recording.Traffic], or the [MergeTraffic] of the
// summaries of its parts): the check needs nothing else, so a recording
// too large for one machine is checked part by part and the partial
// summaries merged. The report carries the summary.
func (d *Differ) UpgradeCheckTraffic(traffic []OpTraffic, from, to *schemas.Version) (*Report, error) {
	doc, err := d.Documented(from, to)
	if err != nil {
		return nil, err
	}
	byOp := map[string][]Change{}
	for _, c := range doc.Changes {
		k := c.Method + " " + c.Path
		byOp[k] = append(byOp[k], c)
	}
	rep := &Report{Kind: KindUpgradeCheck, From: from.Name, To: to.Name, Traffic: traffic}
	if rep.Traffic == nil {
		rep.Traffic = []OpTraffic{}
	}
	for i := range traffic {
		t := &traffic[i]
		op, err := d.operation(t)
		if err != nil {
			return nil, err
		}
		k := t.Key()
		ev := &Evidence{Calls: t.Calls, StatusesBefore: t.statuses(), Example: t.Example, Cassette: t.Cassette}
		g := &opCalls{op: op, id: t.Operation}
		if top, ok := to.Match(op.Method, op.Path); !ok || top.Key() != k {
			rule, mig := removal(op, to)
			c := callChange(g, rule, fmt.Sprintf("the client calls it (%s); %s does not document it", times(t.Calls), to.Name))
			c.Migration, c.Evidence = mig, ev
			rep.add(c)
			continue
		}
		for _, c := range byOp[k] {
			if c.Severity == SeverityInfo {
				continue
			}
			if c.Location == "response" || c.Rule == "success-status-removed" || c.Rule == "status-removed" {
				if _, seen := t.Statuses[c.Status]; !seen {
					continue
				}
			}
			c.Evidence = ev
			c.Message = fmt.Sprintf("%s (the client calls it %s)", c.Message, times(t.Calls))
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
