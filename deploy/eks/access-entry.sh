#!/bin/sh
# The same as access-entry.yaml with the AWS CLI, then the RBAC objects with kubectl.
# Usage: deploy/eks/access-entry.sh CLUSTER ROLE_ARN [REGION]
set -eu
cluster="$1"; role="$2"; region="${3:-${AWS_REGION:-us-east-1}}"
aws eks create-access-entry --region "$region" --cluster-name "$cluster" \
  --principal-arn "$role" --type STANDARD --kubernetes-groups guardduty-responder
aws eks update-kubeconfig --region "$region" --name "$cluster" --alias "$cluster"
kubectl --context "$cluster" apply -f "$(dirname "$0")/rbac.yaml"
