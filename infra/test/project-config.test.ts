import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULES, readProjectConfig } from '../src/project-config.ts';
import { writeConfig } from './helpers.ts';

describe('readProjectConfig', () => {
  it('takes the defaults of the CLI when config.yaml says nothing', () => {
    const project = readProjectConfig(writeConfig('seasons: { first: 2020 }\n'));
    expect(project).toMatchObject({ region: 'us-east-1', bucket: 'hoops-edge', checkpointTable: 'cbbd_checkpoints' });
    expect(project.schedules.map((s) => [s.name, s.cron, s.eventBridgeCron, s.timezone, s.command])).toEqual([
      ['nightly', DEFAULT_SCHEDULES.nightly.cron, 'cron(0 8 * * ? *)', 'UTC', DEFAULT_SCHEDULES.nightly.command],
      ['weekly-validate', DEFAULT_SCHEDULES['weekly-validate'].cron, 'cron(0 12 ? * SUN *)', 'UTC', ['validate']],
    ]);
  });

  it('leaves out a schedule with enabled: false', () => {
    const project = readProjectConfig(writeConfig(`
schedules:
  nightly: { cron: "0 8 * * *", command: ["materialize", "*", "--season", "current"], enabled: false }
  hourly:  { cron: "0 * * * *", timezone: Europe/Paris, command: ["plan", "*"] }
`));
    expect(project.schedules.map((s) => [s.name, s.timezone, s.command])).toEqual([['hourly', 'Europe/Paris', ['plan', '*']]]);
  });

  it.each([
    ['schedules: { nightly: { cron: "0 8 * * *", timezone: Mars/Olympus, command: [validate] } }', /schedules\.nightly\.timezone: "Mars\/Olympus" is not an IANA time zone/],
    ['schedules: { nightly: { cron: "0 8 1 * 1", command: [validate] } }', /schedules\.nightly\.cron: .*split it into two schedules/],
    ['schedules: { nightly: { cron: "0 8 * * *", command: [] } }', /schedules\.nightly\.command: expected the cbbd arguments as a list/],
    ['schedules: { "night ly": { cron: "0 8 * * *", command: [validate] } }', /a schedule name may use letters, digits/],
    ['schedules: { nightly: { cron: "0 8 * * *", command: "validate" } }', /schedules\.nightly\.command: expected the cbbd arguments as a list/],
    ['aws: { bucket: "" }', /aws\.bucket: expected a non-empty string/],
    ['schedules: [nightly]', /schedules: expected a mapping/],
  ])('refuses %s, naming the file and the field', (yaml, message) => {
    const file = writeConfig(`${yaml}\n`);
    expect(() => readProjectConfig(file)).toThrow(message);
    expect(() => readProjectConfig(file)).toThrow(file);
  });

  it('says how to point at the file when it is missing', () => {
    expect(() => readProjectConfig('/nowhere/config.yaml')).toThrow(/cdk synth -c config=<path>/);
  });
});

describe('aws.deploy', () => {
  it('is read from config.yaml, with none for a setting left out on purpose', () => {
    const project = readProjectConfig(writeConfig('aws: { deploy: { alarmEmail: ops@example.org, githubRepo: none, maxRunHours: 3 } }\n'));
    expect(project.deploy).toEqual({
      alarmEmail: 'ops@example.org', githubRepo: undefined, githubEnvironment: 'production', githubOidcProviderArn: undefined,
      vpcId: undefined, privateSubnets: false, maxRunHours: 3,
    });
  });

  it.each([
    ['alarmEmail: not-an-address', 'aws.deploy.alarmEmail: expected an e-mail address, or none'],
    ['githubRepo: just-a-name', 'aws.deploy.githubRepo: expected owner/name, or none'],
    ['maxRunHours: 48', 'aws.deploy.maxRunHours: expected hours from 1 to 24'],
  ])('refuses %s', (setting, message) => {
    expect(() => readProjectConfig(writeConfig(`aws: { deploy: { ${setting} } }\n`))).toThrow(message);
  });
});
