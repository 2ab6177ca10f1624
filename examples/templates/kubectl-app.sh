#!/bin/sh
# The steps of kubectl-app.yaml. PORTAL_EXAMPLE_DRY_RUN=client (from the portal's environment, named in
# Provisioning:Templates:Environment) applies with --dry-run=client: no cluster needed, nothing created.
set -eu
namespace="portal-$PORTAL_TENANT"
name="ws-$(echo "$PORTAL_WORKSPACE_ID" | cut -c1-8)"
dry_run="${PORTAL_EXAMPLE_DRY_RUN:+--dry-run=$PORTAL_EXAMPLE_DRY_RUN}"

fail() {
  # A catalogue code for the portal; 75 when it is worth trying again.
  printf '{"code": "%s", "detail": "%s"}' "$1" "$2" > "$PORTAL_ERROR"
  exit "$3"
}

command -v kubectl >/dev/null || fail unknown "kubectl is not installed on the portal's machine" 1

case "$1" in
  namespace)
    kubectl create namespace "$namespace" $dry_run -o yaml --save-config 2>/dev/null | kubectl apply $dry_run -f - \
      || fail service_unavailable "the cluster did not take namespace $namespace" 75
    ;;
  apply)
    cat <<YAML | kubectl apply $dry_run -n "$namespace" -f - || fail service_unavailable "the cluster did not take $name" 75
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name
  labels: { app.kubernetes.io/managed-by: provisioning-portal, provisioning-portal/workspace: "$PORTAL_WORKSPACE_ID" }
spec:
  replicas: 1
  selector: { matchLabels: { app: $name } }
  template:
    metadata: { labels: { app: $name } }
    spec:
      containers:
        - name: app
          image: nginx:1.27
          resources:
            requests: { cpu: "$PORTAL_CPU", memory: "${PORTAL_MEMORY_GB}Gi" }
            limits: { cpu: "$PORTAL_CPU", memory: "${PORTAL_MEMORY_GB}Gi" }
---
apiVersion: v1
kind: Service
metadata: { name: $name, labels: { app.kubernetes.io/managed-by: provisioning-portal } }
spec:
  selector: { app: $name }
  ports: [ { port: 80 } ]
YAML
    echo "service=$name.$namespace.svc" >> "$PORTAL_OUTPUT"
    ;;
  delete)
    [ -n "$dry_run" ] && { echo "dry run: would delete $name"; exit 0; }
    kubectl delete -n "$namespace" deployment/"$name" service/"$name" --ignore-not-found
    ;;
  wait)
    [ -n "$dry_run" ] && { echo "dry run: nothing to wait for"; exit 0; }
    kubectl rollout status -n "$namespace" deployment/"$name" --timeout=270s \
      || fail runtime_timeout "deployment $name did not become ready" 1
    ;;
esac
