package flagger

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"release-gen.dev/release-gen/compiler/model"
	"release-gen.dev/release-gen/targets/internal/targettest"
)

// sharedCanaries returns a release whose services mostly share one
// canary, with names and namespaces that need quoting, and services whose
// canaries are copies of it: one with the same settings but its own load
// test addresses, and one for each setting that differs in it alone.
func sharedCanaries() *model.Release {
	shared := &model.Canary{Provider: "nginx", Interval: "1m", Threshold: 5, MaxWeight: 50, StepWeight: 10, SuccessRate: 99.5, MaxLatency: 500,
		LoadTest: &model.LoadTest{URL: "http://lt.{namespace}/?s={service}", Cmd: "hey http://{service}-canary.{namespace}/", Timeout: "5s"}}
	m := &model.Release{
		SpecFile: "release.cue",
		Name:     "shop",
		Targets:  []string{"flagger"},
		Canary:   shared,
		Services: []*model.Service{
			{Name: "api", Port: 8080, Canary: shared},
			{Name: "on", Port: 9090, Canary: shared},
			{Name: "multi\nline", Port: 1, Canary: shared},
			{Name: "{namespace}", Port: 8080, Canary: shared},
		},
		Environments: []*model.Environment{{Name: "staging", Namespace: "yes"}, {Name: "production", Namespace: "shop"}},
	}
	for name, change := range map[string]func(c *model.Canary){
		"twin": func(c *model.Canary) {
			c.LoadTest = &model.LoadTest{URL: "http://{service}.twin/", Cmd: "true", Timeout: "5s"}
		},
		"provider":    func(c *model.Canary) { c.Provider = "kubernetes" },
		"interval":    func(c *model.Canary) { c.Interval = "2m" },
		"threshold":   func(c *model.Canary) { c.Threshold = 6 },
		"maxweight":   func(c *model.Canary) { c.MaxWeight = 60 },
		"stepweight":  func(c *model.Canary) { c.StepWeight = 20 },
		"successrate": func(c *model.Canary) { c.SuccessRate = 99 },
		"maxlatency":  func(c *model.Canary) { c.MaxLatency = 400 },
		"timeout": func(c *model.Canary) {
			c.LoadTest = &model.LoadTest{URL: shared.LoadTest.URL, Cmd: shared.LoadTest.Cmd, Timeout: "9s"}
		},
		"noloadtest": func(c *model.Canary) { c.LoadTest = nil },
	} {
		c := *shared
		change(&c)
		m.Services = append(m.Services, &model.Service{Name: name, Port: 8080, Canary: &c})
	}
	return m
}

// TestSharedCanaryValues: services that share a canary share its
// template, and each Canary must still hold its own service's name, port
// and load-test addresses.
func TestSharedCanaryValues(t *testing.T) {
	m := sharedCanaries()
	files := render(t, m)
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	for _, s := range m.Services {
		docs := parse(t, byPath[Dir+s.Name+".yaml"])
		if len(docs) != len(m.Environments) {
			t.Fatalf("%q: %d documents", s.Name, len(docs))
		}
		for i, d := range docs {
			e := m.Environments[i]
			if d.Metadata.Name != s.Name || d.Metadata.Namespace != e.Namespace || d.Metadata.Labels[EnvironmentLabel] != e.Name {
				t.Errorf("%q in %s: metadata %+v", s.Name, e.Name, d.Metadata)
			}
			if d.Spec.TargetRef["name"] != s.Name || d.Spec.Service.Port != s.Port || d.Spec.Service.TargetPort != s.Port {
				t.Errorf("%q in %s: targetRef %v, service %+v", s.Name, e.Name, d.Spec.TargetRef, d.Spec.Service)
			}
			if want := s.Canary.Provider == "nginx"; want != (d.Spec.IngressRef["name"] == s.Name) {
				t.Errorf("%q in %s: ingressRef %v", s.Name, e.Name, d.Spec.IngressRef)
			}
			w := d.Spec.Analysis.Webhooks
			lt := s.Canary.LoadTest
			if lt == nil {
				if w != nil {
					t.Errorf("%q in %s: webhooks %+v", s.Name, e.Name, w)
				}
				continue
			}
			r := strings.NewReplacer("{service}", s.Name, "{namespace}", e.Namespace)
			if len(w) != 1 || w[0].URL != r.Replace(lt.URL) || w[0].Metadata["cmd"] != r.Replace(lt.Cmd) || w[0].Timeout != lt.Timeout {
				t.Errorf("%q in %s: webhooks %+v", s.Name, e.Name, w)
			}
		}
	}
}

// TestSharedCanaryAlone: each service gets the file it gets when rendered
// alone, whatever the services rendered before it left in the template.
func TestSharedCanaryAlone(t *testing.T) {
	for name, m := range map[string]*model.Release{
		"shared":   sharedCanaries(),
		"shop":     targettest.Compile(t, "examples/shop"),
		"platform": targettest.Compile(t, "examples/platform"),
		"hostile":  targettest.Compile(t, "testdata/hostile"),
	} {
		all := map[string][]byte{}
		for _, f := range render(t, m) {
			all[f.Path] = f.Data
		}
		for _, s := range m.Services {
			if s.Canary == nil {
				continue
			}
			alone := *m
			alone.Services = []*model.Service{s}
			files := render(t, &alone)
			if len(files) != 1 || !bytes.Equal(files[0].Data, all[files[0].Path]) {
				t.Errorf("%s: service %q: rendered alone:\n%s\nwith the others:\n%s", name, s.Name, files[0].Data, all[files[0].Path])
			}
		}
	}
}

func TestExpand(t *testing.T) {
	texts := []string{
		"", "plain", "{", "}", "{service", "{{service}}", "{servic{service}", "{namespace}{service}",
		"http://{service}-canary.{namespace}/", "{service}{service}", "a{b}c{namespace", "ü{service}ü",
	}
	names := []string{"api", "", "{namespace}", "{service}", "{"}
	for _, text := range texts {
		for _, service := range names {
			for _, namespace := range names {
				want := strings.NewReplacer("{service}", service, "{namespace}", namespace).Replace(text)
				if got := expand(text, service, namespace); got != want {
					t.Errorf("expand(%q, %q, %q) = %q, want %q", text, service, namespace, got, want)
				}
			}
		}
	}
}

// TestSettingsCoverCanary changes each field of a canary and of its load
// test in turn and requires the settings to change with it, so that a
// field added to the model later cannot make services that differ in it
// share one template. Positions and the load test's url and command,
// which are filled in per service, are the exceptions.
func TestSettingsCoverCanary(t *testing.T) {
	perService := map[string]bool{"Pos": true, "Fields": true, "LoadTest.Pos": true, "LoadTest.Fields": true, "LoadTest.URL": true, "LoadTest.Cmd": true}
	base := func() *model.Canary {
		return &model.Canary{
			Provider: "istio", Interval: "1m", Threshold: 5, MaxWeight: 50, StepWeight: 10, SuccessRate: 99, MaxLatency: 500,
			LoadTest: &model.LoadTest{URL: "http://loadtester/", Cmd: "hey {service}", Timeout: "5s"},
		}
	}
	var vary func(prefix string, v reflect.Value, c *model.Canary)
	vary = func(prefix string, v reflect.Value, c *model.Canary) {
		for i := range v.NumField() {
			name := prefix + v.Type().Field(i).Name
			f := v.Field(i)
			if perService[name] {
				continue
			}
			before := settingsOf(c)
			switch f.Kind() {
			case reflect.String:
				f.SetString(f.String() + "x")
			case reflect.Int:
				f.SetInt(f.Int() + 100)
			case reflect.Float64:
				f.SetFloat(f.Float() - 0.5)
			case reflect.Pointer:
				vary(name+".", f.Elem(), c)
				continue
			default:
				t.Fatalf("field %s of kind %s: say whether it is a setting or filled in per service", name, f.Kind())
			}
			if settingsOf(c) == before {
				t.Errorf("changing %s leaves the settings as they were", name)
			}
		}
	}
	c := base()
	vary("", reflect.ValueOf(c).Elem(), c)
}
