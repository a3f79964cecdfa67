package compiler

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
)

// maxRetentionRules is ECR's limit on rules per lifecycle policy.
const maxRetentionRules = lifecycle.MaxRules

// retentionRuleCheck requires each rule to select exactly one of
// tagPatterns, tagPrefixes, untagged and any, to have exactly one action,
// to use no empty tag pattern or prefix and at most four '*' per tag
// pattern (ECR's limit), and to expire archived images no sooner than ECR's
// 90-day minimum archive storage duration.
type retentionRuleCheck struct{}

func (retentionRuleCheck) Name() string { return "retention-rule" }

func (c retentionRuleCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		for i, r := range rules {
			at := fmt.Sprintf("%s[%d]", where, i)
			selectors := setFields(r, "tagPatterns", "tagPrefixes", "untagged", "any")
			switch len(selectors) {
			case 0:
				out = append(out, diag.Errorf(r.Pos, c.Name(), "%s selects no images: set one of tagPatterns, tagPrefixes, untagged: true or any: true", at))
			case 1:
			default:
				out = append(out, diag.Errorf(r.Fields.Of(selectors[1], r.Pos), c.Name(), "%s sets both %s and %s: a rule selects images one way; split it into two rules", at, selectors[0], selectors[1]))
			}
			actions := setFields(r, "keep", "expireAfterDays", "archiveAfterUnpulledDays", "expireArchivedAfterDays")
			switch len(actions) {
			case 0:
				out = append(out, diag.Errorf(r.Pos, c.Name(), "%s has no action: set one of keep, expireAfterDays, archiveAfterUnpulledDays or expireArchivedAfterDays", at))
			case 1:
			default:
				out = append(out, diag.Errorf(r.Fields.Of(actions[1], r.Pos), c.Name(), "%s sets both %s and %s: a rule has one action; split it into two rules", at, actions[0], actions[1]))
			}
			for _, p := range r.TagPatterns {
				if n := strings.Count(p, "*"); n > lifecycle.MaxWildcards {
					out = append(out, diag.Errorf(r.Fields.Of("tagPatterns", r.Pos), c.Name(), "%s: tag pattern %q has %d wildcards; ECR allows at most %d '*' per pattern", at, p, n, lifecycle.MaxWildcards))
				}
			}
			out = append(out, c.emptyEntries(r, at, "tagPatterns", "pattern", r.TagPatterns)...)
			out = append(out, c.emptyEntries(r, at, "tagPrefixes", "prefix", r.TagPrefixes)...)
			if d := r.ExpireArchivedAfterDays; d > 0 && d < lifecycle.MinArchiveDays {
				out = append(out, diag.Errorf(r.Fields.Of("expireArchivedAfterDays", r.Pos), c.Name(), "%s: expireArchivedAfterDays is %d, but archived images have a minimum storage duration of %d days and ECR rejects rules that delete them sooner; use %d or more", at, d, lifecycle.MinArchiveDays, lifecycle.MinArchiveDays))
			}
		}
	})
	return out
}

// emptyEntries reports the empty strings in a tag list: ECR needs
// non-empty patterns and prefixes.
func (c retentionRuleCheck) emptyEntries(r *model.RetentionRule, at, field, noun string, entries []string) diag.List {
	var out diag.List
	for j, e := range entries {
		if e == "" {
			out = append(out, diag.Errorf(r.Fields.Of(field, r.Pos), c.Name(), "%s: %s[%d] is empty: ECR needs a non-empty tag %s (to select every tagged image, use tagPatterns: [\"*\"])", at, field, j, noun))
		}
	}
	return out
}

// retentionOrderCheck requires an any-rule to come last (ECR gives it the
// highest rulePriority) and at most 50 rules.
type retentionOrderCheck struct{}

func (retentionOrderCheck) Name() string { return "retention-order" }

func (c retentionOrderCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		if len(rules) > maxRetentionRules {
			out = append(out, diag.Errorf(rules[maxRetentionRules].Pos, c.Name(), "%s has %d rules; ECR allows at most %d per policy", where, len(rules), maxRetentionRules))
		}
		for i, r := range rules {
			if r.Any && i != len(rules)-1 {
				out = append(out, diag.Errorf(r.Fields.Of("any", r.Pos), c.Name(), "%s[%d] selects any image but is not the last rule: ECR requires the any-rule to have the highest priority, so move it to the end", where, i))
			}
		}
	})
	return out
}

// forEachRetention visits the top-level list and each service's own list.
func forEachRetention(m *model.Release, f func(where string, rules []*model.RetentionRule)) {
	f("retention", m.Retention)
	for _, s := range m.Services {
		if _, own := s.Fields["retention"]; own {
			f(fmt.Sprintf("service %q retention", s.Name), s.Retention)
		}
	}
}

// setFields returns which of the named fields the rule sets, in the order given.
func setFields(r *model.RetentionRule, names ...string) []string {
	var out []string
	for _, n := range names {
		set := false
		switch n {
		case "tagPatterns":
			set = len(r.TagPatterns) > 0
		case "tagPrefixes":
			set = len(r.TagPrefixes) > 0
		case "untagged":
			set = r.Untagged
		case "any":
			set = r.Any
		case "keep":
			set = r.Keep > 0
		case "expireAfterDays":
			set = r.ExpireAfterDays > 0
		case "archiveAfterUnpulledDays":
			set = r.ArchiveAfterUnpulledDays > 0
		case "expireArchivedAfterDays":
			set = r.ExpireArchivedAfterDays > 0
		}
		if set {
			out = append(out, n)
		}
	}
	return out
}
