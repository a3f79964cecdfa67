package compiler

import (
	"fmt"
	"strings"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// retentionTagsCheck warns about a tagged retention rule that can never
// act because one of its patterns or prefixes matches no tag the generated
// pipelines push: <sha> (the full commit SHA, every build), vX.Y.Z (release
// tags, with an optional -prerelease suffix), and <tagPrefix><sha> and
// <tagPrefix>latest for each environment. ECR selects an image only when
// every entry of the rule's list matches one of its tags. It runs when
// lifecycle policies are generated (the ecr target on an ECR registry).
type retentionTagsCheck struct{}

func (retentionTagsCheck) Name() string { return "retention-tags" }

func (c retentionTagsCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	if !ecrPolicies(m, failed) || failed["environments"] {
		return nil
	}
	tags := producedTags(m)
	matches := memo(func(field, entry string) bool { return tags.someMatch(globOf(field, entry)) })
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		for i, r := range rules {
			if !wellFormed(r) {
				continue
			}
			field, entries := tagEntries(r)
			var dead []string
			for _, e := range entries {
				if !matches(field, e) {
					dead = append(dead, fmt.Sprintf("%q", e))
				}
			}
			if len(dead) == 0 {
				continue
			}
			what, verb := "tag pattern", "matches"
			if field == "tagPrefixes" {
				what = "tag prefix"
			}
			if len(dead) > 1 {
				what, verb = "tag patterns", "match"
				if field == "tagPrefixes" {
					what = "tag prefixes"
				}
			}
			out = append(out, diag.Warnf(r.Fields.Of(field, r.Pos), c.Name(),
				"%s[%d]: %s %s %s no tag the pipelines push, so the rule never acts; images are tagged %s",
				where, i, what, joinAnd(dead), verb, tags.describe()))
		}
	})
	return out
}

// producedTag is one kind of tag the pipelines push.
type producedTag struct {
	// name shows the tag in messages: "<sha>", "vX.Y.Z", "prod-latest".
	name  string
	forms []tagForm
}

type tagSet []producedTag

// producedTags lists the tags every image may carry, build tags first,
// then each environment's in promotion order.
func producedTags(m *model.Release) tagSet {
	tags := tagSet{
		{name: "<sha>", forms: []tagForm{shaForm("")}},
		{name: "vX.Y.Z", forms: versionForms()},
	}
	for _, e := range m.Environments {
		tags = append(tags,
			producedTag{name: e.TagPrefix + "<sha>", forms: []tagForm{shaForm(e.TagPrefix)}},
			producedTag{name: e.TagPrefix + "latest", forms: []tagForm{literal(e.TagPrefix + "latest")}})
	}
	return tags
}

// memo returns f with its results remembered per field and entry: the
// same retention lists recur across services, and relating an entry to
// the produced tags walks two automata.
func memo[T any](f func(field, entry string) T) func(field, entry string) T {
	type key struct{ field, entry string }
	seen := map[key]T{}
	return func(field, entry string) T {
		k := key{field, entry}
		v, ok := seen[k]
		if !ok {
			v = f(field, entry)
			seen[k] = v
		}
		return v
	}
}

// someMatch reports whether g matches some tag of the set.
func (ts tagSet) someMatch(g glob) bool {
	for _, t := range ts {
		for _, f := range t.forms {
			if some, _ := relate(f, g); some {
				return true
			}
		}
	}
	return false
}

func (ts tagSet) describe() string {
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		switch t.name {
		case "<sha>":
			names = append(names, "<sha> (the full commit SHA, every build)")
		case "vX.Y.Z":
			names = append(names, "vX.Y.Z (release tags)")
		default:
			names = append(names, t.name)
		}
	}
	return joinAnd(names)
}

// tagEntries returns the rule's tag list and its field name, or nothing for
// untagged and any rules.
func tagEntries(r *model.RetentionRule) (field string, entries []string) {
	switch {
	case len(r.TagPatterns) > 0:
		return "tagPatterns", r.TagPatterns
	case len(r.TagPrefixes) > 0:
		return "tagPrefixes", r.TagPrefixes
	}
	return "", nil
}

func globOf(field, entry string) glob {
	if field == "tagPrefixes" {
		return prefixGlob(entry)
	}
	return patternGlob(entry)
}

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
