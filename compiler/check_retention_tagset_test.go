package compiler

import (
	"testing"

	"release-gen.dev/release-gen/compiler/model"
)

func TestRelate(t *testing.T) {
	version := versionForms()
	for _, tc := range []struct {
		name        string
		form        tagForm
		glob        glob
		some, every bool
	}{
		{"sha star", shaForm(""), patternGlob("*"), true, true},
		{"sha hex head", shaForm(""), patternGlob("a*"), true, false},
		{"sha non-hex head", shaForm(""), patternGlob("g*"), false, false},
		{"sha ordered digits", shaForm(""), patternGlob("*0*1*2*3"), true, false},
		{"sha too long", shaForm(""), patternGlob("0000000000000000000000000000000000000000a"), false, false},
		{"sha exact length", shaForm(""), patternGlob("000000000000000000000000000000000000000*"), true, false},
		{"sha empty pattern", shaForm(""), patternGlob(""), false, false},
		{"sha question mark is literal", shaForm(""), patternGlob("?*"), false, false},
		{"env prefix", shaForm("prod-"), prefixGlob("prod-"), true, true},
		{"env shorter prefix", shaForm("prod-"), prefixGlob("prod"), true, true},
		{"env pattern", shaForm("prod-"), patternGlob("prod-*"), true, true},
		{"env inner pattern", shaForm("prod-"), patternGlob("*prod-*"), true, true},
		{"env pattern with tail", shaForm("prod-"), patternGlob("prod-*a"), true, false},
		{"other env", shaForm("prod-"), prefixGlob("staging-"), false, false},
		{"longer prefix", shaForm("prod-"), prefixGlob("prod-x"), false, false},
		{"latest", literal("prod-latest"), prefixGlob("prod-"), true, true},
		{"latest pattern", literal("prod-latest"), patternGlob("*latest"), true, true},
		{"version all", version[0], patternGlob("v*.*.*"), true, true},
		{"prerelease all", version[1], patternGlob("v*.*.*"), true, true},
		{"version major", version[0], patternGlob("v1.*"), true, false},
		{"version rc", version[1], patternGlob("*-rc.*"), true, false},
		{"version rc no suffix", version[0], patternGlob("*-rc*"), false, false},
		{"prefix star is literal", literal("a*b"), prefixGlob("a*"), true, true},
		{"prefix star never in sha tag", shaForm("a"), prefixGlob("a*"), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			some, every := relate(tc.form, tc.glob)
			if some != tc.some || every != tc.every {
				t.Errorf("relate = some %v, every %v; want %v, %v", some, every, tc.some, tc.every)
			}
		})
	}
}

func TestProductionEnv(t *testing.T) {
	staging := &model.Environment{Name: "staging"}
	prod := &model.Environment{Name: "production", Approval: true}
	dr := &model.Environment{Name: "dr"}
	for _, tc := range []struct {
		envs []*model.Environment
		want *model.Environment
	}{
		{nil, nil},
		{[]*model.Environment{staging}, staging},
		{[]*model.Environment{staging, prod, dr}, prod},
		{[]*model.Environment{staging, dr}, dr},
	} {
		if got := productionEnv(tc.envs); got != tc.want {
			t.Errorf("productionEnv(%v) = %v, want %v", tc.envs, got, tc.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 30720: "30,720", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
