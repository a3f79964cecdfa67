package compiler

import (
	"slices"
	"strings"

	"release-gen.dev/release-gen/compiler/model"
)

// waves groups services into deploy waves: a service's wave is one more
// than the highest wave of its dependencies. Within a wave, names are
// sorted. The graph must be acyclic (checked before).
func waves(services []*model.Service) [][]*model.Service {
	byName := map[string]*model.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	wave := map[string]int{}
	var depth func(s *model.Service) int
	depth = func(s *model.Service) int {
		if w, ok := wave[s.Name]; ok {
			return w
		}
		w := 0
		for _, d := range s.DependsOn {
			if dep, ok := byName[d.Name]; ok {
				w = max(w, depth(dep)+1)
			}
		}
		wave[s.Name] = w
		return w
	}
	var out [][]*model.Service
	for _, s := range services {
		w := depth(s)
		s.Wave = w
		for len(out) <= w {
			out = append(out, nil)
		}
		out[w] = append(out[w], s)
	}
	for _, w := range out {
		slices.SortFunc(w, func(a, b *model.Service) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// buildPlan computes the pipeline every CI target renders. Job order is
// topological: drift; per service in deploy order test, build, scan, sign;
// then per environment its approval gate and its deploys in deploy order.
func buildPlan(m *model.Release, ws [][]*model.Service) *model.Plan {
	p := &model.Plan{}
	for _, w := range ws {
		var names []string
		for _, s := range w {
			names = append(names, s.Name)
		}
		p.Waves = append(p.Waves, names)
	}
	add := func(j *model.Job) *model.Job {
		p.Jobs = append(p.Jobs, j)
		return j
	}
	add(&model.Job{ID: "drift", Kind: model.JobDrift, On: model.OnAll})

	sec := m.Security
	imageReady := map[string]string{} // service -> last job before its image may be deployed
	for _, s := range m.Services {
		shards := 1
		if s.TestSplit != nil {
			shards = s.TestSplit.Parallelism
		}
		test := add(&model.Job{ID: "test-" + s.Name, Kind: model.JobTest, Service: s, Versions: s.Versions, Shards: shards, On: model.OnAll})
		last := add(&model.Job{ID: "build-" + s.Name, Kind: model.JobBuild, Service: s, Needs: []string{"drift", test.ID}, On: model.OnPublish})
		if sec.Scan != nil || sec.SBOM || sec.Licenses != nil {
			last = add(&model.Job{ID: "scan-" + s.Name, Kind: model.JobScan, Service: s, Needs: []string{last.ID}, On: model.OnPublish})
		}
		if sec.Sign != nil {
			last = add(&model.Job{ID: "sign-" + s.Name, Kind: model.JobSign, Service: s, Needs: []string{last.ID}, On: model.OnPublish})
		}
		imageReady[s.Name] = last.ID
	}

	var previous []string // deploy jobs of the previous environment
	for i, e := range m.Environments {
		gate := ""
		if e.Approval {
			var needs []string
			if i == 0 {
				for _, s := range m.Services {
					needs = append(needs, imageReady[s.Name])
				}
			} else {
				needs = slices.Clone(previous)
			}
			gate = add(&model.Job{ID: "approve-" + e.Name, Kind: model.JobApprove, Env: e, Needs: needs, On: model.OnDeploy}).ID
		}
		var current []string
		for _, s := range m.Services {
			needs := []string{imageReady[s.Name]}
			if gate != "" {
				needs = append(needs, gate)
			} else if i > 0 {
				needs = append(needs, deployID(s.Name, m.Environments[i-1].Name))
			}
			for _, d := range sortedRefs(s.DependsOn) {
				needs = append(needs, deployID(d.Name, e.Name))
			}
			current = append(current, add(&model.Job{ID: deployID(s.Name, e.Name), Kind: model.JobDeploy, Service: s, Env: e, Needs: needs, On: model.OnDeploy}).ID)
		}
		previous = current
	}
	return p
}

func deployID(service, env string) string { return "deploy-" + service + "-" + env }
