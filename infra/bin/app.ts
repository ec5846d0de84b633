/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` from infra/. Context (cdk.json, or `-c key=value`):
 *   config                 the project's config.yaml (default ../config.yaml): names, region, schedules
 *   imageTag               the image tag the stack's task definition starts with (default latest)
 *   alarmEmail             subscribe this address to the alarm topic
 *   vpcId, privateSubnets  run in an existing VPC (its public subnets, or its private ones when privateSubnets=true)
 *   githubRepo             owner/name: create the OIDC role deploy.yml assumes
 *   githubOidcProviderArn  the account's existing GitHub OIDC provider, when it has one
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../src/build-app.ts';

const app = new App();
buildApp(app);
app.synth();
