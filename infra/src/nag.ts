/**
 * The static checks the template must pass, and the few findings this stack accepts, each with its reason:
 * - cdk-nag's AwsSolutions pack over the app: a finding not acknowledged (Validations.acknowledge, beside the resource
 *   it concerns) fails `cdk synth` and the tests;
 * - checkov (run on the synthesized template in CI, test/infra/static-checks.test.ts): findings accepted for a whole
 *   kind of resource are marked here, on every resource of that kind, as checkov reads them (`Metadata.checkov.skip`);
 *   findings about one resource are marked beside it.
 */
import type { CfnResource} from 'aws-cdk-lib';
import { Aspects, Validations, type App, type IAspect } from 'aws-cdk-lib';
import { CfnRepository } from 'aws-cdk-lib/aws-ecr';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const ACCEPTED_BY_KIND: readonly [new (...args: never[]) => CfnResource, string, string][] = [
  [CfnLogGroup, 'CKV_AWS_158', 'Run logs, task events and flow logs hold no secret (the API key is redacted and passed as an ECS secret): AWS-managed encryption at rest, no KMS key per log group.'],
  [CfnRepository, 'CKV_AWS_136', 'The image holds the public code and no secret: ECR\'s AES-256 encryption at rest is enough.'],
];

class CheckovAcceptances implements IAspect {
  visit(node: IConstruct): void {
    for (const [kind, id, comment] of ACCEPTED_BY_KIND) if (node instanceof kind) node.addMetadata('checkov', { skip: [{ id, comment }] });
  }
}

export function checkWithCdkNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Aspects.of(app).add(new CheckovAcceptances());
}
