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

// builder builds the Canaries of one release. Most services share the
// top-level canary, or override it the same way, so their Canaries differ
// only in the service's own values: the builder builds the Canaries of
// each canary's settings once, as a template, and fills in each service's
// values before its documents are encoded.
type builder struct {
	m *model.Release
	// labels holds the labels of each environment, by index; every
	// template shares them.
	labels    []*yaml.Node
	templates map[settings]*template
	// lastSize is the size of the last file written.
	lastSize int
}

func newBuilder(m *model.Release) *builder {
	b := &builder{m: m, templates: map[settings]*template{}}
	for _, e := range m.Environments {
		b.labels = append(b.labels, yamlenc.Map(
			"app.kubernetes.io/part-of", m.Name,
			EnvironmentLabel, e.Name,
		))
	}
	return b
}

// settings are the values of a canary that its Canaries hold, whichever
// service has it. A template is built from them alone, so canaries with
// equal settings can share one.
type settings struct {
	provider, interval    string
	threshold, maxLatency int
	maxWeight, stepWeight int
	iterations            int
	successRate           float64
	// loadTest is set when the canary has a load test; its url and
	// command name the service, and are filled in per service.
	loadTest        bool
	loadTestTimeout string
}

func settingsOf(c *model.Canary) settings {
	st := settings{
		provider: c.Provider, interval: c.Interval,
		threshold: c.Threshold, maxLatency: c.MaxLatency,
		maxWeight: c.MaxWeight, stepWeight: c.StepWeight,
		iterations:  c.Steps(),
		successRate: c.SuccessRate,
	}
	if lt := c.LoadTest; lt != nil {
		st.loadTest, st.loadTestTimeout = true, lt.Timeout
	}
	return st
}

// template holds the Canary, in each environment, of every service whose
// canary has one set of settings. Its slots are the nodes that hold a
// service's own values; fill overwrites them.
type template struct {
	// docs holds the Canary of each environment, by index.
	docs []*yaml.Node
	// name and port hold the service's name and port wherever the
	// Canaries name them.
	name, port *yaml.Node
	// urls and cmds hold the load-test webhook's url and command in each
	// environment, by index; they are nil without a load test.
	urls, cmds []*yaml.Node
}

// canaries returns the Canary of service s in each environment, in order.
// The trees are shared with the other services whose canaries have the
// same settings, and hold s's values only until canaries is called for
// another service.
func (b *builder) canaries(s *model.Service) ([]*yaml.Node, error) {
	st := settingsOf(s.Canary)
	t, ok := b.templates[st]
	if !ok {
		var err error
		if t, err = b.template(st, s.Name); err != nil {
			return nil, err
		}
		b.templates[st] = t
	}
	t.fill(s, b.m.Environments)
	return t.docs, nil
}

// template builds the template of the settings st, first needed by the
// service named service.
func (b *builder) template(st settings, service string) (*template, error) {
	a, err := analysis(st, service)
	if err != nil {
		return nil, err
	}
	t := &template{name: yamlenc.Str(""), port: yamlenc.Int(0)}
	base := specBase(st.provider, t.name, t.port)
	spec := extend(base, "analysis", a)
	for i, e := range b.m.Environments {
		if st.loadTest {
			url, cmd := yamlenc.Str(""), yamlenc.Str("")
			t.urls, t.cmds = append(t.urls, url), append(t.cmds, cmd)
			spec = extend(base, "analysis", extend(a, "webhooks", webhooks(st.loadTestTimeout, url, cmd)))
		}
		t.docs = append(t.docs, yamlenc.Map(
			"apiVersion", "flagger.app/v1beta1",
			"kind", "Canary",
			"metadata", yamlenc.Map(
				"name", t.name,
				"namespace", e.Namespace,
				"labels", b.labels[i],
			),
			"spec", spec,
		))
	}
	return t, nil
}

// fill writes the values of service s into the slots of t. Each slot
// becomes the node yamlenc builds for the value, so that the value is
// written exactly as in a tree built for s alone.
func (t *template) fill(s *model.Service, envs []*model.Environment) {
	*t.name = *yamlenc.Str(s.Name)
	*t.port = *yamlenc.Int(s.Port)
	lt := s.Canary.LoadTest
	if lt == nil {
		return
	}
	for i, e := range envs {
		*t.urls[i] = *yamlenc.Str(expand(lt.URL, s.Name, e.Namespace))
		*t.cmds[i] = *yamlenc.Str(expand(lt.Cmd, s.Name, e.Namespace))
	}
}

// expand returns text with each "{service}" replaced by service and each
// "{namespace}" by namespace, left to right, as strings.Replacer would:
// replaced text is not searched again.
func expand(text, service, namespace string) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + len(service) + len(namespace))
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		b.WriteString(text[:i])
		text = text[i:]
		switch {
		case strings.HasPrefix(text, "{service}"):
			b.WriteString(service)
			text = text[len("{service}"):]
		case strings.HasPrefix(text, "{namespace}"):
			b.WriteString(namespace)
			text = text[len("{namespace}"):]
		default:
			b.WriteByte('{')
			text = text[1:]
		}
	}
	b.WriteString(text)
	return b.String()
}

// specBase returns the Canary spec up to its analysis for a service with
// the name and port nodes given.
func specBase(provider string, name, port *yaml.Node) *yaml.Node {
	spec := yamlenc.Map(
		"provider", provider,
		"targetRef", ref("apps/v1", "Deployment", name),
	)
	if key, r := routeRef(provider, name); key != "" {
		yamlenc.Set(spec, key, r)
	}
	yamlenc.Set(spec, "progressDeadlineSeconds", progressDeadlineSeconds)
	yamlenc.Set(spec, "service", yamlenc.Map("port", port, "targetPort", port))
	return spec
}

// extend returns a copy of mapping m with the pair key: value appended.
// The copy shares m's keys and values but not its list of them, so that m
// stays as it was.
func extend(m *yaml.Node, key string, value *yaml.Node) *yaml.Node {
	out := *m
	out.Content = make([]*yaml.Node, len(m.Content), len(m.Content)+2)
	copy(out.Content, m.Content)
	return yamlenc.Set(&out, key, value)
}

// analysis returns the canary analysis of settings st: weights or
// iterations and the two builtin metrics. The load-test webhook is added
// per environment. service names the service in an error.
func analysis(st settings, service string) (*yaml.Node, error) {
	a := yamlenc.Map("interval", st.interval, "threshold", st.threshold)
	if shiftsTraffic(st.provider) {
		yamlenc.Set(a, "maxWeight", st.maxWeight)
		yamlenc.Set(a, "stepWeight", st.stepWeight)
	} else {
		if st.iterations < 1 {
			return nil, fmt.Errorf("internal error: flagger: service %q: maxWeight %d and stepWeight %d give no iterations", service, st.maxWeight, st.stepWeight)
		}
		yamlenc.Set(a, "iterations", st.iterations)
	}
	yamlenc.Set(a, "metrics", yamlenc.Seq(
		yamlenc.Map(
			"name", "request-success-rate",
			"interval", st.interval,
			"thresholdRange", yamlenc.Map("min", number(st.successRate)),
		),
		yamlenc.Map(
			"name", "request-duration",
			"interval", st.interval,
			"thresholdRange", yamlenc.Map("max", st.maxLatency),
		),
	))
	return a, nil
}

// webhooks returns the analysis webhooks of a canary with a load test:
// the load test, with the timeout given and the url and command nodes.
func webhooks(timeout string, url, cmd *yaml.Node) *yaml.Node {
	return yamlenc.Seq(yamlenc.Map(
		"name", "load-test",
		"type", "rollout",
		"url", url,
		"timeout", timeout,
		"metadata", yamlenc.Map("cmd", cmd),
	))
}

// number returns f as a YAML integer when it is whole (99) and as a float
// otherwise (99.5), so that it reads back as the same number.
func number(f float64) *yaml.Node {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return yamlenc.Int(int(f))
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(f, 'f', -1, 64)}
}
