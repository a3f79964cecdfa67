package flagger

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// finding is one diagnostic before the services that share it are named.
type finding struct {
	pos      token.Pos
	severity diag.Severity
	check    string
	// message is a format with one %s: "service a" or "services a, b".
	message  string
	services []string
}

// findings collects diagnostics; services that share a canary, and so a
// position and a message, are reported once, together.
type findings []*finding

func (fs *findings) add(pos token.Pos, sev diag.Severity, check, message, service string) {
	for _, f := range *fs {
		if f.pos == pos && f.severity == sev && f.check == check && f.message == message {
			f.services = append(f.services, service)
			return
		}
	}
	*fs = append(*fs, &finding{pos: pos, severity: sev, check: check, message: message, services: []string{service}})
}

func (fs findings) list() diag.List {
	var out diag.List
	for _, f := range fs {
		slices.Sort(f.services)
		who := "service " + f.services[0]
		if len(f.services) > 1 {
			who = "services " + strings.Join(f.services, ", ")
		}
		out = append(out, diag.Diagnostic{Pos: f.pos, Severity: f.severity, Check: f.check, Message: fmt.Sprintf(f.message, who)})
	}
	return out
}

// check reports providers the target cannot render (errors), weights that
// provider kubernetes turns into blue/green iterations, and load-test
// commands that name one environment's namespace (warnings).
func check(m *model.Release) diag.List {
	var fs findings
	refs := namespaceRefs(m)
	for _, s := range m.Services {
		c := s.Canary
		if c == nil {
			continue
		}
		if why := unsupported(c.Provider); why != "" {
			fs.add(c.Fields.Of("provider", c.Pos), diag.Error, "flagger-unsupported",
				fmt.Sprintf("the flagger target cannot use provider %q (canary of %%s): %s", c.Provider, why), s.Name)
			continue
		}
		if !shiftsTraffic(c.Provider) && setsWeights(c) {
			fs.add(c.Fields.Of("stepWeight", c.Fields.Of("maxWeight", c.Pos)), diag.Warning, "flagger-blue-green",
				"canary of %s: "+blueGreen(c), s.Name)
		}
		if ns := namedNamespace(c.LoadTest, refs); ns != "" {
			fs.add(c.LoadTest.Fields.Of("cmd", c.LoadTest.Pos), diag.Warning, "flagger-load-test",
				fmt.Sprintf("canary of %%s: loadTest.cmd names namespace %q, so the canary of every environment is load-tested in %s: "+
					"write {namespace}, which each environment's Canary replaces with its own namespace", ns, ns), s.Name)
		}
	}
	return fs.list()
}

func setsWeights(c *model.Canary) bool {
	_, step := c.Fields["stepWeight"]
	_, max := c.Fields["maxWeight"]
	return step || max
}

// blueGreen explains what provider kubernetes makes of the weights.
func blueGreen(c *model.Canary) string {
	return fmt.Sprintf(`provider "kubernetes" shifts no traffic: Flagger runs a blue/green analysis of %d iterations `+
		`(maxWeight / stepWeight) and then switches all traffic at once; choose a mesh or ingress provider to shift `+
		`traffic by weight, or leave maxWeight and stepWeight unset`, c.Steps())
}

// namespaceRef is a pattern that finds a namespace addressed literally in
// a load-test command, as in http://api-canary.production/.
type namespaceRef struct {
	namespace string
	pattern   *regexp.Regexp
}

// namespaceRefs returns a namespaceRef for each namespace the environments
// of m deploy to, in order, when they deploy to several and a canary has
// a load test; otherwise nil.
func namespaceRefs(m *model.Release) []namespaceRef {
	if !slices.ContainsFunc(m.Services, hasLoadTest) {
		return nil
	}
	var namespaces []string
	for _, e := range m.Environments {
		if !slices.Contains(namespaces, e.Namespace) {
			namespaces = append(namespaces, e.Namespace)
		}
	}
	if len(namespaces) < 2 {
		return nil
	}
	refs := make([]namespaceRef, len(namespaces))
	for i, ns := range namespaces {
		refs[i] = namespaceRef{ns, regexp.MustCompile(`\.` + regexp.QuoteMeta(ns) + `(?:[./:'"\s]|$)`)}
	}
	return refs
}

func hasLoadTest(s *model.Service) bool {
	return s.Canary != nil && s.Canary.LoadTest != nil
}

// namedNamespace returns the first namespace of refs that the load-test
// command addresses literally, or "".
func namedNamespace(lt *model.LoadTest, refs []namespaceRef) string {
	if lt == nil {
		return ""
	}
	for _, r := range refs {
		if r.pattern.MatchString(lt.Cmd) {
			return r.namespace
		}
	}
	return ""
}
