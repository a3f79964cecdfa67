package compiler

import (
	"release-gen.dev/release-gen/compiler/diag"
	"release-gen.dev/release-gen/compiler/model"
)

// A check is one semantic rule that CUE cannot state on a single value.
// Each lives in its own check_*.go file and reports diagnostics named after it.
type check interface {
	// Name is the kebab-case name printed in brackets after each diagnostic.
	Name() string
	// Run inspects the lowered release. Parts of the spec that failed the
	// schema are listed in failed ("canary", "services.api", ...) and hold
	// zero values, which a check must not report on again.
	Run(m *model.Release, failed map[string]bool) diag.List
}

// checks lists every semantic check in the order it runs. Adding a check
// means adding one line here.
var checks = []check{
	namesCheck{},             // service and environment names are DNS-1123 labels
	unknownServiceCheck{},    // dependsOn names existing services
	dependencyCycleCheck{},   // the dependsOn graph has no cycle
	pathEscapeCheck{},        // paths are relative and stay inside the repo
	unsafeValueCheck{},       // values that reach shells and expressions match strict patterns
	registryCheck{},          // the registry is a valid image repository prefix
	matrixLanguageCheck{},    // matrix.versions is not shared by different toolchains
	canaryWeightsCheck{},     // maxWeight is a multiple of stepWeight
	canaryWebhookCheck{},     // load-test timeouts fit in the analysis interval
	retentionRuleCheck{},     // one selector and one action per retention rule
	retentionOrderCheck{},    // an any-rule is last; at most 50 rules
	retentionConflictCheck{}, // one untagged rule and unique prefix sets per storage class
	retentionLengthCheck{},   // the lifecycle policy fits ECR's 30,720 characters
	environmentCheck{},       // tag prefixes and namespaces do not collide
	retentionTagsCheck{},     // tagged rules match a tag the pipelines push (warning)
	retentionRollbackCheck{}, // production's rollback image is never expired (warning)
	ecrPolicyCheck{},         // every service gets a lifecycle policy (warning)
}
