import { describe, expect, it } from 'vitest';
import { defaultSchedules } from '../../src/config/schedules.ts';
import { readProjectConfig } from '../src/project-config.ts';
import { writeConfig } from './helpers.ts';

describe('readProjectConfig', () => {
  it('takes the defaults of the CLI when config.yaml says nothing (the schedules of the project\'s own config.yaml)', () => {
    const project = readProjectConfig(writeConfig('seasons: { first: 2020 }\n'));
    expect(project).toMatchObject({ region: 'us-east-1', bucket: 'hoops-edge', checkpointTable: 'cbbd_checkpoints' });
    expect(Object.keys(defaultSchedules())).toEqual(['nightly', 'weekly-validate']);
    expect(project.schedules.map((s) => [s.name, s.cron, s.eventBridgeCron, s.timezone, s.command])).toEqual([
      ['nightly', '0 8 * * *', 'cron(0 8 * * ? *)', 'UTC', ['materialize', '*', '--season', 'current', '--call-budget', '150']],
      ['weekly-validate', '0 12 * * 0', 'cron(0 12 ? * SUN *)', 'UTC', ['validate']],
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
    ['schedules: { nightly: { cron: "0 8 * * *", timezone: Mars/Olympus, command: [validate] } }', /schedules\.nightly\.timezone: timezone "Mars\/Olympus" is not a time zone/],
    ['schedules: { nightly: { cron: "0 8 1 * 1", command: [validate] } }', /schedules\.nightly\.cron: .*split it into two schedules/],
    ['schedules: { nightly: { cron: "0 8 * * *", command: [] } }', /schedules\.nightly\.command: expected the command after "cbbd"/],
    ['schedules: { "night ly": { cron: "0 8 * * *", command: [validate] } }', /"night ly" is not a schedule name: use letters, digits/],
    ['schedules: { nightly: { cron: "0 8 * * *", command: "validate" } }', /schedules\.nightly\.command: Invalid input: expected array/],
    ['aws: { bucket: "" }', /aws\.bucket: expected a non-empty string/],
    ['schedules: [nightly]', /schedules: Invalid input: expected record/],
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
