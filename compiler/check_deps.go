package compiler

import (
	"slices"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// unknownServiceCheck requires every dependsOn entry to name a service.
type unknownServiceCheck struct{}

func (unknownServiceCheck) Name() string { return "unknown-service" }

func (c unknownServiceCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	names := serviceNames(m)
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	var out diag.List
	for _, s := range m.Services {
		for _, d := range s.DependsOn {
			if !known[d.Name] {
				out = append(out, diag.Errorf(refPos(d, s), c.Name(), "service %q depends on unknown service %q%s", s.Name, d.Name, didYouMean(d.Name, names)))
			}
		}
	}
	return out
}

// dependencyCycleCheck rejects cycles in the dependsOn graph and prints
// each cycle's path, reported once at the dependsOn entry that closes it.
type dependencyCycleCheck struct{}

func (dependencyCycleCheck) Name() string { return "dependency-cycle" }

func (c dependencyCycleCheck) Run(m *model.Release, _ map[string]bool) diag.List {
	byName := map[string]*model.Service{}
	for _, s := range m.Services {
		byName[s.Name] = s
	}
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var out diag.List
	var visit func(s *model.Service)
	visit = func(s *model.Service) {
		state[s.Name] = active
		stack = append(stack, s.Name)
		for _, d := range sortedRefs(s.DependsOn) {
			next, ok := byName[d.Name]
			if !ok {
				continue
			}
			switch state[d.Name] {
			case unvisited:
				visit(next)
			case active:
				start := slices.Index(stack, d.Name)
				cycle := append(slices.Clone(stack[start:]), d.Name)
				out = append(out, diag.Errorf(refPos(d, s), c.Name(), "dependsOn has a cycle: %s; remove one of these dependencies", strings.Join(cycle, " -> ")))
			}
		}
		stack = stack[:len(stack)-1]
		state[s.Name] = done
	}
	for _, s := range sortedServices(m.Services) {
		if state[s.Name] == unvisited {
			visit(s)
		}
	}
	return out
}

func serviceNames(m *model.Release) []string {
	names := make([]string, 0, len(m.Services))
	for _, s := range m.Services {
		names = append(names, s.Name)
	}
	return names
}

// refPos is where a reference was written, falling back to its service.
func refPos(r model.Ref, s *model.Service) token.Pos {
	if r.Pos.IsValid() {
		return r.Pos
	}
	return s.Fields.Of("dependsOn", s.Pos)
}

func sortedRefs(refs []model.Ref) []model.Ref {
	out := slices.Clone(refs)
	slices.SortStableFunc(out, func(a, b model.Ref) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func sortedServices(services []*model.Service) []*model.Service {
	out := slices.Clone(services)
	slices.SortStableFunc(out, func(a, b *model.Service) int { return strings.Compare(a.Name, b.Name) })
	return out
}
