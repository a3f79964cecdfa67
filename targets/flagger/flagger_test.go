package flagger

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

func TestShop(t *testing.T) {
	files := render(t, targettest.Compile(t, "examples/shop"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "flagger", files...)
}

func TestPlatform(t *testing.T) {
	files := render(t, targettest.Compile(t, "examples/platform"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "flagger", files...)
}

func TestHostile(t *testing.T) {
	files := render(t, targettest.Compile(t, "testdata/hostile"))
	targettest.Golden(t, files...)
	targettest.Validate(t, "flagger", files...)
}

// canaryDoc is the part of a Canary the tests read back.
type canaryDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string
	Metadata   struct {
		Name      string
		Namespace string
		Labels    map[string]string
	}
	Spec struct {
		Provider   string
		TargetRef  map[string]string `yaml:"targetRef"`
		IngressRef map[string]string `yaml:"ingressRef"`
		RouteRef   map[string]string `yaml:"routeRef"`
		Service    struct {
			Port       int
			TargetPort int `yaml:"targetPort"`
		}
		Analysis struct {
			Interval   string
			Threshold  int
			MaxWeight  *int `yaml:"maxWeight"`
			StepWeight *int `yaml:"stepWeight"`
			Iterations *int
			Metrics    []struct {
				Name           string
				Interval       string
				ThresholdRange map[string]float64 `yaml:"thresholdRange"`
			}
			Webhooks []struct {
				Name     string
				Type     string
				URL      string
				Timeout  string
				Metadata map[string]string
			}
		}
	}
}

// parse decodes every document of a Canary file.
func parse(t *testing.T, data []byte) []canaryDoc {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []canaryDoc
	for {
		var d canaryDoc
		if err := dec.Decode(&d); err != nil {
			if err.Error() == "EOF" {
				return docs
			}
			t.Fatalf("decode: %v\n%s", err, data)
		}
		docs = append(docs, d)
	}
}

// TestHostileValuesSurvive reads the hostile Canaries back and requires the
// load-test command and URL, with {service} and {namespace} replaced, to
// arrive exactly as the spec wrote them.
func TestHostileValuesSurvive(t *testing.T) {
	m := targettest.Compile(t, "testdata/hostile")
	if m.Canary == nil || m.Canary.LoadTest == nil {
		t.Fatal("the hostile spec has no load test")
	}
	lt := m.Canary.LoadTest
	for _, want := range []string{`'`, `"`, `$(id)`, "${{ x }}", "{service}", "&"} {
		if !strings.Contains(lt.Cmd+lt.URL, want) {
			t.Fatalf("the hostile load test no longer contains %q", want)
		}
	}
	files := render(t, m)
	if len(files) != len(m.Services) {
		t.Fatalf("got %d files for %d services", len(files), len(m.Services))
	}
	for _, f := range files {
		docs := parse(t, f.Data)
		if len(docs) != len(m.Environments) {
			t.Fatalf("%s: %d documents for %d environments", f.Path, len(docs), len(m.Environments))
		}
		for i, d := range docs {
			e := m.Environments[i]
			r := strings.NewReplacer("{service}", d.Metadata.Name, "{namespace}", e.Namespace)
			hooks := d.Spec.Analysis.Webhooks
			if len(hooks) != 1 {
				t.Fatalf("%s: webhooks %+v", f.Path, hooks)
			}
			if got, want := hooks[0].Metadata["cmd"], r.Replace(lt.Cmd); got != want {
				t.Errorf("%s (%s): cmd = %q, want %q", f.Path, e.Name, got, want)
			}
			if got, want := hooks[0].URL, r.Replace(lt.URL); got != want {
				t.Errorf("%s (%s): url = %q, want %q", f.Path, e.Name, got, want)
			}
			if strings.Contains(hooks[0].Metadata["cmd"], "{service}") {
				t.Errorf("%s: {service} not replaced", f.Path)
			}
		}
	}
}

// TestPlatformCanaries reads the platform's Canaries back: per-service
// overrides, fractional success rates, three environments and their
// namespaces, and no file for the service with canary: false.
func TestPlatformCanaries(t *testing.T) {
	m := targettest.Compile(t, "examples/platform")
	files := render(t, m)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if diff := cmp.Diff([]string{"deploy/flagger/billing.yaml", "deploy/flagger/gateway.yaml", "deploy/flagger/web.yaml"}, paths); diff != "" {
		t.Fatalf("paths (-want +got):\n%s", diff)
	}
	for _, f := range files {
		docs := parse(t, f.Data)
		var namespaces []string
		for _, d := range docs {
			namespaces = append(namespaces, d.Metadata.Namespace+"/"+d.Metadata.Labels[EnvironmentLabel])
			if d.APIVersion != "flagger.app/v1beta1" || d.Kind != "Canary" {
				t.Errorf("%s: %s %s", f.Path, d.APIVersion, d.Kind)
			}
			if d.Metadata.Labels["app.kubernetes.io/part-of"] != "platform" {
				t.Errorf("%s: labels %v", f.Path, d.Metadata.Labels)
			}
			if d.Spec.Provider != "linkerd" || d.Spec.TargetRef["kind"] != "Deployment" || d.Spec.TargetRef["name"] != d.Metadata.Name {
				t.Errorf("%s: provider %q targetRef %v", f.Path, d.Spec.Provider, d.Spec.TargetRef)
			}
		}
		if diff := cmp.Diff([]string{"platform-dev/dev", "platform-staging/staging", "platform/production"}, namespaces); diff != "" {
			t.Errorf("%s: namespaces (-want +got):\n%s", f.Path, diff)
		}
		a := docs[0].Spec.Analysis
		rate := a.Metrics[0].ThresholdRange["min"]
		switch docs[0].Metadata.Name {
		case "gateway":
			if *a.StepWeight != 5 || *a.MaxWeight != 30 || rate != 99.9 || docs[0].Spec.Service.Port != 8000 {
				t.Errorf("gateway: step %d max %d rate %v port %d", *a.StepWeight, *a.MaxWeight, rate, docs[0].Spec.Service.Port)
			}
		default:
			if *a.StepWeight != 10 || *a.MaxWeight != 50 || rate != 99.5 || a.Metrics[1].ThresholdRange["max"] != 250 {
				t.Errorf("%s: step %d max %d rate %v metrics %+v", docs[0].Metadata.Name, *a.StepWeight, *a.MaxWeight, rate, a.Metrics)
			}
		}
		if a.Interval != "30s" || a.Metrics[0].Interval != "30s" || a.Iterations != nil || len(a.Webhooks) != 0 {
			t.Errorf("%s: analysis %+v", f.Path, a)
		}
	}
}

// release returns a one-service release with a canary for provider.
func release(provider string) *model.Release {
	c := &model.Canary{Provider: provider, Interval: "1m", Threshold: 5, MaxWeight: 50, StepWeight: 10, SuccessRate: 99, MaxLatency: 500}
	return &model.Release{
		SpecFile: "release.cue",
		Name:     "shop",
		Targets:  []string{"flagger"},
		Canary:   c,
		Services: []*model.Service{
			{Name: "api", Port: 8080, Canary: c},
			{Name: "worker", Port: 8080},
		},
		Environments: []*model.Environment{{Name: "production", Namespace: "shop"}},
	}
}

func TestProviders(t *testing.T) {
	for _, tc := range []struct {
		provider          string
		weights           bool
		ingressRef, route string
	}{
		{provider: "istio", weights: true},
		{provider: "linkerd", weights: true},
		{provider: "kubernetes"},
		{provider: "nginx", weights: true, ingressRef: "networking.k8s.io/v1 Ingress api"},
		{provider: "skipper", weights: true, ingressRef: "networking.k8s.io/v1 Ingress api"},
		{provider: "apisix", weights: true, route: "apisix.apache.org/v2 ApisixRoute api"},
		{provider: "appmesh:v1beta2", weights: true},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			files := render(t, release(tc.provider))
			if len(files) != 1 || files[0].Path != "deploy/flagger/api.yaml" {
				t.Fatalf("files %v", files)
			}
			d := parse(t, files[0].Data)[0]
			a := d.Spec.Analysis
			if tc.weights {
				if a.MaxWeight == nil || *a.MaxWeight != 50 || a.StepWeight == nil || *a.StepWeight != 10 || a.Iterations != nil {
					t.Errorf("want weights 50/10 and no iterations: %+v", a)
				}
			} else if a.Iterations == nil || *a.Iterations != 5 || a.MaxWeight != nil || a.StepWeight != nil {
				t.Errorf("want 5 iterations and no weights: %+v", a)
			}
			refString := func(r map[string]string) string {
				if r == nil {
					return ""
				}
				return r["apiVersion"] + " " + r["kind"] + " " + r["name"]
			}
			if got := refString(d.Spec.IngressRef); got != tc.ingressRef {
				t.Errorf("ingressRef = %q, want %q", got, tc.ingressRef)
			}
			if got := refString(d.Spec.RouteRef); got != tc.route {
				t.Errorf("routeRef = %q, want %q", got, tc.route)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	m := release("knative")
	m.Canary.Fields = model.Positions{}
	override := *m.Canary
	override.Provider = "gatewayapi:v1"
	m.Services[1].Canary = &override
	third := &model.Service{Name: "jobs", Port: 8080, Canary: m.Canary}
	m.Services = append(m.Services, third)
	var got []string
	for _, d := range (Target{}).Check(m).Sort() {
		got = append(got, d.Severity.String()+": "+d.Message+" ["+d.Check+"]")
	}
	want := []string{
		`error: the flagger target cannot use provider "gatewayapi:v1" (canary of service worker): Flagger's Gateway API router needs service.gatewayRefs, which the spec has no field for; use a mesh or ingress provider such as istio, linkerd, contour or nginx [flagger-unsupported]`,
		`error: the flagger target cannot use provider "knative" (canary of services api, jobs): it targets a Knative Service, but release-gen deploys each service as a Deployment [flagger-unsupported]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := (Target{}).Render(m); err == nil {
		t.Error("Render accepted a release that Check rejects")
	}
}

func TestBlueGreenWarning(t *testing.T) {
	m := release("kubernetes")
	if ds := (Target{}).Check(m); len(ds) != 0 {
		t.Errorf("default weights with provider kubernetes: %v", ds)
	}
	m.Canary.Fields = model.Positions{"stepWeight": {}}
	ds := (Target{}).Check(m)
	if len(ds) != 1 || ds.HasErrors(false) || ds[0].Check != "flagger-blue-green" || !strings.Contains(ds[0].Message, "blue/green analysis of 5 iterations") {
		t.Errorf("Check = %v", ds)
	}
	if _, err := (Target{}).Render(m); err != nil {
		t.Errorf("a warning must not stop Render: %v", err)
	}
}

func TestNotSelected(t *testing.T) {
	m := release("knative")
	m.Targets = []string{"github"}
	files, err := Target{}.Render(m)
	if err != nil || files != nil {
		t.Errorf("Render = %v, %v; want nothing", files, err)
	}
	if ds := (Target{}).Check(m); ds != nil {
		t.Errorf("Check = %v; want nothing", ds)
	}
}

func TestNameAndOutputs(t *testing.T) {
	if got := (Target{}).Name(); got != "flagger" {
		t.Errorf("Name() = %q", got)
	}
	if diff := cmp.Diff([]string{"deploy/flagger/<service>.yaml"}, Target{}.Outputs()); diff != "" {
		t.Errorf("Outputs() (-want +got):\n%s", diff)
	}
}

func TestNumber(t *testing.T) {
	for f, want := range map[float64]string{99: "99\n", 99.5: "99.5\n", 99.95: "99.95\n", 0: "0\n", 100: "100\n"} {
		b, err := yaml.Marshal(number(f))
		if err != nil || string(b) != want {
			t.Errorf("number(%v) = %q, %v; want %q", f, b, err, want)
		}
		var back float64
		if err := yaml.Unmarshal(b, &back); err != nil || back != f {
			t.Errorf("number(%v) reads back as %v, %v", f, back, err)
		}
	}
}

// TestLoadTestNamespace: a load test that names the production namespace
// would load-test production from the staging Canary too.
func TestLoadTestNamespace(t *testing.T) {
	m := targettest.Compile(t, "examples/shop")
	m.Canary.LoadTest.Cmd = "hey -z 1m -q 10 -c 2 http://{service}-canary.production/"
	var got []string
	for _, d := range (Target{}).Check(m) {
		got = append(got, d.Severity.String()+": "+d.Message+" ["+d.Check+"]")
	}
	want := []string{`warning: canary of services api, auth, frontend: loadTest.cmd names namespace "production", so the canary of every environment is load-tested in production: write {namespace}, which each environment's Canary replaces with its own namespace [flagger-load-test]`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, cmd := range []string{"hey http://{service}-canary.{namespace}/", "hey http://{service}-canary/", "echo production.example.com"} {
		m.Canary.LoadTest.Cmd = cmd
		if ds := (Target{}).Check(m); len(ds) != 0 {
			t.Errorf("cmd %q: %v", cmd, ds)
		}
	}
	for _, cmd := range []string{"hey http://api-canary.staging:8080/", "hey api.production", "hey 'http://x.production'"} {
		m.Canary.LoadTest.Cmd = cmd
		if ds := (Target{}).Check(m); len(ds) != 1 {
			t.Errorf("cmd %q: %v", cmd, ds)
		}
	}
}

// TestEveryProvider renders a Canary for every provider the schema allows
// (Flagger's enum) and has kubeconform check them all, or requires the
// provider to be reported as unsupported.
func TestEveryProvider(t *testing.T) {
	var files []targets.File
	for _, p := range []string{
		"apisix", "appmesh", "appmesh:v1beta2", "contour", "gatewayapi:v1", "gatewayapi:v1beta1", "gloo", "istio",
		"knative", "kubernetes", "kuma", "linkerd", "nginx", "osm", "skipper", "smi:v1alpha1", "smi:v1alpha2",
		"smi:v1alpha3", "traefik",
	} {
		fs, err := Target{}.Render(release(p))
		switch {
		case unsupported(p) != "":
			if err == nil {
				t.Errorf("%s: rendered an unsupported provider", p)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", p, err)
			continue
		}
		f := fs[0]
		f.Path = Dir + strings.ReplaceAll(p, ":", "-") + ".yaml"
		files = append(files, f)
	}
	targettest.Validate(t, "flagger", files...)
}
