package flagger

import (
	"gopkg.in/yaml.v3"

	"release-gen.dev/release-gen/targets/internal/yamlenc"
)

// shiftsTraffic reports whether Flagger's provider moves traffic by weight.
// Provider kubernetes has no router: it runs a blue/green analysis.
func shiftsTraffic(provider string) bool { return provider != "kubernetes" }

// routeRef returns the Canary spec key and the reference to the routing
// resource a provider drives, named after the service like targetRef, or
// "" when the provider creates its routes itself. service is the node of
// the service's name.
func routeRef(provider string, service *yaml.Node) (string, *yaml.Node) {
	switch provider {
	case "nginx", "skipper":
		return "ingressRef", ref("networking.k8s.io/v1", "Ingress", service)
	case "apisix":
		return "routeRef", ref("apisix.apache.org/v2", "ApisixRoute", service)
	}
	return "", nil
}

// unsupported returns why a Canary for provider cannot be rendered from the
// spec, or "" when it can.
func unsupported(provider string) string {
	switch provider {
	case "gatewayapi:v1", "gatewayapi:v1beta1":
		return "Flagger's Gateway API router needs service.gatewayRefs, which the spec has no field for; use a mesh or ingress provider such as istio, linkerd, contour or nginx"
	case "knative":
		return "it targets a Knative Service, but release-gen deploys each service as a Deployment"
	case "appmesh":
		return `App Mesh v1beta1 needs service.meshName, which the spec has no field for; use "appmesh:v1beta2"`
	}
	return ""
}

// ref returns a reference to the resource of the kind given named by the
// node name.
func ref(apiVersion, kind string, name *yaml.Node) *yaml.Node {
	return yamlenc.Map("apiVersion", apiVersion, "kind", kind, "name", name)
}
