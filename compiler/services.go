package compiler

import (
	"regexp"
	"slices"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"release-gen.dev/release-gen/compiler/model"
)

// Unifying each service with #Service costs CUE several times what
// evaluating the spec itself costs: a dozen defaults, some computed from
// other fields (dockerfile from path, test and build from language), a
// disjunction for canary and closedness on every struct. Most specs are
// plain data there, so the compiler first unifies the spec with
// #ReleaseOpenServices, which is #Release with services unconstrained, and
// reads each service in Go, checking it against #Service and applying its
// defaults. Whenever a service is anything but data that #Service plainly
// accepts, or the spec's expressions read its services (where they would see
// #Service's defaults), the spec is unified with #Release as before, so that
// every value and every message comes from CUE. Both ways give the same
// model (TestOpenServicesSameModel).

// serviceValue is one service read in Go, with #Service's defaults applied
// except test and build (which come from the language's preset), and
// where the user wrote each part.
type serviceValue struct {
	name   string
	pos    token.Pos
	fields model.Positions

	language, path, dockerfile, health string
	test, build                        *string
	port                               int
	versions                           []string
	testSplit                          *model.TestSplit
	dependsOn                          []model.Ref
	// canary is false for none, true to inherit the top-level canary;
	// override, when set, is merged over the top-level canary instead.
	canary   bool
	override *canaryOverride
	// retention is the service's own list, nil when it has none.
	retention []*model.RetentionRule
}

// canaryOverride holds the fields a service's canary struct sets.
type canaryOverride struct {
	at                                           canaryAt
	provider, interval                           *string
	threshold, maxWeight, stepWeight, maxLatency *int
	successRate                                  *float64
	loadTest                                     *rawLoadTest
}

// apply sets the overridden fields of c, as decoding the override's JSON
// over c would.
func (o *canaryOverride) apply(c *rawCanary) {
	set(&c.Provider, o.provider)
	set(&c.Interval, o.interval)
	set(&c.Threshold, o.threshold)
	set(&c.MaxWeight, o.maxWeight)
	set(&c.StepWeight, o.stepWeight)
	set(&c.SuccessRate, o.successRate)
	set(&c.MaxLatency, o.maxLatency)
	if o.loadTest != nil {
		lt := *o.loadTest
		c.LoadTest = &lt
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// The patterns of #Service's constraints that are not plain types or bounds.
var (
	durationPattern = regexp.MustCompile(`^[0-9]+(s|m)$`)
	loadTestURL     = regexp.MustCompile(`^https?://`)
	languages       = []string{"node", "go", "python", "java", "generic"}
	providers       = []string{"apisix", "appmesh", "appmesh:v1beta2", "contour", "gatewayapi:v1",
		"gatewayapi:v1beta1", "gloo", "istio", "knative", "kubernetes", "kuma",
		"linkerd", "nginx", "osm", "skipper", "smi:v1alpha1", "smi:v1alpha2",
		"smi:v1alpha3", "traefik"}
)

// openServices unifies the spec with #ReleaseOpenServices and reads its
// services in Go. It reports false, leaving ev unchanged, when the spec
// does not validate that way or a service is not plain data that #Service
// accepts: the spec then needs #Release.
//
// #ReleaseOpenServices leaves services unconstrained, so unifying them
// with it would only copy them: the services are read from the spec as
// evaluated, where the reader checks every value it reads, and only the
// spec's other fields are unified with the schema.
func (ev *evaluated) openServices() bool {
	spec := withoutServices(ev.ctx, ev.user).Unify(ev.schema.LookupPath(cue.MakePath(cue.Def(openServicesDef))))
	if spec.Validate(cue.Concrete(true)) != nil {
		return false
	}
	services := []*serviceValue{}
	if v := ev.user.LookupPath(cue.MakePath(cue.Str("services"))); v.Exists() {
		if v.Kind() != cue.StructKind {
			return false
		}
		// A pattern constraint here applies to every service in both ways.
		it, err := v.Fields(cue.Optional(true), cue.Hidden(true))
		if err != nil {
			return false
		}
		for it.Next() {
			if it.FieldType() != cue.StringLabel {
				return false
			}
			r := &serviceReader{genDir: ev.genDir, ok: true}
			s := r.service(it.Selector().Unquoted(), it.Value())
			if !r.ok {
				return false
			}
			services = append(services, s)
		}
	}
	ev.spec, ev.services = spec, services
	return true
}

// withoutServices returns a struct of the regular fields of user but
// services, or user itself when it has fields of another kind (optional or
// required fields, which only unifying the whole spec treats as CUE does).
func withoutServices(ctx *cue.Context, user cue.Value) cue.Value {
	it, err := user.Fields(cue.Optional(true))
	if err != nil {
		return user
	}
	rest := ctx.CompileString("{}")
	for it.Next() {
		if it.FieldType() != cue.StringLabel {
			return user
		}
		if it.Selector().Unquoted() != "services" {
			rest = rest.FillPath(cue.MakePath(it.Selector()), it.Value())
		}
	}
	return rest
}

// serviceReader reads services; ok turns false at the first value that is
// not plain data #Service accepts.
type serviceReader struct {
	genDir string
	ok     bool
}

// fail records that the value needs CUE and returns the zero T.
func fail[T any](r *serviceReader) T {
	r.ok = false
	var zero T
	return zero
}

func (r *serviceReader) pos(v cue.Value) token.Pos { return ownPos(v.Pos(), r.genDir) }

// data resolves v's default. A default of the user's on a field for which
// #Service has its own (withDefault false) is not read here: unified with
// #Service's default it would leave no default at all.
func (r *serviceReader) data(v cue.Value, withDefault bool) cue.Value {
	if d, ok := v.Default(); ok {
		if !withDefault {
			return fail[cue.Value](r)
		}
		return d
	}
	return v
}

// fields iterates over the regular fields of a struct, calling f with each
// one's name and value, and records where each was written. It fails on a
// value that is not a struct, and on optional fields, definitions, hidden
// fields and pattern constraints, unless definitions are allowed (the
// stdlib's rule templates carry their parameters as definitions).
func (r *serviceReader) fields(v cue.Value, definitions bool, f func(name string, v cue.Value)) model.Positions {
	if !r.ok {
		return nil
	}
	if v.Kind() != cue.StructKind {
		return fail[model.Positions](r)
	}
	it, err := v.Fields(cue.Optional(true), cue.Hidden(true), cue.Patterns(true))
	if err != nil {
		return fail[model.Positions](r)
	}
	out := model.Positions{}
	for r.ok && it.Next() {
		switch it.FieldType() {
		case cue.StringLabel:
		case cue.DefinitionLabel:
			if definitions {
				continue
			}
			return fail[model.Positions](r)
		default:
			return fail[model.Positions](r)
		}
		name := it.Selector().Unquoted()
		if p := r.pos(it.Value()); p.IsValid() {
			out[name] = p
		}
		f(name, it.Value())
	}
	return out
}

// text reads a string.
func (r *serviceReader) text(v cue.Value) string {
	if v.Kind() != cue.StringKind {
		return fail[string](r)
	}
	s, err := v.String()
	if err != nil {
		return fail[string](r)
	}
	return s
}

// nonEmpty reads string & !="".
func (r *serviceReader) nonEmpty(v cue.Value) string {
	s := r.text(v)
	if s == "" {
		return fail[string](r)
	}
	return s
}

// matching reads a string that re matches.
func (r *serviceReader) matching(v cue.Value, re *regexp.Regexp) string {
	s := r.text(v)
	if !re.MatchString(s) {
		return fail[string](r)
	}
	return s
}

// oneOf reads a string of an enumeration.
func (r *serviceReader) oneOf(v cue.Value, allowed []string) string {
	s := r.text(v)
	if !slices.Contains(allowed, s) {
		return fail[string](r)
	}
	return s
}

// integer reads int & >=lo & <=hi.
func (r *serviceReader) integer(v cue.Value, lo, hi int64) int {
	if v.Kind() != cue.IntKind {
		return fail[int](r)
	}
	n, err := v.Int64()
	if err != nil || n < lo || n > hi {
		return fail[int](r)
	}
	return int(n)
}

// isTrue reads the value true, the only one of untagged and any.
func (r *serviceReader) isTrue(v cue.Value) bool {
	if v.Kind() != cue.BoolKind {
		return fail[bool](r)
	}
	if b, err := v.Bool(); err != nil || !b {
		return fail[bool](r)
	}
	return true
}

// list calls f with each element of a list of at least min elements.
func (r *serviceReader) list(v cue.Value, min int, f func(v cue.Value)) {
	if !r.ok {
		return
	}
	if v.Kind() != cue.ListKind {
		fail[bool](r)
		return
	}
	it, err := v.List()
	if err != nil {
		fail[bool](r)
		return
	}
	n := 0
	for ; r.ok && it.Next(); n++ {
		f(it.Value())
	}
	if n < min {
		fail[bool](r)
	}
}

// texts reads [...string] with at least min elements.
func (r *serviceReader) texts(v cue.Value, min int) []string {
	var out []string
	r.list(v, min, func(e cue.Value) { out = append(out, r.text(r.data(e, true))) })
	return out
}

// service reads a service against #Service and its refinement in
// #Release.services.
func (r *serviceReader) service(name string, v cue.Value) *serviceValue {
	s := &serviceValue{name: name, pos: r.pos(v), canary: true, port: 8080, health: "/health", language: "generic"}
	var hasPath, hasDockerfile bool
	s.fields = r.fields(r.data(v, false), false, func(field string, v cue.Value) {
		switch field {
		case "language":
			s.language = r.oneOf(r.data(v, false), languages)
		case "path":
			s.path, hasPath = r.nonEmpty(r.data(v, false)), true
		case "dockerfile":
			s.dockerfile, hasDockerfile = r.nonEmpty(r.data(v, false)), true
		case "port":
			s.port = r.integer(r.data(v, false), 1, 65535)
		case "health":
			s.health = r.matching(r.data(v, false), healthPrefix)
		case "test":
			t := r.text(r.data(v, false))
			s.test = &t
		case "build":
			b := r.text(r.data(v, false))
			s.build = &b
		case "versions":
			s.versions = r.texts(r.data(v, true), 1)
		case "testSplit":
			s.testSplit = r.testSplit(v)
		case "dependsOn":
			r.list(r.data(v, true), 0, func(e cue.Value) {
				s.dependsOn = append(s.dependsOn, model.Ref{Name: r.text(r.data(e, true)), Pos: r.pos(e)})
			})
		case "canary":
			if d := r.data(v, false); d.Kind() == cue.BoolKind {
				s.canary, _ = d.Bool()
			} else {
				s.override = r.canaryOverride(v)
			}
		case "retention":
			s.retention = []*model.RetentionRule{}
			r.list(r.data(v, true), 0, func(e cue.Value) {
				s.retention = append(s.retention, r.retentionRule(e))
			})
		default:
			fail[bool](r)
		}
	})
	if !hasPath {
		s.path = "services/" + name
	}
	if !hasDockerfile {
		s.dockerfile = "Dockerfile"
		if s.path != "." {
			s.dockerfile = s.path + "/Dockerfile"
		}
	}
	return s
}

// healthPrefix is #Service.health's pattern.
var healthPrefix = regexp.MustCompile(`^/`)

func (r *serviceReader) testSplit(v cue.Value) *model.TestSplit {
	ts := &model.TestSplit{Pos: r.pos(v)}
	var glob, parallelism bool
	r.fields(r.data(v, true), false, func(field string, v cue.Value) {
		v = r.data(v, true)
		switch field {
		case "glob":
			ts.Glob, glob = r.nonEmpty(v), true
		case "parallelism":
			ts.Parallelism, parallelism = r.integer(v, 2, 64), true
		default:
			fail[bool](r)
		}
	})
	if !glob || !parallelism {
		return fail[*model.TestSplit](r)
	}
	return ts
}

// canaryOverride reads #CanaryOverride.
func (r *serviceReader) canaryOverride(v cue.Value) *canaryOverride {
	o := &canaryOverride{at: canaryAt{pos: r.pos(v)}}
	o.at.fields = r.fields(r.data(v, false), false, func(field string, v cue.Value) {
		if field != "loadTest" {
			v = r.data(v, true)
		}
		switch field {
		case "provider":
			o.provider = ptr(r.oneOf(v, providers))
		case "interval":
			o.interval = ptr(r.matching(v, durationPattern))
		case "threshold":
			o.threshold = ptr(r.integer(v, 1, maxInt))
		case "maxWeight":
			o.maxWeight = ptr(r.integer(v, 1, 100))
		case "stepWeight":
			o.stepWeight = ptr(r.integer(v, 1, 100))
		case "maxLatency":
			o.maxLatency = ptr(r.integer(v, 1, maxInt))
		case "successRate":
			o.successRate = ptr(r.percentage(v))
		case "loadTest":
			o.loadTest = r.loadTest(v, &o.at)
		default:
			fail[bool](r)
		}
	})
	return o
}

const maxInt = int64(^uint(0) >> 1)

func ptr[T any](v T) *T { return &v }

// percentage reads number & >=0 & <=100.
func (r *serviceReader) percentage(v cue.Value) float64 {
	if k := v.Kind(); k != cue.IntKind && k != cue.FloatKind {
		return fail[float64](r)
	}
	f, err := v.Float64()
	if err != nil || f < 0 || f > 100 {
		return fail[float64](r)
	}
	return f
}

// loadTest reads #LoadTest and records where it was written in at.
func (r *serviceReader) loadTest(v cue.Value, at *canaryAt) *rawLoadTest {
	lt := &rawLoadTest{Timeout: "5s"}
	var url, cmd bool
	at.hasLoadTest, at.loadTestPos = true, r.pos(v)
	at.loadTestFields = r.fields(r.data(v, true), false, func(field string, v cue.Value) {
		switch field {
		case "url":
			lt.URL, url = r.matching(r.data(v, true), loadTestURL), true
		case "cmd":
			lt.Cmd, cmd = r.nonEmpty(r.data(v, true)), true
		case "timeout":
			lt.Timeout = r.matching(r.data(v, false), durationPattern)
		default:
			fail[bool](r)
		}
	})
	if !url || !cmd {
		return fail[*rawLoadTest](r)
	}
	return lt
}

// retentionRule reads #RetentionRule.
func (r *serviceReader) retentionRule(v cue.Value) *model.RetentionRule {
	rule := &model.RetentionRule{Pos: r.pos(v)}
	rule.Fields = r.fields(r.data(v, true), true, func(field string, v cue.Value) {
		v = r.data(v, true)
		switch field {
		case "description":
			rule.Description = r.text(v)
		case "tagPatterns":
			rule.TagPatterns = r.texts(v, 1)
		case "tagPrefixes":
			rule.TagPrefixes = r.texts(v, 1)
		case "untagged":
			rule.Untagged = r.isTrue(v)
		case "any":
			rule.Any = r.isTrue(v)
		case "keep":
			rule.Keep = r.integer(v, 1, maxInt)
		case "expireAfterDays":
			rule.ExpireAfterDays = r.integer(v, 1, maxInt)
		case "archiveAfterUnpulledDays":
			rule.ArchiveAfterUnpulledDays = r.integer(v, 1, maxInt)
		case "expireArchivedAfterDays":
			rule.ExpireArchivedAfterDays = r.integer(v, 1, maxInt)
		default:
			fail[bool](r)
		}
	})
	return rule
}

// readsServices reports whether an expression in files may read the
// spec's services, where it would see #Service's defaults: it names a
// field called services, or refers to something declared inside one,
// other than the label of a pattern constraint ([Name=string]), which is
// a service's name.
func readsServices(files []*ast.File) bool {
	type span struct {
		file       string
		start, end int
	}
	var spans []span
	names := map[ast.Node]bool{}
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok {
				return true
			}
			if name, _, _ := ast.LabelName(field.Label); name == "services" {
				spans = append(spans, span{field.Pos().Filename(), field.Pos().Offset(), field.End().Offset()})
			}
			if l, ok := field.Label.(*ast.ListLit); ok && len(l.Elts) == 1 {
				if a, ok := l.Elts[0].(*ast.Alias); ok {
					names[a.Expr] = true
				}
			}
			return true
		}, nil)
	}
	inServices := func(n ast.Node) bool {
		if n == nil || names[n] {
			return false
		}
		p := n.Pos()
		for _, s := range spans {
			if p.Filename() == s.file && p.Offset() >= s.start && p.Offset() < s.end {
				return true
			}
		}
		return false
	}
	found := false
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Walk(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Field:
				visitLabel(x.Label, visit)
				visit(x.Value)
				return false
			case *ast.SelectorExpr:
				visit(x.X)
				return false
			case *ast.Ident:
				if x.Name == "services" || inServices(x.Node) {
					found = true
				}
			}
			return !found
		}, nil)
	}
	for _, f := range files {
		if visit(f); found {
			return true
		}
	}
	return false
}

// visitLabel visits the expressions in a label: dynamic labels and the
// constraints of pattern labels, not the names it declares.
func visitLabel(l ast.Label, visit func(ast.Node)) {
	if a, ok := l.(*ast.Alias); ok {
		if e, ok := a.Expr.(ast.Label); ok {
			visitLabel(e, visit)
		}
		return
	}
	switch l := l.(type) {
	case *ast.ListLit:
		for _, e := range l.Elts {
			if a, ok := e.(*ast.Alias); ok {
				e = a.Expr
			}
			visit(e)
		}
	case *ast.ParenExpr, *ast.Interpolation:
		visit(l)
	}
}

// openService builds a service read by openServices, as service builds one
// from the unified value.
func (l *lowerer) openService(sv *serviceValue, matrixVersions []string, top *rawCanary, topAt canaryAt, topCanary *model.Canary, topRetention []*model.RetentionRule) *model.Service {
	s := &model.Service{
		Pos: sv.pos, Name: sv.name, Fields: sv.fields, Path: sv.path, Dockerfile: sv.dockerfile,
		Port: sv.port, Health: sv.health, TestSplit: sv.testSplit, DependsOn: sv.dependsOn,
	}
	if !s.Pos.IsValid() {
		s.Pos = l.pos(cue.ParsePath("services"))
	}
	preset := l.preset(sv.language)
	s.Toolchain = model.Toolchain{Language: sv.language, Image: preset.Image, LockFile: preset.Lockfile, CachePaths: preset.Cache}
	s.Test, s.Build = preset.Test, preset.Build
	set(&s.Test, sv.test)
	set(&s.Build, sv.build)
	s.Versions = serviceVersions(sv.versions, matrixVersions, preset.Versions)
	switch {
	case sv.override != nil:
		base := l.canaryBase(top)
		sv.override.apply(&base)
		s.Canary = newCanary(&base, topAt, &sv.override.at)
	case sv.canary:
		s.Canary = topCanary
	}
	s.Retention = topRetention
	if sv.retention != nil {
		s.Retention = sv.retention
	}
	return s
}
