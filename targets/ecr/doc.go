// Package ecr renders Amazon ECR lifecycle policies: deploy/ecr/<service>.json,
// one per image repository <registry>/<service>, from the service's
// effective retention list (its own, or the top-level one).
//
// The policy text comes from package lifecycle, which documents the mapping
// from retention rules to ECR rules. Apply a policy with
//
//	aws ecr put-lifecycle-policy --repository-name <service> \
//	    --lifecycle-policy-text file://deploy/ecr/<service>.json
//
// (or a StartLifecyclePolicyPreview first). JSON cannot carry the
// generated-file header: .release-gen/manifest.json records that release-gen
// owns these files.
//
// A service whose retention list is empty gets no file: an empty policy is
// not valid, and ECR's behaviour without a policy (keep every image) is
// what an empty list means. The compiler warns about it (ecr-policy).
//
// The target has no Checker: every documented ECR constraint is a property
// of the retention rules themselves, so the compiler enforces them for
// every spec (retention-rule, retention-order, retention-conflict,
// retention-length), and vet reports them without rendering.
package ecr
