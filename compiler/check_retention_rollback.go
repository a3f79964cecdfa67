package compiler

import (
	"fmt"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
)

// retentionRollbackCheck warns when retention can remove an image that
// production may have to roll back to.
//
// Production is the last environment with approval: true, or the last
// environment when none has it. Its rollback target is the image it ran
// before the current one (what a failed canary or a manual rollback goes
// back to); both carry the tag <tagPrefix><sha> of production.
//
// ECR lets the first rule (lowest rulePriority) whose tag selection an
// image matches decide its fate in its storage class. The check walks the
// standard-storage rules in order, skipping untagged rules, and looks at
// every rule that can select a production image: an any rule, or a tagged
// rule each of whose entries matches some tag the pipelines push (a
// production image also carries <sha>, perhaps vX.Y.Z, and other
// environments' tags). Each such rule must keep at least 2 images (keep:
// N with N >= 2: the current image and the rollback target); a rule that
// keeps 1, expires images some days after push (expireAfterDays), or
// archives images not pulled for some days (archiveAfterUnpulledDays:
// archived images cannot be pulled until restored) is reported. The walk
// stops at the first rule that selects every production image (an any
// rule, or one whose every entry matches all tags <tagPrefix><sha> or all
// tags <sha>): no later rule can reach them.
//
// A keep rule that also selects other images counts those too; the check
// assumes the images production ran last are among the newest the rule
// selects. It runs when lifecycle policies are generated.
type retentionRollbackCheck struct{}

func (retentionRollbackCheck) Name() string { return "retention-rollback" }

func (c retentionRollbackCheck) Run(m *model.Release, failed map[string]bool) diag.List {
	if !ecrPolicies(m, failed) || failed["environments"] {
		return nil
	}
	prod := productionEnv(m.Environments)
	if prod == nil {
		return nil
	}
	tags := producedTags(m)
	prodSha, sha := shaForm(prod.TagPrefix), shaForm("")
	// relation is how one entry relates to the tags: whether it matches
	// some tag, and whether it matches every production tag or every
	// <sha> tag.
	type relation struct{ some, all bool }
	relationOf := memo(func(field, entry string) relation {
		g := globOf(field, entry)
		_, allProd := relate(prodSha, g)
		_, allSha := relate(sha, g)
		return relation{some: tags.someMatch(g), all: allProd || allSha}
	})
	var out diag.List
	forEachRetention(m, func(where string, rules []*model.RetentionRule) {
		for i, r := range rules {
			if !wellFormed(r) || r.Untagged || lifecycle.StorageClass(r) != lifecycle.Standard {
				continue
			}
			field, entries := tagEntries(r)
			selectsSome, selectsAll := true, true
			for _, e := range entries {
				rel := relationOf(field, e)
				if !rel.some {
					selectsSome = false
				}
				if !rel.all {
					selectsAll = false
				}
			}
			if !selectsSome {
				continue
			}
			if d, ok := c.report(r, where, i, prod); ok {
				out = append(out, d)
			}
			if selectsAll {
				return
			}
		}
	})
	return out
}

// report returns the warning for a rule that can select production images,
// if its action can remove the current image or the rollback target.
func (c retentionRollbackCheck) report(r *model.RetentionRule, where string, i int, prod *model.Environment) (diag.Diagnostic, bool) {
	env := prod.Name
	tag := prod.TagPrefix + "<sha>"
	switch {
	case r.Keep == 1:
		return diag.Warnf(r.Fields.Of("keep", r.Pos), c.Name(),
			"%s[%d] can select images of environment %q (tagged %s) and keeps only the newest: the image %s ran before it, which a rollback returns to, would be expired; keep at least 2",
			where, i, env, tag, env), true
	case r.ExpireAfterDays > 0:
		return diag.Warnf(r.Fields.Of("expireAfterDays", r.Pos), c.Name(),
			"%s[%d] can select images of environment %q (tagged %s) and expires them %s after push: once %s goes that long without a deploy, the image it runs and the one a rollback returns to are deleted; keep them by count (keep: 2 or more) in a rule before this one",
			where, i, env, tag, plural(r.ExpireAfterDays, "day"), env), true
	case r.ArchiveAfterUnpulledDays > 0:
		return diag.Warnf(r.Fields.Of("archiveAfterUnpulledDays", r.Pos), c.Name(),
			"%s[%d] can select images of environment %q (tagged %s) and archives them when not pulled for %s: an archived image cannot be pulled until it is restored, so a rollback to it fails; keep them by count (keep: 2 or more) in a rule before this one",
			where, i, env, tag, plural(r.ArchiveAfterUnpulledDays, "day")), true
	}
	return diag.Diagnostic{}, false
}

// productionEnv is the last environment with approval, or the last one.
func productionEnv(envs []*model.Environment) *model.Environment {
	for i := len(envs) - 1; i >= 0; i-- {
		if envs[i].Approval {
			return envs[i]
		}
	}
	if len(envs) == 0 {
		return nil
	}
	return envs[len(envs)-1]
}

// plural returns "1 day", "7 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
