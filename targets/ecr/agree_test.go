package ecr

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler"
	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/ecr/lifecycle"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// TestCompilerAgreesWithKit renders rule lists that break one documented
// ECR rule each, bypassing the compiler, and requires both the compiler
// (vet) and the conformance kit's ecr-lifecycle-check to reject them, each
// with its own name for the rule.
func TestCompilerAgreesWithKit(t *testing.T) {
	keep := func(prefix string) *model.RetentionRule {
		return &model.RetentionRule{TagPrefixes: []string{prefix}, Keep: 2}
	}
	many := make([]*model.RetentionRule, lifecycle.MaxRules+1)
	for i := range many {
		many[i] = keep(fmt.Sprintf("p%d-", i))
	}
	for _, tc := range []struct {
		name       string
		rules      []*model.RetentionRule
		check, kit string
	}{
		{"any not last", []*model.RetentionRule{{Any: true, Keep: 5}, keep("prod-")}, "retention-order", "any-highest"},
		{"five wildcards", []*model.RetentionRule{{TagPatterns: []string{"a*b*c*d*e*"}, Keep: 2}}, "retention-rule", "pattern-wildcards"},
		{"empty pattern", []*model.RetentionRule{{TagPatterns: []string{""}, Keep: 2}}, "retention-rule", "list-items"},
		{"archive under 90 days", []*model.RetentionRule{{TagPatterns: []string{"v*"}, ExpireArchivedAfterDays: 89}}, "retention-rule", "archive-min-90"},
		{"two untagged rules", []*model.RetentionRule{{Untagged: true, Keep: 3}, {Untagged: true, ExpireAfterDays: 7}}, "retention-conflict", "one-untagged-per-class"},
		{"51 rules", many, "retention-order", "rules-count"},
		{"policy too long", []*model.RetentionRule{{Description: strings.Repeat("é", 31000), Any: true, Keep: 2}}, "retention-length", "policy-length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vetChecks(t, tc.rules); !strings.Contains(got, "["+tc.check+"]") {
				t.Errorf("vet did not report [%s]:\n%s", tc.check, got)
			}
			text, err := lifecycle.Render(tc.rules)
			if err != nil {
				t.Fatal(err)
			}
			if got := kitFindings(t, text); !strings.Contains(got, "["+tc.kit+"]") {
				t.Errorf("ecr-lifecycle-check did not report [%s]:\n%s", tc.kit, got)
			}
		})
	}
}

// vetChecks compiles a spec with the rules as its retention list and
// returns the diagnostics.
func vetChecks(t *testing.T, rules []*model.RetentionRule) string {
	t.Helper()
	type raw struct {
		Description              string   `json:"description,omitempty"`
		TagPatterns              []string `json:"tagPatterns,omitempty"`
		TagPrefixes              []string `json:"tagPrefixes,omitempty"`
		Untagged                 bool     `json:"untagged,omitempty"`
		Any                      bool     `json:"any,omitempty"`
		Keep                     int      `json:"keep,omitempty"`
		ExpireAfterDays          int      `json:"expireAfterDays,omitempty"`
		ArchiveAfterUnpulledDays int      `json:"archiveAfterUnpulledDays,omitempty"`
		ExpireArchivedAfterDays  int      `json:"expireArchivedAfterDays,omitempty"`
	}
	var list []raw
	for _, r := range rules {
		list = append(list, raw{r.Description, r.TagPatterns, r.TagPrefixes, r.Untagged, r.Any, r.Keep,
			r.ExpireAfterDays, r.ArchiveAfterUnpulledDays, r.ExpireArchivedAfterDays})
	}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := "package release\n\nname: \"shop\"\nregistry: \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\nservices: api: {}\nretention: " + string(b) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "release.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = compiler.Compile(compiler.Config{Dir: dir})
	var specErr *compiler.SpecError
	if !errors.As(err, &specErr) {
		t.Fatalf("compile accepted the rules (err = %v)", err)
	}
	var out []string
	for _, d := range specErr.Diagnostics {
		out = append(out, d.Error())
	}
	return strings.Join(out, "\n")
}

// kitFindings runs the kit's ecr-lifecycle-check on a policy text.
func kitFindings(t *testing.T, text []byte) string {
	t.Helper()
	validate := targettest.Kit(t)
	p := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(p, text, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(validate, "ecr", p)
	cmd.Env = append(os.Environ(), "CONFORMANCE_SKIP=ecr-cdk-check")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("validate.sh ecr accepted the policy or could not run (%v):\n%s", err, out)
	}
	return string(out)
}
