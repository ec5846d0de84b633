/**
 * cdk-nag's AwsSolutions pack over the app, and the few findings this stack accepts, each with its reason. A finding
 * that is not acknowledged here fails `cdk synth` and the tests.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function checkWithCdkNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
