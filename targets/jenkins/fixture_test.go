package jenkins

import (
	"testing"

	"release-gen.dev/release-gen/compiler/model"
)

// evil is text that breaks naive Groovy, shell and Jenkins quoting: quotes
// of every kind and triple quotes, backslashes before u0027 (in even and
// odd numbers), Groovy and shell interpolation, comment starters, line
// breaks, a carriage return, a tab, control characters, non-ASCII and a
// character outside the BMP.
const evil = "it's \"q\" '''t''' \"\"\"d\"\"\" $HOME ${env.X} ${'x'} #{x} `id` $(id) " +
	"\\ \\u0027 \\\\u0027 \\\\\\u0027 \\u000a \\u005c \\uu0041 // /* */ " +
	"\n\r\t\x01\x1b\x7f é 😀 \u2028 end\\"

// evilRelease is the adversarial spec of testdata/hostile with evil text
// in every value that reaches the Jenkinsfile, also where the compiler's
// checks would reject it: the Jenkinsfile must carry it as data anyway.
// Names that Jenkins or the compiler must keep plain (service and
// environment names, credential ids, tag prefixes) stay plain.
func evilRelease(t *testing.T) *model.Release {
	m := compiled("testdata/hostile")(t)
	v := func(field string) string { return field + ":" + evil }
	m.Branch = "release/it's-\"x\"-$(id)-{{x}}-${y}-\u0027-é"
	m.Registry = model.Registry{Host: v("registry"), Kind: model.RegistryOther, Server: v("server")}
	m.Platforms = []string{v("platform")}
	m.Drift = model.Drift{Install: v("install"), Dir: v("dir"), Out: v("out")}
	for _, s := range m.Services {
		s.Path = v("path")
		s.Dockerfile = v("dockerfile")
		s.Test = v("test")
		s.Build = v("build")
		s.Health = v("health")
		s.Versions = []string{v("version"), "22"}
		if s.TestSplit != nil {
			s.TestSplit.Glob = v("glob")
		}
	}
	m.Services[1].Toolchain.Image = v("toolchain")
	for _, j := range m.Plan.Jobs {
		if j.Kind == model.JobTest {
			j.Versions = j.Service.Versions
		}
	}
	for _, e := range m.Environments {
		e.Namespace = v("namespace")
		e.URL = v("url")
	}
	m.Security.Scan.Severity = []string{v("severity")}
	m.Security.Licenses = &model.Licenses{Deny: []string{v("deny")}}
	m.Security.Sign.Key = "awskms://" + v("key")
	m.Notify.Slack.Channel = v("channel")
	m.Notify.Slack.On = []string{"failure", "success"}
	return m
}
