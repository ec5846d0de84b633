/**
 * What the task definition assumes about the image the repository's Dockerfile builds. A test reads the Dockerfile
 * and fails when these drift apart, because a task that starts the wrong path fails only at 08:00 on AWS.
 *
 * Why a wrapper: the image bakes a config with local drivers; the cloud run needs S3, DynamoDB and Glue, and Fargate
 * has no easy way to mount one file. So the stack renders the cloud config (cloud-config.ts) into an environment
 * variable, and a one-line shell entry point writes it to a file before exec'ing `cbbd` with the schedule's arguments.
 */

/** The Dockerfile's ENTRYPOINT program: `node <CLI_SCRIPT>`. */
export const CLI_SCRIPT = '/app/bin/cbbd.js';
/** The asset declarations inside the image (the `assets:` of the image's own config). */
export const ASSETS_MODULE = '/app/assets/index.ts';
/** The image's writable folder (owned by its unprivileged user): the cloud config and the run log's local copy. */
export const DATA_DIR = '/data';
export const CLOUD_CONFIG_PATH = `${DATA_DIR}/config.cloud.yaml`;
/** The environment variable carrying the rendered cloud config. */
export const CLOUD_CONFIG_ENV = 'CBBD_CLOUD_CONFIG';
/** The container's name in the task definition (the schedules' overrides and deploy.yml name it). */
export const CONTAINER_NAME = 'cbbd';

/** The scratch folder (TMPDIR) inside the one writable volume: the root filesystem is read-only. */
export const TEMP_DIR = `${DATA_DIR}/tmp`;

/**
 * `sh -c <script> cbbd <args…>`: the schedule's command override becomes "$@", quoted, so `*` reaches cbbd as a
 * selection and is never globbed by the shell. A run's maximum time is the state machine's (scheduled-runs.ts): it
 * stops the task as ECS stops any task (SIGTERM, the run records itself cancelled and commits nothing half done) and
 * fails with States.Timeout, which is not retried.
 */
export const ENTRY_POINT: readonly string[] = [
  'sh',
  '-c',
  `mkdir -p ${TEMP_DIR} && printf '%s\\n' "$${CLOUD_CONFIG_ENV}" > ${CLOUD_CONFIG_PATH} && exec node ${CLI_SCRIPT} "$@"`,
  'cbbd',
];
