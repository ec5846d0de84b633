#!/usr/bin/env bash
# After a deploy: start one-off tasks of the deployed task definition, as the schedules start them (same cluster,
# subnets, security group), running `cbbd status` and then `cbbd plan '*' --season current`; each must exit 0.
# Reads the stack's outputs; needs the AWS CLI and credentials of the deploy role.
set -euo pipefail
stack=${STACK_NAME:-Cbbd}
output() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
cluster=$(output ClusterName)
task_definition=$(output TaskDefinitionArn)
network="awsvpcConfiguration={subnets=[$(output TaskSubnets)],securityGroups=[$(output TaskSecurityGroup)],assignPublicIp=$(output TaskAssignPublicIp)}"

run() {
  local command=$1
  local task
  task=$(aws ecs run-task --cluster "$cluster" --task-definition "$task_definition" --launch-type FARGATE \
    --network-configuration "$network" --started-by "smoke-test/${GITHUB_SHA:-manual}" \
    --overrides "{\"containerOverrides\":[{\"name\":\"cbbd\",\"command\":$command}]}" \
    --query 'tasks[0].taskArn' --output text)
  echo "smoke test: cbbd $command as $task"
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
  local code
  code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
  if [ "$code" != "0" ]; then
    echo "::error::smoke test: cbbd $command exited $code (logs: /cbbd/runs)"
    exit 1
  fi
  echo "smoke test: cbbd $command exited 0"
}

run '["status"]'
run '["plan","*","--season","current"]'
