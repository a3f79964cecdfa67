package compiler

import (
	"fmt"
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
)

// retentionConflictCheck applies ECR's rules between the rules of one
// storage class (expireArchivedAfterDays rules act on archived images, the
// others on standard ones): at most one rule selects untagged images, and
// no two rules have the same set of tag prefixes.
type retentionConflictCheck struct{}

func (retentionConflictCheck) Name() string { return "retention-conflict" }

func (c retentionConflictCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		untagged := map[string]int{}
		prefixes := map[string]int{}
		for i, r := range rules {
			if !wellFormed(r) {
				continue
			}
			class := lifecycle.StorageClass(r)
			if r.Untagged {
				if first, ok := untagged[class]; ok {
					out = append(out, diag.Errorf(r.Fields.Of("untagged", r.Pos), c.Name(),
						"%s[%d] selects untagged images, and so does retention[%d]: ECR allows one rule per storage class (%s) to select untagged images; merge the two rules", where, i, first, class))
				} else {
					untagged[class] = i
				}
			}
			if len(r.TagPrefixes) > 0 {
				key := class + "\x00" + prefixSet(r.TagPrefixes)
				if first, ok := prefixes[key]; ok {
					out = append(out, diag.Errorf(r.Fields.Of("tagPrefixes", r.Pos), c.Name(),
						"%s[%d] has the same tag prefixes as retention[%d]: ECR requires each rule of a storage class (%s) to have its own set of prefixes, and this rule could never act on an image; merge the two rules", where, i, first, class))
				} else {
					prefixes[key] = i
				}
			}
		}
	})
	return out
}

// prefixSet is a canonical form of a set of prefixes: sorted, without
// duplicates.
func prefixSet(prefixes []string) string {
	s := slices.Clone(prefixes)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), "\x00")
}

// retentionLengthCheck requires the lifecycle policy a retention list
// renders to (the exact text the ecr target writes) to fit ECR's limit of
// 30,720 characters. The error is placed on the rule that crosses it.
type retentionLengthCheck struct{}

func (retentionLengthCheck) Name() string { return "retention-length" }

func (c retentionLengthCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		if slices.ContainsFunc(rules, func(r *model.RetentionRule) bool { return !wellFormed(r) }) {
			return // the malformed rules are reported; their policy has no length
		}
		total, err := policyLength(rules)
		if err != nil || total <= lifecycle.MaxLength {
			return
		}
		// The policy grows with each rule: find the first that crosses the limit.
		at := len(rules) - 1
		for i := range rules {
			if n, err := policyLength(rules[:i+1]); err == nil && n > lifecycle.MaxLength {
				at = i
				break
			}
		}
		out = append(out, diag.Errorf(rules[at].Pos, c.Name(),
			"%s: the ECR lifecycle policy would be %s characters long, and ECR allows %s; %s[%d] is the rule that crosses the limit: shorten descriptions or tag lists, or merge rules",
			where, thousands(total), thousands(lifecycle.MaxLength), where, at))
	})
	return out
}

func policyLength(rules []*model.RetentionRule) (int, error) {
	text, err := lifecycle.Render(rules)
	if err != nil {
		return 0, err
	}
	return lifecycle.Length(text), nil
}

// wellFormed reports whether a rule has one selector and one action, which
// retentionRuleCheck reports otherwise.
func wellFormed(r *model.RetentionRule) bool {
	return len(setFields(r, "tagPatterns", "tagPrefixes", "untagged", "any")) == 1 &&
		len(setFields(r, "keep", "expireAfterDays", "archiveAfterUnpulledDays", "expireArchivedAfterDays")) == 1
}

// thousands formats n with comma separators: 30720 -> "30,720".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
