package gitlabci

import (
	"testing"

	"release-gen.dev/release-gen/targets/internal/targettest"
)

// TestConformance runs GitLab's validators from the conformance kit
// (yamllint, gitlab-ci-local, GitLab's CI JSON schema) on every fixture's
// pipeline.
func TestConformance(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			targettest.Validate(t, "gitlab", render(t, fx.m(t)))
		})
	}
}
