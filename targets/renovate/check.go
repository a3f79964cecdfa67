package renovate

import (
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// check reports schedule entries Renovate rejects (errors), and warns about
// later.js schedules it cannot convert, a renovate.json that Renovate will
// not read, and spec updates whose outputs Renovate cannot regenerate.
func check(m *model.Release) diag.List {
	r := m.Renovate
	base := r.Pos
	if !base.IsValid() {
		base = m.Pos
	}
	var out diag.List
	schedulePos := r.Fields.Of("schedule", base)
	for _, s := range r.Schedule {
		e := convertSchedule(s)
		switch {
		case e.Problem != "":
			out = append(out, diag.Errorf(schedulePos, "renovate-schedule", "%s", e.Problem))
		case e.Legacy:
			out = append(out, diag.Warnf(schedulePos, "renovate-schedule",
				"renovate schedule %q is later.js text, which Renovate still reads but has deprecated, and release-gen cannot convert it: write it as cron with \"*\" minutes, e.g. %q for \"before 6am on Monday\"",
				s, "* 0-5 * * 1"))
		}
	}
	if dir := m.Drift.Out; dir != "" && dir != "." {
		out = append(out, diag.Warnf(m.Fields.Of("targets", base), "renovate-location",
			"the renovate target writes %s/%s, but Renovate reads its configuration only at the repository root: build with the output directory at the repository root, or drop \"renovate\" from targets",
			dir, Path))
	}
	if customManagers(m) != nil {
		if _, ok := regenerate(m); !ok {
			out = append(out, diag.Warnf(base, "renovate-regenerate",
				"the spec's toolchain versions are updated by Renovate, but its branches cannot rerun release-gen because the spec or output directory (%q, %q) is not a plain path: run release-gen build on them by hand",
				m.Drift.Dir, m.Drift.Out))
		}
	}
	return out
}
