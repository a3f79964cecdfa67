package jenkins

import (
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler/model"
)

func TestVerifyOrder(t *testing.T) {
	plan := &model.Plan{Jobs: []*model.Job{
		{ID: "a"},
		{ID: "b", Needs: []string{"a"}},
		{ID: "c", Needs: []string{"a"}},
		{ID: "d", Needs: []string{"b", "c"}},
	}}
	leaf := func(job string) *stage { return &stage{name: job, job: job} }
	for _, tc := range []struct {
		name   string
		stages []*stage
		err    string
	}{
		{"sequence", []*stage{leaf("a"), leaf("b"), leaf("c"), leaf("d")}, ""},
		{"parallel", []*stage{leaf("a"), {name: "p", parallel: []*stage{leaf("b"), leaf("c")}}, leaf("d")}, ""},
		{"nested", []*stage{{name: "p", parallel: []*stage{{name: "s", stages: []*stage{leaf("a"), leaf("b")}}}}, leaf("c"), leaf("d")}, ""},
		{"need in parallel", []*stage{{name: "p", parallel: []*stage{leaf("a"), leaf("b")}}, leaf("c"), leaf("d")}, "the stage of job b may start before the stage of a"},
		{"need after", []*stage{leaf("b"), leaf("a"), leaf("c"), leaf("d")}, "the stage of job b may start before the stage of a"},
		{"missing", []*stage{leaf("a"), leaf("b"), leaf("d")}, "job c has no stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := verifyOrder(tc.stages, plan)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("verifyOrder: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("verifyOrder = %v, want an error containing %q", err, tc.err)
			}
		})
	}
}
