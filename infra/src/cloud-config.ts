/**
 * The config the container runs with on AWS: the project's config.yaml (seasons, source limits, gold parameters: the
 * same answers as on a laptop) with the cloud drivers, the stack's names, and paths inside the image. `schedules:`
 * is dropped: EventBridge starts the task, and a task never schedules anything itself.
 */
import { stringify } from 'yaml';
import { ASSETS_MODULE, DATA_DIR } from './container-contract.ts';
import type { ProjectConfig } from './project-config.ts';

export interface CloudNames {
  readonly region: string;
  readonly bucket: string;
  readonly checkpointTable: string;
  readonly workgroup: string;
}

export function renderCloudConfig(project: ProjectConfig, names: CloudNames): string {
  const { schedules: _schedules, aws: _aws, drivers: _drivers, ...rest } = project.document;
  const document = {
    ...rest,
    assets: ASSETS_MODULE,
    lakehouse: { root: `${DATA_DIR}/lakehouse` },
    runLog: { ...record(rest.runLog), path: `${DATA_DIR}/.cbbd/runlog.sqlite` },
    checkpoints: { path: `${DATA_DIR}/.cbbd/checkpoints.sqlite` },
    drivers: { storage: 's3', checkpoints: 'dynamodb', catalog: 'glue' },
    aws: { region: names.region, bucket: names.bucket, checkpointTable: names.checkpointTable, workgroup: names.workgroup },
  };
  return `# Rendered by infra/ (cdk synth) from ${project.file.split('/').pop()}; edit that file and deploy again.\n${stringify(document)}`;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
