// Package flagger renders Flagger Canary resources: deploy/flagger/<service>.yaml,
// one file for every service whose effective canary is set (the top-level
// canary merged with the service's override; canary: false leaves the
// service out).
//
// # Namespaces
//
// A Canary must live in the namespace of the Deployment it controls, and
// every environment deploys the service to its own namespace. Each file
// therefore holds one Canary document per environment, in promotion order,
// each with metadata.namespace set to the environment's namespace and the
// label release-gen.dev/environment naming the environment. Apply them with
//
//	kubectl apply -f deploy/flagger/                                       # every environment in one cluster
//	kubectl apply -f deploy/flagger/ -l release-gen.dev/environment=staging # a cluster per environment
//
// before the first deploy, and again whenever the files change. The deploy
// jobs of the CI targets wait for canary/<service> in the environment's
// namespace, which is this resource.
//
// # Mapping
//
//	metadata.name                 the service name
//	spec.provider                 canary.provider
//	spec.targetRef                apps/v1 Deployment <service>
//	spec.progressDeadlineSeconds  600, the time a plain rolling deploy gets (shell.RolloutTimeout)
//	spec.service.port/targetPort  the service's port
//	spec.analysis.interval        canary.interval
//	spec.analysis.threshold       canary.threshold
//	spec.analysis.maxWeight       canary.maxWeight   (providers that shift traffic)
//	spec.analysis.stepWeight      canary.stepWeight  (providers that shift traffic)
//	spec.analysis.iterations      maxWeight / stepWeight (provider kubernetes)
//	metric request-success-rate   thresholdRange.min = canary.successRate (percent; may be fractional)
//	metric request-duration       thresholdRange.max = canary.maxLatency (p99, milliseconds)
//	webhook load-test             canary.loadTest: type rollout, url, timeout, metadata.cmd
//
// Both metrics are Flagger's builtin metrics and query each check over one
// analysis interval. In loadTest.cmd and loadTest.url, "{service}" is
// replaced by the service name and "{namespace}" by the environment's
// namespace, so that one load tester can reach each environment's canary
// (http://{service}-canary.{namespace}/); every other character is kept
// exactly.
//
// # Providers
//
// Provider kubernetes shifts no traffic: Flagger runs a blue/green analysis.
// The Canary then has analysis.iterations = maxWeight / stepWeight instead of
// weights, so the analysis takes as many intervals as the weighted one would
// and the CI deploy wait (shell.CanaryWaitDuration) holds for both; the
// builtin metrics come from the application's own
// http_request_duration_seconds histogram. A spec that sets maxWeight or
// stepWeight with provider kubernetes gets a warning (flagger-blue-green).
//
// Providers that route through another resource get a reference to it by
// the same naming convention as targetRef: nginx and skipper a
// networking.k8s.io/v1 Ingress named after the service (ingressRef), apisix
// an apisix.apache.org/v2 ApisixRoute named after the service (routeRef).
// Istio gets no gateways or hosts: the VirtualService Flagger creates serves
// in-mesh traffic to the service's own host name.
//
// Three providers need what the spec cannot say, and are errors
// (flagger-unsupported) rather than a Canary Flagger would reject:
// gatewayapi:v1 and gatewayapi:v1beta1 need service.gatewayRefs, knative
// targets a Knative Service instead of the Deployment release-gen deploys,
// and appmesh (App Mesh v1beta1) needs service.meshName (appmesh:v1beta2
// does not).
//
// Each file starts with the generated-file header naming the spec.
package flagger
