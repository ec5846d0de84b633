/**
 * The roles GitHub Actions uses through GitHub's OIDC provider (no long-lived AWS key is stored in GitHub):
 * - `cbbd-github-deploy`, for deploy.yml's deploy job: only a job of the one repository running in its protected
 *   environment (`aws.deploy.githubEnvironment`, with required reviewers) can assume it. It pushes the image, runs
 *   `cdk deploy` through the CDK bootstrap's roles, and starts the smoke-test task;
 * - `cbbd-github-diff`, for ci.yml's `cdk diff` on pull requests: it reads the deployed stack, nothing more.
 */
import { Aws, CfnOutput, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TaskRuntime } from './task-runtime.ts';

export interface GitHubDeployRoleProps {
  readonly runtime: TaskRuntime;
  /** `owner/name` of the repository whose workflows may deploy. */
  readonly repository: string;
  /** The GitHub environment the deploy job runs in. */
  readonly environment: string;
  /** An account has one OIDC provider per URL: pass its ARN (`aws.deploy.githubOidcProviderArn`) when it exists already. */
  readonly existingProviderArn?: string | undefined;
}

/** The CDK bootstrap's roles (default qualifier): `cdk deploy` and `cdk diff` work through them. */
const bootstrapRole = (kind: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-${kind}-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

export class GitHubDeployRole extends Construct {
  readonly role: iam.Role;
  readonly diffRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubDeployRoleProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`aws.deploy.githubRepo "${props.repository}": expected owner/name, e.g. octo-org/cbbd.`);
    }
    const { runtime } = props;
    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });
    const trust = (subject: string | string[]) => new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subject },
    });

    this.role = new iam.Role(this, 'Role', {
      roleName: 'cbbd-github-deploy',
      description: `deploy.yml of ${props.repository} in environment ${props.environment}: push the image, cdk deploy, smoke test`,
      // The environment, not the branch: its protection rules (required reviewers, main only) gate every deploy.
      assumedBy: trust(`repo:${props.repository}:environment:${props.environment}`),
    });
    // ECR's login token is account-wide by design: the action has no resource to scope to.
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'PushImage',
      actions: [
        'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload',
        'ecr:PutImage', 'ecr:UploadLayerPart',
      ],
      resources: [runtime.repository.repositoryArn],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'CdkDeploy',
      actions: ['sts:AssumeRole'],
      resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(bootstrapRole),
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadStackOutputs', actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID],
    }));
    // The smoke test: one task of the family, on this cluster, as the schedules start it.
    const task = runtime.taskDefinition;
    const family = `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task-definition/${task.family}`;
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'SmokeTestTask', actions: ['ecs:RunTask'], resources: [family, `${family}:*`],
      conditions: { ArnEquals: { 'ecs:cluster': runtime.cluster.clusterArn } },
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'WatchSmokeTestTask', actions: ['ecs:DescribeTasks'],
      resources: [`arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task/${runtime.cluster.clusterName}/*`],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Only ecr:GetAuthorizationToken, which takes no resource.' });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/${task.family}:*]`,
      reason: 'The smoke test runs the revision the deploy just made, of the cbbd family only, on the cbbd cluster only.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<RuntimeClusterDAB43595>/*]',
      reason: 'The smoke test watches the task it started; task ids are not known before.',
    });

    this.diffRole = new iam.Role(this, 'DiffRole', {
      roleName: 'cbbd-github-diff',
      description: `ci.yml of ${props.repository} on pull requests: cdk diff against the deployed stack, read only`,
      // Pull requests, and deploy.yml's diff on main before it deploys (a job without an environment).
      assumedBy: trust([`repo:${props.repository}:pull_request`, `repo:${props.repository}:ref:refs/heads/main`]),
    });
    this.diffRole.addToPolicy(new iam.PolicyStatement({ sid: 'CdkLookup', actions: ['sts:AssumeRole'], resources: [bootstrapRole('lookup')] }));
    this.diffRole.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadDeployedTemplate', actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], resources: [Aws.STACK_ID],
    }));

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'Set as the AWS_DEPLOY_ROLE_ARN variable of the GitHub environment the deploy job runs in',
    });
    new CfnOutput(this, 'DiffRoleArn', { value: this.diffRole.roleArn, description: 'Set as the AWS_DIFF_ROLE_ARN variable of the GitHub repository' });
  }
}

