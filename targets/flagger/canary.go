package flagger

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/shell"
	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// EnvironmentLabel is the label on each Canary naming its environment, for
// `kubectl apply -l release-gen.dev/environment=<env>`.
const EnvironmentLabel = "release-gen.dev/environment"

// progressDeadlineSeconds gives a canary deployment as long to become ready
// as a plain rolling deploy gets.
var progressDeadlineSeconds = int(shell.RolloutTimeout.Seconds())

// canary returns the Canary of service s in environment e.
func canary(m *model.Release, s *model.Service, e *model.Environment) (*yaml.Node, error) {
	c := s.Canary
	spec := yamlenc.Map(
		"provider", c.Provider,
		"targetRef", ref("apps/v1", "Deployment", s.Name),
	)
	if key, r := routeRef(c.Provider, s.Name); key != "" {
		yamlenc.Set(spec, key, r)
	}
	yamlenc.Set(spec, "progressDeadlineSeconds", progressDeadlineSeconds)
	yamlenc.Set(spec, "service", yamlenc.Map("port", s.Port, "targetPort", s.Port))
	a, err := analysis(s, e)
	if err != nil {
		return nil, err
	}
	yamlenc.Set(spec, "analysis", a)
	return yamlenc.Map(
		"apiVersion", "flagger.app/v1beta1",
		"kind", "Canary",
		"metadata", yamlenc.Map(
			"name", s.Name,
			"namespace", e.Namespace,
			"labels", yamlenc.Map(
				"app.kubernetes.io/part-of", m.Name,
				EnvironmentLabel, e.Name,
			),
		),
		"spec", spec,
	), nil
}

// analysis returns the canary analysis: weights or iterations, the two
// builtin metrics and the load-test webhook.
func analysis(s *model.Service, e *model.Environment) (*yaml.Node, error) {
	c := s.Canary
	a := yamlenc.Map("interval", c.Interval, "threshold", c.Threshold)
	if shiftsTraffic(c.Provider) {
		yamlenc.Set(a, "maxWeight", c.MaxWeight)
		yamlenc.Set(a, "stepWeight", c.StepWeight)
	} else {
		n := c.Steps()
		if n < 1 {
			return nil, fmt.Errorf("internal error: flagger: service %q: maxWeight %d and stepWeight %d give no iterations", s.Name, c.MaxWeight, c.StepWeight)
		}
		yamlenc.Set(a, "iterations", n)
	}
	yamlenc.Set(a, "metrics", yamlenc.Seq(
		yamlenc.Map(
			"name", "request-success-rate",
			"interval", c.Interval,
			"thresholdRange", yamlenc.Map("min", number(c.SuccessRate)),
		),
		yamlenc.Map(
			"name", "request-duration",
			"interval", c.Interval,
			"thresholdRange", yamlenc.Map("max", c.MaxLatency),
		),
	))
	if lt := c.LoadTest; lt != nil {
		r := strings.NewReplacer("{service}", s.Name, "{namespace}", e.Namespace)
		yamlenc.Set(a, "webhooks", yamlenc.Seq(yamlenc.Map(
			"name", "load-test",
			"type", "rollout",
			"url", r.Replace(lt.URL),
			"timeout", lt.Timeout,
			"metadata", yamlenc.Map("cmd", r.Replace(lt.Cmd)),
		)))
	}
	return a, nil
}

// number returns f as a YAML integer when it is whole (99) and as a float
// otherwise (99.5), so that it reads back as the same number.
func number(f float64) *yaml.Node {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return yamlenc.Int(int(f))
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'f', -1, 64)}
}
