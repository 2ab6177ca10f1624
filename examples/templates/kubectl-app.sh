#!/bin/sh
# The steps of kubectl-app.yaml. The manifests are made by kubectl itself, offline (create --dry-run=client, set/label
# --local); PORTAL_EXAMPLE_DRY_RUN=client (from the portal's environment, named in Provisioning:Templates:Environment)
# prints them instead of applying them: no cluster needed, nothing created.
set -eu
namespace="portal-$PORTAL_TENANT"
name="ws-$(echo "$PORTAL_WORKSPACE_ID" | cut -c1-8)"
dry_run="${PORTAL_EXAMPLE_DRY_RUN:-}"

fail() {
  # A catalogue code for the portal; 75 when it is worth trying again.
  printf '{"code": "%s", "detail": "%s"}' "$1" "$2" > "$PORTAL_ERROR"
  exit "$3"
}

apply() {
  if [ -n "$dry_run" ]; then
    echo "dry run: would apply to $namespace:"
    cat
  else
    kubectl apply -n "$namespace" -f - || fail service_unavailable "the cluster did not take $1" 75
  fi
}

command -v kubectl >/dev/null || fail unknown "kubectl is not installed on the portal's machine" 1

case "$1" in
  namespace)
    kubectl create namespace "$namespace" --dry-run=client -o yaml | apply "namespace $namespace"
    ;;
  apply)
    {
      kubectl create deployment "$name" --image=nginx:1.27 --dry-run=client -o yaml \
        | kubectl set resources --local -f - -o yaml \
            --requests="cpu=$PORTAL_CPU,memory=${PORTAL_MEMORY_GB}Gi" --limits="cpu=$PORTAL_CPU,memory=${PORTAL_MEMORY_GB}Gi" \
        | kubectl label --local -f - -o yaml \
            app.kubernetes.io/managed-by=provisioning-portal "provisioning-portal/workspace=$PORTAL_WORKSPACE_ID"
      echo "---"
      kubectl create service clusterip "$name" --tcp=80:80 --dry-run=client -o yaml
    } | apply "$name"
    echo "service=$name.$namespace.svc" >> "$PORTAL_OUTPUT"
    ;;
  delete)
    if [ -n "$dry_run" ]; then echo "dry run: would delete $name"; exit 0; fi
    kubectl delete -n "$namespace" deployment/"$name" service/"$name" --ignore-not-found
    ;;
  wait)
    if [ -n "$dry_run" ]; then echo "dry run: nothing to wait for"; exit 0; fi
    kubectl rollout status -n "$namespace" deployment/"$name" --timeout=270s \
      || fail runtime_timeout "deployment $name did not become ready" 1
    ;;
esac
