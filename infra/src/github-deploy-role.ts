/**
 * The role .github/workflows/deploy.yml assumes through GitHub's OIDC provider: push an image to the cbbd repository
 * and register a task definition revision that uses it. Only workflows of the one repository (context `githubRepo`,
 * `owner/name`) on its main branch can assume it; no long-lived AWS key is stored in GitHub.
 */
import { CfnOutput, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TaskRuntime } from './task-runtime.ts';

export interface GitHubDeployRoleProps {
  readonly runtime: TaskRuntime;
  /** `owner/name` of the repository whose workflows may deploy. */
  readonly repository: string;
  /** The branch whose workflows may deploy (deploy.yml runs on main). */
  readonly branch?: string;
  /** An account has one OIDC provider per URL: pass its ARN (context `githubOidcProviderArn`) when it exists already. */
  readonly existingProviderArn?: string | undefined;
}

export class GitHubDeployRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubDeployRoleProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`githubRepo "${props.repository}": expected owner/name, e.g. -c githubRepo=octo-org/cbbd.`);
    }
    const { runtime } = props;
    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', { url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] });

    this.role = new iam.Role(this, 'Role', {
      roleName: 'cbbd-github-deploy',
      description: `deploy.yml of ${props.repository}: push the cbbd image, register its task definition`,
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `repo:${props.repository}:ref:refs/heads/${props.branch ?? 'main'}`,
        },
      }),
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
    // Register and Describe take no resource-level permission in ECS: "*" is the only resource they accept.
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'RegisterTaskDefinition', actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], resources: ['*'],
    }));
    const task = runtime.taskDefinition;
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition, which take no resource-level permission.',
    });
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'Set as the AWS_DEPLOY_ROLE_ARN variable of the GitHub repository (deploy.yml assumes it)',
    });
  }
}
