package compiler

import (
	"encoding/json"
	"maps"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// lowerer turns the unified CUE value into the model. Data is read from the
// unified value (defaults applied); positions are read from the user's own
// value, so that they always point into a file the user wrote.
//
// Lowering is tolerant: when a part of the spec fails the schema, that part
// is left out (or zero) and the schema error is reported, so that the Go
// checks can still run on the rest and the user sees every problem at once.
type lowerer struct {
	v      cue.Value // unified with #Release
	user   cue.Value // the user's value
	def    cue.Value // #Release
	schema cue.Value
	genDir string
	// dir is the spec directory, removed from messages.
	dir string
	// services, when not nil, are the services read in Go (see
	// openServices): v is then valid and has no per-service schema.
	services []*serviceValue
	// failed marks top-level fields (and "services.<name>") whose value
	// did not decode; checks that depend on them stay quiet.
	failed map[string]bool
	// presets are the language presets by language, read on first use.
	presets map[string]rawPreset
	// defaults caches #Canary's defaults.
	defaults *rawCanary
}

// newLowerer returns the lowerer of an evaluated spec in dir.
func newLowerer(ev *evaluated, dir string) *lowerer {
	return &lowerer{v: ev.spec, user: ev.user, def: ev.def, schema: ev.schema, genDir: ev.genDir, dir: dir, services: ev.services}
}

// decode unmarshals the concrete value at p into dst and reports success.
func (l *lowerer) decode(p cue.Path, dst any) bool {
	v := l.lookup(p)
	if !v.Exists() {
		return false
	}
	b, err := v.MarshalJSON()
	if err != nil {
		return false
	}
	return json.Unmarshal(b, dst) == nil
}

// lookup finds the unified value at p, resolving defaults on the way, so
// that paths below a field with a default (environments) can be read.
func (l *lowerer) lookup(p cue.Path) cue.Value {
	v := l.v
	for _, sel := range p.Selectors() {
		if d, ok := v.Default(); ok {
			v = d
		}
		v = v.LookupPath(cue.MakePath(sel))
	}
	if d, ok := v.Default(); ok {
		v = d
	}
	return v
}

// pos returns where the user wrote the value at p, or NoPos when it is a
// default or lies in an embedded package.
func (l *lowerer) pos(p cue.Path) token.Pos {
	v := l.user.LookupPath(p)
	if !v.Exists() {
		return token.NoPos
	}
	return l.userPos(v.Pos())
}

func (l *lowerer) userPos(p token.Pos) token.Pos { return ownPos(p, l.genDir) }

// ownPos returns p when it lies in a file the user wrote, else NoPos.
func ownPos(p token.Pos, genDir string) token.Pos {
	if !p.IsValid() || isGenerated(p, genDir) {
		return token.NoPos
	}
	return p
}

// fields records the position of every field the user wrote in the struct at p.
func (l *lowerer) fields(p cue.Path) model.Positions {
	out := model.Positions{}
	v := l.user.LookupPath(p)
	if !v.Exists() {
		return out
	}
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		return out
	}
	for it.Next() {
		if pos := l.userPos(it.Value().Pos()); pos.IsValid() {
			out[it.Selector().Unquoted()] = pos
		}
	}
	return out
}

// labels returns the field names of the struct at p in declaration order.
func (l *lowerer) labels(p cue.Path) []string {
	it, err := l.lookup(p).Fields()
	if err != nil {
		return nil
	}
	var out []string
	for it.Next() {
		out = append(out, it.Selector().Unquoted())
	}
	return out
}

func path1(parts ...cue.Selector) cue.Path { return cue.MakePath(parts...) }

func str(s string) cue.Selector { return cue.Str(s) }

type rawService struct {
	Language   string          `json:"language"`
	Path       string          `json:"path"`
	Dockerfile string          `json:"dockerfile"`
	Port       int             `json:"port"`
	Health     string          `json:"health"`
	Test       string          `json:"test"`
	Build      string          `json:"build"`
	Versions   []string        `json:"versions"`
	TestSplit  *rawTestSplit   `json:"testSplit"`
	DependsOn  []string        `json:"dependsOn"`
	Canary     json.RawMessage `json:"canary"`
	Retention  *[]rawRetention `json:"retention"`
}

type rawTestSplit struct {
	Glob        string `json:"glob"`
	Parallelism int    `json:"parallelism"`
}

type rawRetention struct {
	Description              string   `json:"description"`
	TagPatterns              []string `json:"tagPatterns"`
	TagPrefixes              []string `json:"tagPrefixes"`
	Untagged                 bool     `json:"untagged"`
	Any                      bool     `json:"any"`
	Keep                     int      `json:"keep"`
	ExpireAfterDays          int      `json:"expireAfterDays"`
	ArchiveAfterUnpulledDays int      `json:"archiveAfterUnpulledDays"`
	ExpireArchivedAfterDays  int      `json:"expireArchivedAfterDays"`
}

type rawCanary struct {
	Provider    string       `json:"provider"`
	Interval    string       `json:"interval"`
	Threshold   int          `json:"threshold"`
	MaxWeight   int          `json:"maxWeight"`
	StepWeight  int          `json:"stepWeight"`
	SuccessRate float64      `json:"successRate"`
	MaxLatency  int          `json:"maxLatency"`
	LoadTest    *rawLoadTest `json:"loadTest"`
}

type rawLoadTest struct {
	URL     string `json:"url"`
	Cmd     string `json:"cmd"`
	Timeout string `json:"timeout"`
}

type rawEnvironment struct {
	Namespace string `json:"namespace"`
	Approval  bool   `json:"approval"`
	TagPrefix string `json:"tagPrefix"`
	URL       string `json:"url"`
}

type rawPreset struct {
	Test     string   `json:"test"`
	Build    string   `json:"build"`
	Versions []string `json:"versions"`
	Image    string   `json:"image"`
	Lockfile string   `json:"lockfile"`
	Cache    []string `json:"cache"`
}

type rawSecurity struct {
	Scan     json.RawMessage `json:"scan"`
	SBOM     bool            `json:"sbom"`
	Sign     json.RawMessage `json:"sign"`
	Licenses json.RawMessage `json:"licenses"`
}

type rawRenovate struct {
	Automerge                []string `json:"automerge"`
	AutomergeDevDependencies bool     `json:"automergeDevDependencies"`
	Schedule                 []string `json:"schedule"`
	Timezone                 string   `json:"timezone"`
	PRConcurrentLimit        int      `json:"prConcurrentLimit"`
}

type rawJenkins struct {
	ScriptSplitting bool `json:"scriptSplitting"`
}

type rawSlack struct {
	Channel string   `json:"channel"`
	On      []string `json:"on"`
}

type rawSecrets struct {
	AWSRoleARN       string `json:"awsRoleArn"`
	AWSRegion        string `json:"awsRegion"`
	KubeConfig       string `json:"kubeConfig"`
	SlackWebhook     string `json:"slackWebhook"`
	RegistryUsername string `json:"registryUsername"`
	RegistryPassword string `json:"registryPassword"`
	GitOpsToken      string `json:"gitopsToken"`
	CosignKey        string `json:"cosignKey"`
}

type rawMatrix struct {
	Versions  []string `json:"versions"`
	Platforms []string `json:"platforms"`
}

// lower builds the model. Schema errors were already reported; lower only
// records which parts it could not read.
func (l *lowerer) lower() *model.Release {
	l.failed = map[string]bool{}
	top := func(name string, dst any) bool {
		ok := l.decode(cue.ParsePath(name), dst)
		if !ok {
			l.failed[name] = true
		}
		return ok
	}
	m := &model.Release{Pos: l.userPos(l.user.Pos()), Fields: l.fields(cue.Path{})}
	top("name", &m.Name)
	top("registry", &m.Registry.Host)
	m.Registry.Pos = l.pos(cue.ParsePath("registry"))
	top("branch", &m.Branch)
	top("targets", &m.Targets)

	var mx rawMatrix
	top("matrix", &mx)
	m.Platforms = mx.Platforms
	m.MatrixVersions = mx.Versions

	var caches struct {
		Dependencies bool     `json:"dependencies"`
		Docker       bool     `json:"docker"`
		Paths        []string `json:"paths"`
	}
	top("caches", &caches)
	m.Caches = model.Caches{Dependencies: caches.Dependencies, Docker: caches.Docker, Paths: caches.Paths}

	var retention []rawRetention
	top("retention", &retention)
	m.Retention = l.retention(cue.ParsePath("retention"), retention)

	var canary *rawCanary
	canaryAt := l.canaryAt(cue.ParsePath("canary"))
	if l.v.LookupPath(cue.ParsePath("canary")).Exists() {
		var c rawCanary
		if top("canary", &c) {
			canary = &c
			m.Canary = newCanary(&c, canaryAt, nil)
		}
	}

	for _, name := range l.labels(cue.ParsePath("environments")) {
		p := path1(str("environments"), str(name))
		var e rawEnvironment
		if !l.decode(p, &e) {
			l.failed["environments"] = true
			continue
		}
		m.Environments = append(m.Environments, &model.Environment{
			Pos: l.pos(p), Name: name, Namespace: e.Namespace, Approval: e.Approval,
			TagPrefix: e.TagPrefix, URL: e.URL, Fields: l.fields(p),
		})
	}

	if l.services != nil {
		for _, sv := range l.services {
			m.Services = append(m.Services, l.openService(sv, mx.Versions, canary, canaryAt, m.Canary, m.Retention))
		}
	} else {
		// Decoding all services at once costs a fraction of decoding each
		// on its own; when one of them does not decode, each is decoded alone.
		var raws map[string]json.RawMessage
		l.decode(cue.ParsePath("services"), &raws)
		for _, name := range l.labels(cue.ParsePath("services")) {
			m.Services = append(m.Services, l.service(name, raws[name], mx.Versions, canary, canaryAt, m.Canary, m.Retention))
		}
	}

	var sec rawSecurity
	top("security", &sec)
	m.Security = l.security(sec)

	var ren rawRenovate
	top("renovate", &ren)
	m.Renovate = model.Renovate{
		Pos: l.pos(cue.ParsePath("renovate")), Automerge: ren.Automerge,
		AutomergeDevDependencies: ren.AutomergeDevDependencies, Schedule: ren.Schedule,
		Timezone: ren.Timezone, PRConcurrentLimit: ren.PRConcurrentLimit,
		Fields: l.fields(cue.ParsePath("renovate")),
	}

	if p := cue.ParsePath("notify.slack"); l.v.LookupPath(p).Exists() {
		var s rawSlack
		if l.decode(p, &s) {
			m.Notify.Slack = &model.Slack{Pos: l.pos(p), Channel: s.Channel, On: s.On}
		} else {
			l.failed["notify"] = true
		}
	}

	top("gitattributes", &m.GitAttributes)

	var jenkins rawJenkins
	top("jenkins", &jenkins)
	m.Jenkins = model.Jenkins{ScriptSplitting: jenkins.ScriptSplitting}

	var sc rawSecrets
	top("secrets", &sc)
	m.Secrets = model.Secrets{
		AWSRoleARN: sc.AWSRoleARN, AWSRegion: sc.AWSRegion, KubeConfig: sc.KubeConfig,
		SlackWebhook: sc.SlackWebhook, RegistryUsername: sc.RegistryUsername,
		RegistryPassword: sc.RegistryPassword, CosignKey: sc.CosignKey, GitOpsToken: sc.GitOpsToken,
	}
	return m
}

// service lowers the service name; raw is its decoded JSON, or nil when it
// is to be decoded here.
func (l *lowerer) service(name string, raw json.RawMessage, matrixVersions []string, top *rawCanary, topAt canaryAt, topCanary *model.Canary, topRetention []*model.RetentionRule) *model.Service {
	p := path1(str("services"), str(name))
	s := &model.Service{Pos: l.pos(p), Name: name, Fields: l.fields(p)}
	if !s.Pos.IsValid() {
		s.Pos = l.pos(cue.ParsePath("services"))
	}
	var r rawService
	if raw == nil || json.Unmarshal(raw, &r) != nil {
		r = rawService{}
		raw = nil
	}
	if raw == nil && !l.decode(p, &r) {
		l.failed["services."+name] = true
		// Keep what can be read, so that references to this service resolve.
		l.decode(path1(str("services"), str(name), str("dependsOn")), &r.DependsOn)
	}
	s.Path = r.Path
	s.Dockerfile = r.Dockerfile
	s.Port = r.Port
	s.Health = r.Health
	s.Test = r.Test
	s.Build = r.Build
	if r.TestSplit != nil {
		s.TestSplit = &model.TestSplit{
			Pos: l.pos(path1(str("services"), str(name), str("testSplit"))), Glob: r.TestSplit.Glob, Parallelism: r.TestSplit.Parallelism,
		}
	}
	for i, dep := range r.DependsOn {
		s.DependsOn = append(s.DependsOn, model.Ref{Name: dep, Pos: l.pos(path1(str("services"), str(name), str("dependsOn"), cue.Index(i)))})
	}

	s.Toolchain.Language = r.Language
	preset := l.preset(r.Language)
	s.Toolchain.Image = preset.Image
	s.Toolchain.LockFile = preset.Lockfile
	s.Toolchain.CachePaths = preset.Cache
	s.Versions = serviceVersions(r.Versions, matrixVersions, preset.Versions)

	switch c := strings.TrimSpace(string(r.Canary)); {
	case c == "false" || c == "":
	case c == "true":
		s.Canary = topCanary
	default:
		base := l.canaryBase(top)
		if err := json.Unmarshal(r.Canary, &base); err == nil {
			at := l.canaryAt(path1(str("services"), str(name), str("canary")))
			s.Canary = newCanary(&base, topAt, &at)
		}
	}

	if r.Retention != nil {
		s.Retention = l.retention(path1(str("services"), str(name), str("retention")), *r.Retention)
	} else {
		s.Retention = topRetention
	}
	return s
}

// preset returns the preset of a language, zero for none.
func (l *lowerer) preset(language string) rawPreset {
	if l.presets == nil {
		l.presets = map[string]rawPreset{}
		if b, err := l.schema.LookupPath(cue.MakePath(cue.Def("#Presets"))).MarshalJSON(); err == nil {
			_ = json.Unmarshal(b, &l.presets)
		}
	}
	return l.presets[language]
}

// serviceVersions returns the versions a service's tests run on: its own,
// else matrix.versions, else its preset's.
func serviceVersions(own, matrix, preset []string) []string {
	switch {
	case len(own) > 0:
		return own
	case len(matrix) > 0:
		return matrix
	}
	return preset
}

// canaryBase returns what a service's canary override is merged over: a
// copy of the top-level canary, or #Canary with its defaults when the spec
// has none.
func (l *lowerer) canaryBase(top *rawCanary) rawCanary {
	if top != nil {
		base := *top
		if top.LoadTest != nil {
			lt := *top.LoadTest
			base.LoadTest = &lt
		}
		return base
	}
	if l.defaults == nil {
		l.defaults = &rawCanary{}
		b, err := l.schema.LookupPath(cue.MakePath(cue.Def("#Canary"))).MarshalJSON()
		if err == nil {
			_ = json.Unmarshal(b, l.defaults)
		}
	}
	return *l.defaults
}

// canaryAt is where the user wrote a canary struct and its loadTest.
type canaryAt struct {
	pos            token.Pos
	fields         model.Positions
	hasLoadTest    bool
	loadTestPos    token.Pos
	loadTestFields model.Positions
}

// canaryAt returns where the user wrote the canary struct at p.
func (l *lowerer) canaryAt(p cue.Path) canaryAt {
	lp := cue.MakePath(append(p.Selectors(), str("loadTest"))...)
	return canaryAt{
		pos: l.pos(p), fields: l.fields(p),
		hasLoadTest: l.user.LookupPath(lp).Exists(), loadTestPos: l.pos(lp), loadTestFields: l.fields(lp),
	}
}

// newCanary builds a model canary; positions come from the override where
// it sets a field, else from the top-level canary.
func newCanary(c *rawCanary, top canaryAt, override *canaryAt) *model.Canary {
	fields := maps.Clone(top.fields)
	pos := top.pos
	lt := top
	if override != nil {
		maps.Copy(fields, override.fields)
		pos = override.pos
		if override.hasLoadTest {
			lt = *override
		}
	}
	out := &model.Canary{
		Pos: pos, Provider: c.Provider, Interval: c.Interval, Threshold: c.Threshold,
		MaxWeight: c.MaxWeight, StepWeight: c.StepWeight, SuccessRate: c.SuccessRate,
		MaxLatency: c.MaxLatency, Fields: fields,
	}
	if c.LoadTest != nil {
		out.LoadTest = &model.LoadTest{
			Pos: lt.loadTestPos, URL: c.LoadTest.URL, Cmd: c.LoadTest.Cmd, Timeout: c.LoadTest.Timeout, Fields: maps.Clone(lt.loadTestFields),
		}
		if !out.LoadTest.Pos.IsValid() {
			out.LoadTest.Pos = pos
		}
	}
	return out
}

func (l *lowerer) retention(p cue.Path, raw []rawRetention) []*model.RetentionRule {
	out := make([]*model.RetentionRule, 0, len(raw))
	for i, r := range raw {
		rp := cue.MakePath(append(p.Selectors(), cue.Index(i))...)
		out = append(out, &model.RetentionRule{
			Pos: l.pos(rp), Description: r.Description, TagPatterns: r.TagPatterns, TagPrefixes: r.TagPrefixes,
			Untagged: r.Untagged, Any: r.Any, Keep: r.Keep, ExpireAfterDays: r.ExpireAfterDays,
			ArchiveAfterUnpulledDays: r.ArchiveAfterUnpulledDays, ExpireArchivedAfterDays: r.ExpireArchivedAfterDays,
			Fields: l.fields(rp),
		})
	}
	return out
}

func (l *lowerer) security(s rawSecurity) model.Security {
	out := model.Security{SBOM: s.SBOM}
	if isObject(s.Scan) {
		var sc struct {
			Severity  []string `json:"severity"`
			FailBuild bool     `json:"failBuild"`
		}
		if json.Unmarshal(s.Scan, &sc) == nil {
			out.Scan = &model.Scan{Pos: l.pos(cue.ParsePath("security.scan")), Severity: sc.Severity, FailBuild: sc.FailBuild}
		}
	}
	switch {
	case string(s.Sign) == "true":
		out.Sign = &model.Sign{Pos: l.pos(cue.ParsePath("security.sign"))}
	case isObject(s.Sign):
		var sg struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(s.Sign, &sg) == nil {
			out.Sign = &model.Sign{Pos: l.pos(cue.ParsePath("security.sign")), Key: sg.Key}
		}
	}
	if isObject(s.Licenses) {
		var lc struct {
			Deny []string `json:"deny"`
		}
		if json.Unmarshal(s.Licenses, &lc) == nil {
			out.Licenses = &model.Licenses{Pos: l.pos(cue.ParsePath("security.licenses")), Deny: lc.Deny}
		}
	}
	return out
}

func isObject(raw json.RawMessage) bool {
	return strings.HasPrefix(strings.TrimSpace(string(raw)), "{")
}

// schemaErrors validates the unified value and reports every error.
func (l *lowerer) schemaErrors() diag.List {
	if l.services != nil {
		return nil // validated by openServices
	}
	err := l.v.Validate(cue.Concrete(true))
	if err == nil {
		return nil
	}
	return cueErrors(err, l.genDir, l.user, l.def, l.dir)
}
